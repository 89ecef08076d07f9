"""The owner rows a write leaves (store/owners.py), on SQLite and PostgreSQL: parties, creators, grants, and
that audit records grant nothing."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import text

from fhir_p2p.audit import CLI_ACTOR, Actor
from fhir_p2p.errors import NotFound
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.sql import Store
from fhir_p2p.tenancy import Tenant
from tests.conftest import load_example

CEDAR = "Organization/cedar-valley-medical-center"  # the MRI denial's requestor (provider)
NORTHWIND = "Organization/northwind-health-plan"  # its insurer (payer)
OTHER_PROVIDER = "Organization/harbor-point-clinic"
OTHER_PAYER = "Organization/summit-mutual"


@pytest.fixture
def store(app, clock):
    """The app's database without the workflow rules: these tests are about owner rows only."""
    return Store(app.extensions["fhir_p2p.store"].engine, clock)


def _denial(requestor: str, insurer: str, patient: str = "Patient/theodora-vance") -> dict:
    denial = copy.deepcopy(load_example("ClaimResponse-denial-mri-lumbar"))
    denial.pop("id")
    denial["requestor"] = {"reference": requestor}
    denial["insurer"] = {"reference": insurer}
    denial["patient"] = {"reference": patient}
    return denial


def _rows(store: Store) -> set[tuple[str, str, str, str | None]]:
    """Every owner row as (resource type, organization, kind, type of the granting resource)."""
    query = text(
        "SELECT r.res_type, o.organization, o.kind, v.res_type FROM resource_owners o "
        "JOIN resources r ON r.pk = o.res_pk LEFT JOIN resources v ON v.pk = o.via_pk"
    )
    with store.engine.connect() as connection:
        return {tuple(row) for row in connection.execute(query)}


def _sees(store: Store, organization: str, role: str, resource_type: str, resource_id: str) -> bool:
    with store.unit_of_work(tenant=Tenant(organization, role)) as uow:
        try:
            uow.read(resource_type, resource_id)
        except NotFound:
            return False
    return True


def test_a_tenants_create_owns_the_resource_and_its_audit_records_inherit_its_parties_without_grants(store):
    with store.unit_of_work(write=True, tenant=Tenant(CEDAR, "provider"), actor=Actor("ehr-1", CEDAR)) as uow:
        uow.create("ClaimResponse", _denial(CEDAR, NORTHWIND))
    owners = {(org, kind) for org, kind in ((CEDAR, "party"), (NORTHWIND, "party"), (CEDAR, "creator"))}
    expected = {(t, org, kind, None) for t in ("ClaimResponse", "AuditEvent", "Provenance") for org, kind in owners}
    assert _rows(store) == expected  # no `via` rows: the audit records grant nothing


def test_audit_records_of_one_unit_do_not_open_one_tenants_resources_to_another(store):
    """The CLI loads two providers' denials in one transaction: its AuditEvent lists both, and is readable by
    the parties of both, but each provider and payer still reads only its own denial."""
    with store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        ours = uow.create("ClaimResponse", _denial(CEDAR, NORTHWIND)).id
        theirs = uow.create("ClaimResponse", _denial(OTHER_PROVIDER, OTHER_PAYER)).id
    for organization, role, own, other in (
        (CEDAR, "provider", ours, theirs),
        (NORTHWIND, "payer", ours, theirs),
        (OTHER_PROVIDER, "provider", theirs, ours),
        (OTHER_PAYER, "payer", theirs, ours),
    ):
        assert _sees(store, organization, role, "ClaimResponse", own)
        assert not _sees(store, organization, role, "ClaimResponse", other), (organization, other)
    with store.unit_of_work(tenant=Tenant(OTHER_PAYER, "payer")) as uow:
        audit_events = uow.search(_all("AuditEvent")).matches
    assert len(audit_events) == 1  # the record of the load itself names both: it is theirs too


def test_an_update_replaces_the_parties_and_the_read_access_the_resource_granted(store):
    patient = load_example("Patient-theodora-vance")
    other_patient = {**copy.deepcopy(patient), "id": "someone-else"}
    with store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        for body in (patient, other_patient):
            uow.update("Patient", body["id"], {**body, "managingOrganization": {"reference": CEDAR}})
        denial = uow.create("ClaimResponse", _denial(CEDAR, NORTHWIND, "Patient/theodora-vance"))
    assert _sees(store, NORTHWIND, "payer", "Patient", "theodora-vance")  # granted by the denial
    assert not _sees(store, NORTHWIND, "payer", "Patient", "someone-else")
    body = {**_denial(CEDAR, OTHER_PAYER, "Patient/someone-else"), "id": denial.id}
    with store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        uow.update("ClaimResponse", denial.id, body)
    assert not _sees(store, NORTHWIND, "payer", "ClaimResponse", denial.id)  # no longer its insurer
    assert not _sees(store, NORTHWIND, "payer", "Patient", "theodora-vance")  # the grant went with it
    assert _sees(store, OTHER_PAYER, "payer", "ClaimResponse", denial.id)
    assert _sees(store, OTHER_PAYER, "payer", "Patient", "someone-else")
    assert not _sees(store, OTHER_PAYER, "payer", "Patient", "theodora-vance")


def test_a_deleted_resource_keeps_its_owners_and_grants_nothing(store):
    with store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        patient = load_example("Patient-theodora-vance")
        uow.update("Patient", patient["id"], {**patient, "managingOrganization": {"reference": CEDAR}})
        denial = uow.create("ClaimResponse", _denial(CEDAR, NORTHWIND))
    with store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        uow.delete("ClaimResponse", denial.id)
    assert not _sees(store, NORTHWIND, "payer", "Patient", "theodora-vance")
    with store.unit_of_work(tenant=Tenant(NORTHWIND, "payer")) as uow:
        history = uow.history("ClaimResponse", denial.id, since=None, count=10, cursor=None)
    assert [entry.version_id for entry in history.entries] == [2, 1]


def _all(resource_type: str):
    return parse_search(resource_type, [], strict=True, default_count=50, max_count=50)


@pytest.mark.parametrize(
    ("statement", "index"),
    [
        ("DELETE FROM resource_owners WHERE via_pk = 7", "ix_resource_owners_via_pk_granted"),
        (
            "SELECT kind FROM resource_owners WHERE res_pk = 7 AND organization = 'x'",
            "ix_resource_owners_res_pk_organization",
        ),
        ("DELETE FROM resource_owners WHERE res_pk = 7 AND kind = 'party'", "ix_resource_owners_res_pk_organization"),
    ],
)
def test_owner_rows_are_found_through_an_index(store, statement, index):
    """The grants index is partial (`via_pk IS NOT NULL`): both databases must still see it serves `via_pk = ?`."""
    with store.engine.begin() as connection:
        if store.engine.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}"))
    assert index in plan
