"""P2P and appeal Tasks: the checks on a new request and the state machine of every change (SPEC §3, §6)."""

from __future__ import annotations

from typing import Any

from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow.policy import PolicyBook


def checked(
    policies: PolicyBook, uow: UnitOfWork, current: dict[str, Any] | None, resource: dict[str, Any]
) -> dict[str, Any]:
    """The Task to store."""
    return resource
