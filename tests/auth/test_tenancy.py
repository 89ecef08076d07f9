"""Tenancy matrix (SPEC §7): two providers and two payers share one server and never see each other.

World A is the examples/ folder as the CLI loads it: provider Cedar Valley (P1), payer Northwind
(X1). World B is the same data for provider Harbor Point (P2) and payer Summit Mutual (X2), posted
by P2 as one transaction Bundle. Every client reads, searches (by every search parameter each
resource has a value for), pages history, includes, translates to X12 and writes across both
worlds: it finds its own world and nothing of the other, and "not yours" is answered exactly like
"does not exist".
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fhir_p2p.search.extract import extract_index
from fhir_p2p.store.sql import Store
from fhir_p2p.tenancy import SHARED_TYPES
from fhir_p2p.translate import to_278_response
from tests.auth.support import bearer, offline_token, register, rsa_key
from tests.conftest import example_files
from tests.translate.support import denial_files, example_set

P1, X1 = "Organization/cedar-valley-medical-center", "Organization/northwind-health-plan"
P2, X2 = "Organization/harbor-point-clinic", "Organization/summit-mutual"
CLIENTS = {"p1": (P1, "provider"), "x1": (X1, "payer"), "p2": (P2, "provider"), "x2": (X2, "payer")}
WORLD_OF = {"p1": "A", "x1": "A", "p2": "B", "x2": "B"}
MISSING = "00000000-0000-4000-8000-000000000000"


@dataclass
class Worlds:
    app: Flask
    http: FlaskClient
    tokens: dict[str, str]
    resources: dict[str, dict[str, dict[str, Any]]]  # world -> "Type/id" -> the stored resource

    def get(self, who: str, url: str, **headers: str) -> Any:
        return self.http.get(url, headers={**bearer(self.tokens[who]), **headers})

    def send(self, who: str, method: str, url: str, body: Any, **headers: str) -> Any:
        all_headers = {**bearer(self.tokens[who]), "Content-Type": "application/fhir+json", **headers}
        return self.http.open(url, method=method, data=json.dumps(body), headers=all_headers)

    def tenant_data(self, world: str) -> dict[str, dict[str, Any]]:
        return {key: r for key, r in self.resources[world].items() if r["resourceType"] not in SHARED_TYPES}


def _examples() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in example_files() if path.suffix == ".json"]


def _world_b(examples: list[dict[str, Any]]) -> dict[str, Any]:
    """World A's examples for P2 and X2: other organizations, names, identifiers; one transaction."""
    text = json.dumps(examples)
    for old, new in (
        ("cedar-valley-medical-center", "harbor-point-clinic"),
        ("northwind-health-plan", "summit-mutual"),
        ("adaeze-lindqvist", "ines-okonkwo"),
        ("Theodora", "Marguerite"),
        ("Vance", "Oyelaran"),
        ("NWH-", "SMU-"),
        ("1503948261", "1503948337"),  # NPIs (valid check digits) and the payer id
        ("1928374655", "1928374721"),
        ('"99917"', '"99918"'),
        ('"NWHP1"', '"SMUP1"'),
    ):
        text = text.replace(old, new)
    resources = json.loads(text)
    urns = {f"{r['resourceType']}/{r['id']}": f"urn:uuid:{uuid.uuid4()}" for r in resources}
    entries = []
    for resource in resources:
        key = f"{resource['resourceType']}/{resource['id']}"
        if resource["resourceType"] in SHARED_TYPES:  # shared types may be put under their own ids
            entries.append({"fullUrl": urns[key], "resource": resource, "request": {"method": "PUT", "url": key}})
            continue
        del resource["id"]
        entries.append(
            {"fullUrl": urns[key], "resource": resource, "request": {"method": "POST", "url": key.split("/")[0]}}
        )
    body = json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    for key, urn in urns.items():
        if key.split("/")[0] not in SHARED_TYPES:
            body = body.replace(f'"{key}"', f'"{urn}"')
    bundle: dict[str, Any] = json.loads(body)
    return bundle


@pytest.fixture
def worlds(auth_app: Flask) -> Worlds:
    store: Store = auth_app.extensions["fhir_p2p.store"]
    examples = _examples()
    with store.unit_of_work(write=True) as uow:  # as `fhir-p2p load examples/` does
        for resource in examples:
            uow.update(resource["resourceType"], resource["id"], copy.deepcopy(resource))
    tokens = {}
    for number, (who, (organization, role)) in enumerate(CLIENTS.items()):
        register(auth_app, who, key=rsa_key(number), organization=organization, role=role)
        tokens[who] = offline_token(auth_app, "system/*.cruds", who)
    worlds = Worlds(auth_app, auth_app.test_client(), tokens, {"A": {}, "B": {}})
    response = worlds.send("p2", "POST", "/fhir", _world_b(examples))
    assert response.status_code == 200, response.get_json()
    ids_of_a = {(r["resourceType"], r["id"]) for r in examples}
    with store.unit_of_work() as uow:
        for resource_type in {r["resourceType"] for r in examples}:
            for found in uow.history(resource_type, None, since=None, count=500, cursor=None).entries:
                body = found.as_dict()
                world = "A" if (resource_type, found.id) in ids_of_a else "B"
                worlds.resources[world].setdefault(f"{resource_type}/{found.id}", body)
    assert len(worlds.tenant_data("A")) == len(worlds.tenant_data("B")) >= 10
    return worlds


def _same_not_found(response: Any, reference: str, missing_response: Any, missing: str) -> None:
    """404, with the body a client gets for an id that never existed (ids aside)."""
    assert response.status_code == 404
    mine = json.dumps(response.get_json()).replace(reference.split("/", 1)[1], "ID")
    theirs = json.dumps(missing_response.get_json()).replace(missing, "ID")
    assert mine == theirs


@pytest.mark.parametrize("who", sorted(CLIENTS))
def test_a_client_reads_its_own_world_and_nothing_of_the_other(worlds: Worlds, who: str) -> None:
    own = WORLD_OF[who]
    for world in ("A", "B"):
        for key in worlds.tenant_data(world):
            resource_id = key.split("/")[1]
            for url in (f"/fhir/{key}", f"/fhir/{key}/_history/1", f"/fhir/{key}/_history"):
                response = worlds.get(who, url)
                if world == own:
                    assert response.status_code == 200, (who, url, response.get_json())
                else:
                    _same_not_found(response, key, worlds.get(who, url.replace(resource_id, MISSING)), MISSING)


@pytest.mark.parametrize("who", sorted(CLIENTS))
def test_shared_reference_data_is_readable_by_everyone(worlds: Worlds, who: str) -> None:
    for world in ("A", "B"):
        for key, resource in worlds.resources[world].items():
            if resource["resourceType"] in SHARED_TYPES:
                assert worlds.get(who, f"/fhir/{key}").status_code == 200


def _queries(resource: dict[str, Any]) -> list[tuple[str, str]]:
    """A query per index row of `resource`: each matches it (and the other world's twin, were it visible)."""
    rows = extract_index(resource)
    found = [(t.param, f"{t.system}|{t.code}" if t.system else str(t.code)) for t in rows.tokens if t.code]
    found += [(s.param, s.value) for s in rows.strings]
    found += [(r.param, f"{r.target_type}/{r.target_id}" if r.target_type else r.url) for r in rows.references]
    found += [(d.param, "ge1900-01-01") for d in rows.dates]
    found += [(u.param, u.value) for u in rows.uris]
    return found


@pytest.mark.parametrize("who", sorted(CLIENTS))
def test_every_search_parameter_finds_only_the_callers_world(worlds: Worlds, who: str) -> None:
    own, searched = WORLD_OF[who], 0
    for world in ("A", "B"):
        for key, resource in worlds.tenant_data(world).items():
            resource_type = key.split("/")[0]
            for param, value in _queries(resource):
                response = worlds.http.get(
                    f"/fhir/{resource_type}",
                    query_string={param: value, "_count": 100},
                    headers=bearer(worlds.tokens[who]),
                )
                assert response.status_code == 200, (param, value, response.get_json())
                found = {f"{resource_type}/{e['resource']['id']}" for e in response.get_json().get("entry", [])}
                assert (key in found) == (world == own), (who, key, param, value)
                assert not found & set(worlds.tenant_data("B" if own == "A" else "A"))
                searched += 1
    assert searched > 100


@pytest.mark.parametrize("who", sorted(CLIENTS))
def test_includes_and_history_stay_in_the_callers_world(worlds: Worlds, who: str) -> None:
    other = set(worlds.tenant_data("B" if WORLD_OF[who] == "A" else "A"))
    seen: set[str] = set()
    for url in (
        "/fhir/ClaimResponse?_include=ClaimResponse:patient&_include=ClaimResponse:request&_revinclude=Task:focus",
        "/fhir/Task?_include=Task:focus&_include=Task:patient",
        "/fhir/Patient?_revinclude=ClaimResponse:patient&_revinclude=Task:patient",
        "/fhir/_history?_count=500",
        "/fhir/ClaimResponse/_history?_count=500",
        "/fhir/Patient/_history?_count=500",
    ):
        response = worlds.get(who, url)
        assert response.status_code == 200, response.get_json()
        entries = response.get_json().get("entry", [])
        keys = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in entries if "resource" in e}
        keys |= {e["fullUrl"].split("/fhir/")[-1].split("/_history")[0] for e in entries if "fullUrl" in e}
        assert not keys & other, (who, url, keys & other)
        seen |= keys
    assert set(worlds.tenant_data(WORLD_OF[who])) <= seen


@pytest.mark.parametrize("who", sorted(CLIENTS))
def test_x12_of_another_tenants_denial_or_task_is_not_known(worlds: Worlds, who: str) -> None:
    for world in ("A", "B"):
        for key in worlds.tenant_data(world):
            resource_type = key.split("/")[0]
            if resource_type not in ("ClaimResponse", "Task") or "approval" in key:
                continue
            response = worlds.get(who, f"/fhir/{key}/$x12", Accept="application/fhir+json")
            if world == WORLD_OF[who]:
                assert response.status_code == 200, (key, response.get_json())
            else:
                missing = worlds.get(who, f"/fhir/{resource_type}/{MISSING}/$x12", Accept="application/fhir+json")
                _same_not_found(response, key, missing, MISSING)


@pytest.mark.parametrize("who", ["p2", "x2"])
def test_writes_to_another_tenants_resources_are_not_known_and_change_nothing(worlds: Worlds, who: str) -> None:
    before = _snapshot(worlds.app)
    for key, resource in worlds.tenant_data("A").items():
        resource_type, resource_id = key.split("/")
        missing_put = worlds.send(who, "PUT", f"/fhir/{resource_type}/{MISSING}", {**resource, "id": MISSING})
        _same_not_found(worlds.send(who, "PUT", f"/fhir/{key}", resource), key, missing_put, MISSING)
        missing_delete = worlds.http.delete(f"/fhir/{resource_type}/{MISSING}", headers=bearer(worlds.tokens[who]))
        response = worlds.http.delete(f"/fhir/{key}", headers=bearer(worlds.tokens[who]))
        _same_not_found(response, key, missing_delete, MISSING)
        assert resource_id
    assert _snapshot(worlds.app) == before


def test_a_tenant_cannot_create_under_an_id_of_its_choosing_or_for_another_organization(worlds: Worlds) -> None:
    denial = next(r for r in worlds.tenant_data("B").values() if r["resourceType"] == "ClaimResponse")
    before = _snapshot(worlds.app)
    fresh = {**denial, "id": "chosen-by-the-client"}
    response = worlds.send("p2", "PUT", "/fhir/ClaimResponse/chosen-by-the-client", fresh)
    assert response.status_code == 404
    for who, field, organization in (("p2", "requestor", P1), ("x2", "insurer", X1)):
        forged = {**denial, field: {"reference": organization}}
        forged.pop("id")
        response = worlds.send(who, "POST", "/fhir/ClaimResponse", forged)
        assert response.status_code == 403
        assert response.get_json()["issue"][0]["expression"] == [f"ClaimResponse.{field}"]
    assert _snapshot(worlds.app) == before


def test_a_payer_may_read_but_not_change_the_providers_patient(worlds: Worlds) -> None:
    key, patient = next((k, r) for k, r in worlds.tenant_data("A").items() if r["resourceType"] == "Patient")
    assert worlds.get("x1", f"/fhir/{key}").status_code == 200
    before = _snapshot(worlds.app)
    response = worlds.send("x1", "PUT", f"/fhir/{key}", {**patient, "gender": "unknown"})
    assert response.status_code == 403
    assert response.get_json()["issue"][0]["details"]["coding"][0]["code"] == "tenancy-002"
    assert _snapshot(worlds.app) == before


def test_referring_to_another_tenants_resource_grants_nothing(worlds: Worlds) -> None:
    """P2 writes a Claim naming P1's patient: it is stored, and P2 still cannot see that patient."""
    claim = copy.deepcopy(next(r for r in worlds.tenant_data("B").values() if r["resourceType"] == "Claim"))
    claim.pop("id")
    claim["patient"] = {"reference": "Patient/theodora-vance"}
    response = worlds.send("p2", "POST", "/fhir/Claim", claim)
    assert response.status_code == 201, response.get_json()
    assert worlds.get("p2", "/fhir/Patient/theodora-vance").status_code == 404
    assert worlds.get("x2", "/fhir/Patient/theodora-vance").status_code == 404
    included = worlds.get("p2", "/fhir/Claim?_include=Claim:patient&_count=100").get_json()
    assert all(e["resource"]["id"] != "theodora-vance" for e in included["entry"])


def test_a_p2p_request_about_another_tenants_denial_is_refused_like_one_about_no_denial(worlds: Worlds) -> None:
    """P2 asks for a P2P of P1's denial: refused (task-002) with the body a denial that never existed gets,
    nothing is stored, and P2 still cannot see P1's denial or patient."""
    task = copy.deepcopy(next(r for r in worlds.tenant_data("B").values() if r["resourceType"] == "Task"))
    task.pop("id")
    task["for"] = {"reference": "Patient/theodora-vance"}
    answers = []
    for denial in ("denial-mri-lumbar", "never-was"):
        response = worlds.send("p2", "POST", "/fhir/Task", {**task, "focus": {"reference": f"ClaimResponse/{denial}"}})
        assert response.status_code == 422, response.get_json()
        answers.append(json.dumps(response.get_json()).replace(denial, "<id>"))
    assert answers[0] == answers[1]
    for key in ("ClaimResponse/denial-mri-lumbar", "Patient/theodora-vance"):
        assert worlds.get("p2", f"/fhir/{key}").status_code == 404
        assert worlds.get("x2", f"/fhir/{key}").status_code == 404


def test_conditional_create_does_not_match_another_tenants_resource(worlds: Worlds) -> None:
    denial = copy.deepcopy(worlds.resources["A"]["ClaimResponse/denial-mri-lumbar"])
    denial.pop("id")
    denial["requestor"], denial["insurer"] = {"reference": P2}, {"reference": X2}
    response = worlds.send(
        "x2", "POST", "/fhir/ClaimResponse", denial, **{"If-None-Exist": f"identifier={denial['preAuthRef']}"}
    )
    assert response.status_code == 201  # a new resource of X2's, not a 200 pointing at P1/X1's
    assert response.headers["Location"].split("/")[-3] != "denial-mri-lumbar"


def test_transaction_and_batch_reads_of_another_tenants_resource_are_not_known(worlds: Worlds) -> None:
    entries = [{"request": {"method": "GET", "url": "ClaimResponse/denial-mri-lumbar"}}]
    batch = worlds.send("p2", "POST", "/fhir", {"resourceType": "Bundle", "type": "batch", "entry": entries})
    assert batch.status_code == 200
    assert batch.get_json()["entry"][0]["response"]["status"].startswith("404")
    transaction = worlds.send(
        "p2", "POST", "/fhir", {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    )
    assert transaction.status_code == 404
    assert (
        worlds.send(
            "p1", "POST", "/fhir", {"resourceType": "Bundle", "type": "transaction", "entry": entries}
        ).status_code
        == 200
    )


def _snapshot(app: Flask) -> tuple[Any, ...]:
    engine = app.extensions["fhir_p2p.store"].engine
    with engine.connect() as connection:
        return tuple(
            connection.exec_driver_sql(sql).all()
            for sql in (
                "SELECT res_type, res_id, version_id, deleted FROM resources ORDER BY pk",
                "SELECT count(*), max(pk) FROM resource_versions",
                "SELECT count(*) FROM resource_owners",
            )
        )


def _post_x12(worlds: Worlds, who: str, text: str) -> Any:
    headers = {**bearer(worlds.tokens[who]), "Content-Type": "application/edi-x12"}
    return worlds.http.post("/x12/278", data=text.encode(), headers=headers)


def test_an_inbound_278_is_stored_for_the_provider_it_names_and_the_payer(worlds: Worlds) -> None:
    """The 278's requester (2010B) is P1's NPI: P1 may post it and P2 may not; P1 and the payer X1 see it."""
    text = to_278_response(example_set(denial_files()[0])).text
    before = _snapshot(worlds.app)
    refused = _post_x12(worlds, "p2", text)
    assert refused.status_code == 403
    assert "tenancy-001" in json.dumps(refused.get_json())
    assert _snapshot(worlds.app)[:2] == before[:2]
    response = _post_x12(worlds, "p1", text)
    assert response.status_code == 200, response.get_json()
    locations = [e["response"]["location"].split("/_history")[0] for e in response.get_json()["entry"]]
    denial = next(location for location in locations if location.startswith("ClaimResponse/"))
    assert worlds.get("p1", f"/fhir/{denial}").status_code == 200
    assert worlds.get("x1", f"/fhir/{denial}").get_json()["insurer"] == {"reference": X1}  # the UMO it names
    assert worlds.get("p2", f"/fhir/{denial}").status_code == 404
    assert worlds.get("x2", f"/fhir/{denial}").status_code == 404


def test_an_inbound_p2p_request_for_another_tenants_denial_is_refused_as_for_an_unknown_one(worlds: Worlds) -> None:
    task_x12 = worlds.get("p1", "/fhir/Task/p2p-mri-lumbar/$x12").get_data(as_text=True)
    before = _snapshot(worlds.app)
    refused = _post_x12(worlds, "p2", task_x12)
    assert refused.status_code == 422
    assert "x12in-002" in json.dumps(refused.get_json())
    unknown = _post_x12(
        worlds, "p2", task_x12.replace(worlds.resources["A"]["ClaimResponse/denial-mri-lumbar"]["preAuthRef"], "NOPE-0")
    )
    assert unknown.status_code == 422
    assert _snapshot(worlds.app)[:2] == before[:2]
    denial_number = worlds.resources["A"]["ClaimResponse/denial-mri-lumbar"]["preAuthRef"]
    assert json.dumps(refused.get_json()).replace(denial_number, "N") == json.dumps(unknown.get_json()).replace(
        "NOPE-0", "N"
    )


def test_the_capability_statement_says_tenants_create_tenant_data_under_server_ids(worlds: Worlds) -> None:
    statement = worlds.http.get("/fhir/metadata").get_json()
    update_create = {r["type"]: r["updateCreate"] for r in statement["rest"][0]["resource"] if "updateCreate" in r}
    assert {t for t, allowed in update_create.items() if allowed} == set(SHARED_TYPES)


def test_audit_records_name_the_client_and_are_seen_by_the_parties_of_what_changed(worlds: Worlds) -> None:
    denial = worlds.resources["A"]["ClaimResponse/denial-mri-lumbar"]
    response = worlds.send("p1", "PUT", "/fhir/ClaimResponse/denial-mri-lumbar", {**denial, "disposition": "Denied."})
    assert response.status_code == 200, response.get_json()
    url = "/fhir/AuditEvent?entity=ClaimResponse/denial-mri-lumbar&subtype=update"
    (event,) = [e["resource"] for e in worlds.get("p1", url).get_json()["entry"]]
    assert [agent["who"] for agent in event["agent"]] == [
        {"identifier": {"system": "http://fhir-p2p.org/fhir/sid/client-id", "value": "p1"}, "display": "client p1"},
        {"reference": P1},
    ]
    assert [e["resource"]["id"] for e in worlds.get("x1", url).get_json()["entry"]] == [event["id"]]
    for who in ("p2", "x2"):
        assert worlds.get(who, url).get_json()["total"] == 0
        assert worlds.get(who, f"/fhir/AuditEvent/{event['id']}").status_code == 404
