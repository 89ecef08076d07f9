"""`fhir-p2p validate FILE...`: the server's checks on files, no database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fhir_p2p.cli import main
from tests.conftest import load_example
from tests.mutations import drop_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DENIAL = "http://fhir-p2p.org/fhir/StructureDefinition/p2p-denial"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.output


def test_every_example_is_valid():
    files = sorted(str(path) for path in EXAMPLES.glob("*.json"))
    code, output = _run(*files)
    assert code == 0, output
    assert output.strip().endswith(f"{len(files)} of {len(files)} files valid")


def test_a_denial_breaking_p2p_denial_is_reported_with_rule_and_place(tmp_path: Path):
    broken = tmp_path / "denial.json"
    broken.write_text(json.dumps(drop_path(load_example("ClaimResponse-denial-mri-lumbar"), "ClaimResponse.request")))
    code, output = _run(str(broken))
    assert code == 1
    assert f"{broken}: invalid" in output
    assert any(line.strip().startswith("error val-") and "ClaimResponse" in line for line in output.splitlines())


def test_base_errors_and_unreadable_files_are_invalid_too(tmp_path: Path):
    bad_date = tmp_path / "patient.json"
    bad_date.write_text(json.dumps({**load_example("Patient-theodora-vance"), "birthDate": "1950-13-40"}))
    not_json = tmp_path / "x.json"
    not_json.write_text("{")
    code, output = _run(str(bad_date), str(not_json))
    assert code == 1
    assert "Patient.birthDate" in output
    assert "parse-001" in output
    assert output.strip().endswith("0 of 2 files valid")


def test_profile_option_checks_against_that_profile():
    code, output = _run("--profile", DENIAL, str(EXAMPLES / "Patient-theodora-vance.json"))
    assert code == 1
    assert "constrains ClaimResponse, not Patient" in output
