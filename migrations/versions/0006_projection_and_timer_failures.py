"""projection and timer failures

A projection that cannot apply an event is stopped there and reported from its tracking row;
a timer whose command fails is retried later with backoff instead of holding up the others.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projection_tracking") as batch:
        batch.add_column(sa.Column("failed_position", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("failed_event_type", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("timers") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timers") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("last_error")
        batch.drop_column("attempts")
    with op.batch_alter_table("projection_tracking") as batch:
        batch.drop_column("failures")
        batch.drop_column("last_error")
        batch.drop_column("failed_event_type")
        batch.drop_column("failed_position")
