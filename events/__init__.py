"""Infrastructure around the one event store: wiring, clock, envelope, projections."""
