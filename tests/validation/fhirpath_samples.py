"""Inputs for the base-R4 invariants that no example, corpus file or mutation reaches, so that
`test_fhirpath_differential.py` sees every compiled invariant both hold and fail."""

from __future__ import annotations

from typing import Any, Final

UCUM = "http://unitsofmeasure.org"


def _bundle(kind: str, entries: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": entries, **more}


def _entry(resource: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource, **more}


PATIENT: Final = {"resourceType": "Patient", "id": "p1", "meta": {"versionId": "1"}}
COMPOSITION: Final = {"resourceType": "Composition", "id": "c1"}
HEADER: Final = {"resourceType": "MessageHeader", "id": "h1"}
GET: Final = {"method": "GET", "url": "Patient/p1"}
IDENTIFIER: Final = {"system": "http://example.org", "value": "1"}
SAMPLE_RESOURCES: Final[list[tuple[str, dict[str, Any]]]] = [  # base-R4 invariants no file reaches, validated
    ("document", _bundle("document", [_entry(COMPOSITION)], identifier=IDENTIFIER, timestamp="2026")),
    ("document_bare", _bundle("document", [_entry(PATIENT)])),
    ("message", _bundle("message", [_entry(HEADER)])),
    ("message_without_header", _bundle("message", [_entry(PATIENT)])),
    ("searchset_total", _bundle("searchset", [_entry(PATIENT, search={"mode": "match"})], total=1)),
    ("collection_total", _bundle("collection", [_entry(PATIENT, search={"mode": "match"})], total=1)),
    ("batch", _bundle("batch", [_entry(PATIENT, request=GET)])),
    ("batch_without_request", _bundle("batch", [_entry(PATIENT)])),
    ("history_duplicate", _bundle("history", [_entry(PATIENT, request=GET), _entry(PATIENT, request=GET)])),
    ("collection_duplicate", _bundle("collection", [_entry(PATIENT), _entry(PATIENT)])),
    ("history_url", _bundle("collection", [{"fullUrl": "http://x/Patient/p1/_history/1", "resource": PATIENT}])),
    ("empty_entry", _bundle("collection", [{"fullUrl": "urn:uuid:x"}])),
    ("patient_contact", {"resourceType": "Patient", "contact": [{"name": {"family": "Vance"}}, {"gender": "other"}]}),
    (
        "parameters",
        {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "a", "valueString": "x"},
                {"name": "b", "resource": PATIENT},
                {"name": "c", "part": [{"name": "d", "valueInteger": 1}]},
                {"name": "e", "part": [{"name": "f", "valueBoolean": True}], "valueString": "x"},
                {"name": "g"},
                {"name": "h", "valueString": "x", "resource": PATIENT},
                {"name": "i", "_valueString": {"extension": [{"url": "u", "valueCode": "unknown"}]}},
            ],
        },
    ),
    (
        "audit_event",
        {
            "resourceType": "AuditEvent",
            "type": {"code": "rest"},
            "recorded": "2026-01-01T00:00:00Z",
            "agent": [{"requestor": True}],
            "source": {"observer": {"reference": "Device/d"}},
            "entity": [{"name": "a"}, {"name": "a", "query": "aGk="}],
        },
    ),
]
SAMPLE_VALUES: Final[dict[str, list[dict[str, Any]]]] = {  # data types no file uses, evaluated directly
    "Age": [
        {"value": 3, "system": UCUM, "code": "a"},
        {"value": -1, "system": UCUM, "code": "a"},
        {"value": 1.5, "unit": "years"},
        {"value": 0.5, "system": UCUM, "code": "a"},
        {"unit": "years", "system": "http://example.org"},
    ],
    "Count": [{"value": 2, "system": UCUM, "code": "1"}, {"value": 2.5, "system": UCUM, "code": "1"}, {"code": "x"}],
    "Distance": [{"value": 5, "system": UCUM, "code": "km"}, {"value": 5}, {"value": 5, "system": "s", "code": "k"}],
    "Duration": [{"value": 1, "system": UCUM, "code": "d"}, {"code": "d"}, {"code": "d", "system": UCUM}],
    "Expression": [{"language": "text/fhirpath", "expression": "x"}, {"language": "text/fhirpath"}],
    "Ratio": [
        {"numerator": {"value": 1}, "denominator": {"value": 2}},
        {"numerator": {"value": 1}},
        {"extension": [{"url": "u", "valueString": "x"}]},
        {},
    ],
    "DataRequirement.codeFilter": [{"path": "code"}, {"searchParam": "code"}, {"path": "a", "searchParam": "b"}, {}],
    "DataRequirement.dateFilter": [{"path": "date"}, {"path": "a", "searchParam": "b"}],
    "Timing.repeat": [
        {"duration": 1, "durationUnit": "h", "durationMax": 2},
        {"duration": -2.5},
        {"durationMax": 2},
        {"period": 1, "periodUnit": "d", "periodMax": 2},
        {"period": -1},
        {"periodMax": 2},
        {"count": 1, "countMax": 3},
        {"countMax": 3},
        {"offset": 30, "when": ["AC", "PC"]},
        {"offset": 30, "when": ["C", "CM"]},
        {"offset": 30},
        {"timeOfDay": ["08:00:00"], "when": ["MORN"]},
        {"timeOfDay": ["08:00:00"]},
    ],
    "TriggerDefinition": [
        {"type": "named-event", "name": "x"},
        {"type": "named-event"},
        {"type": "periodic", "timingTiming": {"event": ["2026-01-01"]}},
        {"type": "periodic"},
        {"type": "data-changed", "data": [{"type": "Patient"}]},
        {"type": "data-added", "condition": {"language": "text/fhirpath", "expression": "true"}},
        {"type": "data-removed", "data": [{"type": "Patient"}], "timingDate": "2026-01-01"},
    ],
    "Patient": [{"resourceType": "Patient"}, {"resourceType": "Patient", "text": {"status": "empty", "div": "<div/>"}}],
}
