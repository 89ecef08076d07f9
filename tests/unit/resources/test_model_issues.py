"""pydantic `loc` tuples of fhir.resources errors as FHIRPath expressions."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_p2p.resources._model_issues import locate
from fhir_p2p.resources._schema import resource_schema
from tests.unit.resources.support import BUNDLE, denial, load


def where(loc: tuple[Any, ...], resource: dict[str, Any]) -> str:
    resource_type = resource["resourceType"]
    return locate(loc, resource_schema(resource_type), resource, resource_type).expression


@pytest.mark.parametrize(
    ("loc", "expression"),
    [
        (("item", 0, "adjudication", 1, "category"), "ClaimResponse.item[0].adjudication[1].category"),
        (("outcome__ext",), "ClaimResponse._outcome"),
        (("resource_type",), "ClaimResponse.resourceType"),
        (("patient", "root"), "ClaimResponse.patient"),
        (("created", "function-wrap[_validate()]"), "ClaimResponse.created"),
        (("meta", "profile", 0, "str"), "ClaimResponse.meta.profile[0]"),
        (("item", 0, "colour"), "ClaimResponse.item[0].colour"),
        ((), "ClaimResponse"),
    ],
)
def test_loc_becomes_fhirpath(loc: tuple[Any, ...], expression: str) -> None:
    assert where(loc, denial()) == expression


def test_loc_inside_a_bundle_entry_follows_the_entry_resource_type() -> None:
    bundle = load(BUNDLE)
    loc = ("entry", 0, "resource", "item", 0, "adjudication", 0, "extension", 0, "url")

    located = locate(loc, resource_schema("Bundle"), bundle, "Bundle")

    assert located.expression == "Bundle.entry[0].resource.item[0].adjudication[0].extension[0].url"
    assert located.field is not None and located.field.fhir_type == "uri"


def test_unknown_key_is_kept_and_named() -> None:
    located = locate(("item", 0, "colour"), resource_schema("ClaimResponse"), denial(), "ClaimResponse")

    assert located.unknown_key == "colour"


def test_python_keyword_field_name_becomes_the_fhir_name() -> None:
    task = {"resourceType": "Task", "for": {"reference": "Patient/1"}}

    assert where(("for_fhir", "reference"), task) == "Task.for.reference"
