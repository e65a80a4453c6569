"""The workspace database's tables, as SQLAlchemy Core metadata.

Only :mod:`samskaping.storage` (and the Alembic environment) use these; the migrations in
``samskaping/migrations/versions`` create them, and a test checks the two agree.
"""

import sqlalchemy as sa

__all__ = [
    "DECISION_TABLES",
    "exclusion_table",
    "findings_table",
    "metadata",
    "note_table",
    "owner_table",
    "placement_table",
    "wave_file_table",
    "wave_table",
    "workspace_table",
]

metadata = sa.MetaData()

workspace_table = sa.Table(
    "workspace",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),  # unique per owner (checked by the store)
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("k", sa.Integer, nullable=False),
    sa.Column("three_as_missing", sa.Boolean, nullable=False),
    sa.Column("codebook_yaml", sa.Text, nullable=True),
)
wave_table = sa.Table(
    "wave",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("collected_on", sa.Date, nullable=True),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sheet", sa.String(200), nullable=True),
    sa.Column("mapping_yaml", sa.Text, nullable=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Index("ix_wave_workspace", "workspace_id"),
)
wave_file_table = sa.Table(
    "wave_file",
    metadata,
    sa.Column("wave_id", sa.String(32), sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # 0: the survey file; 1…: companion files
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
placement_table = sa.Table(
    "placement",
    metadata,
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_name", sa.String(500), primary_key=True),
    sa.Column("position", sa.Float, nullable=True),
    sa.Column("outside", sa.Boolean, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("show", sa.String(20), nullable=False),
)
findings_table = sa.Table(
    "findings_edit",
    metadata,
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("wave_id", sa.String(32), primary_key=True),
    sa.Column("case_name", sa.String(500), primary_key=True),
    sa.Column("lang", sa.String(5), primary_key=True),
    sa.Column("cells_json", sa.Text, nullable=False),
)
exclusion_table = sa.Table(
    "exclusion",
    metadata,
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("wave_id", sa.String(32), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("target", sa.String(500), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)
note_table = sa.Table(
    "case_note",
    metadata,
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_name", sa.String(500), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
)
owner_table = sa.Table(
    "workspace_owner",
    metadata,
    sa.Column("workspace_id", sa.String(32), sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True),
    # Who may list, open, save and delete the workspace: the login's e-mail, or "local" without login.
    sa.Column("owner", sa.String(320), primary_key=True),
    sa.Index("ix_workspace_owner_owner", "owner"),
)
# Rows owned by a workspace that a save replaces as a whole (small; waves are synced instead).
DECISION_TABLES = (placement_table, findings_table, exclusion_table, note_table)
