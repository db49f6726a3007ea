"""Who did it: every event records the acting principal."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = (
    "admin",
    "ip_office",
    "bank",
    "trading_centre",
    "disposal_platform",
    "compensation_fund",
    "regulator",
    "partner",
)

# Timers and other work the service does on its own behalf.
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    """Who recorded an event: the principal, its role and its institution."""

    principal_id: str
    role: str
    institution_id: str

    def as_dict(self) -> dict[str, str]:
        return {
            "principal_id": self.principal_id,
            "role": self.role,
            "institution_id": self.institution_id,
        }


SYSTEM = Actor(principal_id="system", role=SYSTEM_ROLE, institution_id="ipledge")
