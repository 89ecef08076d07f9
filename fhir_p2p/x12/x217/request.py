"""The 005010X217 request for review (BHT02 `13`, or `01` to cancel) as a layout; loop tree in `x217/__init__`."""

from __future__ import annotations

from fhir_p2p.x12.layout import LoopRule, SegmentRule, TransactionLayout, loop, required, seg
from fhir_p2p.x12.x217._loops import (
    EVENT_DATES,
    dtp,
    event_clinical,
    hierarchy,
    hl,
    msg,
    nm1,
    previous_review,
    provider,
    pwk,
    service_lines,
    transaction_header,
    transport,
    trn,
    um,
)
from fhir_p2p.x12.x217.codes import PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS, TRANSPORT_ENTITIES, DateFormat


def _service() -> LoopRule:
    return loop(
        "2000F",
        "Service Level",
        2900,
        "S",
        None,
        hl("SS", "Service Level"),
        trn("Service Trace Number", False, 1),
        um(event=False),
        *previous_review(),
        dtp("Service Date", "472"),
        *service_lines(),
        pwk("Additional Service Information"),
        msg(),
        provider("2010F", "Service Provider", 25, False, PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS),
    )


def _event() -> tuple[SegmentRule | LoopRule, ...]:
    """2000E's children (the loop itself is placed twice, see `hierarchy`)."""
    other_umo = loop(
        "2010EC",
        "Patient Event Other UMO Name",
        1700,
        "S",
        3,
        nm1("Other UMO Name", ("X3",)),
        seg("REF", "Other UMO Denial Reason", 1800, rules={"01": required(), "02": required()}),
        seg(
            "DTP",
            "Other UMO Denial Date",
            2700,
            rules={"01": required(), "02": required(*DateFormat), "03": required()},
        ),
    )
    return (
        hl("EV", "Patient Event Level"),
        trn("Patient Event Tracking Number", False, 2),
        um(event=True),
        *previous_review(),
        *(dtp(name, qualifier) for name, qualifier in EVENT_DATES),
        *event_clinical(response=False),
        pwk("Additional Patient Information"),
        msg(),
        provider("2010EA", "Patient Event Provider", 12, False, PROVIDER_ENTITIES, PROVIDER_ID_QUALIFIERS),
        transport("2010EB", TRANSPORT_ENTITIES),
        other_umo,
        _service(),
    )


REQUEST = TransactionLayout(
    "005010X217 278 request for review",
    loop(
        "",
        "Transaction Set",
        0,
        "R",
        1,
        *transaction_header(("01", "13"), False),
        hierarchy(False, _event()),
    ),
    required_somewhere=("2000E",),
)
