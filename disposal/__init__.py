"""Disposal of distressed collateral (contract §5, §6)."""
