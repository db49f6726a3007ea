"""compensation claims read model, for GET /v1/compensation-claims

The disposals list reads the existing disposals_view. The new projection has no tracking row
yet, so on an existing store it starts from position 0 and fills the table from the log.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 09:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims_view",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_position", sa.BigInteger(), nullable=False),
        sa.Column("pledge_id", sa.String(length=36), nullable=False),
        sa.Column("pledgee", sa.String(length=64), nullable=False),
        sa.Column("fund_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("share", sa.String(length=20), nullable=False),
        sa.Column("outstanding_amount", sa.BigInteger(), nullable=False),
        sa.Column("advance_due", sa.BigInteger(), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("advanced_on", sa.Date(), nullable=True),
        sa.Column("refund_due", sa.BigInteger(), nullable=True),
        sa.Column("balance_due", sa.BigInteger(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("created_position"),
    )
    op.create_index("ix_claims_view_pledgee", "claims_view", ["pledgee"], unique=False)
    op.create_index("ix_claims_view_fund_id", "claims_view", ["fund_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claims_view_fund_id", table_name="claims_view")
    op.drop_index("ix_claims_view_pledgee", table_name="claims_view")
    op.drop_table("claims_view")
