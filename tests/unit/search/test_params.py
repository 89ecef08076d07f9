"""The parameter table: every stored type, the required names, paths the walker can compile."""

from __future__ import annotations

import pytest

from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.search.extract import compile_path
from fhir_p2p.search.model import ParamType
from fhir_p2p.search.params import (
    FHIR_RESOURCE_TYPES,
    ID_PARAM,
    LAST_UPDATED_PARAM,
    PARAMS,
    param_for,
)

REQUIRED = {
    "ClaimResponse": "patient insurer requestor request identifier outcome status created use disposition "
    "payment-date review-action p2p-deadline",
    "Task": "status business-status code focus patient subject owner requester authored-on modified period "
    "identifier part-of based-on intent priority",
    "Claim": "patient insurer provider enterer identifier status use created priority",
    "Patient": "identifier name family given birthdate gender active telecom phone email address-postalcode "
    "organization",
    "Practitioner": "identifier name family given active telecom",
    "PractitionerRole": "practitioner organization identifier role specialty active",
    "Organization": "identifier name type active partof address-postalcode",
    "Coverage": "patient beneficiary subscriber payor policy-holder identifier status type",
    "DocumentReference": "patient subject identifier type category status date author related",
    "Subscription": "status url criteria type",
    "AuditEvent": "date type subtype action outcome agent entity source",
    "Provenance": "target agent recorded patient entity",
}


def test_every_stored_type_has_parameters() -> None:
    assert set(PARAMS) == set(STORED_TYPES)
    assert set(REQUIRED) == set(STORED_TYPES)


@pytest.mark.parametrize("resource_type", sorted(REQUIRED))
def test_required_parameters_and_common_ones_are_declared(resource_type: str) -> None:
    names = set(PARAMS[resource_type])
    assert set(REQUIRED[resource_type].split()) <= names
    assert {"_id", "_lastUpdated", "_profile", "_tag", "_security"} <= names


def test_every_path_compiles_and_starts_at_its_type() -> None:
    for resource_type, params in PARAMS.items():
        for name, param in params.items():
            assert param.name == name
            for path in param.paths:
                assert path.split(".")[0] in (resource_type, "Resource")
                assert compile_path(path)


def test_reference_targets_are_resource_types_and_only_on_references() -> None:
    for params in PARAMS.values():
        for param in params.values():
            if param.type is not ParamType.REFERENCE:
                assert param.targets == ()
            assert set(param.targets) <= FHIR_RESOURCE_TYPES


def test_pseudo_parameters_have_no_paths() -> None:
    assert ID_PARAM.paths == () and ID_PARAM.type is ParamType.TOKEN
    assert LAST_UPDATED_PARAM.paths == () and LAST_UPDATED_PARAM.type is ParamType.DATE
    assert param_for("Task", "_id") is ID_PARAM
    assert param_for("ClaimResponse", "_lastUpdated") is LAST_UPDATED_PARAM


def test_param_for_looks_up_by_type_and_name() -> None:
    patient = param_for("Task", "patient")
    assert patient is not None
    assert patient.paths == ("Task.for",) and patient.targets == ("Patient",)
    subject = param_for("Task", "subject")
    assert subject is not None and subject.targets == ()
    deadline = param_for("ClaimResponse", "p2p-deadline")
    assert deadline is not None and deadline.type is ParamType.DATE
    assert param_for("Task", "nope") is None
    assert param_for("Observation", "code") is None


def test_registry_types_and_paths_of_a_few_parameters() -> None:
    expected = {
        ("ClaimResponse", "disposition"): (ParamType.STRING, ("ClaimResponse.disposition",)),
        ("ClaimResponse", "payment-date"): (ParamType.DATE, ("ClaimResponse.payment.date",)),
        ("Task", "modified"): (ParamType.DATE, ("Task.lastModified",)),
        ("Task", "period"): (ParamType.DATE, ("Task.executionPeriod",)),
        ("Coverage", "patient"): (ParamType.REFERENCE, ("Coverage.beneficiary",)),
        ("Subscription", "url"): (ParamType.URI, ("Subscription.channel.endpoint",)),
        ("Subscription", "type"): (ParamType.TOKEN, ("Subscription.channel.type",)),
        ("AuditEvent", "date"): (ParamType.DATE, ("AuditEvent.recorded",)),
        ("AuditEvent", "source"): (ParamType.REFERENCE, ("AuditEvent.source.observer",)),
        ("Provenance", "patient"): (ParamType.REFERENCE, ("Provenance.target",)),
        ("Patient", "organization"): (ParamType.REFERENCE, ("Patient.managingOrganization",)),
        ("Patient", "_profile"): (ParamType.URI, ("Resource.meta.profile",)),
    }
    for (resource_type, name), (kind, paths) in expected.items():
        param = param_for(resource_type, name)
        assert param is not None, (resource_type, name)
        assert (param.type, param.paths) == (kind, paths)


def test_review_action_covers_item_add_item_and_detail_adjudication() -> None:
    param = param_for("ClaimResponse", "review-action")
    assert param is not None and param.type is ParamType.TOKEN
    owners = {path.split(".adjudication.")[0] for path in param.paths}
    assert {"ClaimResponse.item", "ClaimResponse.addItem", "ClaimResponse.item.detail"} <= owners
    for path in param.paths:
        assert path.endswith(
            ".adjudication.extension('http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction')"
            ".extension('http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode')"
            ".valueCodeableConcept"
        )
