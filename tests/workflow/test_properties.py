"""Any sequence of workflow operations and PUTs with random parameters keeps every P2P and appeal Task sound
(hypothesis): each stored version meets its profile, its history is a path of states.TRANSITIONS (each
version the same state as the one before or one transition on), a final Task never changes again, outcomes
appear only where a transition records them, and a P2P never counts more missed calls than its payer allows.
No request ends in a 5xx, and a refused one stores nothing.

Runs are derandomized (the same examples every run, a few seconds each database); `FUZZ_SCALE=20` runs 20
times as many random examples."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fhir_p2p.rest.conformance import ProfileCheck
from fhir_p2p.workflow import states
from fhir_p2p.workflow.taskdata import Kind, Outcome, State, kind_of, with_state
from tests.api.support import database_state
from tests.workflow.support import (
    CALL_TIMES,
    PATHS,
    Api,
    drop_output,
    make,
    outputs_of,
    policy,
    put_output,
    reach,
    state,
)

SCALE = float(os.environ.get("FUZZ_SCALE", "0") or 0)
START = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)
EXAMPLES = 40
PAYERS = ("NWHP1", "EGMA1", "CMHI2", "BBTX1")
ALL_STATES = sorted({s for table in states.STATES.values() for s in table}, key=str)
# Outcomes each state may hold (anything else means an outcome was recorded without its transition).
OUTCOMES_IN: dict[str, frozenset[str | None]] = {
    "completed": frozenset({"overturned", "partially-overturned", "upheld"}),
    "accepted": frozenset({None, "no-show"}),
    "cancelled": frozenset({None, "withdrawn", "no-show"}),
    "failed": frozenset({None, "no-show"}),
}

times = st.sampled_from([*CALL_TIMES, "2026-11-19T09:00:00Z", "2026-11-19", "not a time"])
outcomes = st.sampled_from(["overturned", "partially-overturned", "upheld", "no-show", "withdrawn", "maybe"])
texts = st.sampled_from(["Clinical notes received", "No reviewer available", " "])


@dataclass(frozen=True)
class Operation:
    """`POST /fhir/Task/{pool[target]}/${name}` with `values` (parameters as tests/workflow/support.parameters)."""

    target: int
    name: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Put:
    """A PUT of the Task `pool[target]` with `changes` made to its current body (see _changed)."""

    target: int
    changes: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Move:
    """One of the transitions the Task `pool[target]` can make where it is (`choice` modulo how many), by its
    operation or the equivalent PUT (support.make): the steps that take runs deep into the state machine."""

    target: int
    choice: int
    by: str


@dataclass(frozen=True)
class Wait:
    hours: float


def _optional(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


operations = st.one_of(
    st.builds(Operation, st.integers(0, 3), st.just("accept"), st.just({})),
    st.builds(Operation, st.integers(0, 3), st.just("reject"), _optional(reason=texts)),
    st.builds(Operation, st.integers(0, 3), st.sampled_from(["schedule", "reschedule"]), _optional(start=times)),
    st.builds(
        Operation,
        st.integers(0, 3),
        st.just("record-outcome"),
        _optional(outcome=outcomes, approved_item=st.integers(1, 3), next_step=st.sampled_from(["none", "x"])),
    ),
    st.builds(Operation, st.integers(0, 3), st.just("cancel"), _optional(reason=texts)),
    st.builds(Operation, st.integers(0, 3), st.just("escalate"), _optional(expedited=st.booleans())),
)
changes = st.one_of(
    st.tuples(st.just("state"), st.sampled_from(ALL_STATES)),
    st.tuples(st.just("outcome"), st.one_of(st.none(), outcomes)),
    st.tuples(st.just("scheduled-time"), st.one_of(st.none(), times)),
    st.tuples(st.just("statusReason"), texts),
    st.tuples(st.just("next-step"), st.sampled_from(["internal-appeal", "none"])),
    st.tuples(st.just("restriction"), st.just("2027-01-01T00:00:00Z")),
    st.tuples(st.just("drop-input"), st.sampled_from(["availability", "callback"])),
    st.tuples(st.just("owner"), st.just("Organization/cedar-valley-medical-center")),
)
puts = st.builds(Put, st.integers(0, 3), st.lists(changes, min_size=1, max_size=3).map(tuple))
moves = st.builds(Move, st.integers(0, 3), st.integers(0, 9), st.sampled_from(["operation", "put"]))
waits = st.builds(Wait, st.sampled_from([1.0, 30.0, 24.0 * 20]))
# Half of the steps legal moves, the other half random operations, PUTs and waits (st.one_of would weigh each
# of its leaves the same: six kinds of operation against one of move).
_STEPS = {"move": moves, "operation": operations, "put": puts, "wait": waits}
step_kinds = st.sampled_from(["move", "move", "move", "operation", "operation", "put", "wait"])
steps = st.lists(step_kinds.flatmap(_STEPS.__getitem__), min_size=3, max_size=14)


def _changed(task: dict[str, Any], changes: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The current body of a Task with `changes` made, for a PUT."""
    body = copy.deepcopy(task)
    body.pop("meta", None)
    for what, value in changes:
        if what == "state":
            body = with_state(body, value)
        elif what in ("outcome", "scheduled-time") and value is None:
            drop_output(body, what)
        elif what in ("outcome", "next-step"):
            put_output(body, what, value)
        elif what == "scheduled-time":
            put_output(body, what, {"valuePeriod": {"start": value}})
        elif what == "statusReason":
            body["statusReason"] = {"text": value} if value else {}
        elif what == "restriction":
            body["restriction"] = {"period": {"end": value}}
        elif what == "drop-input":
            body["input"] = [i for i in body["input"] if i["type"]["coding"][0]["code"] != value]
        elif what == "owner":
            body["owner"] = {"reference": value}
    return body


def _run(app: Flask, api: Api, pool: list[str], step: Any) -> None:
    """Make one step; a refusal must store nothing, and nothing may fail with a 5xx."""
    if isinstance(step, Wait):
        app.config["CLOCK"].advance(hours=step.hours)  # the app's clock: the `clock` fixture
        return
    task_id = pool[step.target % len(pool)]
    before = database_state(app)
    if isinstance(step, Move):
        current = api.task(task_id)
        kind = kind_of(current)
        assert kind is not None
        legal = [t.name for t in states.TRANSITIONS[kind] if state(current) in t.sources]
        if not legal:
            event("move from a final state")
            return
        name = legal[step.choice % len(legal)]
        response = make(api, kind, task_id, name, by=step.by)
        label = f"{name} by {step.by}"
    elif isinstance(step, Operation):
        response = api.op(task_id, step.name, **step.values)
        label = step.name
    else:
        response = api.put(_changed(api.task(task_id), step.changes))
        label = "PUT"
    event(f"{label} -> {response.status_code}")
    assert response.status_code in (200, 201, 400, 403, 409, 422), (step, response.get_json())
    if response.status_code >= 400:
        assert database_state(app) == before, step
    elif response.status_code == 201 and response.get_json().get("resourceType") == "Task":
        pool.append(response.get_json()["id"])


def _check_history(api: Api, profiles: ProfileCheck, task_id: str) -> None:
    versions = api.history("Task", task_id)
    kind = kind_of(versions[0])
    assert kind is not None and state(versions[0]) == states.INITIAL
    limit = policy(_payer_of(api, versions[0])).missed_calls
    missed = 0
    for previous, version in zip([None, *versions], versions, strict=False):
        errors = [i for i in profiles.issues(version) if i.severity in ("error", "fatal")]
        assert errors == [], (task_id, version["meta"]["versionId"], errors)
        here = state(version)
        outcome = outputs_of(version).get("outcome")
        assert outcome in OUTCOMES_IN.get(here.status, frozenset({None})), (task_id, here, outcome)
        if previous is None:
            continue
        before: State = state(previous)
        assert here == before or states.find(kind, before, here) is not None, (task_id, before, here)
        if not states.is_open(before):
            assert _content(version) == _content(previous), (task_id, "a final Task changed")
        if outcome == Outcome.NO_SHOW and outputs_of(previous).get("outcome") != Outcome.NO_SHOW:
            missed += 1
    assert missed <= limit, (task_id, missed, limit)
    if missed == limit:
        assert state(versions[-1]) == states.FAILED, (task_id, "the last missed call ends the request")


def _payer_of(api: Api, task: dict[str, Any]) -> str:
    insurer = api.read("ClaimResponse", task["focus"]["reference"].split("/")[1])["insurer"]["reference"]
    return next(p for p in PAYERS if insurer.endswith(_ORGANIZATION_SUFFIX[p]))


_ORGANIZATION_SUFFIX = {
    "NWHP1": "northwind-health-plan",
    "EGMA1": "evergreen-medicare-advantage",
    "CMHI2": "cascade-mutual",
    "BBTX1": "bluebonnet-texas",
}


def _content(task: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in task.items() if k not in ("meta", "text")}


@settings(
    max_examples=int(EXAMPLES * SCALE) if SCALE else EXAMPLES,
    deadline=None,
    derandomize=not SCALE,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payer_id=st.sampled_from(PAYERS),
    kind=st.sampled_from([Kind.P2P, Kind.P2P, Kind.INTERNAL_APPEAL]),
    start=st.integers(0, 9),
    steps=steps,
)
def test_any_sequence_of_changes_keeps_every_task_valid_and_on_the_state_machine(
    app, api, clock, payer_id, kind, start, steps
):
    clock.now = START  # each example starts on the story's day, its own denial still open to requests
    open_states = [s for s in PATHS[kind] if states.is_open(s)]  # final ones: test_transitions.py
    source = open_states[start % len(open_states)]  # from any open state, not only from `requested`
    pool = [reach(api, kind, source, payer_id)]
    for step in steps:
        _run(app, api, pool, step)
    profiles: ProfileCheck = app.extensions["fhir_p2p.profiles"]
    for task_id in pool:
        _check_history(api, profiles, task_id)
