"""`fhir-p2p load` imports what already happened: a P2P request it loads is checked at the moment the request
says it was made (`authoredOn`), so the examples load whatever today's date is; an API client's request is
checked at the server's clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from fhir_p2p.audit import CLI_ACTOR
from fhir_p2p.cli import main
from fhir_p2p.rest import interactions
from tests.conftest import ROOT, example_files, load_example
from tests.workflow.support import Api, rules_of, story


def test_the_cli_loads_the_example_request_a_year_after_its_window_closed(app, clock):
    clock.now = datetime(2027, 11, 18, 14, 30, tzinfo=UTC)
    with app.extensions["fhir_p2p.store"].unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        for path in example_files():
            resource = load_example(path.stem)
            interactions.update(uow, resource["resourceType"], resource["id"], resource, None)
    api = Api(app.test_client())
    task = api.task("p2p-mri-lumbar")
    assert task["status"] == "requested"
    assert task["restriction"]["period"]["end"] == "2026-11-25T05:59:59.000000Z"  # the denial's window, not now


def test_an_api_request_at_the_same_moment_is_late(app, clock):
    clock.now = datetime(2027, 11, 18, 14, 30, tzinfo=UTC)
    api = Api(app.test_client())
    api.load(story())
    refused = api.post({k: v for k, v in load_example("Task-p2p-mri-lumbar").items() if k != "id"})
    assert refused.status_code == 422
    assert rules_of(refused) == ["p2p-003"]


def test_fhir_p2p_load_stores_every_example(database_url, app):
    env = {"FHIR_P2P_DATABASE_URL": database_url, "FHIR_P2P_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["load", str(ROOT / "examples")], env=env)
    assert result.exit_code == 0, result.output
    count = len(list(Path(ROOT / "examples").glob("*.json")))
    assert f"loaded {count} of {count} files" in result.output
    assert Api(app.test_client()).task("p2p-mri-lumbar")["status"] == "requested"
