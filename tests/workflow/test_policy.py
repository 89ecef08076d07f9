"""Payer policies: the shipped file, every validation error (named mutations of it) with its exact message,
the default policy, and finding the policy of a denial's insurer."""

from __future__ import annotations

import json

import pytest

from fhir_p2p.config import default_payers_file
from fhir_p2p.workflow.calendar import Duration, Unit
from fhir_p2p.workflow.policy import (
    DEFAULT_POLICY,
    AfterDenial,
    Channel,
    Contact,
    NewInformation,
    PolicyError,
    RequesterRole,
    SpecialtyRule,
    load_policies,
)
from tests.conftest import load_example
from tests.workflow.support import PAYERS_FILE, entry, policy, shipped_book, shipped_document, write


def test_config_payers_yaml_is_the_file_shipped_in_the_package():
    assert PAYERS_FILE.resolve() == default_payers_file()
    assert default_payers_file().is_file()


def test_shipped_file_has_four_payers_whose_rules_differ():
    rules = {
        p.payer_id: (
            str(p.window),
            str(p.pre_decision_window),
            p.after_denial,
            p.p2p_before_appeal,
            str(p.appeal.window),
        )
        for p in shipped_book().policies
    }
    assert rules == {
        "EGMA1": ("14 calendar days", "24 hours", AfterDenial.INFORMATIONAL, False, "60 calendar days"),
        "CMHI2": ("15 calendar days", "None", AfterDenial.REVIEW, True, "180 calendar days"),
        "NWHP1": ("5 business days", "None", AfterDenial.REVIEW, False, "180 calendar days"),
        "BBTX1": ("72 hours", "1 business days", AfterDenial.REVIEW, False, "180 calendar days"),
    }


def test_northwind_entry_is_read_field_by_field():
    northwind = policy("NWHP1")
    assert northwind.name == "Northwind Health Plan"
    assert northwind.organizations == ("Organization/northwind-health-plan",)
    assert northwind.timezone == "America/Chicago"
    assert northwind.roles == (
        RequesterRole.ORDERING_PHYSICIAN,
        RequesterRole.COVERING_PHYSICIAN,
        RequesterRole.NURSE_PRACTITIONER,
    )
    assert northwind.reviewer_specialty is SpecialtyRule.SAME_SPECIALTY
    assert northwind.scheduling_sla == Duration(1, Unit.BUSINESS_DAYS)
    assert northwind.decision_sla == Duration(24, Unit.HOURS)
    assert northwind.appeal.standard_decision == Duration(30, Unit.CALENDAR_DAYS)
    assert northwind.appeal.expedited_decision == Duration(72, Unit.HOURS)
    assert (northwind.call_windows, northwind.missed_calls) == (2, 2)
    assert northwind.new_information is NewInformation.ALLOWED
    assert northwind.delivery.channel is Channel.X12_HTTP
    assert northwind.delivery.endpoint == "https://edi.northwind-health.example.org/x12/278"
    assert northwind.delivery.credentials == "northwind-edi-basic"
    assert northwind.contact == Contact("phone", "+1-312-555-0188")


def test_default_policy_is_the_one_spec_pins():
    assert DEFAULT_POLICY.window == Duration(14, Unit.CALENDAR_DAYS)
    assert DEFAULT_POLICY.roles == (RequesterRole.ORDERING_PHYSICIAN, RequesterRole.COVERING_PHYSICIAN)
    assert DEFAULT_POLICY.scheduling_sla == Duration(24, Unit.HOURS)
    assert DEFAULT_POLICY.appeal.window == Duration(180, Unit.CALENDAR_DAYS)
    assert DEFAULT_POLICY.timezone == "America/New_York"
    assert DEFAULT_POLICY.after_denial is AfterDenial.REVIEW
    assert DEFAULT_POLICY.pre_decision_window is None
    assert DEFAULT_POLICY.delivery.channel is Channel.NONE


def test_an_entry_with_only_the_required_fields_takes_the_default_for_the_rest(tmp_path):
    minimal = {
        "id": "MIN01",
        "name": "Minimal Plan",
        "window": {"amount": 48, "unit": "hours"},
        "roles": ["ordering-physician"],
        "appeal": {"window": {"amount": 65, "unit": "calendar-days"}},
        "delivery": {"channel": "none"},
    }
    (loaded,) = load_policies(write(tmp_path, {"payers": [minimal]})).policies
    assert loaded.window == Duration(48, Unit.HOURS)
    assert loaded.appeal.window == Duration(65, Unit.CALENDAR_DAYS)
    for field in (
        "timezone",
        "after_denial",
        "pre_decision_window",
        "p2p_before_appeal",
        "reviewer_specialty",
        "scheduling_sla",
        "decision_sla",
        "call_windows",
        "missed_calls",
        "new_information",
        "contact",
    ):
        assert getattr(loaded, field) == getattr(DEFAULT_POLICY, field), field
    assert loaded.appeal.standard_decision == DEFAULT_POLICY.appeal.standard_decision
    assert loaded.appeal.expedited_decision == DEFAULT_POLICY.appeal.expedited_decision


def test_the_same_policies_load_from_json(tmp_path):
    path = tmp_path / "payers.json"
    path.write_text(json.dumps(shipped_document()))
    assert load_policies(path).policies == shipped_book().policies


def _set(payer_id, field, value):
    def mutate(document):
        entry(document, payer_id)[field] = value

    return mutate


def _set_in(payer_id, part, field, value):
    def mutate(document):
        entry(document, payer_id)[part][field] = value

    return mutate


def _drop(payer_id, field):
    def mutate(document):
        del entry(document, payer_id)[field]

    return mutate


def _drop_in(payer_id, part, field):
    def mutate(document):
        del entry(document, payer_id)[part][field]

    return mutate


def _duplicate(payer_id):
    def mutate(document):
        document["payers"].append(dict(entry(document, payer_id)))

    return mutate


def _append(value):
    def mutate(document):
        document["payers"].append(value)

    return mutate


ONE_OF_UNITS = "must be one of hours, calendar-days, business-days"
ONE_OF_ROLES = "must be one of ordering-physician, covering-physician, physician-assistant, nurse-practitioner"


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        pytest.param(
            _set_in("NWHP1", "window", "unit", "weeks"), f"payer NWHP1: window.unit: {ONE_OF_UNITS}", id="wrong-unit"
        ),
        pytest.param(
            _set_in("NWHP1", "window", "amount", -5),
            "payer NWHP1: window.amount: must be a whole number of at least 1",
            id="negative-amount",
        ),
        pytest.param(
            _set_in("BBTX1", "window", "amount", 2.5),
            "payer BBTX1: window.amount: must be a whole number",
            id="fraction",
        ),
        pytest.param(
            _set("CMHI2", "roles", ["ordering-physician", "office-manager"]),
            f"payer CMHI2: roles[1]: {ONE_OF_ROLES}",
            id="unknown-role",
        ),
        pytest.param(_set("CMHI2", "roles", []), "payer CMHI2: roles: must name at least one role", id="no-role"),
        pytest.param(_set("EGMA1", "colour", "blue"), "payer EGMA1: colour: unknown field", id="unknown-field"),
        pytest.param(
            _set_in("EGMA1", "appeal", "deadline", 60),
            "payer EGMA1: appeal.deadline: unknown field",
            id="unknown-nested",
        ),
        pytest.param(_drop("NWHP1", "window"), "payer NWHP1: window: required field missing", id="missing-window"),
        pytest.param(_drop("NWHP1", "id"), "payer #3: id: required field missing", id="missing-id"),
        pytest.param(
            _duplicate("NWHP1"), "payer NWHP1: id: duplicate payer id (entries 3 and 5)", id="duplicate-payer-id"
        ),
        pytest.param(_set("NWHP1", "window", "5 days"), "payer NWHP1: window: must be a mapping", id="window-as-text"),
        pytest.param(
            _set("NWHP1", "timezone", "America/Gotham"),
            "payer NWHP1: timezone: 'America/Gotham' is not an IANA time zone",
            id="bad-timezone",
        ),
        pytest.param(
            _set("EGMA1", "after_denial", "maybe"),
            "payer EGMA1: after_denial: must be one of review, informational, none",
            id="after-denial",
        ),
        pytest.param(
            _set("CMHI2", "reviewer_specialty", "any"),
            "payer CMHI2: reviewer_specialty: must be one of same-specialty, appropriate-expertise, none",
            id="specialty-rule",
        ),
        pytest.param(
            _set("CMHI2", "p2p_before_appeal", "yes"),
            "payer CMHI2: p2p_before_appeal: must be true or false",
            id="flag",
        ),
        pytest.param(
            _set("NWHP1", "missed_calls", 0),
            "payer NWHP1: missed_calls: must be a whole number of at least 1",
            id="missed-calls",
        ),
        pytest.param(
            _set("NWHP1", "new_information", "ignored"),
            "payer NWHP1: new_information: must be one of allowed, cancel-to-appeal",
            id="new-information",
        ),
        pytest.param(
            _set_in("NWHP1", "delivery", "channel", "fax"),
            "payer NWHP1: delivery.channel: must be one of fhir, x12-core, x12-http, none",
            id="channel",
        ),
        pytest.param(
            _set_in("CMHI2", "delivery", "endpoint", None),
            "payer CMHI2: delivery.endpoint: must have a value",
            id="null-endpoint",
        ),
        pytest.param(
            _set_in("CMHI2", "delivery", "endpoint", "ftp://fhir.cascade-mutual.example.com"),
            "payer CMHI2: delivery.endpoint: must be an http(s) URL",
            id="endpoint-scheme",
        ),
        pytest.param(
            _drop_in("NWHP1", "delivery", "endpoint"),
            "payer NWHP1: delivery.endpoint: required when channel is x12-http",
            id="endpoint-missing",
        ),
        pytest.param(
            _set_in("BBTX1", "delivery", "endpoint", "https://example.org/p2p"),
            "payer BBTX1: delivery.endpoint: not used when channel is none",
            id="endpoint-without-channel",
        ),
        pytest.param(
            _set_in("NWHP1", "delivery", "credentials", "hunter2 password!"),
            "payer NWHP1: delivery.credentials: must be the name of a credential (a letter, then letters, digits,"
            " _ . : -), never a secret",
            id="secret-as-credentials",
        ),
        pytest.param(
            _set("EGMA1", "contact", {"system": "pager", "value": "555"}),
            "payer EGMA1: contact.system: must be one of phone, fax, email, url",
            id="contact-system",
        ),
        pytest.param(
            _set("CMHI2", "organizations", ["Organization/northwind-health-plan"]),
            "payer NWHP1: organizations: Organization/northwind-health-plan is also listed by payer CMHI2",
            id="organization-claimed-twice",
        ),
        pytest.param(
            _set("CMHI2", "organizations", ["northwind"]),
            "payer CMHI2: organizations[0]: must be Organization/<id>",
            id="organization-reference",
        ),
        pytest.param(_append("NWHP9"), "payer #5: must be a mapping", id="entry-not-a-mapping"),
    ],
)
def test_invalid_entry_is_refused_naming_file_payer_and_field(tmp_path, mutate, problem):
    document = shipped_document()
    mutate(document)
    path = write(tmp_path, document)
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert raised.value.problems == (f"{path}: {problem}",)
    assert str(raised.value) == f"{path}: {problem}"


def test_every_problem_is_reported_at_once(tmp_path):
    document = shipped_document()
    entry(document, "EGMA1")["window"]["unit"] = "weeks"
    entry(document, "NWHP1")["roles"] = ["receptionist"]
    del entry(document, "BBTX1")["appeal"]
    path = write(tmp_path, document)
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert raised.value.problems == (
        f"{path}: payer EGMA1: window.unit: {ONE_OF_UNITS}",
        f"{path}: payer NWHP1: roles[0]: {ONE_OF_ROLES}",
        f"{path}: payer BBTX1: appeal: required field missing",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "payers:\n  - id: A\n    name: A\n    id: B\n", "line 4, column 5: duplicate key 'id'", id="dup-key"
        ),
        pytest.param("payers: [\n", "line 2, column 1: did not find expected node content", id="yaml-syntax"),
        pytest.param("- id: NWHP1\n", "must be a mapping with a 'payers' list", id="no-payers-list"),
        pytest.param("payers: []\ndefaults: {}\n", "defaults: unknown field", id="unknown-top-level"),
    ],
)
def test_a_file_that_is_not_a_policy_file_is_refused(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert raised.value.problems == (f"{path}: {problem}",)


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "absent.yaml"
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert raised.value.problems == (f"{path}: cannot be read (No such file or directory)",)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "payers.yaml"
    path.write_bytes(b"payers: []\n# caf\xe9\n")
    with pytest.raises(PolicyError) as raised:
        load_policies(path)
    assert raised.value.problems == (f"{path}: not UTF-8 text (byte 16)",)


PAYER_ID = "http://fhir-p2p.org/fhir/sid/payer-id"


@pytest.mark.parametrize(
    ("insurer", "payer_id"),
    [
        pytest.param(load_example("Organization-northwind-health-plan"), "NWHP1", id="organization-by-payer-id"),
        pytest.param({"resourceType": "Organization", "id": "northwind-health-plan"}, "NWHP1", id="organization-by-id"),
        pytest.param({"resourceType": "Organization", "id": "acme"}, "", id="unknown-organization"),
        pytest.param({"reference": "Organization/northwind-health-plan"}, "NWHP1", id="reference"),
        pytest.param({"identifier": {"system": PAYER_ID, "value": "BBTX1"}}, "BBTX1", id="logical-reference"),
        pytest.param(
            {"reference": "Organization/somewhere", "identifier": {"system": PAYER_ID, "value": "EGMA1"}},
            "EGMA1",
            id="payer-id-before-reference",
        ),
        pytest.param(
            {"identifier": {"system": "urn:oid:2.16.840.1.113883.6.300", "value": "NWHP1"}}, "", id="other-system"
        ),
        pytest.param("Organization/northwind-health-plan", "NWHP1", id="text"),
        pytest.param("https://p2p.example.org/fhir/Organization/northwind-health-plan", "NWHP1", id="absolute"),
        pytest.param("Organization/northwind-health-plan/_history/3", "NWHP1", id="versioned"),
        pytest.param("Organization/northwind-health-plan-2", "", id="prefix-is-not-a-match"),
        pytest.param("Patient/northwind-health-plan", "", id="not-an-organization"),
        pytest.param({"display": "Northwind"}, "", id="display-only"),
        pytest.param(None, "", id="none"),
    ],
)
def test_for_insurer_finds_the_payer_or_gives_the_default(insurer, payer_id):
    found = shipped_book().for_insurer(insurer)
    assert found.payer_id == payer_id
    if not payer_id:
        assert found is DEFAULT_POLICY
