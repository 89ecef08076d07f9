"""Shared fixtures: examples, a fixed clock, and an app (auth off, or on: `auth_app`) on SQLite and on PostgreSQL
(every DB test runs on both)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from fhir_p2p.app import create_app
from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.migrate import upgrade
from fhir_p2p.store.schema import metadata
from tests.postgres import postgres_url_for_tests

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus"
PAS_CORPUS = CORPUS / "pas"


def load_example(name: str) -> dict[str, Any]:
    """A fresh copy of `examples/<name>` (with or without the .json suffix)."""
    path = EXAMPLES / (name if name.endswith(".json") else f"{name}.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return copy.deepcopy(data)


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


class FixedClock:
    """A clock tests move by hand; every call advances one millisecond so versions stay ordered."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 18, 14, 30, tzinfo=UTC))


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = postgres_url_for_tests(tmp_path_factory.mktemp("pg"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(table.name for table in reversed(metadata.sorted_tables))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def app(database_url: str, clock: FixedClock) -> Iterator[Flask]:
    # Auth off (dev mode): these tests are about FHIR and X12; tests/auth/ builds apps with it on.
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "CLOCK": clock,
            "LOG_LEVEL": "WARNING",
            "BASE_URL": "http://test/fhir",
            "AUTH_REQUIRED": False,
        }
    )
    yield application
    application.extensions["fhir_p2p.store"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth_config(database_url: str, clock: FixedClock, key_file: Path, **overrides: object) -> dict[str, object]:
    """Config of an app with auth on: the test database, a signing key written to `key_file`, BASE_URL http://test/fhir."""
    from tests.auth.support import BASE, server_pem

    key_file.write_bytes(server_pem())
    key_file.chmod(0o600)
    return {
        "DATABASE_URL": database_url,
        "CLOCK": clock,
        "LOG_LEVEL": "WARNING",
        "BASE_URL": BASE,
        "AUTH_SIGNING_KEY": str(key_file),
        "AUTH_CLIENT_CACHE_SECONDS": 0,  # a removed client is refused at once
        **overrides,
    }


@pytest.fixture
def auth_app(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Flask]:
    """Like `app`, with auth on (tests/auth/support.py registers clients and makes tokens)."""
    application = create_app(auth_config(database_url, clock, tmp_path / "server.pem"))
    yield application
    application.extensions["fhir_p2p.store"].dispose()


@pytest.fixture
def auth_client(auth_app: Flask) -> FlaskClient:
    return auth_app.test_client()
