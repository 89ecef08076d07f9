"""The FHIRPath mutation helpers in tests/mutations.py."""

from __future__ import annotations

import pytest

from tests.mutations import drop_path, set_path

DOC = {"resourceType": "Patient", "name": [{"given": ["a", "b"]}], "active": True}


def test_set_path_replaces_adds_and_appends_on_a_copy() -> None:
    assert set_path(DOC, "Patient.name[0].given[1]", "c")["name"][0]["given"] == ["a", "c"]
    assert set_path(DOC, "Patient.name[0].given[2]", "c")["name"][0]["given"] == ["a", "b", "c"]
    assert set_path(DOC, "Patient.name[0]._given", [None, {"id": "x"}])["name"][0]["_given"][1] == {"id": "x"}
    assert DOC["name"] == [{"given": ["a", "b"]}]


def test_drop_path_removes_keys_and_items() -> None:
    assert "active" not in drop_path(DOC, "Patient.active")
    assert drop_path(DOC, "Patient.name[0].given[0]")["name"][0]["given"] == ["b"]
    assert "resourceType" not in drop_path(DOC, "Patient.resourceType")


def test_missing_intermediate_step_is_an_error() -> None:
    with pytest.raises(KeyError):
        set_path(DOC, "Patient.telecom[0].value", "x")
