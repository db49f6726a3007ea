"""reports: listing to pledge map

A sale or a buyback event names only its listing; the reports projection keeps its own map
from listing to pledge so it never reads the disposals projection's tables.

Until now the reports projection was a stub that skipped every event while advancing its
tracking position; it is reset here so that it replays the whole log into its tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:33:24.143522
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_listings",
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("pledge_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("listing_id"),
    )
    op.execute("DELETE FROM report_facts")
    op.execute("DELETE FROM pledge_timeline")
    op.execute("DELETE FROM projection_tracking WHERE name = 'reports'")


def downgrade() -> None:
    op.drop_table("report_listings")
