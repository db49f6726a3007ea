"""HTTP API, CLI and process wiring."""
