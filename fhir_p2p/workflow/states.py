"""The state machine of P2P and appeal Tasks as data (SPEC §3): the states, each transition with the states it
leaves, the state it reaches and which side may make it. Nothing here reads or writes storage.

A P2P request:

    requested ─receive→ received ─accept→ accepted/awaiting-scheduling ─schedule→ accepted/scheduled
    accepted/scheduled|rescheduled ─reschedule→ accepted/rescheduled ─hold→ in-progress/review-held
    scheduled|rescheduled|review-held ─decide→ completed/determination-issued
    scheduled|rescheduled ─no-show→ accepted/awaiting-scheduling (or ─fail→ failed once the payer's
    missed-call limit is reached); any open state ─cancel→ cancelled; requested|received ─reject→ rejected

An appeal has no call: it is accepted, held and decided (or rejected, failed, cancelled) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from fhir_p2p.workflow.taskdata import Kind, State


class Side(StrEnum):
    """Who makes a transition: the requester's side (a provider client) or the payer's."""

    PROVIDER = "provider"
    PAYER = "payer"


REQUESTED: Final = State("requested", "awaiting-scheduling")
RECEIVED: Final = State("received", "awaiting-scheduling")
ACCEPTED: Final = State("accepted", "awaiting-scheduling")
SCHEDULED: Final = State("accepted", "scheduled")
RESCHEDULED: Final = State("accepted", "rescheduled")
HELD: Final = State("in-progress", "review-held")
DECIDED: Final = State("completed", "determination-issued")
REJECTED: Final = State("rejected", None)
CANCELLED: Final = State("cancelled", None)
FAILED: Final = State("failed", None)

INITIAL: Final = REQUESTED
FINAL_STATUSES: Final = frozenset({"completed", "rejected", "cancelled", "failed"})
_WITHOUT_STAGE: Final = frozenset({"rejected", "cancelled", "failed"})


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[State]
    target: State
    by: frozenset[Side]


def _t(name: str, sources: tuple[State, ...], target: State, *by: Side) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(by))


_PAYER, _PROVIDER = Side.PAYER, Side.PROVIDER
_P2P_OPEN: Final = (REQUESTED, RECEIVED, ACCEPTED, SCHEDULED, RESCHEDULED, HELD)
_APPEAL_OPEN: Final = (REQUESTED, RECEIVED, ACCEPTED, HELD)

TRANSITIONS: Final[dict[Kind, tuple[Transition, ...]]] = {
    Kind.P2P: (
        _t("receive", (REQUESTED,), RECEIVED, _PAYER),
        _t("accept", (REQUESTED, RECEIVED), ACCEPTED, _PAYER),
        _t("reject", (REQUESTED, RECEIVED), REJECTED, _PAYER),
        _t("schedule", (REQUESTED, RECEIVED, ACCEPTED), SCHEDULED, _PAYER),
        _t("reschedule", (SCHEDULED, RESCHEDULED), RESCHEDULED, _PAYER, _PROVIDER),
        _t("hold", (SCHEDULED, RESCHEDULED), HELD, _PAYER),
        _t("decide", (SCHEDULED, RESCHEDULED, HELD), DECIDED, _PAYER),
        _t("no-show", (SCHEDULED, RESCHEDULED), ACCEPTED, _PAYER),
        _t("fail", (SCHEDULED, RESCHEDULED, HELD), FAILED, _PAYER),
        _t("cancel", _P2P_OPEN, CANCELLED, _PROVIDER, _PAYER),
    ),
    Kind.INTERNAL_APPEAL: (
        _t("receive", (REQUESTED,), RECEIVED, _PAYER),
        _t("accept", (REQUESTED, RECEIVED), ACCEPTED, _PAYER),
        _t("reject", (REQUESTED, RECEIVED), REJECTED, _PAYER),
        _t("hold", (ACCEPTED,), HELD, _PAYER),
        _t("decide", (ACCEPTED, HELD), DECIDED, _PAYER),
        _t("fail", (HELD,), FAILED, _PAYER),
        _t("cancel", _APPEAL_OPEN, CANCELLED, _PROVIDER),
    ),
}
TRANSITIONS[Kind.EXTERNAL_REVIEW] = TRANSITIONS[Kind.INTERNAL_APPEAL]

# Every state a Task of each kind can be in.
STATES: Final[dict[Kind, frozenset[State]]] = {
    kind: frozenset({INITIAL} | {t.target for t in table} | {s for t in table for s in t.sources})
    for kind, table in TRANSITIONS.items()
}


def normalized(state: State) -> State:
    """Final states other than `completed` have no stage: a stale businessStatus left on them does not count."""
    return State(state.status, None) if state.status in _WITHOUT_STAGE else state


def is_open(state: State) -> bool:
    return state.status not in FINAL_STATUSES


def find(kind: Kind, source: State, target: State, name: str | None = None) -> Transition | None:
    """The transition of `kind` from `source` to `target` (named `name`, when given); None when there is none."""
    source, target = normalized(source), normalized(target)
    for transition in TRANSITIONS[kind]:
        if source in transition.sources and transition.target == target and name in (None, transition.name):
            return transition
    return None


def named(kind: Kind, name: str) -> Transition | None:
    """The transition called `name` for a Task of `kind`; None when that kind has none."""
    return next((t for t in TRANSITIONS[kind] if t.name == name), None)
