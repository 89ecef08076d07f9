"""The project's examples and the PAS/CDex corpus conform: base types, p2p-denial, p2p-request."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validation.support import EXAMPLES, P2P_DENIAL, P2P_REQUEST, PAS_CORPUS, load, validator

CORPUS = sorted(PAS_CORPUS.glob("*.json"))
DENIALS = [
    EXAMPLES / "ClaimResponse-denial-mri-lumbar.json",
    EXAMPLES / "ClaimResponse-denial-inpatient-stay.json",
    PAS_CORPUS / "pas-2.2.1-ClaimResponse-RejectionResponseExample.json",
]


def errors(path: Path, profile: str | None) -> list[str]:
    return [f"{i.rule} {i.expression}: {i.message}" for i in validator().validate(load(path), profile) if i.is_error]


@pytest.mark.parametrize("path", [*CORPUS, *sorted(EXAMPLES.glob("*.json"))], ids=lambda p: p.name)
def test_file_is_valid_against_its_base_type(path: Path) -> None:
    assert errors(path, None) == []


@pytest.mark.parametrize("path", DENIALS, ids=lambda p: p.name)
def test_denial_conforms_to_p2p_denial(path: Path) -> None:
    assert errors(path, P2P_DENIAL) == []


def test_pas_denial_bundle_entry_conforms_to_p2p_denial() -> None:
    bundle = load(PAS_CORPUS / "pas-2.2.1-Bundle-RejectionResponseBundleExample.json")
    claim_response = bundle["entry"][0]["resource"]
    assert [i for i in validator().validate(claim_response, P2P_DENIAL) if i.is_error] == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("Task-*.json")), ids=lambda p: p.name)
def test_task_conforms_to_p2p_request(path: Path) -> None:
    assert errors(path, P2P_REQUEST) == []


@pytest.mark.parametrize(
    "name",
    [
        "ClaimResponse-approval-physical-therapy.json",
        "pas-2.2.1-ClaimResponse-PractitionerRequestorResponseExample.json",
        "pas-2.2.1-ClaimResponse-PractitionerRequestorPendingResponseExample.json",
        "pas-2.2.1-ClaimResponse-ErrorResponseExample.json",
    ],
)
def test_approvals_pended_and_errors_are_not_denials(name: str) -> None:
    path = EXAMPLES / name if (EXAMPLES / name).exists() else PAS_CORPUS / name
    assert any("p2p-denial-1" in error for error in errors(path, P2P_DENIAL))
