"""Alembic environment: migrates the connection handed over by `store/migrate.py` (or the URL in the config)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url") or "").connect() as conn:
        _run(conn)
        conn.commit()
