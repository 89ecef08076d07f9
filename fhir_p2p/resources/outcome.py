"""OperationOutcome resources built from Issues (FHIR R4 `OperationOutcome`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.resources.urls import RULE_SYSTEM


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    """Build an OperationOutcome dict with one `issue` per Issue.

    Each issue carries `details.text` (the message), `details.coding` with the rule id in
    `RULE_SYSTEM` when the issue has a rule, and `expression` when it has one. No issues gives the
    single `information` / `informational` issue "All OK", as FHIR requires at least one.

    Args:
        issues: what parsing, validation or the workflow found, in order.
    Returns:
        A JSON-ready R4 OperationOutcome.
    """
    if not issues:
        return {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational", "details": {"text": "All OK"}}],
        }
    return {"resourceType": "OperationOutcome", "issue": [_outcome_issue(issue) for issue in issues]}


def _outcome_issue(issue: Issue) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if issue.rule:
        details["coding"] = [{"system": RULE_SYSTEM, "code": issue.rule}]
    details["text"] = issue.message
    entry: dict[str, Any] = {"severity": issue.severity, "code": issue.code, "details": details}
    if issue.expression:
        entry["expression"] = [issue.expression]
    return entry
