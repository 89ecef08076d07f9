"""The Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fhir_p2p.store.migrate import is_current
from fhir_p2p.store.schema import metadata


def test_migrated_database_matches_the_declared_schema(app):
    engine = app.extensions["fhir_p2p.store"].engine
    assert is_current(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
