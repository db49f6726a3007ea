"""The IP-right register and pledge registration (SPEC §3, §4)."""
