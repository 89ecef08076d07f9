"""OperationOutcome built from Issues."""

from __future__ import annotations

from fhir_p2p.errors import Issue
from fhir_p2p.resources.outcome import operation_outcome
from fhir_p2p.resources.parse import check_resource
from fhir_p2p.resources.urls import RULE_SYSTEM


def test_no_issues_give_one_all_ok_information() -> None:
    assert operation_outcome([]) == {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "information", "code": "informational", "details": {"text": "All OK"}}],
    }


def test_issue_carries_rule_coding_text_and_expression() -> None:
    issue = Issue("error", "structure", "Unknown element 'foo'", "ClaimResponse.foo", "parse-008")

    assert operation_outcome([issue])["issue"] == [
        {
            "severity": "error",
            "code": "structure",
            "details": {
                "coding": [{"system": RULE_SYSTEM, "code": "parse-008"}],
                "text": "Unknown element 'foo'",
            },
            "expression": ["ClaimResponse.foo"],
        }
    ]


def test_rule_and_expression_are_left_out_when_unset() -> None:
    (entry,) = operation_outcome([Issue("warning", "processing", "slow payer")])["issue"]

    assert entry == {"severity": "warning", "code": "processing", "details": {"text": "slow payer"}}


def test_one_entry_per_issue_in_order() -> None:
    issues = [Issue("error", "value", "a", "X.a", "r-1"), Issue("warning", "value", "b", "X.b", "r-2")]

    assert [entry["expression"] for entry in operation_outcome(issues)["issue"]] == [["X.a"], ["X.b"]]


def test_outcome_is_itself_a_valid_resource() -> None:
    outcome = operation_outcome([Issue("error", "structure", "bad", "Patient.foo", "parse-008")])

    assert check_resource(outcome, "OperationOutcome") == []
    assert check_resource(operation_outcome([]), "OperationOutcome") == []
