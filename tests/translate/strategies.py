"""Hypothesis strategies for denial resource sets: names full of X12 delimiters, many items, optional
elements that come and go."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fhir_p2p.resources import pas
from tests.x12.strategies import DIGITS, UPPER, text

IDS = UPPER + DIGITS + "-"


def generated(examples: int) -> settings:
    """Reproducible property runs: derandomized, no example database, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _day() -> st.SearchStrategy[str]:
    return st.dates(date(2000, 1, 1), date(2040, 12, 31)).map(date.isoformat)


@st.composite
def human_name(draw: st.DrawFn) -> dict[str, Any]:
    name: dict[str, Any] = {"family": draw(text(60))}
    given = draw(st.lists(text(25), max_size=2))
    for key, value in (("given", given), ("prefix", [draw(text(10))]), ("suffix", [draw(text(10))])):
        if value and draw(st.booleans()):
            name[key] = value
    return name


@st.composite
def period(draw: st.DrawFn) -> dict[str, str] | None:
    start, end = draw(_optional(_day())), draw(_optional(_day()))
    found = {k: v for k, v in (("start", start), ("end", end)) if v}
    return found or None


@st.composite
def item(draw: st.DrawFn, sequence: int) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    number = draw(_optional(text(50, alphabet=IDS)))
    if number:
        parts.append({"url": "number", "valueString": number})
    code = draw(st.sampled_from(["A1", "A2", "A3", "A4", "A6", "C", "CT", "NA"]))
    parts.append({"url": pas.REVIEW_ACTION_CODE, "valueCodeableConcept": pas.concept(pas.ACTION_SYSTEM, code)})
    reason = draw(_optional(text(2, min_size=2, alphabet=UPPER + DIGITS)))
    if reason:
        parts.append({"url": "reasonCode", "valueCodeableConcept": pas.concept(pas.REASON_SYSTEM, reason)})
    found: dict[str, Any] = {
        "itemSequence": sequence,
        "adjudication": [{"category": pas.concept("http://terminology.hl7.org/CodeSystem/adjudication", "submitted"),
                          "extension": [{"url": pas.REVIEW_ACTION, "extension": parts}]}],
    }  # fmt: skip
    extensions = []
    reference = draw(_optional(text(50, alphabet=IDS)))
    if reference:
        extensions.append({"url": pas.ADMINISTRATION_REFERENCE, "valueString": reference})
    valid = draw(period())
    if valid:
        extensions.append({"url": pas.ITEM_PRE_AUTH_PERIOD, "valuePeriod": valid})
    if extensions:
        found["extension"] = extensions
    return found


def _outcome(items: list[dict[str, Any]]) -> str:
    """`partial` when the event's decision is A2/A6: the items' one code, or A2 for a mix with a certification."""
    parts = [p for i in items for p in i["adjudication"][0]["extension"][0]["extension"]]
    codes = {p["valueCodeableConcept"]["coding"][0]["code"] for p in parts if p["url"] == pas.REVIEW_ACTION_CODE}
    event = codes.pop() if len(codes) == 1 else ("A2" if codes & {"A1", "A2", "A6"} else "A3")
    return "partial" if event in ("A2", "A6") else "complete"


@st.composite
def requester(draw: st.DrawFn) -> list[dict[str, Any]]:
    """The requestor first: an Organization, a Practitioner, or a PractitionerRole and its Practitioner."""
    npi = [{"system": pas.NPI_SYSTEM, "value": draw(text(10, min_size=10, alphabet=DIGITS))}]
    kind = draw(st.sampled_from(["Organization", "Practitioner", "PractitionerRole"]))
    if kind == "Organization":
        return [{"resourceType": "Organization", "id": "requester", "identifier": npi, "name": draw(text(60))}]
    person = {"resourceType": "Practitioner", "id": "requester-person", "identifier": npi, "name": [draw(human_name())]}
    if kind == "Practitioner":
        return [person]
    taxonomy = draw(text(10, min_size=10, alphabet=UPPER + DIGITS))
    role = {
        "resourceType": "PractitionerRole",
        "id": "requester-role",
        "practitioner": {"reference": "Practitioner/requester-person"},
        "specialty": [pas.concept(pas.NUCC_SYSTEM, taxonomy)],
    }
    return [role, person]


@st.composite
def denials(draw: st.DrawFn) -> dict[str, Any]:
    """A denial ClaimResponse with its Patient, insurer and requester, keyed by `Type/id`."""
    member = draw(text(30, min_size=2, alphabet=IDS))
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"type": pas.concept(pas.V2_0203, "MB"), "value": member}],
        "name": [draw(human_name())],
    }
    birth = draw(_optional(_day()))
    if birth:
        patient["birthDate"] = birth
        gender = draw(_optional(st.sampled_from(["female", "male", "unknown"])))
        if gender:
            patient["gender"] = gender
    insurer = {
        "resourceType": "Organization",
        "id": "insurer",
        "identifier": [{"system": pas.PAYER_ID_SYSTEM, "value": draw(text(20, min_size=2, alphabet=IDS))}],
        "name": draw(text(60)),
    }
    parties = draw(requester())
    items = [draw(item(n)) for n in range(1, draw(st.integers(1, 12)) + 1)]
    claim_response: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": "denial",
        "status": "active",
        "type": pas.concept(
            "http://terminology.hl7.org/CodeSystem/claim-type", draw(st.sampled_from(["institutional", "professional"]))
        ),
        "use": "preauthorization",
        "patient": {"reference": "Patient/patient"},
        "created": draw(_day()),
        "insurer": {"reference": "Organization/insurer"},
        "requestor": {"reference": f"{parties[0]['resourceType']}/{parties[0]['id']}"},
        "item": items,
    }
    claim_response["outcome"] = _outcome(items)
    optional = {
        "preAuthRef": _optional(text(50, alphabet=IDS)),
        "preAuthPeriod": period(),
        "identifier": _optional(
            st.builds(lambda v: [{"system": "urn:trnorg:1234567890", "value": v}], text(50, alphabet=IDS))
        ),
        "extension": _optional(
            st.builds(
                lambda v: [{"url": pas.P2P_CONTACT, "valueContactPoint": {"system": "phone", "value": v}}], text(30)
            )
        ),
    }
    for key, strategy in optional.items():
        value = draw(strategy)
        if value:
            claim_response[key] = value
    notes = draw(st.lists(text(300), max_size=3))
    if notes:
        claim_response["processNote"] = [{"number": n, "type": "display", "text": t} for n, t in enumerate(notes, 1)]
        for found in items:
            note = draw(_optional(st.integers(1, len(notes))))
            if note:
                found["noteNumber"] = [note]
    resources = [claim_response, patient, insurer, *parties]
    return {f"{r['resourceType']}/{r['id']}": r for r in resources}


TASK_KINDS = ("peer-to-peer-review", "internal-appeal", "external-review")
ROLES = ("ordering-physician", "covering-physician", "physician-assistant", "nurse-practitioner")
TELECOM = ("phone", "fax", "email", "url")
P2P = "http://fhir-p2p.org/fhir/"


def _input(code: str, key: str, value: Any) -> dict[str, Any]:
    return {"type": pas.concept(P2P + "CodeSystem/p2p-input", code), key: value}


@st.composite
def document(draw: st.DrawFn, number: int) -> dict[str, Any]:
    """A supporting DocumentReference: X12 755/756 codings or none, an identifier or only an id."""
    found: dict[str, Any] = {"resourceType": "DocumentReference", "id": f"doc-{number}", "status": "current"}
    report_type = draw(_optional(st.sampled_from(["09", "OZ", "LA", "RR", "B3", "M1"])))
    if report_type:
        found["type"] = pas.concept(pas.REPORT_TYPE_SYSTEM, report_type)
    transmission = draw(_optional(st.sampled_from(["EL", "FX", "BM", "EM", "FT", "AA"])))
    if transmission:
        found["category"] = [pas.concept(pas.TRANSMISSION_SYSTEM, transmission)]
    control = draw(_optional(text(80, min_size=2, alphabet=IDS)))
    if control:
        found["identifier"] = [{"system": "urn:example:doc", "value": control}]
    description = draw(_optional(text(100)))
    if description:
        found["description"] = description
    found["content"] = [{"attachment": {"contentType": "text/plain", "data": "SGVsbG8="}}]
    return found


@st.composite
def denial_focus(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Task.focus: a logical reference, or a denial ClaimResponse (items with review numbers and
    administration references) to resolve."""
    if draw(st.booleans()):
        return {"type": "ClaimResponse", "identifier": {"value": draw(text(50, alphabet=IDS))}}, []
    items = [draw(item(n)) for n in range(1, draw(st.integers(1, 6)) + 1)]
    denial: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": "denial",
        "status": "active",
        "type": pas.concept(pas.CLAIM_TYPE, draw(st.sampled_from(["institutional", "professional"]))),
        "use": "preauthorization",
        "patient": {"reference": "Patient/patient"},
        "created": draw(_day()),
        "insurer": {"reference": "Organization/insurer"},
        "outcome": "complete",
        "preAuthRef": draw(text(50, alphabet=IDS)),
        "item": items,
    }
    return {"reference": "ClaimResponse/denial"}, [denial]


@st.composite
def tasks(draw: st.DrawFn, kinds: tuple[str, ...] = TASK_KINDS) -> dict[str, Any]:
    """A P2P or appeal Task with its Patient, owner, requester, supporting documents and maybe its
    denial, keyed by `Type/id`; inputs repeat, go missing and carry delimiters."""
    resources = draw(denials())
    patient, insurer = resources["Patient/patient"], resources["Organization/insurer"]
    parties = [r for r in draw(requester()) if r["resourceType"] != "Organization"] or [
        {"resourceType": "Practitioner", "id": "requester-person", "name": [draw(human_name())],
         "identifier": [{"system": pas.NPI_SYSTEM, "value": draw(text(10, min_size=10, alphabet=DIGITS))}]}
    ]  # fmt: skip
    focus, denial = draw(denial_focus())
    documents = [draw(document(n)) for n in range(draw(st.integers(0, 12)))]
    inputs = [_input("requester-role", "valueCodeableConcept", pas.concept(P2P + "CodeSystem/p2p-requester-role", r))
              for r in draw(st.lists(st.sampled_from(ROLES), min_size=0, max_size=2))]  # fmt: skip
    for _ in range(draw(st.integers(0, 2))):
        contact = {"system": draw(st.sampled_from(TELECOM)), "value": draw(text(40))}
        inputs.append(_input("callback", "valueContactPoint", contact))
    if draw(st.booleans()):
        inputs.append(_input("availability", "valuePeriod", {"start": "2026-11-19T12:00:00-06:00"}))
    specialty = draw(_optional(text(10, min_size=10, alphabet=UPPER + DIGITS)))
    if specialty:
        inputs.append(_input("requested-specialty", "valueCodeableConcept", pas.concept(pas.NUCC_SYSTEM, specialty)))
    rationale = draw(_optional(text(400)))
    if rationale:
        inputs.append(_input("clinical-rationale", "valueString", rationale))
    inputs += [
        _input("supporting-info", "valueReference", {"reference": f"DocumentReference/{d['id']}"}) for d in documents
    ]
    for sequence in draw(st.lists(st.integers(1, 40), max_size=30)):
        inputs.append(_input("denied-item", "valuePositiveInt", sequence))
    inputs = draw(st.permutations(inputs))
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": "task",
        "status": "requested",
        "intent": "order",
        "code": pas.concept(P2P + "CodeSystem/p2p-task-code", draw(st.sampled_from(kinds))),
        "focus": focus,
        "for": {"reference": "Patient/patient"},
        "authoredOn": draw(_day()) + draw(st.sampled_from(["", "T08:30:00-06:00", "T23:59:59Z"])),
        "requester": {"reference": f"{parties[0]['resourceType']}/{parties[0]['id']}"},
        "owner": {"reference": "Organization/insurer"},
        "input": inputs,
    }
    priority = draw(_optional(st.sampled_from(["routine", "urgent", "asap", "stat"])))
    if priority:
        task["priority"] = priority
    trace = draw(_optional(text(48, alphabet=IDS)))
    if trace:
        task["identifier"] = [{"system": "urn:trnorg:1234567890", "value": trace}]
    found = [task, patient, insurer, *parties, *denial, *documents]
    return {f"{r['resourceType']}/{r['id']}": r for r in found}
