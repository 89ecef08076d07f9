"""X12 over HTTP: `$x12`, `$translate-x12` and inbound `POST /x12/278`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest

from fhir_p2p.translate import to_278_response
from fhir_p2p.x12 import check_interchange
from tests.api.support import FHIR_JSON, database_state, expressions, issues, load_all, rules
from tests.conftest import example_files, load_example
from tests.mutations import drop_path
from tests.translate.support import denial_files, example_set
from tests.x12.mutations import MUTATIONS, Mutation
from tests.x12.support import REQUEST, run_oracle

EDI = "application/edi-x12"
DENIAL_ID = "denial-mri-lumbar"
TASK_ID = "p2p-mri-lumbar"


def _load_examples(client) -> None:
    load_all(client, [json.loads(path.read_text()) for path in example_files()])


def _isa13(text: str) -> str:
    return text.split("~", 1)[0].split("*")[13]


def _segments(text: str, tag: str) -> list[str]:
    return [line.rstrip("~") for line in text.replace("~", "~\n").splitlines() if line.startswith(tag + "*")]


def _post_x12(client, text: str, **headers: str):
    return client.post("/x12/278", data=text.encode("utf-8"), content_type=EDI, headers=headers)


def _state_without_counters(app) -> dict:
    state = database_state(app)
    state.pop("x12_control_numbers")  # an acknowledgment takes a control number; no resource changes
    return state


def test_denial_and_task_as_x12_pass_our_check_and_the_oracle_with_increasing_control_numbers(client):
    _load_examples(client)
    denial = client.get(f"/fhir/ClaimResponse/{DENIAL_ID}/$x12")
    task = client.get(f"/fhir/Task/{TASK_ID}/$x12")
    assert (denial.status_code, task.status_code) == (200, 200)
    assert denial.mimetype == task.mimetype == EDI
    texts = {"denial": denial.get_data(as_text=True), "task": task.get_data(as_text=True)}
    assert [_isa13(texts["denial"]), _isa13(texts["task"])] == ["000000001", "000000002"]
    assert _segments(texts["denial"], "BHT")[0].split("*")[2] == "11"
    assert _segments(texts["task"], "BHT")[0].split("*")[2] == "13"
    assert "UM*HS*S" in texts["task"] or "UM*AR*S" in texts["task"]
    assert {name: check_interchange(text).all_issues() for name, text in texts.items()} == {"denial": [], "task": []}
    verdicts = run_oracle(texts)
    assert {name: v["errors"] for name, v in verdicts.items() if not v["valid"]} == {}


def test_x12_envelope_uses_the_configured_sender_the_counterpart_and_eastern_time(client):
    _load_examples(client)
    text = client.get(f"/fhir/ClaimResponse/{DENIAL_ID}/$x12").get_data(as_text=True)
    isa = text.split("~", 1)[0].split("*")
    requestor = load_example("Organization-cedar-valley-medical-center")  # the denial's requestor
    npi = next(i["value"] for i in requestor["identifier"] if i["system"] == "http://hl7.org/fhir/sid/us-npi")
    assert (isa[5], isa[6].strip(), isa[7], isa[8].strip()) == ("ZZ", "FHIRP2P", "ZZ", npi)
    # the fixed clock reads 2026-11-18 14:30 UTC, 09:30 in New York
    assert (isa[9], isa[10], isa[15]) == ("261118", "0930", "P")


def test_asking_for_fhir_gets_the_x12_and_what_it_could_not_carry(client):
    _load_examples(client)
    response = client.get(f"/fhir/ClaimResponse/{DENIAL_ID}/$x12", headers={"Accept": FHIR_JSON})
    assert response.status_code == 200
    parameters = {p["name"]: p for p in response.get_json()["parameter"]}
    assert check_interchange(parameters["x12"]["valueString"]).accepted
    carried_not = {e for i in parameters["issues"]["resource"]["issue"] for e in i.get("expression", [])}
    assert "ClaimResponse.disposition" in carried_not


def test_x12_of_a_denial_missing_what_the_278_needs_is_422_and_takes_no_control_number(client, app):
    _load_examples(client)
    client.delete("/fhir/Patient/theodora-vance")
    before = database_state(app)
    refused = client.get(f"/fhir/ClaimResponse/{DENIAL_ID}/$x12")
    assert refused.status_code == 422
    assert any(rule.startswith("x12map-") for rule in rules(refused))
    assert database_state(app) == before


@pytest.mark.parametrize(
    ("url", "status"),
    [("/fhir/ClaimResponse/nope/$x12", 404), ("/fhir/Task/nope/$x12", 404), ("/fhir/Patient/theodora-vance/$x12", 404)],
)
def test_x12_of_what_is_not_there_or_not_translatable_is_refused(client, url, status):
    _load_examples(client)
    response = client.get(url)
    assert response.status_code == status
    assert issues(response)


def test_translate_fhir_bundle_to_x12_and_back(client, app):
    denial_set = example_set(denial_files()[0])
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in denial_set.values()]}
    before = database_state(app)["resources"]
    to_x12 = client.post("/fhir/$translate-x12", data=json.dumps(bundle), content_type=FHIR_JSON)
    assert to_x12.status_code == 200 and to_x12.mimetype == EDI
    back = client.post("/fhir/$translate-x12", data=to_x12.get_data(), content_type=EDI)
    assert back.status_code == 200
    types = sorted(e["resource"]["resourceType"] for e in back.get_json()["entry"])
    assert "ClaimResponse" in types and "Patient" in types
    assert database_state(app)["resources"] == before  # stateless: nothing stored


def test_translate_bad_x12_is_400_with_the_x12_issues_or_the_999(client, app):
    text = MUTATIONS[0].text()
    before = _state_without_counters(app)
    as_fhir = client.post("/fhir/$translate-x12", data=text, content_type=EDI)
    assert as_fhir.status_code == 400
    assert all(rule.startswith("x12-") for rule in rules(as_fhir))
    as_x12 = client.post("/fhir/$translate-x12", data=text, content_type=EDI, headers={"Accept": EDI})
    assert as_x12.status_code == 400 and as_x12.mimetype == EDI
    assert "IK5*R" in as_x12.get_data(as_text=True)
    assert _state_without_counters(app) == before


def test_translate_a_bundle_with_nothing_to_send_is_422(client):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": load_example("Patient-theodora-vance")}],
    }
    response = client.post("/fhir/$translate-x12", data=json.dumps(bundle), content_type=FHIR_JSON)
    assert response.status_code == 422
    assert rules(response) == ["x12in-001"]


def test_inbound_278_response_stores_the_denial_and_its_parties_once(client):
    text = to_278_response(example_set(denial_files()[0])).text
    first = _post_x12(client, text)
    assert first.status_code == 200, first.get_json()
    statuses = {e["response"]["location"].split("/")[0]: e["response"]["status"] for e in first.get_json()["entry"]}
    assert statuses["ClaimResponse"].startswith("201") and statuses["Patient"].startswith("201")
    again = _post_x12(client, text)
    assert {e["response"]["status"][:3] for e in again.get_json()["entry"]} == {"200"}
    found = client.get("/fhir/ClaimResponse").get_json()
    assert found["total"] == 1
    stored = found["entry"][0]["resource"]
    patient = client.get(f"/fhir/{stored['patient']['reference']}").get_json()
    assert patient["name"][0]["family"] == load_example("Patient-theodora-vance")["name"][0]["family"]


def test_inbound_278_response_reuses_parties_the_server_already_has(client):
    _load_examples(client)
    patients_before = client.get("/fhir/Patient?_summary=count").get_json()["total"]
    text = to_278_response(example_set(denial_files()[0])).text
    response = _post_x12(client, text)
    assert response.status_code == 200, response.get_json()
    assert client.get("/fhir/Patient?_summary=count").get_json()["total"] == patients_before


def test_inbound_p2p_request_names_a_stored_denial_and_becomes_a_task(client):
    _load_examples(client)
    task_x12 = client.get(f"/fhir/Task/{TASK_ID}/$x12").get_data(as_text=True)
    client.delete(f"/fhir/Task/{TASK_ID}")
    response = _post_x12(client, task_x12)
    assert response.status_code == 200, response.get_json()
    locations = [e["response"]["location"] for e in response.get_json()["entry"]]
    tasks = [
        client.get(f"/fhir/{url.rsplit('/_history', 1)[0]}").get_json() for url in locations if url.startswith("Task/")
    ]
    assert len(tasks) == 1
    assert tasks[0]["focus"]["reference"] == f"ClaimResponse/{DENIAL_ID}"
    assert tasks[0]["status"] == "requested"


def test_inbound_p2p_request_for_an_unknown_denial_is_422_and_stores_nothing(client, app):
    response = _post_x12(client, REQUEST.read_text())
    assert response.status_code == 422
    assert "x12in-002" in rules(response)
    assert "Task.focus" in expressions(response)
    assert database_state(app)["resources"] == 0


def test_inbound_accepted_with_x12_accept_gets_a_999_a(client):
    text = to_278_response(example_set(denial_files()[0])).text
    response = _post_x12(client, text, Accept=EDI)
    assert response.status_code == 200 and response.mimetype == EDI
    ack = response.get_data(as_text=True)
    assert re.search(r"IK5\*A", ack) and re.search(r"AK9\*A\*1\*1\*1", ack)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_inbound_bad_x12_gets_its_999_or_outcome_and_stores_nothing(client, app, mutation: Mutation):
    before = _state_without_counters(app)
    as_fhir = _post_x12(client, mutation.text())
    assert as_fhir.status_code == 400
    assert issues(as_fhir) and all(rule.startswith("x12") for rule in rules(as_fhir))
    as_x12 = _post_x12(client, mutation.text(), Accept=EDI)
    assert as_x12.status_code == 400 and as_x12.mimetype == EDI
    answer = [line.rstrip("~") for line in as_x12.get_data(as_text=True).splitlines()]
    assert [line for line in answer if re.match(r"(TA1|AK|IK)\w*\*", line) and not line.startswith("TA1")] == [
        line for line in mutation.ack if not line.startswith("TA1")
    ]
    assert _state_without_counters(app) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"this is not x12 at all, just words", EDI, 400),
        (b"ISA*00*", EDI, 400),
        (b"\xff\xfe\x00I\x00S\x00A", EDI, 400),
        (REQUEST.read_bytes(), "application/json", 415),
        (REQUEST.read_bytes() * 4500, EDI, 413),
    ],
    ids=["words", "truncated-isa", "not-utf8", "json-content-type", "over-the-size-limit"],
)
def test_inbound_unreadable_bodies_are_refused_with_an_outcome(client, app, body, content_type, status):
    before = database_state(app)
    response = client.post("/x12/278", data=body, content_type=content_type, headers={"Accept": EDI})
    assert response.status_code == status
    assert issues(response)
    assert database_state(app) == before


def test_translate_refuses_a_body_that_is_not_valid_fhir(client):
    denial = drop_path(load_example("ClaimResponse-denial-mri-lumbar"), "ClaimResponse.patient")
    response = client.post("/fhir/$translate-x12", data=json.dumps(denial), content_type=FHIR_JSON)
    assert response.status_code == 400
    assert "ClaimResponse.patient" in expressions(response)


def test_capability_statement_lists_the_x12_operations(client):
    rest = client.get("/fhir/metadata").get_json()["rest"][0]
    with_x12 = sorted(r["type"] for r in rest["resource"] if any(o["name"] == "x12" for o in r.get("operation", [])))
    assert with_x12 == ["ClaimResponse", "Task"]
    assert "translate-x12" in {o["name"] for o in rest["operation"]}
