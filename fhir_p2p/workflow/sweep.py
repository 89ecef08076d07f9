"""The deadline sweep (SPEC §6): what is overdue or about to close, found at one moment of the injected clock.

- An open P2P request not scheduled within the payer's scheduling SLA (from `authoredOn`), and a scheduled or
  held P2P not decided within the decision SLA of its call; an open appeal not decided within the payer's
  standard (or, when its priority is urgent, asap or stat, expedited) appeal decision time: the Task gets a
  `p2p-deadline-missed` extension (which deadline, when it was due) and a `deadline-missed` event is queued.
- A denial whose P2P request window closes within `closing_within` and that has no P2P request: a
  `window-closing` event is queued (the denial itself is not changed).

Each finding is reported once: a Task already marked for a deadline is not marked again, and a denial
whose window-closing event is queued is skipped. Events go to the outbox (store/outbox.py) in the same
transaction, for delivery to Subscriptions and payers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from fhir_p2p.errors import P2PError
from fhir_p2p.resources.pas import P2P_REQUEST_DEADLINE, Json, extensions
from fhir_p2p.search.dates import instant_text
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.outbox import Outbox
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow import states
from fhir_p2p.workflow.calendar import Duration, add, parse_instant
from fhir_p2p.workflow.policy import PayerPolicy, PolicyBook
from fhir_p2p.workflow.taskdata import DEADLINE_MISSED, Kind, State, kind_of, output_value, state_of
from fhir_p2p.workflow.tasks import open_requests, review_of

_EXPEDITED: Final = frozenset({"urgent", "asap", "stat"})
_AWAITING_CALL: Final = frozenset({states.REQUESTED, states.RECEIVED, states.ACCEPTED})
_CALL_MADE: Final = frozenset({states.SCHEDULED, states.RESCHEDULED, states.HELD})
_PAGE: Final = 500


@dataclass(slots=True)
class SweepReport:
    """What one sweep found and did."""

    at: datetime
    examined: int = 0
    skipped: list[str] = field(default_factory=list)  # Tasks whose denial is gone or cannot be assessed
    missed: list[tuple[str, str]] = field(default_factory=list)  # (Task/<id>, deadline)
    closing: list[str] = field(default_factory=list)  # ClaimResponse/<id>


def sweep(uow: UnitOfWork, policies: PolicyBook, *, closing_within: timedelta) -> SweepReport:
    """Mark missed deadlines and queue their events, as of `uow.clock()`."""
    now = uow.clock()
    report = SweepReport(now)
    outbox = Outbox(uow)
    for task in _current(uow, "Task", [("status", "requested,received,accepted,in-progress")]):
        report.examined += 1
        try:
            found = _missed(uow, policies, task, now)
        except P2PError:
            report.skipped.append(f"Task/{task['id']}")
            continue
        if found is None:
            continue
        deadline, due = found
        _mark(uow, task, deadline, due, now)
        outbox.queue("deadline-missed", "Task", str(task["id"]), {"deadline": deadline, "due": instant_text(due)})
        report.missed.append((f"Task/{task['id']}", deadline))
    window = [("p2p-deadline", f"ge{instant_text(now)}"), ("p2p-deadline", f"le{instant_text(now + closing_within)}")]
    for denial in _current(uow, "ClaimResponse", window):
        report.examined += 1
        denial_id = str(denial["id"])
        if outbox.has("window-closing", "ClaimResponse", denial_id) or open_requests(
            uow, denial_id, [Kind.P2P], open_only=False
        ):
            continue
        outbox.queue("window-closing", "ClaimResponse", denial_id, {"due": _deadline_text(denial)})
        report.closing.append(f"ClaimResponse/{denial_id}")
    return report


def _missed(uow: UnitOfWork, policies: PolicyBook, task: Json, now: datetime) -> tuple[str, datetime] | None:
    """The deadline the Task has missed and when it was due; None when it is on time or already marked."""
    kind, state = kind_of(task), state_of(task)
    if kind is None or not states.is_open(state):
        return None
    policy = review_of(policies, uow, task).policy  # its denial's payer
    found = _deadline(policy, kind, task, state)
    if found is None:
        return None
    deadline, start, duration = found
    if start is None or deadline in marked(task):
        return None
    due = add(start, duration, policy.zone)
    return (deadline, due) if now > due else None


def _deadline(
    policy: PayerPolicy, kind: Kind, task: Json, state: State
) -> tuple[str, datetime | None, Duration] | None:
    """Which deadline applies to an open Task: its name, the moment it runs from, and its length."""
    if kind is Kind.P2P and state in _AWAITING_CALL:
        return "scheduling", parse_instant(task.get("authoredOn")), policy.scheduling_sla
    if kind is Kind.P2P and state in _CALL_MADE:
        call = output_value(task, "scheduled-time", "valuePeriod") or {}
        return "decision", parse_instant(call.get("end") or call.get("start")), policy.decision_sla
    if kind is not Kind.P2P:
        appeal = policy.appeal
        limit = appeal.expedited_decision if task.get("priority") in _EXPEDITED else appeal.standard_decision
        return "decision", parse_instant(task.get("authoredOn")), limit
    return None


def marked(task: Json) -> set[str]:
    """The deadlines a Task is already marked as having missed."""
    return {
        str(part.get("valueCode"))
        for mark in extensions(task, DEADLINE_MISSED)
        for part in mark.get("extension", [])
        if part.get("url") == "deadline"
    }


def _mark(uow: UnitOfWork, task: Json, deadline: str, due: datetime, now: datetime) -> None:
    changed = dict(task)
    mark = {
        "url": DEADLINE_MISSED,
        "extension": [
            {"url": "deadline", "valueCode": deadline},
            {"url": "due", "valueDateTime": instant_text(due)},
            {"url": "noticed", "valueDateTime": instant_text(now)},
        ],
    }
    changed["extension"] = [*task.get("extension", []), mark]
    version = int(task["meta"]["versionId"])
    uow.update("Task", str(task["id"]), changed, if_match=version)


def _deadline_text(denial: Json) -> str | None:
    found = extensions(denial, P2P_REQUEST_DEADLINE)
    return found[0].get("valueDateTime") if found else None


def _current(uow: UnitOfWork, resource_type: str, pairs: list[tuple[str, str]]) -> Iterator[Json]:
    """Every current resource matching `pairs`, page by page."""
    cursor: str | None = None
    while True:
        query = [*pairs, *([("_cursor", cursor)] if cursor else [])]
        search = parse_search(resource_type, query, strict=True, default_count=_PAGE, max_count=_PAGE)
        page = uow.search(search)
        yield from (found.as_dict() for found in page.matches)
        cursor = page.next_cursor
        if cursor is None:
            return
