"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from fhir_p2p.search.extract import extract_index
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.base import system_clock
from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.inserts import inserts_for, write_index
from fhir_p2p.store.migrate import _config, is_current, upgrade
from fhir_p2p.store.schema import metadata
from fhir_p2p.store.sql import Store
from fhir_p2p.tenancy import Tenant
from tests.conftest import load_example
from tests.mutations import set_path


def test_migrated_database_matches_the_declared_schema(app):
    engine = app.extensions["fhir_p2p.store"].engine
    assert is_current(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def _database_at(revision: str, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def _store_as_then(connection, resource_type: str, resource_id: str, body: dict) -> None:
    """Write a resource with its index rows as an older server would have: no tenancy rows."""
    content = json.dumps({**body, "id": resource_id})
    pk = connection.execute(
        text(
            "INSERT INTO resources (res_type, res_id, version_id, last_updated, deleted, content) "
            "VALUES (:t, :i, 1, '2026-11-20T00:00:00.000000Z', false, :c) RETURNING pk"
        ),
        {"t": resource_type, "i": resource_id, "c": content},
    ).scalar_one()
    cursor = connection.connection.cursor()
    write_index(cursor, inserts_for(connection.dialect), pk, resource_type, extract_index(json.loads(content)))
    cursor.close()


def test_migration_0003_indexes_the_denial_numbers_of_claim_responses_stored_before_it(tmp_path):
    engine = _database_at("0002", tmp_path)
    denial = set_path(
        load_example("ClaimResponse-denial-mri-lumbar"), "ClaimResponse.item[0].extension[0].valueString", "ADM-7"
    )
    with engine.begin() as connection:
        _store_as_then(connection, "ClaimResponse", "denial-mri-lumbar", denial)
        # what the 0002 extractor wrote: ClaimResponse.identifier only
        connection.execute(text("DELETE FROM idx_token WHERE param = 'identifier' AND system IS NULL"))
    upgrade(engine)
    store = Store(engine, system_clock)

    def matches(number: str) -> list[str]:
        criteria = parse_search(
            "ClaimResponse", [("identifier", number)], strict=True, default_count=2, max_count=2
        ).criteria
        with store.unit_of_work() as uow:
            return [found.id for found in uow.find("ClaimResponse", criteria)]

    found = {number: matches(number) for number in (denial["preAuthRef"], "ADM-7", "NWH-TRN-20261117-004218", "nope")}
    engine.dispose()
    expected = ["denial-mri-lumbar"]
    assert found == {denial["preAuthRef"]: expected, "ADM-7": expected, "NWH-TRN-20261117-004218": expected, "nope": []}


def test_migration_0006_gives_resources_stored_before_it_their_owners(tmp_path):
    engine = _database_at("0005", tmp_path)
    with engine.begin() as connection:
        for name in ("ClaimResponse-denial-mri-lumbar", "Patient-theodora-vance", "Claim-pa-physical-therapy"):
            body = load_example(name)
            _store_as_then(connection, body["resourceType"], body["id"], body)
    upgrade(engine)
    store = Store(engine, system_clock)

    def visible(organization: str) -> set[str]:
        tenant = Tenant(f"Organization/{organization}", "provider")
        found = set()
        with store.unit_of_work(tenant=tenant) as uow:
            for resource_type in ("ClaimResponse", "Patient", "Claim"):
                found |= {f"{resource_type}/{r.id}" for r in uow.search(_everything(resource_type)).matches}
        return found

    seen = {org: visible(org) for org in ("cedar-valley-medical-center", "northwind-health-plan", "elsewhere")}
    engine.dispose()
    both = {"ClaimResponse/denial-mri-lumbar", "Patient/theodora-vance", "Claim/pa-physical-therapy"}
    assert seen == {"cedar-valley-medical-center": both, "northwind-health-plan": both, "elsewhere": set()}


def _everything(resource_type: str):
    return parse_search(resource_type, [], strict=True, default_count=50, max_count=50)
