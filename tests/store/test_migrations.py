"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from fhir_p2p.search.query import parse_search
from fhir_p2p.store.base import system_clock
from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.migrate import _config, is_current, upgrade
from fhir_p2p.store.schema import metadata
from fhir_p2p.store.sql import Store
from tests.conftest import load_example
from tests.mutations import set_path


def test_migrated_database_matches_the_declared_schema(app):
    engine = app.extensions["fhir_p2p.store"].engine
    assert is_current(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_migration_0003_indexes_the_denial_numbers_of_claim_responses_stored_before_it(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    denial = set_path(
        load_example("ClaimResponse-denial-mri-lumbar"), "ClaimResponse.item[0].extension[0].valueString", "ADM-7"
    )
    store = Store(engine, system_clock)
    with store.unit_of_work(write=True) as uow:
        uow.create("ClaimResponse", denial, resource_id="denial-mri-lumbar")
        # what the 0002 extractor wrote: ClaimResponse.identifier only
        uow.connection.execute(text("DELETE FROM idx_token WHERE param = 'identifier' AND system IS NULL"))
    upgrade(engine)

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
