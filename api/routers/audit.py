"""Audit for regulators (contract §8): the log, signed checkpoints, inclusion/consistency proofs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep, Regulator
from api.errors import ApiError
from api.schemas.common import Position
from api.schemas.public_audit import (
    AuditLogPublic,
    CheckpointPublic,
    ConsistencyProofPublic,
    InclusionProofPublic,
    PublicKeyPublic,
)

router = APIRouter(prefix="/v1/audit", tags=["audit"])
TreePosition = Annotated[Position, Query(ge=1)]


def caught_up_to(container: Container, size: int) -> int:
    """The tree caught up to ``size``, never waiting for positions not yet written (a proof
    asked for beyond the log's end is a 422 at once, not a 503 after the catch-up timeout)."""
    return container.audit.caught_up_size(min(size, container.store.max_position()))


@router.get(
    "/log",
    summary="The global event log in order, each envelope with its leaf hash",
    response_model=AuditLogPublic,
)
def audit_log(
    _: Regulator,
    container: ContainerDep,
    after: Annotated[Position, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> dict:
    items = container.audit.page(after, limit)
    more = bool(items) and items[-1]["position"] < container.audit.tree_size()
    return {"items": items, "next_after": items[-1]["position"] if more else None}


@router.get(
    "/checkpoint",
    summary="A signed checkpoint (tree size, root hash) of the whole log",
    response_model=CheckpointPublic,
)
def checkpoint(_: PrincipalDep, container: ContainerDep) -> dict:
    return container.audit.checkpoint()


@router.get(
    "/public-key",
    summary="The Ed25519 key that signs checkpoints and certificates",
    response_model=PublicKeyPublic,
)
def public_key(container: ContainerDep) -> dict:
    key = container.audit.key
    return {"key_id": key.key_id, "public_key": key.public_key, "algorithm": "Ed25519"}


@router.get(
    "/proofs/inclusion",
    summary="RFC 6962 inclusion proof of a log position",
    response_model=InclusionProofPublic,
)
def inclusion(
    _: PrincipalDep, container: ContainerDep, position: TreePosition, tree_size: TreePosition
) -> dict:
    size = caught_up_to(container, tree_size)
    if tree_size > size or position > tree_size:
        raise ApiError(
            422,
            "validation_error",
            f"need position <= tree_size <= {size}",
            errors=[{"field": "tree_size", "message": f"the log has {size} events"}],
        )
    path = container.audit.inclusion(position, tree_size)
    return {"leaf_index": position - 1, "tree_size": tree_size, "path": path}


@router.get(
    "/proofs/consistency",
    summary="RFC 6962 consistency proof between two tree sizes",
    response_model=ConsistencyProofPublic,
)
def consistency(
    _: PrincipalDep, container: ContainerDep, first: TreePosition, second: TreePosition
) -> dict:
    size = caught_up_to(container, second)
    if first > second or second > size:
        raise ApiError(
            422,
            "validation_error",
            f"need first <= second <= {size}",
            errors=[{"field": "second", "message": f"the log has {size} events"}],
        )
    return {"first": first, "second": second, "path": container.audit.consistency(first, second)}
