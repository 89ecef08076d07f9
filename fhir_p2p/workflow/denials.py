"""A denial ClaimResponse as stored: assessed under its payer's policy (workflow/assess.py), the result on it."""

from __future__ import annotations

from typing import Any

from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow.policy import PolicyBook


def assessed(
    policies: PolicyBook, uow: UnitOfWork, current: dict[str, Any] | None, resource: dict[str, Any]
) -> dict[str, Any]:
    """The ClaimResponse to store."""
    return resource
