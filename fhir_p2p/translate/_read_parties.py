"""A checked 278's hierarchy read into FHIR, for requests and responses alike: the levels (2010A, 2010B,
2010C, 2000E) and the parties in them (UMO Organization, requester, Patient), with deterministic ids."""

from __future__ import annotations

from typing import NamedTuple

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.resources.pas import NPI_SYSTEM, NUCC_SYSTEM, PAYER_ID_SYSTEM, V2_0203, Json, concept
from fhir_p2p.translate._parties import GENDERS, fhir_id, from_contact_per
from fhir_p2p.translate._report import UNSUPPORTED
from fhir_p2p.x12 import Loop, Report, Segment, TransactionReport, check_interchange
from fhir_p2p.x12.x217.codes import LoopId
from fhir_p2p.x12.x217.segments import BhtSegment, DtpSegment, PerSegment

X12_ENTITY = "https://codesystem.x12.org/005010/98"
_PURPOSES = {"11": "response", "13": "request"}


def accepted(report: Report) -> list[TransactionReport]:
    """The transaction sets of a checked interchange.

    Raises:
        Unprocessable: the interchange is not accepted (with its X12 issues).
    """
    if not report.accepted:
        raise Unprocessable("the 278 interchange is not valid", issues=report.to_issues())
    return report.transactions


def purpose_of(tree: Loop) -> str:
    """BHT02 of a transaction set."""
    bht = tree.first(BhtSegment)
    return bht.purpose if bht else ""


def first_tree(text: str, purpose: str) -> Loop:
    """The loop tree of the first transaction set of an accepted interchange, when it has BHT02 `purpose`.

    Raises:
        Unprocessable: the interchange is not accepted, or its first set is not a 278 `purpose`.
    """
    trees = [t.tree for t in accepted(check_interchange(text)) if t.tree is not None]
    if not trees or purpose_of(trees[0]) != purpose:
        message = f"not a 278 {_PURPOSES[purpose]}"
        raise Unprocessable(message, issues=[Issue("error", "value", f"BHT02 is not {purpose}", "BHT02")])
    return trees[0]


class Levels(NamedTuple):
    """The loops of one checked 278 transaction set that the mappings read."""

    bht: BhtSegment
    umo: Loop  # 2010A
    requester: Loop  # 2010B
    subscriber: Loop  # 2010C
    event: Loop  # 2000E
    segments: dict[str, list[Segment]]  # 2000E's own segments by id

    @classmethod
    def of(cls, tree: Loop) -> Levels:
        """The levels of a transaction set that passed `check_interchange`: the layout fixes each
        loop's place (2010A then 2000B in 2000A, 2010B then 2000C in 2000B, 2010C first in 2000C).

        Raises:
            Unprocessable: the patient is a dependent (2000D), which is not mapped yet (x12map-006).
        """
        umo, requester = tree.loops[0].loops
        requester_name, subscriber = requester.loops
        subscriber_name, event = subscriber.loops[0], subscriber.loops[-1]
        if event.id != LoopId.PATIENT_EVENT:
            message = "a patient who is not the subscriber (2000D) is not mapped yet"
            raise Unprocessable(message, issues=[Issue("error", "not-supported", message, "2000D", UNSUPPORTED)])
        assert umo.id == LoopId.UMO_NAME and requester_name.id == LoopId.REQUESTER_NAME, "a checked 278"
        return cls(BhtSegment.cast(tree.segments[0]), umo, requester_name, subscriber_name, event, by_id(event))


def by_id(loop: Loop) -> dict[str, list[Segment]]:
    """A loop's own segments by segment id, in order (one pass, for loops read many times)."""
    found: dict[str, list[Segment]] = {}
    for seg in loop.segments:
        found.setdefault(seg.id, []).append(seg)
    return found


def elements(seg: Segment, count: int) -> tuple[str, ...]:
    """Elements 01 to `count` of a segment of a checked transaction set, `""` where absent (its simple
    elements hold no component or repetition marks: the check refuses them)."""
    found = seg.elements
    return found[:count] if len(found) >= count else found + ("",) * (count - len(found))


def ref(resource: Json) -> Json:
    """A relative Reference to `resource`."""
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def x12_date(value: str) -> str:
    """CCYYMMDD as a FHIR date."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def dtp_date(dtp: DtpSegment) -> str:
    """The (first) date of a DTP as a FHIR date."""
    return x12_date(dtp.period[:8])


def human_name(nm1: Segment) -> Json:
    """The HumanName an NM1 of a person carries (NM103 family, NM104/NM105 given, NM106 prefix, NM107 suffix)."""
    _, _, family, first, middle, prefix, suffix = elements(nm1, 7)
    name: Json = {"family": family}
    if first or middle:
        name["given"] = [g for g in (first, middle) if g]
    if prefix:
        name["prefix"] = [prefix]
    if suffix:
        name["suffix"] = [suffix]
    return name


def umo(loop: Loop) -> tuple[Json, list[Json]]:
    """2010A: the UMO Organization and the ContactPoints of its PERs."""
    _, _, name, _, _, _, _, qualifier, identifier = elements(loop.segments[0], 9)
    if qualifier == "PI":
        ident: Json = {"type": concept(V2_0203, "NIIP"), "system": PAYER_ID_SYSTEM, "value": identifier}
        org_id = fhir_id("payer", identifier)
    else:
        ident = {"system": NPI_SYSTEM, "value": identifier}
        org_id = fhir_id("npi", identifier)
    organization = {"resourceType": "Organization", "id": org_id, "identifier": [ident], "name": name}
    contacts = [c for s in loop.segments if s.id == "PER" and (c := from_contact_per(PerSegment.cast(s)))]
    return organization, contacts


def requester(loop: Loop) -> list[Json]:
    """2010B: the requester first (Organization, Practitioner or PractitionerRole), then its Practitioner."""
    nm1 = loop.segments[0]
    entity, kind, name, _, _, _, _, _, identifier = elements(nm1, 9)
    npi = {"system": NPI_SYSTEM, "value": identifier}
    if kind == "2":
        org: Json = {"resourceType": "Organization", "id": fhir_id("npi", identifier), "identifier": [npi]}
        if entity == "FA":
            org["type"] = [concept(X12_ENTITY, "FA")]
        org["name"] = name
        return [org]
    practitioner = {
        "resourceType": "Practitioner",
        "id": fhir_id("npi", identifier),
        "identifier": [npi],
        "name": [human_name(nm1)],
    }
    prv = next((s for s in loop.segments if s.id == "PRV"), None)
    if prv is None:
        return [practitioner]
    taxonomy = prv.element(3)
    role = {
        "resourceType": "PractitionerRole",
        "id": fhir_id("npi", f"{identifier}-{taxonomy}"),
        "practitioner": ref(practitioner),
        "specialty": [concept(NUCC_SYSTEM, taxonomy)],
    }
    return [role, practitioner]


def patient(loop: Loop) -> Json:
    """2010C: the subscriber as the Patient, with the member id; DMG birth date and gender."""
    nm1 = loop.segments[0]
    member = nm1.element(9)
    found: Json = {
        "resourceType": "Patient",
        "id": fhir_id("member", member),
        "identifier": [{"type": concept(V2_0203, "MB"), "value": member}],
        "name": [human_name(nm1)],
    }
    dmg = next((s for s in loop.segments if s.id == "DMG"), None)
    if dmg is not None:
        _, birth, gender = elements(dmg, 3)
        found["birthDate"] = x12_date(birth)
        if gender in GENDERS:
            found["gender"] = GENDERS[gender]
    return found


def collection(resources: list[Json]) -> Json:
    """A `collection` Bundle of `resources`."""
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
