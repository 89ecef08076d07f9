"""The Task state machine over HTTP (SPEC §3, workflow/states.py), table-driven: for each kind of Task and
every (state, transition) pair, the transition's operation and the equivalent PUT are accepted exactly when
states.TRANSITIONS lists it, and a refusal is a 422 that changes nothing. Then who may make which change
(real provider and payer tokens), the fields fixed at creation, final states and the server's deadline."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask

from fhir_p2p.search.dates import instant_text
from fhir_p2p.workflow import states
from fhir_p2p.workflow.assess import assess
from fhir_p2p.workflow.taskdata import Kind, State
from tests.api.support import database_state
from tests.auth.support import bearer, offline_token, register, rsa_key
from tests.workflow.support import (
    OPERATIONS,
    PATHS,
    TRANSITION_NAMES,
    Api,
    appeal_task,
    changed,
    created,
    equivalent_put,
    make,
    outputs_of,
    payer_denial,
    policy,
    reach,
    rules_of,
    state,
    story,
)

KIND_STATES = [(kind, source) for kind in Kind for source in PATHS[kind]]
# By name, for the state each transition reaches (the same for every kind that has it).
TRANSITIONS_BY_NAME = {t.name: t for table in states.TRANSITIONS.values() for t in table}


def _allowed(kind: Kind, source: State, name: str) -> bool:
    transition = states.named(kind, name)
    return transition is not None and source in transition.sources


def _expected_refusal(kind: Kind, source: State, name: str, by: str) -> str:
    """The rule of the refusal: task-010 on a final Task; for a PUT whose target state another transition
    reaches (a no-show PUT from requested is an acceptance recording an outcome; an acceptance PUT from
    scheduled is a no-show without one), that transition's own refusal, task-015; else task-007."""
    if not states.is_open(source):
        return "task-010"
    if by == "put" and states.find(kind, source, TRANSITIONS_BY_NAME[name].target) is not None:
        return "task-015"
    return "task-007"


def _snapshot(app: Flask, api: Api, task_id: str) -> tuple[Any, ...]:
    """What a refusal leaves as it was: every table's row count and newest version row (so no new version and no
    AuditEvent or Provenance), and the stored Task as read."""
    return database_state(app), api.task(task_id)


@pytest.mark.parametrize(("kind", "source"), KIND_STATES, ids=[f"{k}-{s}" for k, s in KIND_STATES])
def test_each_transition_is_accepted_exactly_where_the_table_lists_it(app, api, kind, source):
    refused_here = reach(api, kind, source)
    problems = []
    for name in TRANSITION_NAMES:
        for by in ("operation", "put"):
            if by == "operation" and name not in OPERATIONS:
                continue
            target = TRANSITIONS_BY_NAME[name].target
            where = f"{name} by {by} from {source}"
            if by == "put" and target == source:
                continue  # no transition: a PUT that keeps the state (test_a_put_that_keeps_the_state_...)
            if _allowed(kind, source, name):
                task_id = reach(api, kind, source)
                before = int(api.task(task_id)["meta"]["versionId"])
                response = make(api, kind, task_id, name, by=by)
                after = api.task(task_id)
                if response.status_code != 200 or state(after) != target:
                    problems.append(f"{where}: {response.status_code} {state(after)} {response.get_json()}")
                elif int(after["meta"]["versionId"]) != before + 1 or response.get_json() != after:
                    problems.append(f"{where}: not exactly one new version, answered as stored")
                continue
            before = _snapshot(app, api, refused_here)
            response = make(api, kind, refused_here, name, by=by)
            expected = _expected_refusal(kind, source, name, by)
            if response.status_code != 422 or rules_of(response)[:1] != [expected]:
                problems.append(f"{where}: wanted 422 {expected}, got {response.status_code} {response.get_json()}")
            elif _snapshot(app, api, refused_here) != before:
                problems.append(f"{where}: refused, but something changed")
    assert problems == []


# A PUT that keeps the Task's state makes no transition: it amends the Task. The equivalent PUT of a
# transition into the state the Task is already in is such a PUT; only two of them change something.
SAME_STATE_PUTS = [
    (kind, source, name)
    for kind in Kind
    for source in PATHS[kind]
    for name in TRANSITION_NAMES
    if TRANSITIONS_BY_NAME[name].target == source and not _allowed(kind, source, name)
]


def test_a_put_that_keeps_the_state_is_no_transition(app, api):
    problems = []
    for kind, source, name in SAME_STATE_PUTS:
        task_id = reach(api, kind, source)
        current = api.task(task_id)
        body = equivalent_put(kind, current, name)
        response = api.put(body)
        if (kind, source, name) == (Kind.P2P, states.SCHEDULED, "schedule"):
            wanted = 200  # a new time while scheduled is a rescheduling that keeps the stage: the table has it
        elif name == "no-show":
            wanted = 422  # an outcome without the call that records it (task-015)
        else:
            wanted = 200
            assert body == {k: v for k, v in current.items() if k != "meta"}, (kind, source, name)
        if response.status_code != wanted or state(api.task(task_id)) != source:
            problems.append(f"{kind} {name} PUT in {source}: {response.status_code} {response.get_json()}")
        if wanted == 422 and rules_of(response) != ["task-015"]:
            problems.append(f"{kind} {name} PUT in {source}: {rules_of(response)}")
    assert problems == []


def test_an_operation_on_a_task_outside_the_workflow_is_refused(api):
    other = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "for": {"reference": "Patient/theodora-vance"},
        "code": {"text": "Call the patient"},
    }
    task_id = created(api.post(other))["id"]
    response = api.op(task_id, "accept")
    assert (response.status_code, rules_of(response)) == (422, ["task-007"])
    assert api.task(task_id)["status"] == "requested"


def test_an_unknown_task_or_denial_is_404(api):
    assert api.op("nope", "accept").status_code == 404
    assert api.request_p2p("nope").status_code == 404


# --- fields fixed at creation, final states, the server's deadline ---------------------------------------

APPEAL = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-appeal"
# A new value of each field fixed at creation (for a P2P; partOf for an appeal), and the rule refusing it:
# task-009, or the profile's when it fixes the value (intent is always order).
FIXED_CHANGES = {
    "code": (
        {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code", "code": "internal-appeal"}]},
        "task-009",
    ),
    "focus": ({"reference": "ClaimResponse/denial-inpatient-stay"}, "task-009"),
    "for": ({"reference": "Patient/someone-else"}, "task-009"),
    "requester": ({"reference": "PractitionerRole/adaeze-lindqvist-cvmc-spine"}, "task-009"),
    "owner": ({"reference": "Organization/cedar-valley-medical-center"}, "task-009"),
    "intent": ("plan", "val-003"),
    "authoredOn": ("2026-11-18T09:45:00-06:00", "task-009"),
    "partOf": ([{"reference": "Task/another"}], "task-009"),
}


def test_a_field_fixed_at_creation_cannot_change(app, api):
    p2p, appeal = reach(api, Kind.P2P, states.ACCEPTED), reach(api, Kind.INTERNAL_APPEAL, states.ACCEPTED)
    for field, (value, rule) in FIXED_CHANGES.items():
        task_id = appeal if field == "partOf" else p2p
        body = {**api.task(task_id), field: value}
        if field == "code":  # a valid appeal Task in every other way: the change itself is what is refused
            body["meta"] = {"profile": [APPEAL]}
        before = _snapshot(app, api, task_id)
        response = api.put(body)
        assert (response.status_code, rules_of(response)) == (422, [rule]), field
        assert _snapshot(app, api, task_id) == before, field


def test_a_final_task_takes_no_change_but_an_identical_put(app, api):
    for final in (states.DECIDED, states.REJECTED, states.CANCELLED, states.FAILED):
        task_id = reach(api, Kind.P2P, final)
        current = api.task(task_id)
        noted = {**current, "note": [{"text": "one more thing"}]}
        before = _snapshot(app, api, task_id)
        response = api.put(noted)
        assert (response.status_code, rules_of(response)) == (422, ["task-010"]), final
        assert _snapshot(app, api, task_id) == before, final
        reopened = {**current, "status": "in-progress"}
        assert rules_of(api.put(reopened)) == ["task-010"], final
        assert api.put(current).status_code == 200, final  # the same content again: nothing to refuse


def test_the_server_keeps_its_deadline_and_warns(api):
    task_id = reach(api, Kind.P2P, states.ACCEPTED)
    current = api.task(task_id)
    deadline = current["restriction"]["period"]["end"]
    moved = {**current, "restriction": {"period": {"end": "2027-01-31T23:59:59Z"}}}
    response = api.put(moved, Prefer="return=OperationOutcome")
    assert response.status_code == 200
    assert rules_of(response) == ["task-011"]
    assert api.task(task_id)["restriction"] == {"period": {"end": deadline}}
    dropped = {k: v for k, v in api.task(task_id).items() if k != "restriction"}
    assert rules_of(api.put(dropped, Prefer="return=OperationOutcome")) == ["task-011"]
    assert api.task(task_id)["restriction"] == {"period": {"end": deadline}}


def test_a_new_request_gets_the_server_deadline_and_initial_stage_with_warnings(api):
    denial = payer_denial()
    api.put(denial)
    body = appeal_task(denial["id"], Kind.P2P, restriction={"period": {"end": "2026-12-31T00:00:00Z"}})
    body["meta"]["profile"] = ["http://fhir-p2p.org/fhir/StructureDefinition/p2p-request"]
    body["businessStatus"] = {
        "coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-stage", "code": "scheduled"}]
    }
    window = {"start": "2026-11-19T09:00:00-06:00", "end": "2026-11-19T12:00:00-06:00"}
    body["input"].append({"type": _input_type("availability"), "valuePeriod": window})
    response = api.post(body, Prefer="return=OperationOutcome")
    assert response.status_code == 201, response.get_json()
    assert sorted(rules_of(response)) == ["task-006", "task-011", "task-012"]  # one call window of the two
    stored = api.read("Task", response.headers["Location"].split("/")[-3])
    assert state(stored) == states.REQUESTED
    assert stored["restriction"]["period"]["end"] == "2026-11-25T05:59:59.000000Z"  # 5 business days, Chicago


def test_a_request_is_created_only_in_status_requested(app, api):
    denial = payer_denial()
    api.put(denial)
    body = appeal_task(denial["id"], Kind.INTERNAL_APPEAL, status="accepted")
    before = database_state(app)
    response = api.post(body)
    assert (response.status_code, rules_of(response)) == (422, ["task-001"])
    assert database_state(app) == before


def _input_type(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-input", "code": code}]}


# --- the provider's and the payer's sides, with real tokens ----------------------------------------------

PROVIDER, PAYER = "Organization/cedar-valley-medical-center", "Organization/northwind-health-plan"
EVERGREEN = "Organization/evergreen-medicare-advantage"


@pytest.fixture
def sides(auth_app) -> dict[str, Api]:
    """Clients for the provider (Cedar Valley), Northwind and Evergreen (payers), and the dev-like loader."""
    store = auth_app.extensions["fhir_p2p.store"]
    with store.unit_of_work(write=True) as uow:  # as `fhir-p2p load` does
        for resource in story():
            uow.update(resource["resourceType"], resource["id"], resource)
    apis = {}
    for number, (who, organization, role) in enumerate(
        [("provider", PROVIDER, "provider"), ("payer", PAYER, "payer"), ("evergreen", EVERGREEN, "payer")]
    ):
        register(auth_app, who, key=rsa_key(number), organization=organization, role=role)
        apis[who] = Api(auth_app.test_client(), bearer(offline_token(auth_app, "system/*.cruds", who)))
    return apis


def _p2p(sides: dict[str, Api], payer_id: str = "NWHP1", *path: str) -> str:
    """A P2P the provider requested for a new denial the payer posted, moved along `path` by the payer."""
    payer = sides["payer" if payer_id == "NWHP1" else "evergreen"]
    denial_id = created(payer.post(payer_denial(payer_id)))["id"]
    task_id = str(created(sides["provider"].request_p2p(denial_id))["id"])
    for name in path:
        changed(make(payer, Kind.P2P, task_id, name))
    return task_id


# What only the payer does, from where the payer's side would do it.
PAYER_MOVES = [
    ((), "receive"),
    ((), "accept"),
    ((), "reject"),
    (("accept",), "schedule"),
    (("accept", "schedule"), "hold"),
    (("accept", "schedule"), "decide"),
    (("accept", "schedule"), "no-show"),
    (("accept", "schedule"), "fail"),
]


def test_a_provider_cannot_make_the_payers_transitions(auth_app, sides):
    for path, name in PAYER_MOVES:
        task_id = _p2p(sides, "NWHP1", *path)
        for by in ("operation", "put"):
            before = _snapshot(auth_app, sides["provider"], task_id)
            response = make(sides["provider"], Kind.P2P, task_id, name, by=by)
            assert (response.status_code, rules_of(response)) == (403, ["task-008"]), (name, by, response.get_json())
            assert _snapshot(auth_app, sides["provider"], task_id) == before, (name, by)


def test_a_provider_reschedules_and_withdraws_its_own_request(sides):
    provider = sides["provider"]
    task_id = _p2p(sides, "NWHP1", "accept", "schedule")
    moved = changed(provider.op(task_id, "reschedule", start="2026-11-20T11:00:00-06:00"))
    assert state(moved) == states.RESCHEDULED
    withdrawn = changed(provider.op(task_id, "cancel", reason="The patient chose surgery elsewhere"))
    assert state(withdrawn) == states.CANCELLED
    assert outputs_of(withdrawn)["outcome"] == "withdrawn"
    assert withdrawn["statusReason"] == {"text": "The patient chose surgery elsewhere"}


def test_a_provider_cannot_record_the_payers_outputs(auth_app, sides):
    provider = sides["provider"]
    task_id = _p2p(sides, "NWHP1", "accept", "schedule")
    current = provider.task(task_id)
    with_reviewer = copy.deepcopy(current)
    with_reviewer["output"].append(
        {"type": _output_type("reviewer"), "valueReference": {"reference": "Practitioner/adaeze-lindqvist"}}
    )
    rescheduling_too = equivalent_put(Kind.P2P, with_reviewer, "reschedule")
    cancel_as_no_show = equivalent_put(Kind.P2P, current, "cancel")
    cancel_as_no_show["output"][-1]["valueCodeableConcept"]["coding"][0]["code"] = "no-show"
    cases = {"an output within the state": (with_reviewer, 403, "task-021")}
    cases["another output with a rescheduling"] = (rescheduling_too, 403, "task-021")
    cases["a no-show with a cancellation"] = (cancel_as_no_show, 422, "task-015")
    for what, (body, status, rule) in cases.items():
        before = _snapshot(auth_app, provider, task_id)
        response = provider.put(body)
        assert (response.status_code, rules_of(response)) == (status, [rule]), what
        assert _snapshot(auth_app, provider, task_id) == before, what


def test_a_payer_cannot_change_the_requesters_inputs(auth_app, sides):
    payer = sides["payer"]
    task_id = _p2p(sides, "NWHP1", "accept")
    body = payer.task(task_id)
    body["input"] = [i for i in body["input"] if i["type"]["coding"][0]["code"] != "availability"]
    before = _snapshot(auth_app, payer, task_id)
    response = payer.put(body)
    assert (response.status_code, rules_of(response)) == (403, ["task-021"])
    assert _snapshot(auth_app, payer, task_id) == before
    scheduled = equivalent_put(Kind.P2P, payer.task(task_id), "schedule")
    scheduled["input"] = body["input"]
    assert rules_of(payer.put(scheduled)) == ["task-021"]  # not with a transition either


def test_a_payer_withdraws_nothing_and_cancels_only_to_send_new_information_to_appeal(auth_app, sides, clock):
    northwind = _p2p(sides, "NWHP1", "accept")
    before = _snapshot(auth_app, sides["payer"], northwind)
    refused = sides["payer"].op(northwind, "cancel", reason="New records arrived")
    assert (refused.status_code, rules_of(refused)) == (422, ["task-018"])
    assert _snapshot(auth_app, sides["payer"], northwind) == before

    evergreen = sides["evergreen"]
    as_withdrawn = _p2p(sides, "EGMA1", "accept")
    response = evergreen.put(equivalent_put(Kind.P2P, evergreen.task(as_withdrawn), "cancel"))
    assert (response.status_code, rules_of(response)) == (422, ["task-015"])
    assert state(evergreen.task(as_withdrawn)) == states.ACCEPTED

    cancelled = changed(evergreen.op(as_withdrawn, "cancel", reason="New clinical information: reconsideration"))
    assert state(cancelled) == states.CANCELLED
    outputs = outputs_of(cancelled)
    assert "outcome" not in outputs
    assert outputs["next-step"] == "internal-appeal"
    denial = evergreen.read("ClaimResponse", cancelled["focus"]["reference"].split("/")[1])
    appeal_due = assess(denial, policy("EGMA1"), clock.now).appeal_due_at
    assert outputs["appeal-deadline"] == instant_text(appeal_due) == "2027-01-17T07:59:59.000000Z"  # 60 days, LA


def test_a_payer_cannot_cancel_an_appeal(auth_app, sides):
    payer, provider = sides["payer"], sides["provider"]
    denial_id = created(payer.post(payer_denial()))["id"]
    appeal = created(provider.post(appeal_task(denial_id, Kind.INTERNAL_APPEAL)))["id"]
    before = _snapshot(auth_app, payer, appeal)
    response = payer.op(appeal, "cancel")
    assert (response.status_code, rules_of(response)) == (403, ["task-008"])
    assert _snapshot(auth_app, payer, appeal) == before
    assert state(changed(provider.op(appeal, "cancel"))) == states.CANCELLED


def _output_type(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-output", "code": code}]}
