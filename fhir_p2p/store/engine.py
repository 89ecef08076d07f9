"""Database engines: SQLite (WAL, one writer at a time via BEGIN IMMEDIATE) or PostgreSQL (psycopg 3).

SQLite write transactions start with `BEGIN IMMEDIATE`, so two writers never read the same
version and then both write; readers use a deferred `BEGIN` and see one snapshot (WAL).
`synchronous=NORMAL` in WAL mode survives an application crash (not an OS crash of the host).

New SQLite files get 1 KiB pages instead of 4 KiB: a create dirties ~40-55 pages (the rows and
about one page per index entry), and every dirty page is written whole to the WAL and later to the
database file, so small pages cut the bytes written per create about threefold (benchmarks/README.md).
The automatic checkpoint counts pages, so it is raised to keep 4 MB of WAL between checkpoints (each
checkpoint syncs the WAL and the database file; at 1 KiB x 1000 pages they came every ~18 creates).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE = "fhir_p2p_write"  # execution option set on connections that will write


def normalize_url(url: str) -> str:
    """Make `postgresql://` and `postgres://` URLs use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "page_size=1024",  # takes effect on a new, empty file only (module docstring)
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "wal_autocheckpoint=4000",  # pages: 4 MB of WAL between checkpoints, as SQLite's default on 4 KiB pages
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
