"""Webhooks and the pull feed (SPEC §10): who may see each event, the outbox, the dispatcher."""
