"""Disposal of distressed collateral (SPEC §5, §6)."""
