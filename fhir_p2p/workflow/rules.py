"""The workflow's rules on every write (SPEC §6), whichever way the write came: a denial ClaimResponse is
assessed and carries the result (workflow/denials.py); a P2P or appeal Task is checked against its denial and
may only move along the state machine (workflow/tasks.py), and each of its changes of state queues an event.
The store calls them (store/base.py WriteRules)."""

from __future__ import annotations

from typing import Any

from fhir_p2p.store.base import StoredResource
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow import denials, tasks
from fhir_p2p.workflow.policy import PolicyBook


class WorkflowRules:
    """The WriteRules of the server: the payer policies, applied to ClaimResponses and Tasks."""

    def __init__(self, policies: PolicyBook):
        self.policies = policies

    def creating(self, uow: UnitOfWork, resource_type: str, resource: dict[str, Any]) -> dict[str, Any]:
        return self.updating(uow, resource_type, None, resource)

    def updating(
        self, uow: UnitOfWork, resource_type: str, current: dict[str, Any] | None, resource: dict[str, Any]
    ) -> dict[str, Any]:
        if resource_type == "ClaimResponse":
            return denials.assessed(self.policies, uow, current, resource)
        if resource_type == "Task":
            return tasks.checked(self.policies, uow, current, resource)
        return resource

    def written(self, uow: UnitOfWork, stored: StoredResource, previous: dict[str, Any] | None) -> None:
        if stored.resource_type == "Task":
            tasks.announce(uow, stored, previous)
