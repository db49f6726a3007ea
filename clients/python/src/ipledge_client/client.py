"""``IpledgeClient``: every operation of the ipledge API as a typed method (see operations.py
for the map from OpenAPI operationIds to methods)."""

from __future__ import annotations

from ipledge_client._disposals import DisposalsMixin
from ipledge_client._operations import OperationsMixin
from ipledge_client._pledges import PledgesMixin
from ipledge_client._register import RegisterMixin


class IpledgeClient(PledgesMixin, DisposalsMixin, RegisterMixin, OperationsMixin):
    """A synchronous client; use it as a context manager or call ``close()``.

    >>> with IpledgeClient("http://127.0.0.1:8000", api_key) as ipledge:
    ...     pledge = ipledge.file_pledge(filing, idempotency_key="BANK-A/WHB-2026-0001")
    ...     ipledge.release(ipledge.get_pledge(pledge.id), released_on=date.today())

    Every POST and PUT carries an Idempotency-Key (yours, or a fresh uuid4 reused across the
    retries of that one call); failures raise ``ProblemError`` subclasses keyed by ``code``."""
