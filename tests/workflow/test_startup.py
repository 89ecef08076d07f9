"""FHIR_P2P_PAYERS_FILE: the shipped file by default; a missing or invalid file stops the start with a clear
message, before the database is touched; the loaded book is in `app.extensions["fhir_p2p.payers"]`."""

from __future__ import annotations

import pytest

from fhir_p2p.app import create_app
from fhir_p2p.config import DefaultConfig, Settings, default_payers_file
from fhir_p2p.workflow.policy import PolicyError
from tests.workflow.support import entry, shipped_book, shipped_document, write


def _config(**overrides):
    values = {key: getattr(DefaultConfig, key) for key in dir(DefaultConfig) if key.isupper()}
    return {**values, **overrides}


def test_the_default_payers_file_is_the_shipped_one():
    assert Settings.from_mapping(_config(), "/tmp/instance").payers_file == default_payers_file()


def test_a_payers_file_that_does_not_exist_is_refused_naming_the_variable(tmp_path):
    missing = tmp_path / "payers.yaml"
    with pytest.raises(ValueError, match=f"FHIR_P2P_PAYERS_FILE '{missing}' is not a file"):
        Settings.from_mapping(_config(PAYERS_FILE=str(missing)), "/tmp/instance")


def test_the_app_loads_the_payer_policies_at_start(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "LOG_LEVEL": "WARNING"})
    try:
        assert app.extensions["fhir_p2p.payers"].policies == shipped_book().policies
    finally:
        app.extensions["fhir_p2p.store"].dispose()


def test_an_invalid_payers_file_stops_the_start_before_the_database_is_touched(tmp_path):
    document = shipped_document()
    entry(document, "NWHP1")["window"]["unit"] = "fortnights"
    path = write(tmp_path, document)
    database = tmp_path / "db.sqlite3"
    with pytest.raises(PolicyError) as raised:
        create_app({"DATABASE_URL": f"sqlite:///{database}", "PAYERS_FILE": str(path)})
    assert str(raised.value) == (
        f"{path}: payer NWHP1: window.unit: must be one of hours, calendar-days, business-days"
    )
    assert not database.exists()
