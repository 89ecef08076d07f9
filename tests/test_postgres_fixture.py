"""The throwaway PostgreSQL of tests/postgres.py starts, answers, and runs without durability."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import sqlalchemy

from tests.postgres import ENV_URL, _version_key, libpq_url, postgres_url_for_tests, sqlalchemy_url

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return postgres_url_for_tests(tmp_path_factory.mktemp("pg"))


def test_select_1(pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")
    with psycopg.connect(libpq_url(pg_url)) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_fsync_is_off_on_the_throwaway_server(pg_url: str) -> None:
    with psycopg.connect(libpq_url(pg_url)) as conn:
        row = conn.execute("show fsync").fetchone()
    assert row is not None
    if os.environ.get(ENV_URL):
        assert row[0] in ("on", "off")  # an external server keeps its own settings
    else:
        assert row[0] == "off"


def test_the_url_works_with_sqlalchemy(pg_url: str) -> None:
    engine = sqlalchemy.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select current_database()")).scalar() is not None
            assert conn.execute(sqlalchemy.text("show server_encoding")).scalar() == "UTF8"
    finally:
        engine.dispose()


def test_a_second_call_in_the_same_process_reuses_the_server(pg_url: str, tmp_path: Path) -> None:
    assert postgres_url_for_tests(tmp_path) == pg_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_urls_are_normalised_to_psycopg(given: str, expected: str) -> None:
    assert sqlalchemy_url(given) == expected
    assert libpq_url(given) == "postgresql://" + expected.partition("://")[2]


def test_other_drivers_are_refused_without_showing_the_password() -> None:
    with pytest.raises(RuntimeError, match="postgresql") as info:
        sqlalchemy_url("mysql://u:secret@h/d")
    assert "secret" not in str(info.value)


def test_newest_installed_version_sorts_first() -> None:
    dirs = [
        Path("/usr/lib/postgresql/9.6/bin"),
        Path("/usr/lib/postgresql/16/bin"),
        Path("/usr/lib/postgresql/15/bin"),
    ]
    assert max(dirs, key=_version_key) == Path("/usr/lib/postgresql/16/bin")
