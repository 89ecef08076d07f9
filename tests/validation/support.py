"""Shared pieces of the validation tests: file locations, profile URLs, the validator, our verdict, the oracle."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.resources.parse import check_resource
from fhir_p2p.validation import Registry, Validator
from tests.mutations import _walk, drop_path, set_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PAS_CORPUS = ROOT.parent / "shared" / "corpus" / "pas"
PROFILES = ROOT / "profiles"
ORACLE = ROOT.parent / "shared" / "oracles" / "fhir" / "fhir-oracle"

BASE = "http://fhir-p2p.org/fhir/StructureDefinition/"
P2P_DENIAL = BASE + "p2p-denial"
P2P_REQUEST = BASE + "p2p-request"
P2P_APPEAL = BASE + "p2p-appeal"
OWN_PROFILES = (P2P_DENIAL, P2P_REQUEST, P2P_APPEAL)

DENIAL = EXAMPLES / "ClaimResponse-denial-mri-lumbar.json"
PARTIAL_DENIAL = EXAMPLES / "ClaimResponse-denial-inpatient-stay.json"
APPROVAL = EXAMPLES / "ClaimResponse-approval-physical-therapy.json"
TASK = EXAMPLES / "Task-p2p-mri-lumbar.json"
PATIENT = EXAMPLES / "Patient-theodora-vance.json"
PAYER = EXAMPLES / "Organization-northwind-health-plan.json"
COVERAGE = EXAMPLES / "Coverage-northwind-ppo-theodora-vance.json"
CLAIM = EXAMPLES / "Claim-pa-mri-lumbar.json"
DOCUMENT = EXAMPLES / "DocumentReference-note-spine-clinic-2026-11-16.json"
ROLE = EXAMPLES / "PractitionerRole-adaeze-lindqvist-cvmc-spine.json"
PRACTITIONER = EXAMPLES / "Practitioner-adaeze-lindqvist.json"
PAS_DENIAL = PAS_CORPUS / "pas-2.2.1-ClaimResponse-RejectionResponseExample.json"
PAS_BUNDLE = PAS_CORPUS / "pas-2.2.1-Bundle-RejectionResponseBundleExample.json"
PAS_SUBSCRIPTION = PAS_CORPUS / "pas-2.2.1-Subscription-PASSubscriptionExample.json"
CDEX_TASK = PAS_CORPUS / "cdex-2.1.0-Task-cdex-task-example20.json"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@cache
def validator() -> Validator:
    return Validator(Registry.from_dir(PROFILES))


def our_issues(resource: dict[str, Any], profile: str | None) -> list[Issue]:
    """What the server finds: the base JSON structure check of `resources.parse`, then the validator."""
    return [*check_resource(resource), *validator().validate(resource, profile)]


def our_verdict(resource: dict[str, Any], profile: str | None) -> bool:
    """True when the server would accept the resource (no error from either step)."""
    return not any(issue.is_error for issue in our_issues(resource, profile))


@dataclass(frozen=True)
class Case:
    """A named resource to validate: a valid file, changed by `mutate`, against `profile` (None: base)."""

    name: str
    source: Path
    profile: str | None
    mutate: Callable[[dict[str, Any]], object]
    valid: bool = False  # what the mutation is meant to produce

    def resource(self) -> dict[str, Any]:
        doc = load(self.source)
        self.mutate(doc)
        return doc


def oracle_available() -> str | None:
    """None when the oracle can run here, else why not."""
    if not ORACLE.exists():
        return f"{ORACLE} not found"
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not on PATH"
    return None


def for_oracle(resource: dict[str, Any], profile: str | None) -> dict[str, Any]:
    """The file the oracle gets: `meta.profile` names exactly the profile to check (the oracle runs
    with --meta-profiles), or none of ours for a base-type check; other claims stay."""
    doc = json.loads(json.dumps(resource))
    if not isinstance(doc.get("meta"), dict):
        if profile is None:
            return doc
        doc["meta"] = {}
    meta = doc["meta"]
    claims = [p for p in meta.get("profile", []) if isinstance(p, str) and p not in OWN_PROFILES]
    if profile is not None:
        claims = [profile]
    if claims:
        meta["profile"] = claims
    else:
        meta.pop("profile", None)
        if not meta:
            del doc["meta"]
    return doc


def run_oracle(files: list[Path]) -> dict[str, dict[str, Any]]:
    """One oracle call for all files (it costs ~2 s to start); its report per file name."""
    result = subprocess.run(
        [str(ORACLE), *map(str, files), "--defs", str(PROFILES), "--meta-profiles"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), f"oracle set-up failed ({result.returncode}): {result.stderr[-2000:]}"
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(reports) == len(files), result.stderr[-2000:]
    return {Path(report["file"]).name: report for report in reports}


# -- edits for the mutation tables: each returns a function that changes a document in place

Edit = Callable[[dict[str, Any]], object]


def set_(path: str, value: Any) -> Edit:
    """Set the element at `path` (FHIRPath with indexes, as in tests/mutations.py)."""
    return lambda doc: set_path(doc, path, copy.deepcopy(value))


def drop(*paths: str) -> Edit:
    """Remove the elements at `paths`, in the order given."""

    def apply(doc: dict[str, Any]) -> None:
        for path in paths:
            drop_path(doc, path)

    return apply


def add(path: str, value: Any) -> Edit:
    """Append `value` to the array at `path`, creating the array when absent."""

    def apply(doc: dict[str, Any]) -> None:
        parent, key = _walk(doc, path)
        parent.setdefault(key, []).append(copy.deepcopy(value))

    return apply


def chain(*edits: Edit) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        for edit in edits:
            edit(doc)

    return apply


def get_path(doc: dict[str, Any], path: str) -> Any:
    parent, key = _walk(doc, path)
    return parent[key]


def retype(path: str, old_key: str, new_key: str, value: Any) -> Edit:
    """Replace the choice value `old_key` of the object at `path` by `new_key` (`valueString` -> `valueInteger`)."""
    return chain(drop(f"{path}.{old_key}"), set_(f"{path}.{new_key}", value))
