"""The deadline sweep (`fhir-p2p sweep`, the worker): missed scheduling and decision deadlines marked once, with
an outbox event each; closing P2P windows announced once; both databases; the clock injected."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from click.testing import CliRunner

from fhir_p2p.cli import main
from fhir_p2p.store.outbox import Outbox
from fhir_p2p.workflow.sweep import marked
from fhir_p2p.workflow.taskdata import DEADLINE_MISSED
from fhir_p2p.workflow.worker import SWEEP_ACTOR, run_worker, sweep_once
from tests.auth.support import bearer, offline_token, register
from tests.workflow.support import Api, changed, created, story

DAY = timedelta(hours=24)
# The examples' denial (Northwind, NWHP1: scheduling within 1 business day, decision 24 h after the call) was
# created Tue 2026-11-17 16:45 Chicago; the clock starts Wed 2026-11-18 14:30 UTC (08:30 Chicago).
SCHEDULING_DUE = "2026-11-20T05:59:59.000000Z"  # end of Thu 2026-11-19 in Chicago
CALL = "2026-11-19T10:00:00-06:00"


def _request(api: Api) -> dict[str, Any]:
    return created(api.request_p2p("denial-mri-lumbar"))


def _sweep(app, within: timedelta = DAY):
    return sweep_once(app.extensions["fhir_p2p.store"], app.extensions["fhir_p2p.payers"], within)


def _events(app, resource_type: str, resource_id: str, *, of_the_sweep: bool = True) -> list[dict[str, Any]]:
    """The events queued about a resource: the sweep's (deadline-missed, window-closing), or every one."""
    with app.extensions["fhir_p2p.store"].unit_of_work() as uow:
        found = Outbox(uow).events(resource_type, resource_id)
    return [e for e in found if not of_the_sweep or e["event"] != "task-state"]


def test_a_request_not_scheduled_in_time_is_marked_once_with_one_event(app, api, clock):
    task = _request(api)
    clock.advance(hours=39)  # 2026-11-20 05:30 UTC: the SLA has half an hour left
    assert _sweep(app).missed == []
    assert api.task(task["id"])["meta"]["versionId"] == "1"

    clock.advance(hours=1)
    report = _sweep(app)
    assert report.missed == [(f"Task/{task['id']}", "scheduling")]
    swept = api.task(task["id"])
    assert swept["meta"]["versionId"] == "2"
    assert marked(swept) == {"scheduling"}
    mark = next(e for e in swept["extension"] if e["url"] == DEADLINE_MISSED)
    parts = {part["url"]: next(v for k, v in part.items() if k != "url") for part in mark["extension"]}
    assert parts["noticed"].startswith("2026-11-20T06:30:00.")  # the clock ticks a millisecond a call
    assert parts == {"deadline": "scheduling", "due": SCHEDULING_DUE, "noticed": parts["noticed"]}
    assert app.extensions["fhir_p2p.profiles"].issues(swept) == []
    assert [(e["event"], e["detail"]) for e in _events(app, "Task", task["id"])] == [
        ("deadline-missed", {"deadline": "scheduling", "due": SCHEDULING_DUE})
    ]

    clock.advance(hours=5)
    assert _sweep(app).missed == []  # reported once
    assert api.task(task["id"])["meta"]["versionId"] == "2"
    assert len(_events(app, "Task", task["id"])) == 1


def test_the_sweep_writes_its_audit_records_as_the_sweep(app, api, clock):
    task = _request(api)
    clock.advance(hours=48)
    _sweep(app)
    events = api.client.get(f"/fhir/AuditEvent?entity=Task/{task['id']}&_sort=-date").get_json()
    latest = events["entry"][0]["resource"]
    assert latest["entity"][0]["what"]["reference"] == f"Task/{task['id']}/_history/2"
    assert latest["agent"][0]["who"]["identifier"]["value"] == SWEEP_ACTOR.client_id


def test_a_scheduled_call_not_decided_within_the_decision_sla_is_marked(app, api, clock):
    task = _request(api)
    changed(api.op(task["id"], "schedule", start=CALL))
    clock.advance(hours=49)  # 2026-11-20 15:30 UTC: the call (16:00 UTC on the 19th) is due a decision at 16:00
    assert _sweep(app).missed == []
    clock.advance(hours=1)
    report = _sweep(app)
    assert report.missed == [(f"Task/{task['id']}", "decision")]
    assert marked(api.task(task["id"])) == {"decision"}


def test_a_call_that_is_still_in_its_decision_sla_is_not_marked(app, api, clock):
    task = _request(api)
    changed(api.op(task["id"], "schedule", start=CALL))
    clock.advance(hours=30)  # 2026-11-19 20:30 UTC: 4.5 h after the call
    assert _sweep(app).missed == []


def test_a_decided_request_is_never_marked(app, api, clock):
    task = _request(api)
    changed(api.op(task["id"], "schedule", start=CALL))
    changed(api.op(task["id"], "record-outcome", outcome="upheld"))
    clock.advance(days=30)
    assert _sweep(app).missed == []
    assert _events(app, "Task", task["id"]) == []


def test_an_expedited_appeal_is_due_its_decision_in_72_hours(app, api, clock):
    task = _request(api)
    changed(api.op(task["id"], "schedule", start=CALL))
    changed(api.op(task["id"], "record-outcome", outcome="upheld"))
    urgent = created(api.op(task["id"], "escalate", expedited=True))
    clock.advance(hours=71)
    assert _sweep(app).missed == []
    clock.advance(hours=2)
    assert _sweep(app).missed == [(f"Task/{urgent['id']}", "decision")]


def test_a_closing_window_without_a_request_is_announced_once(app, api, clock):
    # The inpatient denial's window closes within the day; the MRI denial has a request, so it is not announced.
    _request(api)
    report = _sweep(app, within=timedelta(days=10))
    assert report.closing == ["ClaimResponse/denial-inpatient-stay"]
    (event,) = _events(app, "ClaimResponse", "denial-inpatient-stay")
    assert event["event"] == "window-closing"
    assert event["detail"]["due"] == _deadline(api, "denial-inpatient-stay")
    assert _sweep(app, within=timedelta(days=10)).closing == []
    assert len(_events(app, "ClaimResponse", "denial-inpatient-stay")) == 1


def test_a_window_closing_later_than_the_horizon_is_not_announced(app, api, clock):
    assert _sweep(app, within=timedelta(minutes=1)).closing == []


def _deadline(api: Api, denial_id: str) -> str:
    denial = api.read("ClaimResponse", denial_id)
    return str(next(e["valueDateTime"] for e in denial["extension"] if e["url"].endswith("/p2p-request-deadline")))


def test_the_worker_runs_until_stopped_and_survives_a_failed_run():
    runs: list[int] = []
    stop = threading.Event()

    def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database went away")
        if len(runs) == 3:
            stop.set()

    run_worker(work, 0.001, stop)
    assert runs == [0, 1, 2]


def test_the_sweep_command_reports_what_it_marked(app, api, clock, database_url):
    task = _request(api)  # authored 2026-11-18: with today's clock the scheduling SLA is long past
    env = {"FHIR_P2P_DATABASE_URL": database_url, "FHIR_P2P_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["sweep"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Task/{task['id']}: scheduling deadline missed" in result.output
    assert marked(api.task(task["id"])) == {"scheduling"}


def test_a_clients_write_keeps_the_sweeps_marks_and_cannot_add_its_own(auth_app, clock):
    register(auth_app, scopes="system/*.cruds")  # a provider of the denial's requestor organization
    api = Api(auth_app.test_client())
    with auth_app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:  # the examples, as the CLI stores
        for resource in story():
            uow.update(resource["resourceType"], resource["id"], resource)
    api.headers = bearer(offline_token(auth_app, "system/*.cruds"))
    task = _request(api)
    clock.advance(hours=48)
    _sweep(auth_app)
    api.headers = bearer(offline_token(auth_app, "system/*.cruds"))  # the first one has expired
    swept = api.task(task["id"])
    assert marked(swept) == {"scheduling"}

    dropped = {k: v for k, v in swept.items() if k != "extension"}
    assert api.put(dropped).status_code == 200
    assert marked(api.task(task["id"])) == {"scheduling"}

    forged = {**swept, "extension": [{**swept["extension"][0], "extension": [
        {"url": "deadline", "valueCode": "decision"}, *swept["extension"][0]["extension"][1:]]}]}  # fmt: skip
    assert api.put(forged).status_code == 200
    assert marked(api.task(task["id"])) == {"scheduling"}
