"""`fhir-p2p translate FILE... --to x12|fhir`: the server's translation offline, no database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fhir_p2p.cli import main
from fhir_p2p.x12 import check_interchange
from tests.conftest import load_example
from tests.mutations import drop_path
from tests.x12.mutations import MUTATIONS
from tests.x12.support import REQUEST, RESPONSE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["translate", *args], env=env)


def _examples(first: str) -> list[str]:
    return [str(EXAMPLES / first), *(str(p) for p in sorted(EXAMPLES.glob("*.json")) if p.name != first)]


def test_task_with_the_examples_becomes_a_278_request_and_reports_what_it_could_not_carry():
    result = _run(*_examples("Task-p2p-mri-lumbar.json"), "--to", "x12", "--control-number", "42")
    assert result.exit_code == 0, result.stderr
    report = check_interchange(result.stdout)
    assert report.accepted and report.all_issues() == []
    assert result.stdout.split("~", 1)[0].split("*")[13] == "000000042"
    assert "*13*p2p-mri-lumbar*" in result.stdout  # BHT02 13: a request
    assert "x12map-001 Task.description" in result.stderr


def test_denial_bundle_becomes_a_278_response_with_the_configured_sender(tmp_path: Path):
    names = ["ClaimResponse-denial-mri-lumbar", "Claim-pa-mri-lumbar", "Patient-theodora-vance",
             "Organization-northwind-health-plan", "Organization-cedar-valley-medical-center",
             "Coverage-northwind-ppo-theodora-vance"]  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": load_example(n)} for n in names]}
    path = tmp_path / "denial-bundle.json"
    path.write_text(json.dumps(bundle))
    result = _run(str(path), "--to", "x12", env={"FHIR_P2P_X12_SENDER_ID": "NWHPUM", "FHIR_P2P_X12_USAGE": "T"})
    assert result.exit_code == 0, result.stderr
    isa = result.stdout.split("~", 1)[0].split("*")
    assert (isa[6].strip(), isa[15]) == ("NWHPUM", "T")
    assert check_interchange(result.stdout).accepted


def test_x12_files_become_fhir_bundles():
    result = _run(str(REQUEST), "--to", "fhir")
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(result.stdout)
    assert bundle["type"] == "collection"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} >= {"Task", "Patient", "Organization"}
    response = json.loads(_run(str(RESPONSE), "--to", "fhir").stdout)
    assert "ClaimResponse" in {e["resource"]["resourceType"] for e in response["entry"]}


def test_bad_x12_exits_1_with_its_issues(tmp_path: Path):
    path = tmp_path / "bad.x12"
    path.write_text(MUTATIONS[0].text())
    result = _run(str(path), "--to", "fhir")
    assert result.exit_code == 1
    assert "x12-" in result.stderr and result.stdout == ""


def test_a_denial_without_its_resources_exits_1_naming_what_is_missing(tmp_path: Path):
    path = tmp_path / "alone.json"
    path.write_text(json.dumps(load_example("ClaimResponse-denial-mri-lumbar")))
    result = _run(str(path), "--to", "x12")
    assert result.exit_code == 1
    assert "x12map-004" in result.stderr and result.stdout == ""


def test_a_file_that_is_not_fhir_exits_1(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(drop_path(load_example("Task-p2p-mri-lumbar"), "Task.status")))
    result = _run(str(path), "--to", "x12")
    assert result.exit_code == 1
    assert "Task.status" in result.stderr
