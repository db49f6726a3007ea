"""Webhooks and the pull feed (contract §10): who may see each event, the outbox, the dispatcher."""
