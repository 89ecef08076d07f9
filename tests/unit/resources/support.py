"""Corpus access and issue helpers for the resources tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from fhir_p2p.errors import Issue

ROOT = Path(__file__).resolve().parents[3]
PAS_CORPUS = ROOT.parent / "shared" / "corpus" / "pas"
DENIAL = "pas-2.2.1-ClaimResponse-RejectionResponseExample.json"
BUNDLE = "pas-2.2.1-Bundle-RejectionResponseBundleExample.json"


def corpus_files() -> list[Path]:
    return sorted(PAS_CORPUS.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    """A fresh parse of a corpus file."""
    data: dict[str, Any] = orjson.loads((PAS_CORPUS / name).read_bytes())
    return data


def raw(name: str) -> bytes:
    return (PAS_CORPUS / name).read_bytes()


def denial() -> dict[str, Any]:
    return load(DENIAL)


def found(issues: Iterable[Issue]) -> list[tuple[str | None, str | None]]:
    """(expression, rule) of each issue, in order: what the assertions compare."""
    return [(issue.expression, issue.rule) for issue in issues]
