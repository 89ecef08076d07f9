"""The workflow operations (SPEC §4, §6): `$request-p2p` on a denial, and `$accept`, `$reject`, `$schedule`,
`$reschedule`, `$record-outcome`, `$cancel`, `$escalate` on a Task. Each turns its Parameters into the next
version of the Task (or a new Task) and stores it through the unit of work, so the same rules check it as a
PUT making the same change (workflow/tasks.py); the result is checked against its profile before storing.

Rule ids of this module; last id used: op-004.
  op-001  a required parameter is missing or has the wrong type
  op-002  the outcome is not one this operation records
  op-003  the Task has nothing to escalate
  op-004  a partial overturn the server derives needs the approved items
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.resources.pas import (
    ACTION_SYSTEM,
    INPUT_SYSTEM,
    NUCC_SYSTEM,
    P2P_APPEAL,
    P2P_REQUEST,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    ROLE_SYSTEM,
    TASK_CODE_SYSTEM,
    Json,
    concept,
)
from fhir_p2p.search.dates import instant_text
from fhir_p2p.store.base import StoredResource
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow import states
from fhir_p2p.workflow.policy import PolicyBook
from fhir_p2p.workflow.taskdata import (
    Kind,
    Outcome,
    State,
    denied_items,
    drop_outputs,
    inputs,
    kind_of,
    output_code,
    reason,
    set_output,
    set_output_code,
    state_of,
    with_state,
)
from fhir_p2p.workflow.tasks import (
    missed_calls,
    next_step_after,
    require_new_time,
    require_transition,
    review_of,
    side_of,
)

Validate = Callable[[Json], object]  # raises Unprocessable when the resource breaks its profile


@dataclass(frozen=True, slots=True)
class Parameters:
    """A FHIR Parameters resource, read by parameter name."""

    body: Json

    def all(self, name: str, key: str) -> list[Any]:
        """The `key` values (valueString, valueReference...) of every parameter called `name`."""
        found = [p for p in self.body.get("parameter", []) if p.get("name") == name]
        wrong = [p for p in found if key not in p]
        if wrong:
            raise _bad(f"Parameter {name} takes {key}", f"Parameters.parameter.where(name = '{name}')")
        return [p[key] for p in found]

    def one(self, name: str, key: str, *, required: bool = False) -> Any:
        values = self.all(name, key)
        if len(values) > 1:
            raise _bad(f"Parameter {name} is given more than once", f"Parameters.parameter.where(name = '{name}')")
        if not values and required:
            raise _bad(f"Parameter {name} ({key}) is required", "Parameters.parameter")
        return values[0] if values else None

    def code(self, name: str, system: str, *, required: bool = False) -> Json | None:
        """A CodeableConcept given as valueCodeableConcept, or as valueCode of `system`."""
        given = [p for p in self.body.get("parameter", []) if p.get("name") == name]
        if given and "valueCode" in given[0]:
            return concept(system, str(self.one(name, "valueCode")))
        return self.one(name, "valueCodeableConcept", required=required)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Workflow:
    """The operations, for one unit of work."""

    uow: UnitOfWork
    policies: PolicyBook
    validate: Validate

    # --- on a denial ---------------------------------------------------------------------------

    def request_p2p(self, denial_id: str, params: Parameters) -> StoredResource:
        """Create the P2P request Task for a denial from the requester's parameters."""
        denial = self.uow.read("ClaimResponse", denial_id).as_dict()
        task: Json = {
            "resourceType": "Task",
            "meta": {"profile": [P2P_REQUEST]},
            "status": states.INITIAL.status,
            "intent": "order",
            "code": concept(TASK_CODE_SYSTEM, Kind.P2P.value),
            "focus": {"reference": f"ClaimResponse/{denial_id}"},
            "for": denial.get("patient"),
            "authoredOn": instant_text(self.uow.clock()),
            "requester": params.one("requester", "valueReference", required=True),
            "owner": denial.get("insurer"),
        }
        given_reason = params.one("reason", "valueCodeableConcept")
        if given_reason is not None:
            task["reasonCode"] = given_reason
        params.code("requester-role", ROLE_SYSTEM, required=True)
        params.one("callback", "valueContactPoint", required=True)
        task["input"] = _inputs(params, "requester-role", "requested-specialty", *_INPUT_KEYS)
        return self._create(_without_none(task))

    # --- on a Task -----------------------------------------------------------------------------

    def accept(self, task_id: str, params: Parameters) -> StoredResource:
        return self._change(task_id, "accept", lambda task: with_state(task, states.ACCEPTED))

    def reject(self, task_id: str, params: Parameters) -> StoredResource:
        why = params.one("reason", "valueString", required=True)

        def rejected(task: Json) -> Json:
            return {**with_state(task, states.REJECTED), "statusReason": reason(why)}

        return self._change(task_id, "reject", rejected)

    def schedule(self, task_id: str, params: Parameters) -> StoredResource:
        return self._change(task_id, "schedule", lambda task: self._scheduled(task, params, states.SCHEDULED))

    def reschedule(self, task_id: str, params: Parameters) -> StoredResource:
        def moved(task: Json) -> Json:
            changed = self._scheduled(task, params, states.RESCHEDULED)
            require_new_time(task, changed)  # a PUT of the same time is no change; this operation is one
            return changed

        return self._change(task_id, "reschedule", moved)

    def record_outcome(self, task_id: str, params: Parameters) -> StoredResource:
        outcome = params.one("outcome", "valueCode", required=True)
        if outcome not in (Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED, Outcome.UPHELD, Outcome.NO_SHOW):
            message = f"$record-outcome records overturned, partially-overturned, upheld or no-show, not {outcome}"
            raise Unprocessable(message, issues=[Issue("error", "value", message, "Parameters.parameter", "op-002")])
        current = self.uow.read("Task", task_id).as_dict()
        require_transition(current, "no-show" if outcome == Outcome.NO_SHOW else "decide")  # before any revision
        if outcome == Outcome.NO_SHOW:
            return self._change(task_id, "no-show", lambda task: self._no_show(task))
        revised = params.one("revised-determination", "valueReference")
        if outcome in (Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED) and revised is None:
            revised = self._derive_revision(current, Outcome(outcome), params.all("approved-item", "valuePositiveInt"))
        next_step = params.one("next-step", "valueCode")

        def decided(task: Json) -> Json:
            task = with_state(task, states.DECIDED)
            set_output_code(task, "outcome", outcome)
            if revised is not None:
                set_output(task, "revised-determination", "valueReference", revised)
            if next_step is not None or outcome == Outcome.UPHELD:
                set_output_code(task, "next-step", next_step or next_step_after(kind_of(task) or Kind.P2P))
            return _with_note(task, params.one("note", "valueString"))

        return self._change(task_id, "decide", decided)

    def cancel(self, task_id: str, params: Parameters) -> StoredResource:
        why = params.one("reason", "valueString")

        def cancelled(task: Json) -> Json:
            task = with_state(task, states.CANCELLED)
            if side_of(self.uow) is states.Side.PAYER:  # the payer sends the new information to appeal
                review = review_of(self.policies, self.uow, task)
                set_output_code(task, "next-step", "internal-appeal")
                if review.assessment.appeal_due_at is not None:
                    set_output(task, "appeal-deadline", "valueDateTime", instant_text(review.assessment.appeal_due_at))
                task["statusReason"] = reason(why or "New information: the request goes to an internal appeal")
            else:
                set_output_code(task, "outcome", Outcome.WITHDRAWN)
                if why:
                    task["statusReason"] = reason(why)
            return task

        return self._change(task_id, "cancel", cancelled)

    def escalate(self, task_id: str, params: Parameters) -> StoredResource:
        """Create the appeal that follows a P2P (internal appeal) or an internal appeal (external review)."""
        source = self.uow.read("Task", task_id).as_dict()
        kind = _escalation(source)
        expedited = bool(params.one("expedited", "valueBoolean"))
        copied = [*inputs(source, "requester-role"), *inputs(source, "callback")]
        appeal: Json = {
            "resourceType": "Task",
            "meta": {"profile": [P2P_APPEAL]},
            "status": states.INITIAL.status,
            "intent": "order",
            "priority": "urgent" if expedited else "routine",
            "code": concept(TASK_CODE_SYSTEM, kind.value),
            "focus": source.get("focus"),
            "for": source.get("for"),
            "partOf": [{"reference": f"Task/{task_id}"}],
            "authoredOn": instant_text(self.uow.clock()),
            "requester": source.get("requester"),
            "owner": source.get("owner"),
            "input": [*copied, *_inputs(params, "clinical-rationale", "supporting-info")],
        }
        return self._create(_without_none(appeal))

    # --- internals -----------------------------------------------------------------------------

    def _create(self, task: Json) -> StoredResource:
        self.validate(task)
        return self.uow.create("Task", task)

    def _change(self, task_id: str, transition: str, change: Callable[[Json], Json]) -> StoredResource:
        """Store the Task changed by `change`, once the `transition` it makes is one the Task can make now."""
        stored = self.uow.read("Task", task_id)
        require_transition(stored.as_dict(), transition)
        task = change(stored.as_dict())
        self.validate(task)
        return self.uow.update("Task", task_id, task, if_match=stored.version_id).stored

    def _scheduled(self, task: Json, params: Parameters, state: State) -> Json:
        start = params.one("start", "valueDateTime", required=True)
        end = params.one("end", "valueDateTime")
        task = with_state(task, state)
        set_output(task, "scheduled-time", "valuePeriod", {"start": start, **({"end": end} if end else {})})
        reviewer = params.one("reviewer", "valueReference")
        if reviewer is not None:
            set_output(task, "reviewer", "valueReference", reviewer)
        specialty = params.code("reviewer-specialty", NUCC_SYSTEM)
        if specialty is not None:
            set_output(task, "reviewer-specialty", "valueCodeableConcept", specialty)
        return _with_note(task, params.one("note", "valueString"))

    def _no_show(self, task: Json) -> Json:
        limit = review_of(self.policies, self.uow, task).policy.missed_calls
        closes = missed_calls(self.uow, task) + 1 >= limit
        task = with_state(task, states.FAILED if closes else states.ACCEPTED)
        set_output_code(task, "outcome", Outcome.NO_SHOW)
        drop_outputs(task, "scheduled-time")
        if closes:
            task["statusReason"] = reason(f"no-show: {limit} missed calls")
        return task

    def _derive_revision(self, task: Json, outcome: Outcome, approved: list[int]) -> Json:
        """Store the revised determination the server derives from the denial; a reference to it."""
        review = review_of(self.policies, self.uow, task)
        if outcome is Outcome.PARTIALLY_OVERTURNED and not approved:
            message = "A partial overturn without revised-determination names the approved items (approved-item)"
            raise Unprocessable(message, issues=[Issue("error", "required", message, "Parameters", "op-004")])
        items = set(approved or denied_items(task) or review.assessment.disputable)
        revised = copy.deepcopy(review.denial)
        for key in ("id", "meta", "identifier", "preAuthRef", "text"):
            revised.pop(key, None)
        revised["created"] = instant_text(self.uow.clock())
        for item in revised.get("item", []):
            if item.get("itemSequence") in items:
                _certify(item)
        note = {"type": "display", "text": f"Revised after the {outcome} review of Task/{task['id']}"}
        revised["processNote"] = [*revised.get("processNote", []), note]
        stored = self.uow.create("ClaimResponse", revised)
        return {"reference": f"ClaimResponse/{stored.id}"}


def _escalation(source: Json) -> Kind:
    """What a final Task escalates to; refuse (op-003) one with nothing to escalate."""
    kind, state, outcome = kind_of(source), states.normalized(state_of(source)), output_code(source, "outcome")
    if kind is Kind.P2P and (
        state in (states.REJECTED, states.FAILED, states.CANCELLED)
        or (state == states.DECIDED and outcome in (Outcome.UPHELD, Outcome.PARTIALLY_OVERTURNED))
    ):
        return Kind.INTERNAL_APPEAL
    if kind is Kind.INTERNAL_APPEAL and state == states.DECIDED and outcome in (Outcome.UPHELD,):
        return Kind.EXTERNAL_REVIEW
    message = (
        f"Nothing to escalate: a {kind or 'Task'} that is {state}"
        f"{' with outcome ' + outcome if outcome else ''} is not an upheld or ended review"
    )
    raise Unprocessable(message, issues=[Issue("error", "business-rule", message, "Task.status", "op-003")])


def _certify(item: Json) -> None:
    """Mark an item certified (A1) in its PAS review actions, dropping their denial reasons."""
    for adjudication in item.get("adjudication", []):
        for review in adjudication.get("extension", []):
            if review.get("url") != REVIEW_ACTION:
                continue
            review["extension"] = [
                {"url": REVIEW_ACTION_CODE, "valueCodeableConcept": concept(ACTION_SYSTEM, "A1")}
                if part.get("url") == REVIEW_ACTION_CODE
                else part
                for part in review.get("extension", [])
                if part.get("url") != "reasonCode"
            ]


# Task inputs a parameter of the same name gives: its value key, or the system of a code given as valueCode.
_INPUT_KEYS: Final = {
    "callback": "valueContactPoint",
    "availability": "valuePeriod",
    "clinical-rationale": "valueString",
    "supporting-info": "valueReference",
    "denied-item": "valuePositiveInt",
}
_INPUT_CODES: Final = {"requester-role": ROLE_SYSTEM, "requested-specialty": NUCC_SYSTEM}


def _inputs(params: Parameters, *names: str) -> list[Json]:
    """The Task inputs of the parameters `names`, in that order (repeated parameters give repeated inputs)."""
    found = []
    for name in names:
        if name in _INPUT_CODES:
            code = params.code(name, _INPUT_CODES[name])
            values, key = ([] if code is None else [code]), "valueCodeableConcept"
        else:
            key = _INPUT_KEYS[name]
            values = params.all(name, key)
        found += [{"type": concept(INPUT_SYSTEM, name), key: value} for value in values]
    return found


def _with_note(task: Json, text: str | None) -> Json:
    if text:
        task["note"] = [*task.get("note", []), {"text": text}]
    return task


def _without_none(resource: Json) -> Json:
    return {key: value for key, value in resource.items() if value is not None}


def _bad(message: str, expression: str = "Parameters.parameter") -> Unprocessable:
    return Unprocessable(message, issues=[Issue("error", "required", message, expression, "op-001")])
