"""The first schema: workspaces, waves with their files, placements, findings edits, exclusions, notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner(primary_key: bool = True) -> sa.Column:
    return sa.Column(
        "workspace_id",
        sa.String(32),
        sa.ForeignKey("workspace.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("three_as_missing", sa.Boolean, nullable=False),
        sa.Column("codebook_yaml", sa.Text, nullable=True),
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.String(32), primary_key=True),
        _owner(primary_key=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("collected_on", sa.Date, nullable=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sheet", sa.String(200), nullable=True),
        sa.Column("mapping_yaml", sa.Text, nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_wave_workspace", "wave", ["workspace_id"])
    op.create_table(
        "wave_file",
        sa.Column("wave_id", sa.String(32), sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "placement",
        _owner(),
        sa.Column("case_name", sa.String(500), primary_key=True),
        sa.Column("position", sa.Float, nullable=True),
        sa.Column("outside", sa.Boolean, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("show", sa.String(20), nullable=False),
    )
    op.create_table(
        "findings_edit",
        _owner(),
        sa.Column("wave_id", sa.String(32), primary_key=True),
        sa.Column("case_name", sa.String(500), primary_key=True),
        sa.Column("lang", sa.String(5), primary_key=True),
        sa.Column("cells_json", sa.Text, nullable=False),
    )
    op.create_table(
        "exclusion",
        _owner(),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("wave_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "case_note",
        _owner(),
        sa.Column("case_name", sa.String(500), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("case_note", "exclusion", "findings_edit", "placement", "wave_file"):
        op.drop_table(table)
    op.drop_index("ix_wave_workspace", table_name="wave")
    op.drop_table("wave")
    op.drop_table("workspace")
