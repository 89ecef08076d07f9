"""Each change of state of a P2P or appeal Task queues one `task-state` event in the outbox, in the same
transaction: created, every transition; nothing for a change within a state or a refused change."""

from __future__ import annotations

from typing import Any

from fhir_p2p.store.outbox import Outbox
from tests.workflow.support import changed, created

FIRST = "requested/awaiting-scheduling"


def _states(app, task_id: str) -> list[tuple[Any, ...]]:
    with app.extensions["fhir_p2p.store"].unit_of_work() as uow:
        events = Outbox(uow).events("Task", task_id)
    return [
        (e["detail"]["version"], e["detail"]["from"], e["detail"]["to"]) for e in events if e["event"] == "task-state"
    ]


def test_a_request_and_each_transition_queue_one_event(app, api):
    task = created(api.request_p2p("denial-mri-lumbar"))
    changed(api.op(task["id"], "accept"))
    changed(api.op(task["id"], "schedule", start="2026-11-19T10:00:00-06:00"))
    changed(api.op(task["id"], "record-outcome", outcome="upheld"))
    appeal = created(api.op(task["id"], "escalate"))
    assert _states(app, task["id"]) == [
        (1, None, FIRST),
        (2, FIRST, "accepted/awaiting-scheduling"),
        (3, "accepted/awaiting-scheduling", "accepted/scheduled"),
        (4, "accepted/scheduled", "completed/determination-issued"),
    ]
    assert _states(app, appeal["id"]) == [(1, None, FIRST)]


def test_a_change_within_a_state_or_a_refused_one_queues_nothing(app, api):
    task = created(api.request_p2p("denial-mri-lumbar"))
    amended = {**api.task(task["id"]), "note": [{"text": "call the cell phone first"}]}
    changed(api.put(amended))
    assert api.op(task["id"], "record-outcome", outcome="upheld").status_code == 422
    assert _states(app, task["id"]) == [(1, None, FIRST)]
