"""SQL tables owned by Alembic: read models (projections) and service tables.

The event table itself belongs to the eventsourcing recorder and is not declared here.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData()


class Money(TypeDecorator[Decimal]):
    """Exact CNY amounts as integer fen: SQLite has no exact decimal column type."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        return None if value is None else int((value * 100).to_integral_exact())

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(CENT)


CENT = Decimal("0.01")
MONEY = Money()

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    # A projection stopped at an event it cannot apply (cleared when it gets past it): kept
    # here so that every process, not only the one that met it, reports it.
    Column("failed_position", BigInteger),
    Column("failed_event_type", String(200)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, server_default="0"),
)

pledges_view = Table(
    "pledges_view",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("registration_number", String(15), unique=True),
    Column("status", String(20), nullable=False),
    Column("pledgee", String(64), nullable=False),
    Column("pledgor_name", Text, nullable=False),
    Column("pledgor_credit_code", String(18), nullable=False),
    Column("debtor_credit_code", String(18), nullable=False),
    Column("secured_amount", MONEY, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("registered_on", Date),
    Column("maturity_date", Date, nullable=False),
    Column("collateral_at_risk", Boolean, nullable=False),
    Column("fund_id", String(64)),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_pledges_view_pledgee_status", "pledgee", "status"),
    Index("ix_pledges_view_pledgor", "pledgor_credit_code"),
)

pledge_items_view = Table(
    "pledge_items_view",
    metadata,
    Column("pledge_id", String(36), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("released", Boolean, nullable=False),
    Index("ix_pledge_items_view_right", "kind", "number"),
)

ip_rights_view = Table(
    "ip_rights_view",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("holders", JSON, nullable=False),
    Column("filing_date", Date),
    Column("grant_date", Date),
    Column("annuity_paid_through_year", Integer),
    Column("valid_until", Date),
    Column("dispute_hold", Boolean, nullable=False),
    Column("invalidation_pending", Boolean, nullable=False),
    Column("encumbered_by", String(36)),
    Column("version", Integer, nullable=False),
)

ip_right_holders_view = Table(
    "ip_right_holders_view",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("credit_code", String(18), primary_key=True),
    Index("ix_ip_right_holders_view_code", "credit_code"),
)

principals = Table(
    "principals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("institution_id", String(64), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal_id", String(36), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(12), nullable=False),  # in_flight | done
    Column("status_code", Integer),
    Column("content_type", String(100)),
    Column("headers", JSON),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_expires_at", "expires_at"),  # the purge's batches
)

# Facts about the store itself: ``event_contract`` is the version of the stored event shapes
# (events/contract.py); a store holding events without it predates the typed contract.
store_metadata = Table(
    "store_metadata",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

manual_clock = Table(
    "manual_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("now", DateTime(timezone=True), nullable=False),
)

# Timers (contract §7): one row per pending deadline, kept by the timers projection. The state
# (pending | fired | cancelled) is derived from events too, so a rebuild gives the same rows.
timers = Table(
    "timers",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(12), nullable=False),
    # The scheduler's, not the projection's: a failing timer is retried with backoff.
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("retry_at", DateTime(timezone=True)),
    Index("ix_timers_state_due", "state", "due_at"),
    Index("ix_timers_subject", "subject_id"),
)

# What the annuity watch knows of each right (the timers projection's own copy, so it never
# reads another projection's tables at a different position).
annuity_watch = Table(
    "annuity_watch",
    metadata,
    Column("right_id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("filing_date", Date),
    Column("paid_through", Integer),
    Column("status", String(20), nullable=False),
    Column("pledge_id", String(36)),
)

disposals_view = Table(
    "disposals_view",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("pledge_id", String(36), nullable=False),
    Column("pledgee", String(64), nullable=False),
    Column("route", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("appraised_value", MONEY, nullable=False),
    Column("outstanding_amount", MONEY, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("recovery", MONEY),
    Column("settled_on", Date),
    Column("version", Integer, nullable=False),
    Index("ix_disposals_view_pledgee", "pledgee"),
)

listings_view = Table(
    "listings_view",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("disposal_id", String(36), nullable=False),
    Column("pledge_id", String(36), nullable=False),
    Column("pledgee", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("asking_price", MONEY, nullable=False),
    Column("listed_on", Date, nullable=False),
    Column("no_taker_deadline", Date, nullable=False),
    Column("intentions", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_listings_view_status_deadline", "status", "no_taker_deadline"),
)

# One row per compensation claim (contract §5), for GET /v1/compensation-claims.
claims_view = Table(
    "claims_view",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_position", BigInteger, nullable=False, unique=True),
    Column("pledge_id", String(36), nullable=False),
    Column("pledgee", String(64), nullable=False),
    Column("fund_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("share", String(20), nullable=False),  # an exact decimal fraction, kept as its text
    Column("outstanding_amount", MONEY, nullable=False),
    Column("advance_due", MONEY, nullable=False),
    Column("claimed_on", Date, nullable=False),
    Column("advanced_on", Date),
    Column("refund_due", MONEY),
    Column("balance_due", MONEY),
    Column("settled_on", Date),
    Column("version", Integer, nullable=False),
    Index("ix_claims_view_pledgee", "pledgee"),
    Index("ix_claims_view_fund_id", "fund_id"),
)

# Audit (contract §8): the leaf hash of every log position, and every complete (perfect) subtree
# of the RFC 6962 tree: node (level, index) covers leaves [index * 2^level, (index+1) * 2^level).
# Each append adds at most log2(n) nodes; any root or proof needs only O(log n) of them.
audit_nodes = Table(
    "audit_nodes",
    metadata,
    Column("level", Integer, primary_key=True),
    Column("idx", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("timestamp", String(40), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", Text, nullable=False),
    Index("ix_audit_checkpoints_tree_size", "tree_size"),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("private_key", Text, nullable=False),  # base64 raw Ed25519 seed
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Quarterly supervision (contract §9).
npl_submissions = Table(
    "npl_submissions",
    metadata,
    Column("institution_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("quarter", Integer, primary_key=True),
    Column("overall_npl_ratio", String(12), nullable=False),
    Column("submitted_by", String(36), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

# One row per reportable fact, dated with its business date.
report_facts = Table(
    "report_facts",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column(
        "fact", String(20), nullable=False
    ),  # registration|release|default|disposal|sale|buyback
    Column("on_date", Date, nullable=False),
    Column("bank", String(64), nullable=False),
    Column("pledge_id", String(36), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("kinds", String(200), nullable=False),  # the pledge's IP kinds, comma-separated
    Index("ix_report_facts_date", "on_date"),
)

# Each registered pledge's life in business dates, for positions at a quarter's end.
pledge_timeline = Table(
    "pledge_timeline",
    metadata,
    Column("pledge_id", String(36), primary_key=True),
    Column("bank", String(64), nullable=False),
    Column("kinds", String(200), nullable=False),
    Column("secured_amount", MONEY, nullable=False),
    Column("outstanding_amount", MONEY),
    Column("registered_on", Date, nullable=False),
    Column("defaulted_on", Date),
    Column("ended_on", Date),  # released or disposed
    Index("ix_pledge_timeline_bank", "bank"),
)

# Which pledge each listing disposes of: a sale or buyback event names only its listing.
# The reports projection's own copy (it never reads the disposals projection's tables).
report_listings = Table(
    "report_listings",
    metadata,
    Column("listing_id", String(36), primary_key=True),
    Column("pledge_id", String(36), nullable=False),
)

# Webhooks and feed (contract §10).
stream_audience = Table(
    "stream_audience",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("scope", String(20), nullable=False),
    Column("pledgee", String(64)),
    Column("fund_id", String(64)),
    Column("platform", Boolean, nullable=False),
)

event_audience = Table(
    "event_audience",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("pledgee", String(64)),
    Column("fund_id", String(64)),
    Column("platform", Boolean, nullable=False),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("principal_id", String(36), nullable=False),
    Column("role", String(32), nullable=False),
    Column("institution_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", Text),
    # The signing secrets must be usable, so they are stored, not hashed; rotation keeps the
    # previous one signing (alongside) until previous_secret_until.
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100)),
    Column("previous_secret_until", DateTime(timezone=True)),
    Column("status", String(12), nullable=False),  # enabled | disabled | deleted
    Column("disabled_reason", Text),
    Column("consecutive_failures", Integer, nullable=False),
    # The outbox of this endpoint is filled up to here, in the same transaction as the
    # deliveries it adds (its own tracking position); it starts at the log's end at creation.
    Column("scanned_position", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_webhook_endpoints_principal", "principal_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("endpoint_id", String(36), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("leased_until", DateTime(timezone=True)),
    Column("lease_owner", String(64)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("replay", Boolean, nullable=False),
    Index("ix_webhook_deliveries_queue", "endpoint_id", "status", "position"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("delivery_id", BigInteger, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("webhook_timestamp", BigInteger, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Index("ix_webhook_attempts_delivery", "delivery_id"),
)

# The web console's server-side sessions (api/console/sessions.py): the browser holds only a
# random id whose SHA-256 is the key here; the API key it signed in with is never kept.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("principal_id", String(36), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_console_sessions_principal_id", "principal_id"),
)
