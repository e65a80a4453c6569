"""Workspaces belong to owners: a workspace_owner table; names unique per owner, not overall.

Every workspace that exists already belongs to the owner ``local`` (the one user of a
dashboard without login), so a single-user installation goes on exactly as before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL_OWNER = "local"  # samskaping.storage.LOCAL_OWNER (a migration does not import the package it migrates)
# 0001 left the unique constraint on workspace.name unnamed; this names it so it can be dropped
# (PostgreSQL calls it workspace_name_key; SQLite reflects it without a name).
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _name_constraint() -> str | None:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("workspace"):
        if constraint["column_names"] == ["name"]:
            return constraint["name"] or "uq_workspace_name"
    return None


def upgrade() -> None:
    op.create_table(
        "workspace_owner",
        sa.Column(
            "workspace_id",
            sa.String(32),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column("owner", sa.String(320), primary_key=True, nullable=False),
    )
    op.create_index("ix_workspace_owner_owner", "workspace_owner", ["owner"])
    op.execute(
        sa.text("INSERT INTO workspace_owner (workspace_id, owner) SELECT id, :owner FROM workspace").bindparams(
            owner=LOCAL_OWNER
        )
    )
    name = _name_constraint()
    if name is not None:
        with op.batch_alter_table("workspace", naming_convention=_NAMING) as batch:
            batch.drop_constraint(name, type_="unique")


def downgrade() -> None:
    # Names become unique overall again: only possible when no two owners chose the same name.
    with op.batch_alter_table("workspace", naming_convention=_NAMING) as batch:
        batch.create_unique_constraint("uq_workspace_name", ["name"])
    op.drop_index("ix_workspace_owner_owner", table_name="workspace_owner")
    op.drop_table("workspace_owner")
