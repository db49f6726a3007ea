"""The IP-right register and pledge registration (contract §3, §4)."""
