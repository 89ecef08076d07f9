"""Canonical URLs and code system URIs used by fhir-p2p, as UPPER_SNAKE constants."""

from __future__ import annotations

from typing import Final

# CodeSystem of the stable rule ids carried on OperationOutcome issues (`json-001`, `parse-008`, ...).
RULE_SYSTEM: Final = "http://fhir-p2p.org/fhir/CodeSystem/rule"
