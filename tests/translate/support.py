"""Helpers for the translation tests: example resource sets and the mapped fields a round trip keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhir_p2p.translate import Resources
from fhir_p2p.translate._pas import (
    ACTION_SYSTEM,
    ADMINISTRATION_REFERENCE,
    ITEM_PRE_AUTH_PERIOD,
    NPI_SYSTEM,
    NUCC_SYSTEM,
    P2P_CONTACT,
    PAYER_ID_SYSTEM,
    REASON_SYSTEM,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    first_code,
    identifier_of,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def denial_files() -> list[Path]:
    return sorted(EXAMPLES.glob("ClaimResponse-denial-*.json"))


def example_set(denial: Path) -> dict[str, Any]:
    """The denial and every other example it may reference (not Tasks, not other ClaimResponses)."""
    others = [p for p in EXAMPLES.glob("*.json") if not p.name.startswith(("ClaimResponse-", "Task-"))]
    return {p.stem: json.loads(p.read_text()) for p in [*others, denial]}


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


def _requester(resources: Resources, claim_response: dict) -> tuple:
    found = resources.resolve(claim_response["requestor"])
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
        "insurer": (
            x12(insurer["name"], 60),
            identifier_of(insurer, PAYER_ID_SYSTEM) or identifier_of(insurer, type_code="NIIP"),
        ),
        "contacts": [
            (e["valueContactPoint"]["system"], e["valueContactPoint"]["value"])
            for e in cr.get("extension", [])
            if e["url"] == P2P_CONTACT
        ],
        "requester": _requester(resources, cr),
        "patient": (
            (coverage or {}).get("subscriberId") or identifier_of(patient, type_code="MB"),
            _name(patient),
            patient.get("birthDate"),
            {"other": "unknown"}.get(patient.get("gender", ""), patient.get("gender"))
            if patient.get("birthDate")
            else None,
        ),
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
    }
