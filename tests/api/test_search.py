"""Search over HTTP: the SPEC §4 parameters, paging that survives concurrent changes, sort, includes, count."""

from __future__ import annotations

import pytest

from tests.api.support import bundle_ids, load_all, post, rules
from tests.conftest import example_files, load_example

DENIAL = "denial-mri-lumbar"
PARTIAL = "denial-inpatient-stay"
APPROVAL = "approval-physical-therapy"


@pytest.fixture
def examples(client):
    load_all(client, [load_example(path.name) for path in example_files()])


def ids(client, query):
    response = client.get(query)
    assert response.status_code == 200, response.get_json()
    return sorted(bundle_ids(response.get_json()))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("patient=Patient/theodora-vance", [APPROVAL, PARTIAL, DENIAL]),
        ("patient=theodora-vance", [APPROVAL, PARTIAL, DENIAL]),
        ("patient:Patient=theodora-vance", [APPROVAL, PARTIAL, DENIAL]),
        ("insurer=Organization/northwind-health-plan", [APPROVAL, PARTIAL, DENIAL]),
        ("requestor=Organization/cedar-valley-medical-center", [APPROVAL, PARTIAL, DENIAL]),
        ("request=Claim/pa-mri-lumbar", [DENIAL]),
        ("outcome=partial", [PARTIAL]),
        ("outcome=complete", [APPROVAL, DENIAL]),
        ("status=active", [APPROVAL, PARTIAL, DENIAL]),
        ("review-action=A3", [DENIAL]),
        ("review-action=https://codesystem.x12.org/005010/306|A3", [DENIAL]),
        ("review-action=https://codesystem.x12.org/005010/306|A2", [PARTIAL]),
        ("review-action=A1", [APPROVAL, PARTIAL]),
        ("review-action:not=A1", [DENIAL]),
        ("review-action=A3,A2", [PARTIAL, DENIAL]),
        ("review-action=A1&outcome=complete", [APPROVAL]),
        ("identifier=urn:trnorg:1840563927|NWH-TRN-20261117-004218", [DENIAL]),
        ("identifier=NWH-UM-2026-1117-0042", [DENIAL]),  # preAuthRef and PAS administration reference number
        ("identifier=urn:trnorg:1840563927|NWH-UM-2026-1117-0042", []),  # they have no system
        ("created=ge2026-11-17", [DENIAL]),
        ("created=2026-11-10", [PARTIAL]),
        ("created=ge2026-11-10&created=lt2026-11-12", [APPROVAL, PARTIAL]),
        ("created=lt2000-01-01", []),
        # the server fills in the request deadline of a denial from the payer policy (Northwind: 5 business days)
        ("p2p-deadline:missing=true", [APPROVAL]),
        ("p2p-deadline=lt2026-11-20", [PARTIAL]),  # 2026-11-18T23:59:59-06:00
        ("p2p-deadline=gt2026-11-20", [DENIAL]),  # 2026-11-24T23:59:59-06:00
        ("_id=denial-mri-lumbar,denial-inpatient-stay", [PARTIAL, DENIAL]),
    ],
)
def test_claim_response_search_parameters(client, examples, query, expected):
    assert ids(client, f"/fhir/ClaimResponse?{query}") == sorted(expected)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("status=requested", True),
        ("status=completed", False),
        ("code=http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code|peer-to-peer-review", True),
        ("focus=ClaimResponse/denial-mri-lumbar", True),
        ("focus=ClaimResponse/denial-inpatient-stay", False),
        ("patient=Patient/theodora-vance", True),
        ("owner=Organization/northwind-health-plan", True),
        ("requester=Practitioner/adaeze-lindqvist", True),
        ("authored-on=gt2026-01-01", True),
        ("authored-on=lt2026-01-01", False),
        ("business-status:missing=true", False),  # a new request's stage is the server's: awaiting-scheduling
        ("business-status=awaiting-scheduling", True),
        ("part-of:missing=false", False),
    ],
)
def test_task_search_parameters(client, examples, query, matches):
    assert ids(client, f"/fhir/Task?{query}") == (["p2p-mri-lumbar"] if matches else [])


def test_string_search_is_prefix_case_and_accent_insensitive(client, examples):
    family = load_example("Patient-theodora-vance")["name"][0]["family"]
    assert ids(client, f"/fhir/Patient?family={family[:3].upper()}") == ["theodora-vance"]
    assert ids(client, f"/fhir/Patient?name={family.lower()}") == ["theodora-vance"]
    assert ids(client, "/fhir/Patient?family:exact=zz") == []


def test_paging_follows_next_links_without_skips_or_repeats_while_data_changes(client):
    patient = load_example("Patient-theodora-vance")
    patient.pop("id")
    created = [post(client, patient).get_json()["id"] for _ in range(7)]
    first = client.get("/fhir/Patient?_count=3").get_json()
    assert first["total"] == 7
    seen = bundle_ids(first)
    assert seen == created[:3]
    client.delete(f"/fhir/Patient/{created[0]}")  # before the cursor: must not shift the next page
    late = post(client, patient).get_json()["id"]  # after the cursor: shows up at the end
    url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    while url:
        page = client.get(url.replace("http://test", "")).get_json()
        seen += bundle_ids(page)
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert seen == [*created, late]


def test_sort_by_date_descending_and_by_id(client, examples):
    by_id = client.get("/fhir/ClaimResponse?_sort=_id").get_json()
    assert bundle_ids(by_id) == sorted([APPROVAL, PARTIAL, DENIAL])
    assert bundle_ids(client.get("/fhir/ClaimResponse?_sort=-created").get_json()) == [DENIAL, APPROVAL, PARTIAL]
    assert bundle_ids(client.get("/fhir/ClaimResponse?_sort=created").get_json()) == [PARTIAL, APPROVAL, DENIAL]


def test_sorted_paging_visits_every_match_once(client, examples):
    url = "/fhir/ClaimResponse?_sort=-created,_id&_count=1"
    seen = []
    while url:
        page = client.get(url.replace("http://test", "")).get_json()
        seen += bundle_ids(page)
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert sorted(seen) == sorted([APPROVAL, PARTIAL, DENIAL])
    assert len(seen) == 3


def test_include_and_revinclude(client, examples):
    bundle = client.get(
        "/fhir/ClaimResponse?_id=denial-mri-lumbar&_include=ClaimResponse:patient"
        "&_include=ClaimResponse:request&_revinclude=Task:focus"
    ).get_json()
    assert bundle_ids(bundle) == [DENIAL]
    assert sorted(bundle_ids(bundle, "include")) == ["p2p-mri-lumbar", "pa-mri-lumbar", "theodora-vance"]
    assert bundle["total"] == 1


def test_summary_count_returns_only_the_total(client, examples):
    bundle = client.get("/fhir/ClaimResponse?_summary=count").get_json()
    assert bundle["total"] == 3
    assert "entry" not in bundle


def test_last_updated(client, examples, clock):
    clock.advance(days=1)
    post(client, load_example("Organization-northwind-health-plan"))
    assert len(ids(client, "/fhir/Organization?_lastUpdated=ge2026-11-19")) == 1
    assert len(ids(client, "/fhir/Organization")) == 3


def test_unknown_parameter_is_ignored_with_a_warning_or_refused_when_strict(client, examples):
    lenient = client.get("/fhir/ClaimResponse?colour=blue&outcome=partial")
    bundle = lenient.get_json()
    assert bundle_ids(bundle) == [PARTIAL]
    assert "colour" not in next(link["url"] for link in bundle["link"] if link["relation"] == "self")
    outcome = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert outcome[0]["resource"]["issue"][0]["expression"] == ["colour"]
    strict = client.get("/fhir/ClaimResponse?colour=blue", headers={"Prefer": "handling=strict"})
    assert strict.status_code == 400
    assert strict.get_json()["issue"][0]["expression"] == ["colour"]


def test_bad_search_values_are_400_naming_the_parameter(client):
    response = client.get("/fhir/ClaimResponse?created=yesterday")
    assert response.status_code == 400
    assert response.get_json()["issue"][0]["expression"] == ["created"]
    assert rules(response)


def test_search_of_unknown_type_is_404(client):
    assert client.get("/fhir/Observation?code=x").status_code == 404
    assert client.get("/fhir/NotAType").status_code == 404
