"""The workflow operations over HTTP (SPEC §4): `POST /fhir/ClaimResponse/{id}/$request-p2p` and
`POST /fhir/Task/{id}/$accept|$reject|$schedule|$reschedule|$record-outcome|$cancel|$escalate`.

Parameters in; the new Task (201, `$request-p2p` and `$escalate`) or the changed Task (200) out, with the
headers and `Prefer: return` handling of a create or update. Every change goes through the same rules as
a PUT (fhir_p2p/workflow/tasks.py), so a refusal is the same 422/409/403 OperationOutcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from flask import Blueprint, Response, current_app, request

from fhir_p2p.api.http import profile_check, read_resource, unit_of_work, write_response
from fhir_p2p.errors import Issue
from fhir_p2p.resources.pas import Json
from fhir_p2p.store.base import StoredResource
from fhir_p2p.workflow.operations import Parameters, Workflow
from fhir_p2p.workflow.policy import PolicyBook

bp = Blueprint("workflow", __name__, url_prefix="/fhir")

Operation = Callable[[Workflow, str, Parameters], StoredResource]

# Task operations: URL name -> (what it does, whether it creates a Task).
TASK_OPERATIONS: Final[dict[str, tuple[Operation, bool]]] = {
    "accept": (Workflow.accept, False),
    "reject": (Workflow.reject, False),
    "schedule": (Workflow.schedule, False),
    "reschedule": (Workflow.reschedule, False),
    "record-outcome": (Workflow.record_outcome, False),
    "cancel": (Workflow.cancel, False),
    "escalate": (Workflow.escalate, True),
}


@bp.post("/ClaimResponse/<resource_id>/$request-p2p")
def request_p2p(resource_id: str) -> Response:
    return _run(Workflow.request_p2p, resource_id, creates=True)


@bp.post(f"/Task/<resource_id>/$<any({', '.join(map(repr, TASK_OPERATIONS))}):operation>")
def task_operation(resource_id: str, operation: str) -> Response:
    run, creates = TASK_OPERATIONS[operation]
    return _run(run, resource_id, creates=creates)


def _run(operation: Operation, resource_id: str, *, creates: bool) -> Response:
    params = Parameters(read_resource(request, "Parameters") if request.get_data() else {"resourceType": "Parameters"})
    policies: PolicyBook = current_app.extensions["fhir_p2p.payers"]
    warnings: list[Issue] = []

    def validate(resource: Json) -> None:
        warnings.extend(profile_check().require(resource))

    with unit_of_work(write=True) as uow:
        stored = operation(Workflow(uow, policies, validate), resource_id, params)
    return write_response(stored, 201 if creates else 200, [*warnings, *uow.warnings])
