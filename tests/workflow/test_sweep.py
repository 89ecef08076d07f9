"""The deadline sweep (`fhir-p2p sweep`, the worker): missed scheduling and decision deadlines marked once, with
an outbox event each; closing P2P windows announced once; both databases; the clock injected."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from fhir_p2p.cli import main
from fhir_p2p.store.outbox import Outbox
from fhir_p2p.workflow.sweep import marked
from fhir_p2p.workflow.taskdata import DEADLINE_MISSED
from fhir_p2p.workflow.worker import SWEEP_ACTOR, run_worker, sweep_once
from tests.api.support import load_all
from tests.auth.support import bearer, offline_token, register
from tests.conftest import example_files, load_example

JSON = {"Content-Type": "application/fhir+json"}
DAY = timedelta(hours=24)
# The examples' denial (Northwind, NWHP1: scheduling within 1 business day, decision 24 h after the call) was
# created Tue 2026-11-17 16:45 Chicago; the clock starts Wed 2026-11-18 14:30 UTC (08:30 Chicago).
SCHEDULING_DUE = "2026-11-20T05:59:59.000000Z"  # end of Thu 2026-11-19 in Chicago


def _params(**named: Any) -> dict[str, Any]:
    parameters = [
        {"name": name.replace("_", "-"), **value}
        for name, values in named.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return {"resourceType": "Parameters", **({"parameter": parameters} if parameters else {})}


@pytest.fixture
def examples(client):
    load_all(client, [load_example(path.stem) for path in example_files() if not path.stem.startswith("Task-")])


def _request(client, denial: str = "denial-mri-lumbar") -> dict[str, Any]:
    windows = [
        {"valuePeriod": {"start": "2026-11-19T09:00:00-06:00", "end": "2026-11-19T12:00:00-06:00"}},
        {"valuePeriod": {"start": "2026-11-20T09:00:00-06:00", "end": "2026-11-20T12:00:00-06:00"}},
    ]
    body = _params(
        requester={"valueReference": {"reference": "Practitioner/adaeze-lindqvist"}},
        requester_role={"valueCode": "ordering-physician"},
        callback={"valueContactPoint": {"system": "phone", "value": "+1-555-0100"}},
        availability=windows,
    )
    response = client.post(f"/fhir/ClaimResponse/{denial}/$request-p2p", json=body, headers=JSON)
    assert response.status_code == 201, response.get_json()
    task: dict[str, Any] = response.get_json()
    return task


def _operation(client, task_id: str, name: str, **named: Any) -> dict[str, Any]:
    response = client.post(f"/fhir/Task/{task_id}/${name}", json=_params(**named), headers=JSON)
    assert response.status_code in (200, 201), response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def _sweep(app, within: timedelta = DAY):
    return sweep_once(app.extensions["fhir_p2p.store"], app.extensions["fhir_p2p.payers"], within)


def _events(app, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
    with app.extensions["fhir_p2p.store"].unit_of_work() as uow:
        return Outbox(uow).events(resource_type, resource_id)


def _task(client, task_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/fhir/Task/{task_id}").get_json()
    return found


def test_a_request_not_scheduled_in_time_is_marked_once_with_one_event(app, client, clock, examples):
    task = _request(client)
    clock.advance(hours=39)  # 2026-11-20 05:30 UTC: the SLA has half an hour left
    assert _sweep(app).missed == []
    assert _task(client, task["id"])["meta"]["versionId"] == "1"

    clock.advance(hours=1)
    report = _sweep(app)
    assert report.missed == [(f"Task/{task['id']}", "scheduling")]
    swept = _task(client, task["id"])
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
    assert _task(client, task["id"])["meta"]["versionId"] == "2"
    assert len(_events(app, "Task", task["id"])) == 1


def test_the_sweep_writes_its_audit_records_as_the_sweep(app, client, clock, examples):
    task = _request(client)
    clock.advance(hours=48)
    _sweep(app)
    events = client.get(f"/fhir/AuditEvent?entity=Task/{task['id']}&_sort=-date").get_json()
    latest = events["entry"][0]["resource"]
    assert latest["entity"][0]["what"]["reference"] == f"Task/{task['id']}/_history/2"
    assert latest["agent"][0]["who"]["identifier"]["value"] == SWEEP_ACTOR.client_id


def test_a_scheduled_call_not_decided_within_the_decision_sla_is_marked(app, client, clock, examples):
    task = _request(client)
    _operation(client, task["id"], "schedule", start={"valueDateTime": "2026-11-19T10:00:00-06:00"})
    clock.advance(hours=49)  # 2026-11-20 15:30 UTC: the call (16:00 UTC on the 19th) is due a decision at 16:00
    assert _sweep(app).missed == []
    clock.advance(hours=1)
    report = _sweep(app)
    assert report.missed == [(f"Task/{task['id']}", "decision")]
    assert marked(_task(client, task["id"])) == {"decision"}


def test_a_call_that_is_still_in_its_decision_sla_is_not_marked(app, client, clock, examples):
    task = _request(client)
    _operation(client, task["id"], "schedule", start={"valueDateTime": "2026-11-19T10:00:00-06:00"})
    clock.advance(hours=30)  # 2026-11-19 20:30 UTC: 4.5 h after the call
    assert _sweep(app).missed == []


def test_a_decided_request_is_never_marked(app, client, clock, examples):
    task = _request(client)
    _operation(client, task["id"], "schedule", start={"valueDateTime": "2026-11-19T10:00:00-06:00"})
    _operation(client, task["id"], "record-outcome", outcome={"valueCode": "upheld"})
    clock.advance(days=30)
    assert _sweep(app).missed == []
    assert _events(app, "Task", task["id"]) == []


def test_an_expedited_appeal_gets_72_hours_and_a_standard_one_30_days(app, client, clock, examples):
    task = _request(client)
    _operation(client, task["id"], "schedule", start={"valueDateTime": "2026-11-19T10:00:00-06:00"})
    _operation(client, task["id"], "record-outcome", outcome={"valueCode": "upheld"})
    urgent = _operation(client, task["id"], "escalate", expedited={"valueBoolean": True})
    clock.advance(hours=71)
    assert _sweep(app).missed == []
    clock.advance(hours=2)
    assert _sweep(app).missed == [(f"Task/{urgent['id']}", "decision")]


def test_a_closing_window_without_a_request_is_announced_once(app, client, clock, examples):
    # The inpatient denial's window closes within the day; the MRI denial has a request, so it is not announced.
    _request(client)
    report = _sweep(app, within=timedelta(days=10))
    assert report.closing == ["ClaimResponse/denial-inpatient-stay"]
    (event,) = _events(app, "ClaimResponse", "denial-inpatient-stay")
    assert event["event"] == "window-closing"
    assert event["detail"]["due"] == _deadline(client, "denial-inpatient-stay")
    assert _sweep(app, within=timedelta(days=10)).closing == []
    assert len(_events(app, "ClaimResponse", "denial-inpatient-stay")) == 1


def test_a_window_closing_later_than_the_horizon_is_not_announced(app, client, clock, examples):
    assert _sweep(app, within=timedelta(minutes=1)).closing == []


def _deadline(client, denial_id: str) -> str:
    denial = client.get(f"/fhir/ClaimResponse/{denial_id}").get_json()
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


def test_the_sweep_command_reports_what_it_marked(app, client, clock, examples, database_url):
    task = _request(client)  # authored 2026-11-18: with today's clock the scheduling SLA is long past
    env = {"FHIR_P2P_DATABASE_URL": database_url, "FHIR_P2P_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["sweep"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Task/{task['id']}: scheduling deadline missed" in result.output
    assert marked(_task(client, task["id"])) == {"scheduling"}


def test_a_clients_write_keeps_the_sweeps_marks_and_cannot_add_its_own(auth_app, clock):
    with auth_app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:
        for path in example_files():
            if not path.name.startswith("Task-"):
                resource = load_example(path.stem)
                uow.update(resource["resourceType"], resource["id"], resource)
    register(auth_app, scopes="system/*.cruds")  # a provider of the denial's requestor organization
    client = auth_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(offline_token(auth_app, "system/*.cruds"))["Authorization"]
    task = _request(client)
    clock.advance(hours=48)
    _sweep(auth_app)
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(offline_token(auth_app, "system/*.cruds"))["Authorization"]
    swept = _task(client, task["id"])
    assert marked(swept) == {"scheduling"}

    dropped = {k: v for k, v in swept.items() if k != "extension"}
    assert client.put(f"/fhir/Task/{task['id']}", json=dropped, headers=JSON).status_code == 200
    assert marked(_task(client, task["id"])) == {"scheduling"}

    forged = {**swept, "extension": [{**swept["extension"][0], "extension": [
        {"url": "deadline", "valueCode": "decision"}, *swept["extension"][0]["extension"][1:]]}]}  # fmt: skip
    assert client.put(f"/fhir/Task/{task['id']}", json=forged, headers=JSON).status_code == 200
    assert marked(_task(client, task["id"])) == {"scheduling"}
