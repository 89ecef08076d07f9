"""Helpers for the translation tests: example resource sets and the mapped fields a round trip keeps
(`mapped_fields` for denials and 278 responses, `task_mapped_fields` for Tasks and 278 requests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhir_p2p.resources.pas import (
    ACTION_SYSTEM,
    ADMINISTRATION_REFERENCE,
    ERROR_ELEMENT,
    ERROR_FOLLOW_UP,
    ERROR_SYSTEM,
    FOLLOW_UP_SYSTEM,
    INPUT_SYSTEM,
    ITEM_PRE_AUTH_PERIOD,
    NPI_SYSTEM,
    NUCC_SYSTEM,
    P2P_CONTACT,
    PAYER_ID_SYSTEM,
    REASON_SYSTEM,
    REPORT_TYPE_SYSTEM,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    ROLE_SYSTEM,
    TASK_CODE_SYSTEM,
    TRANSMISSION_SYSTEM,
    first_code,
    identifier_of,
)
from fhir_p2p.translate import Resources
from fhir_p2p.x12 import check_interchange
from tests.x12.support import run_oracle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def task_example_set() -> dict[str, Any]:
    """Every example, keyed by file name: the P2P Task and all it references (and a few others)."""
    return {p.stem: json.loads(p.read_text()) for p in EXAMPLES.glob("*.json")}


def denial_files() -> list[Path]:
    return sorted(EXAMPLES.glob("ClaimResponse-denial-*.json"))


def example_set(denial: Path) -> dict[str, Any]:
    """The denial and every other example it may reference (not Tasks, not other ClaimResponses)."""
    others = [p for p in EXAMPLES.glob("*.json") if not p.name.startswith(("ClaimResponse-", "Task-"))]
    return {p.stem: json.loads(p.read_text()) for p in [*others, denial]}


def assert_accepted_by_both(texts: dict[str, str]) -> None:
    """Every text passes `check_interchange` with no issue and the pyx12 oracle (one call for all)."""
    for name, text in texts.items():
        assert check_interchange(text).all_issues() == [], name
    verdicts = run_oracle(texts)
    assert {name: r["errors"] for name, r in verdicts.items() if not r["valid"]} == {}
    assert set(verdicts) == set(texts)


def x12(value: str, size: int) -> str:
    """What X12 keeps of a text: at most `size` characters, no trailing spaces."""
    return value[:size].rstrip(" ")


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def _name(resource: dict) -> tuple:
    names = resource.get("name", [])
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = name.get("given", [])
    return (
        x12(name.get("family", ""), 60),
        x12(given[0], 35) if given else "",
        x12(given[1], 25) if len(given) > 1 else "",
        x12(name.get("prefix", [""])[0], 10),
        x12(name.get("suffix", [""])[0], 10),
    )


def _requester(resources: Resources, reference: dict) -> tuple:
    found = resources.resolve(reference)
    assert found is not None
    if found["resourceType"] == "Organization":
        return ("Organization", identifier_of(found, NPI_SYSTEM), x12(found["name"], 60))
    taxonomy = next((first_code(s, NUCC_SYSTEM) for s in found.get("specialty", [])), None)
    person = resources.resolve(found["practitioner"]) if found["resourceType"] == "PractitionerRole" else found
    assert person is not None
    return (found["resourceType"], identifier_of(person, NPI_SYSTEM), _name(person), taxonomy)


def _action(item: dict) -> tuple:
    for adjudication in item.get("adjudication", []):
        for ext in adjudication.get("extension", []):
            if ext["url"] == REVIEW_ACTION:
                parts = {p["url"]: p for p in ext["extension"]}
                return (
                    first_code(parts[REVIEW_ACTION_CODE]["valueCodeableConcept"], ACTION_SYSTEM),
                    parts.get("number", {}).get("valueString", ""),
                    first_code(parts.get("reasonCode", {}).get("valueCodeableConcept"), REASON_SYSTEM) or "",
                )
    return ()


def _extension(element: dict, url: str, key: str) -> Any:
    return next((e[key] for e in element.get("extension", []) if e["url"] == url), None)


def _period(period: dict | None) -> tuple:
    return (_date((period or {}).get("start")), _date((period or {}).get("end")))


def _patient(patient: dict, coverage: dict | None) -> tuple:
    return (
        (coverage or {}).get("subscriberId") or identifier_of(patient, type_code="MB"),
        _name(patient),
        patient.get("birthDate"),
        {"other": "unknown"}.get(patient.get("gender", ""), patient.get("gender"))
        if patient.get("birthDate")
        else None,
    )


def _payer(organization: dict) -> tuple:
    return (
        x12(organization["name"], 60),
        identifier_of(organization, PAYER_ID_SYSTEM) or identifier_of(organization, type_code="NIIP"),
    )


def _errors(claim_response: dict) -> list[tuple]:
    """(code, follow-up, itemSequence, loop) of each error, as X12 keeps them, sorted."""
    found = []
    items = len(claim_response.get("item", []))
    for error in claim_response.get("error", []):
        code = first_code(error["code"], ERROR_SYSTEM)
        if code is None or len(code) != 2:
            continue
        follow_up = first_code(_extension(error, ERROR_FOLLOW_UP, "valueCodeableConcept"), FOLLOW_UP_SYSTEM)
        element = next(
            (e["extension"][0]["valueString"] for e in error.get("extension", []) if e["url"] == ERROR_ELEMENT), ""
        )
        loop = element.split("-")[0] if element.split("-")[0] in ("2000A", "2010A", "2010B", "2010C") else None
        sequence = error.get("itemSequence") if loop is None and 1 <= error.get("itemSequence", 0) <= items else None
        found.append((code, follow_up or ("R" if code == "42" else "C"), sequence, loop))
    return sorted(found, key=repr)


def mapped_fields(source: dict[str, Any]) -> dict[str, Any]:
    """Every field the ClaimResponse ⇄ 278 response mapping carries, as X12 keeps it."""
    resources = Resources.of(source)
    cr = resources.find("ClaimResponse")
    assert cr is not None
    patient = resources.resolve(cr["patient"])
    insurer = resources.resolve(cr["insurer"])
    assert patient is not None and insurer is not None
    coverage = resources.find("Coverage")
    notes = {n["number"]: x12(n["text"], 264) for n in cr.get("processNote", [])}
    return {
        "insurer": _payer(insurer),
        "contacts": [
            (e["valueContactPoint"]["system"], e["valueContactPoint"]["value"])
            for e in cr.get("extension", [])
            if e["url"] == P2P_CONTACT
        ],
        "requester": _requester(resources, cr["requestor"]),
        "patient": _patient(patient, coverage),
        "type": first_code(cr["type"], "http://terminology.hl7.org/CodeSystem/claim-type"),
        "created": _date(cr["created"]),
        "outcome": cr["outcome"],
        "preAuthRef": cr.get("preAuthRef"),
        "preAuthPeriod": _period(cr.get("preAuthPeriod")),
        "trace": [i["value"] for i in cr.get("identifier", []) if i.get("system", "").startswith("urn:trnorg:")][:1],
        "event note": x12(cr["processNote"][0]["text"], 264) if cr.get("processNote") else None,
        "items": [
            (
                _action(item),
                _extension(item, ADMINISTRATION_REFERENCE, "valueString"),
                _period(_extension(item, ITEM_PRE_AUTH_PERIOD, "valuePeriod")),
                notes.get(item["noteNumber"][0]) if item.get("noteNumber") else None,
            )
            for item in cr.get("item", [])
        ],
        "errors": _errors(cr),
    }


# P2P / appeal Task ⇄ 278 request ---------------------------------------------------------------

_LOINC_755 = {"11506-3": "09"}  # the examples' document types
_TELECOM = ("phone", "fax", "email", "url")
_PREFIXES = {"stat": "STAT ", "asap": "ASAP ", "urgent": "URGENT "}
_KINDS = {"peer-to-peer-review": "PEER TO PEER REVIEW", "internal-appeal": "INTERNAL APPEAL",
          "external-review": "EXTERNAL REVIEW"}  # fmt: skip
_ROLES = {"covering-physician": "COVERING PHYSICIAN", "physician-assistant": "PHYSICIAN ASSISTANT",
          "nurse-practitioner": "NURSE PRACTITIONER"}  # fmt: skip


def _inputs(task: dict, code: str, key: str) -> list[Any]:
    return [i[key] for i in task.get("input", []) if first_code(i["type"], INPUT_SYSTEM) == code and key in i]


def _denial_reference(resources: Resources, task: dict) -> str:
    logical = task["focus"].get("identifier", {}).get("value")
    denial = resources.resolve(task["focus"]) or {}
    admin = [
        e["valueString"]
        for i in denial.get("item", [])
        for e in i.get("extension", [])
        if e["url"] == ADMINISTRATION_REFERENCE
    ]
    found = [logical, denial.get("preAuthRef"), *admin, *[i.get("value") for i in denial.get("identifier", [])]]
    return x12(next(v for v in found if v), 50)


def _document(resources: Resources, reference: dict) -> tuple:
    document = resources.resolve(reference)
    assert document is not None
    codes = [document.get("type"), *document.get("category", [])]
    report_type = next((c for c in (first_code(x, REPORT_TYPE_SYSTEM) for x in codes) if c), None)
    report_type = report_type or _LOINC_755.get(first_code(document.get("type"), "http://loinc.org") or "", "OZ")
    transmission = next((c for c in (first_code(x, TRANSMISSION_SYSTEM) for x in codes[1:]) if c), "EL")
    identifiers = [document.get("masterIdentifier") or {}, *document.get("identifier", [])]
    control = next((i["value"] for i in identifiers if i.get("value")), document["id"])
    return (report_type, transmission, x12(control, 80), x12(document.get("description", ""), 80) or None)


def task_mapped_fields(source: dict[str, Any]) -> dict[str, Any]:
    """Every field the Task ⇄ 278 request mapping carries, as X12 keeps it."""
    resources = Resources.of(source)
    task = resources.find("Task")
    assert task is not None
    patient, owner = resources.resolve(task["for"]), resources.resolve(task["owner"])
    assert patient is not None and owner is not None
    kind = first_code(task["code"], TASK_CODE_SYSTEM)
    roles = [first_code(c, ROLE_SYSTEM) for c in _inputs(task, "requester-role", "valueCodeableConcept")]
    role = roles[0] if roles else "ordering-physician"
    specialties = [first_code(c, NUCC_SYSTEM) for c in _inputs(task, "requested-specialty", "valueCodeableConcept")]
    specialty = specialties[0] if specialties else None
    priority = task.get("priority") or "routine"
    preamble = _PREFIXES.get(priority, "") + _KINDS[kind] + " REQUESTED"
    preamble += f" BY {_ROLES[role]}" if role in _ROLES else ""
    preamble += f" WITH A {specialty} PEER." if specialty else "."
    rationales = _inputs(task, "clinical-rationale", "valueString")
    rationale = x12(rationales[0], 264 - len(preamble) - 1) if rationales else ""
    callbacks = _inputs(task, "callback", "valueContactPoint")
    denied = list(dict.fromkeys(_inputs(task, "denied-item", "valuePositiveInt")))
    traces = [i["value"] for i in task.get("identifier", []) if i.get("system", "").startswith("urn:trnorg:")]
    return {
        "kind": kind,
        "priority": priority,
        "denial": _denial_reference(resources, task),
        "owner": _payer(owner),
        "requester": _requester(resources, task["requester"]),
        "patient": _patient(patient, resources.find("Coverage")),
        "authoredOn": _date(task["authoredOn"]),
        "trace": traces[:1],
        "role": role,
        "specialty": specialty,
        "rationale": rationale or None,
        "callback": [
            (c["system"], x12(c["value"], 256)) for c in callbacks[:1] if c.get("system") in _TELECOM and c.get("value")
        ],
        "documents": [_document(resources, r) for r in _inputs(task, "supporting-info", "valueReference")[:10]],
        "denied items": denied,
    }
