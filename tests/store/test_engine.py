"""SQLite engine settings that the write path depends on (benchmarks/README.md explains the numbers)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from fhir_p2p.store.engine import make_engine


def _pragmas(url: str) -> dict[str, object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("page_size", "journal_mode", "synchronous", "wal_autocheckpoint", "foreign_keys")
            }
    finally:
        engine.dispose()


def test_a_new_sqlite_file_gets_small_pages_wal_and_a_4_mb_checkpoint(tmp_path: Path):
    pragmas = _pragmas(f"sqlite:///{tmp_path / 'new.db'}")
    assert pragmas == {
        "page_size": 1024,
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "wal_autocheckpoint": 4000,
        "foreign_keys": 1,
    }


def test_an_existing_file_keeps_its_page_size(tmp_path: Path):

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA page_size=4096")
        connection.execute("CREATE TABLE t (x)")
    assert _pragmas(f"sqlite:///{path}")["page_size"] == 4096
