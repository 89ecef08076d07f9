"""Helpers for API tests: posting resources, reading OperationOutcomes, and a snapshot of the database."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fhir_p2p.store.schema import metadata

FHIR_JSON = "application/fhir+json"


def post(client: FlaskClient, resource: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"/fhir/{resource['resourceType']}", data=json.dumps(resource), content_type=FHIR_JSON, headers=headers
    )


def put(client: FlaskClient, resource: dict[str, Any], **headers: str) -> Any:
    url = f"/fhir/{resource['resourceType']}/{resource['id']}"
    return client.put(url, data=json.dumps(resource), content_type=FHIR_JSON, headers=headers)


def load_all(client: FlaskClient, resources: list[dict[str, Any]]) -> None:
    for resource in resources:
        response = put(client, resource)
        assert response.status_code == 201, response.get_json()


def issues(response: Any) -> list[dict[str, Any]]:
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome", body
    found: list[dict[str, Any]] = body["issue"]
    return found


def expressions(response: Any) -> list[str]:
    return [expression for issue in issues(response) for expression in issue.get("expression", [])]


def rules(response: Any) -> list[str]:
    return [coding["code"] for issue in issues(response) for coding in issue.get("details", {}).get("coding", [])]


def database_state(app: Flask) -> dict[str, Any]:
    """Row counts of every table and the newest version row: equal before and after = nothing changed."""
    engine = app.extensions["fhir_p2p.store"].engine
    with engine.connect() as connection:
        state: dict[str, Any] = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
        versions = metadata.tables["resource_versions"]
        state["newest"] = connection.execute(select(func.max(versions.c.pk))).scalar_one()
    return state


def bundle_ids(bundle: dict[str, Any], mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") == mode]
