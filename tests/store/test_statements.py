"""The store's precompiled statements on the driver cursor (store/inserts.py), on SQLite and PostgreSQL: reads,
version-checked writes and their failures behave as through SQLAlchemy."""

from __future__ import annotations

import pytest

from fhir_p2p.errors import Conflict, Forbidden, Gone, NotFound
from fhir_p2p.store.sql import Store
from fhir_p2p.tenancy import Tenant
from tests.conftest import load_example

CEDAR = Tenant("Organization/cedar-valley-medical-center", "provider")
NORTHWIND = Tenant("Organization/northwind-health-plan", "payer")


@pytest.fixture
def store(app, clock):
    return Store(app.extensions["fhir_p2p.store"].engine, clock)


def test_a_key_taken_in_the_same_transaction_is_a_conflict_not_a_driver_error(store):
    patient = load_example("Patient-theodora-vance")
    with pytest.raises(Conflict), store.unit_of_work(write=True) as uow:
        uow.update("Patient", patient["id"], patient)
        uow.create("Patient", patient, resource_id=patient["id"])
    with store.unit_of_work() as uow, pytest.raises(NotFound):
        uow.read("Patient", patient["id"])  # the whole unit rolled back


def test_read_answers_the_current_version_gone_or_not_known(store):
    patient = load_example("Patient-theodora-vance")
    with store.unit_of_work(write=True) as uow:
        uow.update("Patient", patient["id"], patient)
        uow.update("Patient", patient["id"], {**patient, "gender": "other"})
    with store.unit_of_work() as uow:
        current = uow.read("Patient", patient["id"])
    assert (current.version_id, current.as_dict()["gender"], current.deleted) == (2, "other", False)
    with store.unit_of_work(write=True) as uow:
        uow.delete("Patient", patient["id"])
    with store.unit_of_work() as uow:
        with pytest.raises(Gone) as gone:
            uow.read("Patient", patient["id"])
        with pytest.raises(NotFound):
            uow.read("Patient", "nobody")
    assert gone.value.headers == {"ETag": 'W/"3"'}


def test_a_tenant_reads_and_writes_only_what_it_may(store):
    organization = load_example("Organization-northwind-health-plan")
    with store.unit_of_work(write=True, tenant=NORTHWIND) as uow:
        uow.update("Organization", organization["id"], organization)  # shared: created under its own id
    patient = {**load_example("Patient-theodora-vance"), "managingOrganization": {"reference": CEDAR.organization}}
    with store.unit_of_work(write=True, tenant=CEDAR) as uow:
        created = uow.create("Patient", patient)
    with store.unit_of_work(tenant=NORTHWIND) as uow, pytest.raises(NotFound):
        uow.read("Patient", created.id)
    with store.unit_of_work(write=True, tenant=CEDAR) as uow:
        unchanged = uow.update("Organization", organization["id"], organization)  # no change: accepted
        assert not unchanged.created
        assert (unchanged.stored.version_id, unchanged.stored.relative_url) == (1, f"Organization/{organization['id']}")
        with pytest.raises(Forbidden):
            uow.update("Organization", organization["id"], {**organization, "name": "Renamed"})
    with store.unit_of_work(write=True, tenant=NORTHWIND) as uow:
        renamed = uow.update("Organization", organization["id"], {**organization, "name": "Renamed"})
    assert renamed.stored.version_id == 2
