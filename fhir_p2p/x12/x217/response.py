"""The 005010X217 response (BHT02 `11`) as a layout; loop tree in `x217/__init__`."""

from __future__ import annotations

from fhir_p2p.x12.layout import LoopRule, SegmentRule, TransactionLayout, loop
from fhir_p2p.x12.x217._loops import (
    CERTIFICATION_DATES,
    EVENT_DATES,
    aaa,
    contact,
    dtp,
    event_clinical,
    hcr,
    hierarchy,
    hl,
    msg,
    previous_review,
    provider,
    pwk,
    service_lines,
    transaction_header,
    transport,
    trn,
    um,
)
from fhir_p2p.x12.x217.codes import CONTACT_ENTITIES, PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS, TRANSPORT_ENTITIES


def _service() -> LoopRule:
    return loop(
        "2000F",
        "Service Level",
        2900,
        "S",
        None,
        hl("SS", "Service Level"),
        trn("Service Trace Number", True, 3),
        aaa("Service Request Validation", 300),
        um(event=False),
        hcr(),
        *previous_review(),
        dtp("Service Date", "472"),
        *(dtp(name, qualifier) for name, qualifier in CERTIFICATION_DATES),
        *service_lines(),
        pwk("Additional Service Information"),
        msg(),
        provider("2010FA", "Service Provider", 25, True, PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS),
        contact("2010FB", "Additional Service Information Contact", CONTACT_ENTITIES),
    )


def _event() -> tuple[SegmentRule | LoopRule, ...]:
    """2000E's children (the loop itself is placed twice, see `hierarchy`)."""
    return (
        hl("EV", "Patient Event Level"),
        trn("Patient Event Tracking Number", True, 3),
        aaa("Patient Event Request Validation", 300),
        um(event=True),
        hcr(),
        *previous_review(),
        *(dtp(name, qualifier) for name, qualifier in EVENT_DATES + CERTIFICATION_DATES),
        *event_clinical(response=True),
        pwk("Additional Patient Information"),
        msg(),
        provider("2010EA", "Patient Event Provider", 12, True, PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS),
        contact("2010EB", "Additional Patient Information Contact", CONTACT_ENTITIES),
        transport("2010EC", TRANSPORT_ENTITIES),
        _service(),
    )


RESPONSE = TransactionLayout(
    "005010X217 278 response",
    loop("", "Transaction Set", 0, "R", 1, *transaction_header(("11",), True), hierarchy(True, _event())),
    required_somewhere=("2000E",),
)
