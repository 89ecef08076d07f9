"""Our validator and the independent FHIR oracle agree on every example, corpus file and named mutation.

The oracle runs once for all cases (it takes ~2 s to start): each case is written to a temporary
folder with `meta.profile` naming the profile to check, and validated with `--defs profiles
--meta-profiles`. Our verdict is what the server decides: `resources.parse.check_resource` (base JSON
structure), then `Validator.validate`. Reviewed disagreements are listed in `oracle_differences.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.validation import mutations_base, mutations_denial, mutations_task
from tests.validation.oracle_differences import DIFFERENCES
from tests.validation.support import (
    EXAMPLES,
    P2P_DENIAL,
    P2P_REQUEST,
    PAS_CORPUS,
    Case,
    for_oracle,
    oracle_available,
    our_issues,
    run_oracle,
)

DENIAL_FILES = (
    "ClaimResponse-denial-mri-lumbar.json",
    "ClaimResponse-denial-inpatient-stay.json",
    "pas-2.2.1-ClaimResponse-RejectionResponseExample.json",
)
NOT_DENIALS = (
    "ClaimResponse-approval-physical-therapy.json",
    "pas-2.2.1-ClaimResponse-PractitionerRequestorResponseExample.json",
    "pas-2.2.1-ClaimResponse-PractitionerRequestorPendingResponseExample.json",
    "pas-2.2.1-ClaimResponse-ErrorResponseExample.json",
)


def _unchanged(doc: dict[str, Any]) -> None:
    return None


def _originals() -> list[Case]:
    files = sorted(EXAMPLES.glob("*.json")) + sorted(PAS_CORPUS.glob("*.json"))
    cases = [Case(f"file_{path.stem}", path, None, _unchanged, valid=True) for path in files]
    by_name = {path.name: path for path in files}
    cases += [Case(f"denial_{Path(n).stem}", by_name[n], P2P_DENIAL, _unchanged, valid=True) for n in DENIAL_FILES]
    cases += [Case(f"not_denial_{Path(n).stem}", by_name[n], P2P_DENIAL, _unchanged) for n in NOT_DENIALS]
    cases += [
        Case(f"request_{path.stem}", path, P2P_REQUEST, _unchanged, valid=True)
        for path in sorted(EXAMPLES.glob("Task-*.json"))
    ]
    return cases


ORIGINALS = _originals()
MUTATIONS = [*mutations_denial.CASES, *mutations_task.CASES, *mutations_base.CASES]
CASES = [*ORIGINALS, *MUTATIONS]


@pytest.fixture(scope="module")
def oracle_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    missing = oracle_available()
    if missing:
        pytest.fail(f"FHIR oracle not available ({missing}): it needs Node ^20.19 and ../shared beside the repo")
    folder = tmp_path_factory.mktemp("oracle-cases")
    files = []
    for case in CASES:
        path = folder / f"{case.name}.json"
        path.write_text(json.dumps(for_oracle(case.resource(), case.profile)))
        files.append(path)
    return {Path(name).stem: report for name, report in run_oracle(files).items()}


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_at_least_150_invalid_mutations() -> None:
    assert sum(not case.valid for case in MUTATIONS) >= 150


def test_listed_differences_are_cases() -> None:
    names = {case.name for case in CASES}
    assert set(DIFFERENCES) <= names, set(DIFFERENCES) - names


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_mutation_has_the_intended_effect(case: Case) -> None:
    issues = our_issues(case.resource(), case.profile)
    errors = [f"{i.rule} {i.expression}: {i.message}" for i in issues if i.is_error]
    assert (not errors) is case.valid, errors or "no error found"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_oracle_agrees(case: Case, oracle_reports: dict[str, dict[str, Any]]) -> None:
    report = oracle_reports[case.name]
    ours = not any(issue.is_error for issue in our_issues(case.resource(), case.profile))
    theirs = report["valid"]
    oracle_errors = [
        f"{i['expression']}: {i['message']}" for i in report["issues"] if i["severity"] in ("error", "fatal")
    ]
    if case.name in DIFFERENCES:
        assert ours != theirs, f"listed in oracle_differences.py but both say valid={ours}: remove it there"
        assert not ours, "a listed difference must be one where the server is the stricter side"
    else:
        assert ours == theirs, f"ours valid={ours}, oracle valid={theirs}; oracle errors: {oracle_errors}"


def test_agreement_counts(oracle_reports: dict[str, dict[str, Any]]) -> None:
    """The numbers the README quotes: cases, agreements, listed differences."""
    agreeing = sum(
        (not any(i.is_error for i in our_issues(case.resource(), case.profile))) == oracle_reports[case.name]["valid"]
        for case in CASES
    )
    assert agreeing + len(DIFFERENCES) == len(CASES)
