"""The FHIRPath mutation helpers in tests/mutations.py."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.mutations import drop_path, set_path

DOC: dict[str, Any] = {"resourceType": "Patient", "name": [{"given": ["a", "b"]}], "active": True}


def doc() -> dict[str, Any]:
    return copy.deepcopy(DOC)


def test_set_path_replaces_adds_and_appends() -> None:
    assert set_path(doc(), "Patient.name[0].given[1]", "c")["name"][0]["given"] == ["a", "c"]
    assert set_path(doc(), "Patient.name[0].given[2]", "c")["name"][0]["given"] == ["a", "b", "c"]
    assert set_path(doc(), "Patient.name[0]._given", [None, {"id": "x"}])["name"][0]["_given"][1] == {"id": "x"}


def test_mutations_change_the_document_in_place_and_return_it() -> None:
    patient = doc()

    assert set_path(patient, "Patient.active", False) is patient
    assert drop_path(patient, "Patient.name") is patient
    assert patient == {"resourceType": "Patient", "active": False}


def test_drop_path_removes_keys_and_items() -> None:
    assert "active" not in drop_path(doc(), "Patient.active")
    assert drop_path(doc(), "Patient.name[0].given[0]")["name"][0]["given"] == ["b"]
    assert "resourceType" not in drop_path(doc(), "Patient.resourceType")


def test_missing_intermediate_step_is_an_error() -> None:
    with pytest.raises(KeyError):
        set_path(doc(), "Patient.telecom[0].value", "x")
