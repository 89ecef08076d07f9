"""Shared by the workflow tests: the shipped policy file, the example denials and corpus responses, times."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from fhir_p2p.workflow.policy import PayerPolicy, PolicyBook, load_policies
from tests.conftest import PAS_CORPUS, ROOT, load_example

PAYERS_FILE = ROOT / "config" / "payers.yaml"


@cache
def shipped_book() -> PolicyBook:
    return load_policies(PAYERS_FILE)


def policy(payer_id: str) -> PayerPolicy:
    return next(p for p in shipped_book().policies if p.payer_id == payer_id)


def shipped_document() -> dict[str, Any]:
    """A fresh copy of the shipped file's content, to mutate."""
    document: dict[str, Any] = yaml.safe_load(PAYERS_FILE.read_text())
    return document


def entry(document: dict[str, Any], payer_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in document["payers"] if e.get("id") == payer_id)
    return found


def write(tmp_path: Path, document: Any, name: str = "payers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAS_CORPUS / f"pas-2.2.1-ClaimResponse-{name}.json").read_text())
    return copy.deepcopy(data)


def denial(name: str) -> dict[str, Any]:
    return load_example(f"ClaimResponse-denial-{name}")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
