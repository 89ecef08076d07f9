"""Every example and every Da Vinci PAS / CDex corpus file is accepted as valid input."""

from __future__ import annotations

import json

import pytest

from fhir_p2p.resources.parse import check_resource
from fhir_p2p.resources.pas import P2P_ASSESSMENT, extensions
from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.workflow.denials import without_server_extensions
from tests.api.support import FHIR_JSON, load_all
from tests.conftest import PAS_CORPUS, example_files

CORPUS_FILES = sorted(PAS_CORPUS.glob("*.json"))


def test_corpus_is_present():
    assert len(CORPUS_FILES) >= 15


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_is_accepted(client, path):
    resource = json.loads(path.read_text())
    if resource["resourceType"] in STORED_TYPES:
        response = client.post(f"/fhir/{resource['resourceType']}", data=path.read_bytes(), content_type=FHIR_JSON)
        assert response.status_code == 201, response.get_json()
        stored = response.get_json()
        if resource["resourceType"] == "ClaimResponse":  # the server's assessment is added to every one
            assert len(extensions(stored, P2P_ASSESSMENT)) == 1
            stored = without_server_extensions(stored)
        assert {k: v for k, v in stored.items() if k not in ("id", "meta")} == {
            k: v for k, v in resource.items() if k not in ("id", "meta")
        }
    else:
        assert [i for i in check_resource(resource) if i.is_error] == []


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_example_is_created_with_its_own_id(client, path):
    resource = json.loads(path.read_text())
    if resource["resourceType"] == "Task":  # a P2P request needs its denial stored (workflow rule task-002)
        load_all(client, [json.loads(p.read_text()) for p in example_files() if not p.name.startswith("Task-")])
    response = client.put(
        f"/fhir/{resource['resourceType']}/{resource['id']}", data=path.read_bytes(), content_type=FHIR_JSON
    )
    assert response.status_code == 201, response.get_json()
