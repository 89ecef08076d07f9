"""The P2P workflow from denial to outcome over HTTP (SPEC §6), for each example payer: overturned (with the
payer's revised ClaimResponse, or one the server derives), partly overturned, upheld and escalated to an
internal appeal and an external review, no-shows up to the payer's limit, withdrawn, late, from a role the
payer does not accept, business-day windows over holidays, Medicare Advantage's informational P2P and
pre-decision window, a P2P after an appeal, and a P2P request arriving as an X12 278."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fhir_p2p.search.dates import instant_text
from fhir_p2p.workflow import states
from fhir_p2p.workflow.calendar import describe
from fhir_p2p.workflow.taskdata import Kind
from tests.api.support import database_state
from tests.conftest import FixedClock
from tests.workflow.support import (
    Api,
    appeal_task,
    at,
    changed,
    created,
    outputs_of,
    payer_denial,
    policy,
    rules_of,
    state,
)

PAYERS = ["NWHP1", "EGMA1", "CMHI2", "BBTX1"]
# The example MRI denial (created 2026-11-17T16:45:00-06:00) under each payer: the P2P request deadline and
# the internal-appeal deadline (tests/workflow/test_assess.py checks the arithmetic itself).
DEADLINES = {
    "NWHP1": ("2026-11-24T23:59:59-06:00", "2027-05-16T23:59:59-05:00"),  # 5 business days; 180 days
    "EGMA1": ("2026-12-01T23:59:59-08:00", "2027-01-16T23:59:59-08:00"),  # 14 calendar days; 60 days
    "CMHI2": ("2026-12-02T23:59:59-07:00", "2027-05-16T23:59:59-06:00"),  # 15 calendar days; 180 days
    "BBTX1": ("2026-11-20T16:45:00-06:00", "2027-05-16T23:59:59-05:00"),  # 72 hours; 180 days
}
SPINE = "207XS0117X"  # NUCC: orthopaedic surgery of the spine (the example requester's specialty)


def _denial(api: Api, payer_id: str, **changes: Any) -> str:
    denial = payer_denial(payer_id, **changes)
    assert api.put(denial).status_code == 201
    return str(denial["id"])


def _request(api: Api, payer_id: str, denial_id: str, **values: Any) -> dict[str, Any]:
    """The P2P a payer's accepted role asks for, with as many call windows as the payer wants."""
    return created(api.request_p2p(denial_id, windows=policy(payer_id).call_windows, **values))


def _scheduled(api: Api, payer_id: str, **changes: Any) -> str:
    """A P2P for a new denial of the payer, accepted and scheduled with a spine surgeon as reviewer."""
    task_id = str(_request(api, payer_id, _denial(api, payer_id, **changes), requested_specialty=SPINE)["id"])
    changed(api.op(task_id, "accept"))
    scheduled = api.op(
        task_id,
        "schedule",
        start="2026-11-19T09:30:00-06:00",
        end="2026-11-19T09:45:00-06:00",
        reviewer="Practitioner/adaeze-lindqvist",
        reviewer_specialty=SPINE,
    )
    assert outputs_of(changed(scheduled))["scheduled-time"]["start"] == "2026-11-19T09:30:00-06:00"
    return task_id


def _certified_items(api: Api, reference: str) -> dict[int, str]:
    """Review action code of each item of a stored ClaimResponse."""
    found = api.read("ClaimResponse", reference.split("/")[1])
    codes = {}
    for item in found["item"]:
        review = item["adjudication"][0]["extension"][0]
        code = next(p for p in review["extension"] if p["url"].endswith("extension-reviewActionCode"))
        codes[item["itemSequence"]] = code["valueCodeableConcept"]["coding"][0]["code"]
    return codes


def _text(response: Any) -> str:
    return " ".join(issue["details"]["text"] for issue in response.get_json()["issue"])


# --- overturned ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payer_id", ["NWHP1", "CMHI2", "BBTX1"])
def test_overturned_with_the_revised_determination_the_payer_posts(api, payer_id):
    task_id = _scheduled(api, payer_id)
    revised = payer_denial(payer_id, actions=("A1",))
    assert api.put(revised).status_code == 201
    done = changed(
        api.op(
            task_id,
            "record-outcome",
            outcome="overturned",
            revised_determination=f"ClaimResponse/{revised['id']}",
            note="Progressive deficit documented: MRI indicated",
        )
    )
    assert state(done) == states.DECIDED
    assert outputs_of(done)["outcome"] == "overturned"
    assert outputs_of(done)["revised-determination"] == {"reference": f"ClaimResponse/{revised['id']}"}
    assert "next-step" not in outputs_of(done)
    assert done["note"] == [{"text": "Progressive deficit documented: MRI indicated"}]
    assert api.put(done).status_code == 200  # the same content again: nothing to refuse


def test_an_overturn_names_a_stored_claim_response(app, api):
    task_id = _scheduled(api, "NWHP1")
    before = database_state(app)
    response = api.op(task_id, "record-outcome", outcome="overturned", revised_determination="ClaimResponse/nope")
    assert (response.status_code, rules_of(response)) == (422, ["task-016"])
    assert database_state(app) == before


@pytest.mark.parametrize("payer_id", ["NWHP1", "CMHI2", "BBTX1"])
def test_overturned_with_the_revised_determination_the_server_derives(api, payer_id):
    task_id = _scheduled(api, payer_id, actions=("A3", "A3"))
    done = changed(api.op(task_id, "record-outcome", outcome="overturned"))
    revised = outputs_of(done)["revised-determination"]["reference"]
    assert _certified_items(api, revised) == {1: "A1", 2: "A1"}
    stored = api.read("ClaimResponse", revised.split("/")[1])
    assert stored["processNote"][-1]["text"] == f"Revised after the overturned review of Task/{task_id}"
    assert "preAuthRef" not in stored and stored["request"] == {"reference": "Claim/pa-mri-lumbar"}


def test_partly_overturned_certifies_the_approved_items_and_escalates_the_rest(app, api):
    task_id = _scheduled(api, "NWHP1", actions=("A3", "A3", "A1"))
    before = database_state(app)
    missing = api.op(task_id, "record-outcome", outcome="partially-overturned")
    assert (missing.status_code, rules_of(missing)) == (422, ["op-004"])
    assert database_state(app) == before
    done = changed(api.op(task_id, "record-outcome", outcome="partially-overturned", approved_item=2))
    assert outputs_of(done)["outcome"] == "partially-overturned"
    assert _certified_items(api, outputs_of(done)["revised-determination"]["reference"]) == {1: "A3", 2: "A1", 3: "A1"}
    appeal = created(api.op(task_id, "escalate"))
    assert appeal["code"]["coding"][0]["code"] == "internal-appeal"
    assert appeal["partOf"] == [{"reference": f"Task/{task_id}"}]


def test_a_reviewer_of_another_specialty_or_time_is_flagged_not_refused(api):
    task_id = str(_request(api, "CMHI2", _denial(api, "CMHI2"), requested_specialty=SPINE)["id"])
    response = api.op(
        task_id,
        "schedule",
        start="2026-11-25T15:00:00-06:00",  # outside both call windows offered
        reviewer="Practitioner/adaeze-lindqvist",
        reviewer_specialty="207Q00000X",  # family medicine; Cascade promises the same specialty
        headers={"Prefer": "return=OperationOutcome"},
    )
    assert response.status_code == 200
    assert sorted(rules_of(response)) == ["task-013", "task-022"]
    assert state(api.task(task_id)) == states.SCHEDULED


# --- upheld, and the appeals after it --------------------------------------------------------------------


@pytest.mark.parametrize("payer_id", PAYERS)
def test_upheld_then_internal_appeal_upheld_then_external_review(api, clock, payer_id):
    request_due, appeal_due = DEADLINES[payer_id]
    task_id = _scheduled(api, payer_id)
    assert api.task(task_id)["restriction"]["period"]["end"] == instant_text(at(request_due))
    upheld = changed(api.op(task_id, "record-outcome", outcome="upheld"))
    assert outputs_of(upheld)["next-step"] == "internal-appeal"
    assert outputs_of(upheld)["appeal-deadline"] == instant_text(at(appeal_due))

    clock.advance(days=2)
    appeal = created(api.op(task_id, "escalate", expedited=True, clinical_rationale="Foot drop is progressing"))
    assert (appeal["code"]["coding"][0]["code"], appeal["priority"]) == ("internal-appeal", "urgent")
    assert appeal["partOf"] == [{"reference": f"Task/{task_id}"}]
    assert appeal["restriction"]["period"]["end"] == instant_text(at(appeal_due))
    assert [i["type"]["coding"][0]["code"] for i in appeal["input"]] == [
        "requester-role",
        "callback",
        "clinical-rationale",
    ]
    assert (appeal["requester"], appeal["owner"]) == (upheld["requester"], upheld["owner"])
    second = api.op(task_id, "escalate")
    assert (second.status_code, rules_of(second)) == (409, ["task-004"])  # one open appeal per denial

    changed(api.op(appeal["id"], "accept"))
    clock.advance(days=10)
    decided_at = clock.now
    appeal_upheld = changed(api.op(appeal["id"], "record-outcome", outcome="upheld"))
    external_due = outputs_of(appeal_upheld)["appeal-deadline"]
    assert outputs_of(appeal_upheld)["next-step"] == "external-review"
    four_months = datetime.fromisoformat(external_due) - decided_at.replace(year=2027, month=3)
    assert timedelta(0) < four_months < timedelta(seconds=1)  # four months after the final internal decision

    review = created(api.op(appeal["id"], "escalate"))
    assert review["code"]["coding"][0]["code"] == "external-review"
    assert review["partOf"] == [{"reference": f"Task/{appeal['id']}"}]
    assert review["restriction"]["period"]["end"] == external_due
    changed(api.op(review["id"], "accept"))
    final = changed(api.op(review["id"], "record-outcome", outcome="upheld"))
    assert outputs_of(final)["next-step"] == "none" and "appeal-deadline" not in outputs_of(final)
    nothing = api.op(review["id"], "escalate")
    assert (nothing.status_code, rules_of(nothing)) == (422, ["op-003"])


def test_an_external_review_needs_an_upheld_internal_appeal(app, api):
    denial_id = _denial(api, "NWHP1")
    before = database_state(app)
    response = api.post(appeal_task(denial_id, Kind.EXTERNAL_REVIEW))
    assert (response.status_code, rules_of(response)) == (422, ["task-020"])
    assert database_state(app) == before


def test_an_appeal_after_its_window_is_refused(api, clock):
    denial_id = _denial(api, "EGMA1")
    clock.now = at(DEADLINES["EGMA1"][1]).astimezone(UTC) + timedelta(seconds=1)
    response = api.post(appeal_task(denial_id, Kind.INTERNAL_APPEAL, owner={"reference": _payer("EGMA1")}))
    assert (response.status_code, rules_of(response)) == (422, ["task-019"])
    assert "window closed at 2027-01-16" in _text(response)


def _payer(payer_id: str) -> str:
    return str(payer_denial(payer_id)["insurer"]["reference"])


# --- no-shows, withdrawn ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payer_id", PAYERS)
def test_no_shows_go_back_to_scheduling_until_the_payers_limit_fails_the_request(app, api, payer_id):
    limit = policy(payer_id).missed_calls  # NWHP1 and CMHI2: 2; EGMA1 and BBTX1: 1
    task_id = _scheduled(api, payer_id)
    for missed in range(1, limit):
        again = changed(api.op(task_id, "record-outcome", outcome="no-show"))
        assert state(again) == states.ACCEPTED, missed
        assert outputs_of(again)["outcome"] == "no-show" and "scheduled-time" not in outputs_of(again)
        rescheduled = changed(api.op(task_id, "schedule", start="2026-11-20T09:30:00-06:00"))
        assert "outcome" not in outputs_of(rescheduled)  # the new call has no outcome yet
    last = api.task(task_id)
    as_put = {**last, "status": "accepted", "businessStatus": {"coding": [_stage("awaiting-scheduling")]}}
    as_put["output"] = [*last["output"], _output("outcome", _code("p2p-outcome", "no-show"))]
    before = database_state(app)
    refused = api.put(as_put)
    assert (refused.status_code, rules_of(refused)) == (422, ["task-017"])  # the last call missed: failed, not back
    assert database_state(app) == before
    failed = changed(api.op(task_id, "record-outcome", outcome="no-show"))
    assert state(failed) == states.FAILED
    assert failed["statusReason"] == {"text": f"no-show: {limit} missed calls"}
    assert outputs_of(failed)["outcome"] == "no-show"
    assert created(api.op(task_id, "escalate"))["code"]["coding"][0]["code"] == "internal-appeal"


def test_withdrawn_by_the_requester(api):
    task_id = _scheduled(api, "NWHP1")
    cancelled = changed(api.op(task_id, "cancel", reason="Surgery scheduled elsewhere"))
    assert state(cancelled) == states.CANCELLED
    assert outputs_of(cancelled)["outcome"] == "withdrawn"
    assert cancelled["statusReason"] == {"text": "Surgery scheduled elsewhere"}
    again = _request(api, "NWHP1", cancelled["focus"]["reference"].split("/")[1])  # no open request any more
    assert state(again) == states.REQUESTED


def _stage(code: str) -> dict[str, str]:
    return {"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-stage", "code": code}


def _code(system: str, code: str) -> dict[str, Any]:
    return {
        "valueCodeableConcept": {"coding": [{"system": f"http://fhir-p2p.org/fhir/CodeSystem/{system}", "code": code}]}
    }


def _output(code: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"type": {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-output", "code": code}]}, **value}


# --- refused requests: late, wrong role, wrong item, a second one ----------------------------------------


@pytest.mark.parametrize("payer_id", PAYERS)
def test_a_request_in_the_last_minute_is_taken_and_one_after_the_deadline_says_what_next(app, api, clock, payer_id):
    request_due, appeal_due = (at(text) for text in DEADLINES[payer_id])
    zone = policy(payer_id).zone
    on_time, late = _denial(api, payer_id), _denial(api, payer_id)
    clock.now = request_due.astimezone(UTC) - timedelta(minutes=1)
    taken = _request(api, payer_id, on_time)
    assert taken["restriction"]["period"]["end"] == instant_text(request_due)
    clock.now = request_due.astimezone(UTC) + timedelta(seconds=1)
    before = database_state(app)
    response = api.request_p2p(late, windows=policy(payer_id).call_windows)
    assert (response.status_code, rules_of(response)) == (422, ["p2p-003"])
    assert f"window closed at {describe(request_due, zone)}" in _text(response)
    assert _text(response).endswith(f"Next step: internal appeal by {describe(appeal_due, zone)}.")
    assert database_state(app) == before


@pytest.mark.parametrize(
    ("payer_id", "role"),
    [("NWHP1", "physician-assistant"), ("CMHI2", "nurse-practitioner"), ("BBTX1", "nurse-practitioner")],
)
def test_a_role_the_payer_does_not_accept_is_refused_with_the_accepted_ones(app, api, payer_id, role):
    denial_id = _denial(api, payer_id)
    before = database_state(app)
    response = api.request_p2p(denial_id, role=role, windows=policy(payer_id).call_windows)
    assert (response.status_code, rules_of(response)) == (422, ["p2p-004"])
    accepted = ", ".join(policy(payer_id).roles)
    request_due = describe(at(DEADLINES[payer_id][0]), policy(payer_id).zone)
    assert f"from {role} (accepted: {accepted})" in _text(response)
    assert _text(response).endswith(f"Next step: a request by an accepted role by {request_due}.")
    assert database_state(app) == before
    assert state(_request(api, payer_id, denial_id, role=policy(payer_id).roles[-1])) == states.REQUESTED


def test_an_item_that_was_certified_cannot_be_disputed(api):
    denial_id = _denial(api, "NWHP1", actions=("A3", "A1"))
    response = api.request_p2p(denial_id, denied_item=[1, 2])
    assert (response.status_code, rules_of(response)) == (422, ["p2p-005"])
    assert "can dispute item 1 only, not item 2 (certified)" in _text(response)
    assert state(created(api.request_p2p(denial_id, denied_item=1))) == states.REQUESTED


def test_an_approval_has_no_p2p(api):
    response = api.request_p2p("approval-physical-therapy")
    assert (response.status_code, rules_of(response)) == (422, ["p2p-001"])


# --- business days over holidays (Northwind counts 5 business days in Chicago) ---------------------------


@pytest.mark.parametrize(
    ("created_at", "deadline"),
    [
        ("2026-11-25T10:00:00-06:00", "2026-12-03T23:59:59-06:00"),  # Thanksgiving Thu 26 and the weekend
        ("2026-11-26T10:00:00-06:00", "2026-12-03T23:59:59-06:00"),  # created on Thanksgiving itself
        ("2026-12-23T17:30:00-06:00", "2026-12-31T23:59:59-06:00"),  # Christmas Fri 25 and the weekend
        ("2026-12-30T09:00:00-06:00", "2027-01-07T23:59:59-06:00"),  # New Year's Day Fri 1 and the weekend
    ],
    ids=["thanksgiving-eve", "thanksgiving", "christmas", "new-year"],
)
def test_a_business_day_window_skips_holidays_and_weekends(api, clock, created_at, deadline):
    on_time, late = (_denial(api, "NWHP1", created=created_at) for _ in range(2))
    clock.now = at(deadline).astimezone(UTC) - timedelta(seconds=30)
    taken = _request(api, "NWHP1", on_time)
    assert taken["restriction"]["period"]["end"] == instant_text(at(deadline))
    clock.now = at(deadline).astimezone(UTC) + timedelta(seconds=2)
    response = api.request_p2p(late)
    assert (response.status_code, rules_of(response)) == (422, ["p2p-003"])
    assert f"window closed at {deadline[:10]}" in _text(response)


# --- Medicare Advantage: informational after a denial, a window before it --------------------------------


def test_medicare_advantage_p2p_after_a_denial_is_informational(app, api):
    task_id = _scheduled(api, "EGMA1")
    revised = payer_denial("EGMA1", actions=("A1",))
    api.put(revised)
    before = database_state(app)
    for values in ({"revised_determination": f"ClaimResponse/{revised['id']}"}, {}):
        response = api.op(task_id, "record-outcome", outcome="overturned", **values)
        assert (response.status_code, rules_of(response)) == (422, ["task-015"])
        assert "informational" in _text(response) and "reconsideration" in _text(response)
        assert database_state(app) == before  # not even the derived revision is kept
    upheld = changed(api.op(task_id, "record-outcome", outcome="upheld"))
    assert outputs_of(upheld)["next-step"] == "internal-appeal"


@pytest.mark.parametrize(
    ("payer_id", "window"),
    [("EGMA1", timedelta(hours=24)), ("BBTX1", None), ("NWHP1", None), ("CMHI2", None)],
)
def test_a_pended_response_opens_a_pre_decision_window_where_the_payer_offers_one(api, clock, payer_id, window):
    created_at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday
    pended = _denial(api, payer_id, actions=("A4",), created=created_at)
    if payer_id == "BBTX1":
        window = datetime(2026, 11, 19, 23, 59, 59, tzinfo=policy("BBTX1").zone) - created_at  # 1 business day
    clock.now = created_at + timedelta(hours=1)
    response = api.request_p2p(pended, windows=policy(payer_id).call_windows)
    if window is None:
        assert (response.status_code, rules_of(response)) == (422, ["p2p-001"])
        assert _text(response).endswith("Next step: wait for the payer's determination.")
        return
    task = created(response)
    assert task["restriction"]["period"]["end"] == instant_text(created_at + window)
    changed(api.op(task["id"], "cancel"))
    clock.now = created_at + window + timedelta(seconds=1)
    late = api.request_p2p(pended, windows=policy(payer_id).call_windows)
    assert (late.status_code, rules_of(late)) == (422, ["p2p-003"])
    assert _text(late).endswith("Next step: wait for the payer's determination.")


def test_a_pre_decision_p2p_can_change_the_coming_decision(api, clock):
    created_at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    clock.now = created_at + timedelta(hours=2)
    task_id = _scheduled(api, "EGMA1", actions=("A4",), created=created_at)
    done = changed(api.op(task_id, "record-outcome", outcome="overturned"))  # not informational before a decision
    assert _certified_items(api, outputs_of(done)["revised-determination"]["reference"]) == {1: "A1"}


# --- P2P and appeals -------------------------------------------------------------------------------------


def test_cascade_takes_no_p2p_once_an_appeal_is_filed(app, api):
    denial_id = _denial(api, "CMHI2")
    created(api.post(appeal_task(denial_id, Kind.INTERNAL_APPEAL, owner={"reference": _payer("CMHI2")})))
    before = database_state(app)
    response = api.request_p2p(denial_id, windows=2)
    assert (response.status_code, rules_of(response)) == (422, ["task-005"])
    assert "Next step: the appeal under way" in _text(response)
    assert database_state(app) == before


def test_northwind_takes_a_p2p_while_an_appeal_is_under_way(api):
    denial_id = _denial(api, "NWHP1")
    created(api.post(appeal_task(denial_id, Kind.INTERNAL_APPEAL)))
    assert state(_request(api, "NWHP1", denial_id)) == states.REQUESTED


def test_a_second_open_request_for_a_denial_is_a_conflict(app, api):
    denial_id = _denial(api, "NWHP1")
    first = _request(api, "NWHP1", denial_id)
    before = database_state(app)
    response = api.request_p2p(denial_id)
    assert (response.status_code, rules_of(response)) == (409, ["task-004"])
    assert database_state(app) == before
    changed(api.op(first["id"], "reject", reason="Duplicate of a phone request"))
    assert state(_request(api, "NWHP1", denial_id)) == states.REQUESTED  # a rejected one is not open


# --- a P2P request as an X12 278 -------------------------------------------------------------------------


def _post_x12(api: Api, text: str) -> Any:
    return api.client.post("/x12/278", data=text.encode(), content_type="application/edi-x12")


def _x12_of(api: Api, task_id: str) -> str:
    response = api.client.get(f"/fhir/Task/{task_id}/$x12")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_an_inbound_278_p2p_request_goes_through_the_same_checks(app, api, clock: FixedClock):
    denial_id = _denial(api, "NWHP1")
    first = _request(api, "NWHP1", denial_id)
    before = database_state(app)
    duplicate = _post_x12(api, _x12_of(api, first["id"]))
    assert (duplicate.status_code, rules_of(duplicate)) == (409, ["task-004"])
    assert {k: v for k, v in database_state(app).items() if k != "x12_control_numbers"} == {
        k: v for k, v in before.items() if k != "x12_control_numbers"
    }

    changed(api.op(first["id"], "cancel"))
    accepted = _post_x12(api, _x12_of(api, first["id"]))
    assert accepted.status_code == 200, accepted.get_json()
    locations = [e["response"]["location"] for e in accepted.get_json()["entry"]]
    task_ids = [url.split("/")[1] for url in locations if url.startswith("Task/")]
    assert len(task_ids) == 1
    inbound = api.task(task_ids[0])
    assert state(inbound) == states.REQUESTED
    assert inbound["focus"] == {"reference": f"ClaimResponse/{denial_id}"}
    assert inbound["restriction"]["period"]["end"] == instant_text(at(DEADLINES["NWHP1"][0]))
    changed(api.op(inbound["id"], "accept"))  # and on from there like any other request

    changed(api.op(inbound["id"], "cancel"))
    clock.now = at(DEADLINES["NWHP1"][0]).astimezone(UTC) + timedelta(minutes=1)
    resent = _post_x12(api, _x12_of(api, first["id"]))  # the same transaction (BHT03) names the same Task
    assert (resent.status_code, rules_of(resent)) == (422, ["task-010"])
    another = _x12_of(api, first["id"]).replace(f"*{first['id']}*", "*a-later-request*")
    late = _post_x12(api, another)
    assert (late.status_code, rules_of(late)) == (422, ["p2p-003"])
