"""store_metadata: the event contract marker (typed event shapes, contract v1)

An empty store is marked ``event_contract = 1``: every event it will hold has the typed shapes.
A store that already holds events was written before the typed contract (free dicts in
events) and is left unmarked, so that start-up refuses it (events/contract.py) instead of
misreading it.

Revision ID: 0009
Revises: 0010 (after main's disposal and claim lists; both branched from 0007)
Create Date: 2026-12-01 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The eventsourcing recorder's table: "stored_events" on SQLite, "<app>_events" on PostgreSQL.
EVENT_TABLES = ("stored_events", "ipledge_events")


def upgrade() -> None:
    table = op.create_table(
        "store_metadata",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    if not _holds_events():
        op.bulk_insert(table, [{"key": "event_contract", "value": "1"}])


def downgrade() -> None:
    op.drop_table("store_metadata")


def _holds_events() -> bool:
    conn = op.get_bind()
    present = set(sa.inspect(conn).get_table_names())
    for name in EVENT_TABLES:
        if name in present and conn.execute(sa.text(f"SELECT 1 FROM {name} LIMIT 1")).first():
            return True
    return False
