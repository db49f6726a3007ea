"""console sessions: the web console's server-side sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(
        "ix_console_sessions_principal_id", "console_sessions", ["principal_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_console_sessions_principal_id", table_name="console_sessions")
    op.drop_table("console_sessions")
