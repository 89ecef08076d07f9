"""What the server adds to every stored ClaimResponse (workflow/denials.py, docs/workflow.md): the p2p-assessment
and p2p-item-decision extensions, and the request deadline, roles and contact of the payer policy that the payer
did not give; over HTTP (create, update, transaction, inbound 278), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fhir_p2p.resources.pas import PAYER_ID_SYSTEM, extensions
from fhir_p2p.translate import to_278_response
from fhir_p2p.workflow.denials import without_server_extensions
from tests.api.support import FHIR_JSON, issues, load_all, post, put
from tests.conftest import EXAMPLES, PAS_CORPUS, example_files, load_example
from tests.translate.support import example_set
from tests.validation.support import P2P_DENIAL, for_oracle, oracle_available, run_oracle, validator
from tests.workflow.support import corpus, denial

P2P = "http://fhir-p2p.org/fhir/StructureDefinition/"
ASSESSMENT, ITEM_DECISION = P2P + "p2p-assessment", P2P + "p2p-item-decision"
DEADLINE, ROLES, CONTACT = P2P + "p2p-request-deadline", P2P + "p2p-eligible-roles", P2P + "p2p-contact"
REVIEWER = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-claimResponseReviewer"
ROLE_SYSTEM = "http://fhir-p2p.org/fhir/CodeSystem/p2p-requester-role"
NEXT_STEP_SYSTEM = "http://fhir-p2p.org/fhir/CodeSystem/p2p-next-step"
ALL_ROLES = ["ordering-physician", "covering-physician", "physician-assistant", "nurse-practitioner"]
NORTHWIND_ROLES = ["ordering-physician", "covering-physician", "nurse-practitioner"]
SLA_24_24 = "call within 24 hours of the request, decision within 24 hours of the call"
NOT_ADVERSE = (
    "The response is not an adverse determination: it must be active with an item denied (A3), partly certified"
    " (A2) or modified (A6)"
)
CORPUS_TIME = datetime(2005, 5, 2, 7, 2, tzinfo=UTC)  # an hour after the corpus responses were created
SAMPLE_278 = EXAMPLES.parent / "tests" / "x12" / "data" / "278-response-denial.x12"


# -- helpers


def parts(resource: dict[str, Any]) -> dict[str, Any]:
    """The p2p-assessment's sub-extensions, by url (`from-policy` as a list); exactly one assessment."""
    (assessment,) = extensions(resource, ASSESSMENT)
    found: dict[str, Any] = {}
    for part in assessment["extension"]:
        (value,) = (v for k, v in part.items() if k.startswith("value"))
        if part["url"] == "from-policy":
            found.setdefault("from-policy", []).append(value)
        else:
            assert part["url"] not in found, part
            found[part["url"]] = value
    return found


def own_values(resource: dict[str, Any]) -> dict[str, Any]:
    """The deadline, the role codes and the contact values on a ClaimResponse."""
    deadlines = [e["valueDateTime"] for e in extensions(resource, DEADLINE)]
    roles = [c["code"] for e in extensions(resource, ROLES) for c in e["valueCodeableConcept"]["coding"]]
    contacts = [e["valueContactPoint"]["value"] for e in extensions(resource, CONTACT)]
    return {"deadline": deadlines, "roles": roles, "contact": contacts}


def item_decisions(resource: dict[str, Any]) -> list[list[str]]:
    return [[e["valueCode"] for e in extensions(item, ITEM_DECISION)] for item in resource.get("item", [])]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def next_step(code: str) -> dict[str, Any]:
    return {"coding": [{"system": NEXT_STEP_SYSTEM, "code": code}]}


def payer_organization(payer_id: str) -> dict[str, Any]:
    """An Organization whose only link to a policy is its payer-id identifier (not listed in payers.yaml)."""
    return {
        "resourceType": "Organization",
        "id": f"payer-{payer_id.lower()}",
        "identifier": [{"system": PAYER_ID_SYSTEM, "value": payer_id}],
        "name": f"Payer {payer_id}",
    }


def insurer_of(payer_id: str) -> str:
    """The insurer reference for a payer: Northwind's example Organization (listed under `organizations`);
    another payer's Organization, stored with its payer id; `ZZZ99`, a payer id no entry has."""
    return "Organization/northwind-health-plan" if payer_id == "NWHP1" else f"Organization/payer-{payer_id.lower()}"


@pytest.fixture
def payers(client):
    """The example Northwind Organization and one Organization per other payer (and an unlisted one)."""
    organizations = [payer_organization(p) for p in ("EGMA1", "CMHI2", "BBTX1", "ZZZ99")]
    load_all(client, [load_example("Organization-northwind-health-plan"), *organizations])


def created(client, resource: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = post(client, resource, **headers)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def updated(client, resource: dict[str, Any]) -> dict[str, Any]:
    response = put(client, resource)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def mri_denial(payer_id: str) -> dict[str, Any]:
    resource = denial("mri-lumbar")
    resource["insurer"] = {"reference": insurer_of(payer_id)}
    return resource


# -- create, under each payer


@pytest.mark.parametrize(
    ("payer_id", "request_due", "appeal_due", "informational", "roles", "contact", "sla"),
    [
        pytest.param(
            "EGMA1", "2026-12-01T23:59:59-08:00", "2027-01-16T23:59:59-08:00", True, ALL_ROLES,
            ["+1-503-555-0142"], SLA_24_24, id="EGMA1",
        ),
        pytest.param(
            "CMHI2", "2026-12-02T23:59:59-07:00", "2027-05-16T23:59:59-06:00", False, ALL_ROLES[:2], [],
            SLA_24_24, id="CMHI2",
        ),
        pytest.param(
            "NWHP1", "2026-11-24T23:59:59-06:00", "2027-05-16T23:59:59-05:00", False, NORTHWIND_ROLES,
            ["+1-312-555-0188"], "call within 1 business day of the request, decision within 24 hours of the call",
            id="NWHP1",
        ),
        pytest.param(
            "BBTX1", "2026-11-20T16:45:00-06:00", "2027-05-16T23:59:59-05:00", False, ALL_ROLES[:3],
            ["+1-512-555-0167"], SLA_24_24, id="BBTX1",
        ),
        pytest.param(
            "ZZZ99", "2026-12-01T23:59:59-05:00", "2027-05-16T23:59:59-04:00", False, ALL_ROLES[:2], [],
            SLA_24_24, id="default",
        ),
    ],
)  # fmt: skip
def test_create_returns_and_stores_the_assessment_of_the_insurers_policy(
    client, clock, payers, payer_id, request_due, appeal_due, informational, roles, contact, sla
):
    sent = mri_denial(payer_id)
    before = clock.now
    body = created(client, sent)
    assert client.get(f"/fhir/ClaimResponse/{body['id']}").get_json() == body  # stored as returned
    assessment = parts(body)
    assert before < instant(assessment.pop("assessed")) <= clock.now
    filled = [DEADLINE, ROLES, CONTACT] if contact else [DEADLINE, ROLES]
    assert assessment == {
        "determination": "adverse",
        "eligible": True,
        "policy": "default" if payer_id == "ZZZ99" else payer_id,
        "informational": informational,
        "appeal-deadline": appeal_due,
        "decision-sla": sla,
        "from-policy": filled,
    }
    assert own_values(body) == {"deadline": [request_due], "roles": roles, "contact": contact}
    urls = [e["url"] for e in body["extension"]]
    assert urls == [REVIEWER, DEADLINE, *[ROLES] * len(roles), *[CONTACT] * len(contact), ASSESSMENT]
    assert item_decisions(body) == [["denied"]]
    assert {k: v for k, v in without_server_extensions(body).items() if k not in ("id", "meta")} == {
        k: v for k, v in sent.items() if k not in ("id", "meta")
    }


def test_a_logical_insurer_reference_with_a_payer_id_needs_no_stored_organization(client):
    sent = denial("mri-lumbar")
    sent["insurer"] = {"identifier": {"system": PAYER_ID_SYSTEM, "value": "BBTX1"}}
    body = created(client, sent)
    assert parts(body)["policy"] == "BBTX1"
    assert own_values(body)["deadline"] == ["2026-11-20T16:45:00-06:00"]


def test_an_insurer_that_is_not_stored_gets_the_default_policy(client):
    sent = mri_denial("EGMA1")  # Organization/payer-egma1, not stored here
    assert parts(created(client, sent))["policy"] == "default"


def test_the_partial_denial_classifies_every_item(client, payers):
    body = created(client, denial("inpatient-stay"))  # A2 (fewer days) and A1
    assert item_decisions(body) == [["partial"], ["certified"]]
    assessment = parts(body)
    assert (assessment["determination"], assessment["policy"]) == ("adverse", "NWHP1")
    assert own_values(body)["deadline"] == ["2026-11-18T23:59:59-06:00"]  # 5 business days, Veterans Day skipped


def test_a_transaction_entry_is_assessed_too(client, payers):
    entry = {"fullUrl": "urn:uuid:7f0e7c51-8a4e-4a47-9a3b-0d7f1c2e5a10", "resource": mri_denial("CMHI2")}
    entry["request"] = {"method": "POST", "url": "ClaimResponse"}
    response = client.post(
        "/fhir", data=json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [entry]}),
        content_type=FHIR_JSON,
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    location = response.get_json()["entry"][0]["response"]["location"].split("/_history")[0]
    stored = client.get(f"/fhir/{location}").get_json()
    assert parts(stored)["policy"] == "CMHI2"
    assert own_values(stored)["deadline"] == ["2026-12-02T23:59:59-07:00"]


# -- updates and echoes


def test_an_update_recomputes_the_assessment_and_the_policy_deadline(client, clock, payers):
    first = created(client, mri_denial("NWHP1"))
    clock.advance(days=7)  # 2026-11-25 14:30 UTC: Northwind's 5 business days ended on 2026-11-24
    late = updated(client, first)  # the client sends back what it read
    assert [e["url"] for e in late["extension"]] == [e["url"] for e in first["extension"]]  # nothing twice
    assert item_decisions(late) == [["denied"]]
    assessment = parts(late)
    assert instant(assessment["assessed"]) > instant(parts(first)["assessed"])
    assert assessment["eligible"] is False
    assert assessment["reason"] == (
        "The peer-to-peer request window closed at 2026-11-24; the request came at 2026-11-25 08:30 CST"
    )
    assert assessment["next-step"] == next_step("internal-appeal")
    assert assessment["next-step-due"] == assessment["appeal-deadline"] == "2027-05-16T23:59:59-05:00"
    assert own_values(late)["deadline"] == ["2026-11-24T23:59:59-06:00"]

    reissued = {**late, "created": "2026-11-25T09:00:00-06:00"}  # the payer issues the denial again
    again = updated(client, reissued)
    # 5 business days from Wednesday 2026-11-25, Thanksgiving (11-26) skipped
    assert own_values(again)["deadline"] == ["2026-12-03T23:59:59-06:00"]
    assert (parts(again)["eligible"], "reason" in parts(again)) == (True, False)
    assert parts(again)["from-policy"] == [DEADLINE, ROLES, CONTACT]


def test_an_update_without_the_server_extensions_gets_them_again(client, clock, payers):
    first = created(client, mri_denial("EGMA1"))
    plain = {**without_server_extensions(first), "disposition": "Not certified (corrected text)."}
    again = updated(client, plain)
    assert own_values(again) == own_values(first)
    assert parts(again)["from-policy"] == parts(first)["from-policy"]


def test_posting_what_was_read_as_a_new_resource_duplicates_nothing(client, payers):
    first = created(client, mri_denial("BBTX1"))
    copy = created(client, {k: v for k, v in first.items() if k != "id"})
    assert [e["url"] for e in copy["extension"]] == [e["url"] for e in first["extension"]]
    assert own_values(copy) == own_values(first)
    assert item_decisions(copy) == [["denied"]]


def test_a_payers_own_deadline_and_contact_are_kept_and_never_recomputed(client, clock, payers):
    sent = mri_denial("NWHP1")
    sent["extension"] += [
        {"url": DEADLINE, "valueDateTime": "2026-11-30T17:00:00-06:00"},
        {"url": CONTACT, "valueContactPoint": {"system": "phone", "value": "+1-312-555-0100"}},
    ]
    first = created(client, sent)
    assert own_values(first) == {
        "deadline": ["2026-11-30T17:00:00-06:00"],
        "roles": NORTHWIND_ROLES,  # the payer named none: from the policy
        "contact": ["+1-312-555-0100"],
    }
    assert parts(first)["from-policy"] == [ROLES]

    clock.advance(days=7)  # past the policy's deadline (2026-11-24), before the payer's own
    later = updated(client, first)
    assert own_values(later) == own_values(first)
    assert parts(later)["eligible"] is True

    moved = json.loads(json.dumps(later))
    next(e for e in moved["extension"] if e["url"] == DEADLINE)["valueDateTime"] = "2026-11-27"
    kept = updated(client, moved)
    assert own_values(kept)["deadline"] == ["2026-11-27"]  # the payer's, as written (a date: all that day)
    assert parts(kept)["eligible"] is True
    assert parts(kept)["from-policy"] == [ROLES]


def test_a_deadline_the_client_changed_is_the_payers(client, payers):
    first = created(client, mri_denial("CMHI2"))
    changed = json.loads(json.dumps(first))
    next(e for e in changed["extension"] if e["url"] == DEADLINE)["valueDateTime"] = "2026-11-21T12:00:00-07:00"
    stored = updated(client, changed)
    assert own_values(stored)["deadline"] == ["2026-11-21T12:00:00-07:00"]
    assert parts(stored)["from-policy"] == [ROLES]


# -- responses that are not denials


def test_an_approval_is_assessed_as_not_adverse_with_nothing_filled_in(client, payers):
    body = created(client, load_example("ClaimResponse-approval-physical-therapy"))
    assessment = parts(body)
    del assessment["assessed"]
    assert assessment == {
        "determination": "not-adverse",
        "eligible": False,
        "policy": "NWHP1",
        "reason": NOT_ADVERSE,
        "next-step": next_step("none"),
    }
    assert own_values(body) == {"deadline": [], "roles": [], "contact": []}
    assert item_decisions(body) == [["certified"], ["certified"]]


@pytest.mark.parametrize(
    ("payer_id", "expected"),
    [
        (
            "EGMA1",  # a 24-hour pre-decision window
            {"determination": "pending", "eligible": True, "policy": "EGMA1", "decision-sla": SLA_24_24,
             "from-policy": [DEADLINE, ROLES, CONTACT]},
        ),
        (
            "BBTX1",  # 1 business day, Texas
            {"determination": "pending", "eligible": True, "policy": "BBTX1", "decision-sla": SLA_24_24,
             "from-policy": [DEADLINE, ROLES, CONTACT]},
        ),
        (
            "NWHP1",  # no pre-decision P2P
            {"determination": "pending", "eligible": False, "policy": "NWHP1",
             "reason": "The determination is still pending (A4/CT) and Northwind Health Plan offers no peer-to-peer"
             " review before it", "next-step": next_step("await-determination")},
        ),
    ],
)  # fmt: skip
def test_a_pended_response_is_eligible_only_in_a_pre_decision_window(client, clock, payers, payer_id, expected):
    clock.now = CORPUS_TIME
    sent = corpus("PractitionerRequestorPendingResponseExample")
    sent["insurer"] = {"reference": insurer_of(payer_id)}
    body = created(client, sent)
    assessment = parts(body)
    del assessment["assessed"]
    assert assessment == expected
    deadline = {"EGMA1": ["2005-05-02T23:02:00-07:00"], "BBTX1": ["2005-05-03T23:59:59-05:00"]}.get(payer_id, [])
    assert own_values(body)["deadline"] == deadline
    assert item_decisions(body) == [["pended"]]


@pytest.mark.parametrize(
    ("name", "determination", "decisions"),
    [
        ("ErrorResponseExample", "not-adverse", []),
        ("PractitionerRequestorPendingResponseExample", "pending", [["pended"]]),
        ("PractitionerRequestorResponseExample", "not-adverse", [["certified"]]),
        ("RejectionResponseExample", "adverse", [["denied"]]),
    ],
)
def test_every_pas_corpus_claim_response_is_accepted_and_assessed(client, name, determination, decisions):
    path = PAS_CORPUS / f"pas-2.2.1-ClaimResponse-{name}.json"
    response = client.post("/fhir/ClaimResponse", data=path.read_bytes(), content_type=FHIR_JSON)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (parts(body)["determination"], parts(body)["policy"]) == (determination, "default")
    assert item_decisions(body) == decisions
    sent = json.loads(path.read_text())
    assert {k: v for k, v in without_server_extensions(body).items() if k not in ("id", "meta")} == {
        k: v for k, v in sent.items() if k not in ("id", "meta")
    }


def test_pas_corpus_files_cover_every_claim_response():
    assert len(list(PAS_CORPUS.glob("pas-2.2.1-ClaimResponse-*.json"))) == 4


# -- a response that cannot be assessed


@pytest.mark.parametrize("when", ["2026-11", "2026"])
def test_a_response_with_a_partial_created_date_is_stored_unassessed_with_a_warning(client, payers, when):
    sent = created(client, mri_denial("NWHP1"))  # what a client read, with the server's extensions
    sent = {k: v for k, v in sent.items() if k != "id"} | {"created": when}  # mutation: a month or year only
    response = post(client, sent, Prefer="return=OperationOutcome")
    assert response.status_code == 201
    warning = next(i for i in issues(response) if i["details"]["coding"][0]["code"] == "p2p-006")
    assert (warning["severity"], warning["code"], warning["expression"]) == (
        "warning",
        "business-rule",
        ["ClaimResponse.created"],
    )
    stored = client.get(response.headers["Location"].split("/_history")[0].replace("http://test/fhir", "/fhir"))
    body = stored.get_json()
    assert extensions(body, ASSESSMENT) == [] and item_decisions(body) == [[]]
    assert own_values(body) == {"deadline": [], "roles": [], "contact": []}  # the policy's stale values dropped


# -- inbound X12


def test_an_inbound_278_response_is_assessed_under_the_default_policy(client, clock):
    clock.now = datetime(2025, 2, 17, 15, 0, tzinfo=UTC)  # the sample denial is of 2025-02-14 (payer id 12345)
    response = client.post("/x12/278", data=SAMPLE_278.read_bytes(), content_type="application/edi-x12")
    assert response.status_code == 200, response.get_json()
    (stored,) = [e["resource"] for e in client.get("/fhir/ClaimResponse").get_json()["entry"]]
    assessment = parts(stored)
    assert (assessment["determination"], assessment["eligible"], assessment["policy"]) == ("adverse", True, "default")
    assert assessment["appeal-deadline"] == "2025-08-13T23:59:59-04:00"  # 180 days
    assert own_values(stored)["deadline"] == ["2025-02-28T23:59:59-05:00"]  # 14 calendar days
    assert own_values(stored)["contact"]  # the payer's PER, kept
    assert CONTACT not in assessment["from-policy"]
    assert item_decisions(stored) == [["denied"]]


def test_an_inbound_278_response_finds_its_payer_by_the_umo_payer_id(client):
    text = to_278_response(example_set(EXAMPLES / "ClaimResponse-denial-inpatient-stay.json")).text  # PI*NWHP1
    response = client.post("/x12/278", data=text.encode(), content_type="application/edi-x12")
    assert response.status_code == 200, response.get_json()
    (stored,) = [e["resource"] for e in client.get("/fhir/ClaimResponse").get_json()["entry"]]
    assert stored["insurer"]["reference"] != "Organization/northwind-health-plan"  # a new Organization
    assert parts(stored)["policy"] == "NWHP1"  # by the payer id the 278 gave it
    assert own_values(stored)["deadline"] == ["2026-11-18T23:59:59-06:00"]


def test_the_x12_of_a_stored_denial_reports_none_of_the_server_extensions(client):
    load_all(client, [json.loads(path.read_text()) for path in example_files() if not path.name.startswith("Task-")])
    path = EXAMPLES / "ClaimResponse-denial-mri-lumbar.json"
    response = client.get("/fhir/ClaimResponse/denial-mri-lumbar/$x12", headers={"Accept": FHIR_JSON})
    assert response.status_code == 200
    parameters = {p["name"]: p for p in response.get_json()["parameter"]}
    reported = [i["details"]["text"] for i in parameters["issues"]["resource"]["issue"]]
    assert reported == [issue.message for issue in to_278_response(example_set(path)).issues]  # as sent
    assert "PER*IC**TE*+1-312-555-0188~" in parameters["x12"]["valueString"]  # the policy's contact, 2010A PER


def test_the_x12_of_a_denial_still_reports_a_payers_own_deadline(client):
    parties = [path for path in example_files() if not path.name.startswith(("ClaimResponse-", "Task-"))]
    load_all(client, [json.loads(path.read_text()) for path in parties])
    sent = mri_denial("NWHP1")
    sent["extension"].append({"url": DEADLINE, "valueDateTime": "2026-11-30"})
    body = created(client, sent)
    response = client.get(f"/fhir/ClaimResponse/{body['id']}/$x12", headers={"Accept": FHIR_JSON})
    parameters = {p["name"]: p for p in response.get_json()["parameter"]}
    carried_not = {e for i in parameters["issues"]["resource"]["issue"] for e in i.get("expression", [])}
    assert "ClaimResponse.extension[1]" in carried_not  # the payer's deadline: the 278 has no place for it
    assert not {f"ClaimResponse.extension[{i}]" for i in range(2, len(body["extension"]))} & carried_not


# -- conformance of what is stored


def _stored_examples(client, clock) -> dict[str, dict[str, Any]]:
    """Every kind of stored ClaimResponse: the MRI denial under each payer, the partial denial, the corpus
    rejection, a not-eligible denial, an approval, a pended response."""
    stored = {payer: created(client, mri_denial(payer)) for payer in ("EGMA1", "CMHI2", "NWHP1", "BBTX1", "ZZZ99")}
    stored["partial"] = created(client, denial("inpatient-stay"))
    stored["corpus-rejection"] = created(client, corpus("RejectionResponseExample"))
    stored["approval"] = created(client, load_example("ClaimResponse-approval-physical-therapy"))
    stored["pended"] = created(client, corpus("PractitionerRequestorPendingResponseExample"))
    clock.advance(days=30)
    stored["late"] = updated(client, stored["CMHI2"])
    assert parts(stored["late"])["eligible"] is False
    return stored


def test_the_server_extensions_add_no_validation_issue(client, clock, payers):
    def found(resource, profile):
        return [(i.severity, i.message) for i in validator().validate(resource, profile) if i.severity != "information"]

    for name, resource in _stored_examples(client, clock).items():
        profile = P2P_DENIAL if parts(resource)["determination"] == "adverse" else None
        assert found(resource, profile) == found(without_server_extensions(resource), profile), name


# Named mutations of a stored denial that break the extension definitions (profiles/fsh/.../extensions.fsh).
MALFORMED = {
    "determination-not-in-its-value-set": lambda d: _part(d, "determination").update(valueCode="maybe"),
    "item-decision-not-in-its-value-set": lambda d: d["item"][0]["extension"][-1].update(valueCode="rejected"),
    "determination-missing": lambda d: _assessment(d)["extension"].remove(_part(d, "determination")),
    "eligible-as-text": lambda d: _assessment(d)["extension"].__setitem__(1, {"url": "eligible", "valueString": "yes"}),
    "next-step-not-in-its-value-set": lambda d: _assessment(d)["extension"].append(
        {"url": "next-step", "valueCodeableConcept": next_step("call-the-payer")}
    ),
}


def _assessment(resource: dict[str, Any]) -> dict[str, Any]:
    (found,) = extensions(resource, ASSESSMENT)
    return found


def _part(resource: dict[str, Any], url: str) -> dict[str, Any]:
    return next(p for p in _assessment(resource)["extension"] if p["url"] == url)


def _malformed(stored: dict[str, Any]) -> dict[str, dict[str, Any]]:
    copies = {}
    for name, mutate in MALFORMED.items():
        copies[name] = json.loads(json.dumps(stored))
        mutate(copies[name])
    return copies


def test_malformed_server_extensions_are_errors_for_our_validator(client, payers):
    for name, resource in _malformed(created(client, mri_denial("NWHP1"))).items():
        assert any(i.is_error for i in validator().validate(resource, P2P_DENIAL)), name


@pytest.mark.skipif(oracle_available() is not None, reason=str(oracle_available()))
def test_stored_responses_meet_their_profiles_for_the_fhir_oracle(client, clock, payers, tmp_path):
    stored = _stored_examples(client, clock)
    cases = {name: (resource, True) for name, resource in stored.items()}
    cases |= {name: (resource, False) for name, resource in _malformed(stored["NWHP1"]).items()}
    files = []
    for name, (resource, _) in cases.items():
        adverse = parts(resource).get("determination", "adverse") == "adverse"
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(for_oracle(resource, P2P_DENIAL if adverse else None)))
        files.append(path)
    reports = run_oracle(files)
    verdicts = {name: reports[f"{name}.json"]["valid"] for name in cases}
    assert verdicts == {name: valid for name, (_, valid) in cases.items()}, {
        name: report["issues"] for name, report in reports.items()
    }
