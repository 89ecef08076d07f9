"""P2P and appeal Tasks as the store writes them (SPEC §3, §6): the checks on a new request against its denial
and the payer's policy, and the state machine (workflow/states.py) on every later change, whichever way it
comes (PUT, transaction, the workflow operations of workflow/operations.py).

Rule ids of this module (stable, never reused); last id used: task-022.
  task-001  a P2P or appeal Task is created in status `requested`
  task-002  `focus` names no stored denial the caller can see
  task-003  `for` / `owner` differ from the denial's patient / insurer
  task-004  409: an open request of the same kind exists for the denial
  task-005  the payer takes no P2P once an appeal of the denial is filed
  task-006  warning: fewer call windows (`availability`) than the payer asks for
  task-007  the change is not a transition of the state machine
  task-008  403: the caller's side may not make this transition
  task-009  a field fixed at creation changed
  task-010  the Task is final: nothing changes any more
  task-011  warning: `restriction.period.end` belongs to the server and was replaced
  task-012  warning: `businessStatus` of a new request belongs to the server and was replaced
  task-013  warning: the reviewer's specialty does not meet the payer's rule
  task-014  the transition lacks what it records (scheduled time, a new time, a reason)
  task-015  the outcome does not fit the transition or the review (informational P2P, appeal)
  task-016  `revised-determination` names no stored ClaimResponse
  task-017  the missed-call limit: the last allowed no-show fails the request
  task-018  the payer cancels a P2P only when its policy sends new information to appeal
  task-019  the appeal window is closed (or the denial is not adverse)
  task-020  an external review follows an upheld internal appeal
  task-021  403: a provider changes the payer's outputs, or a payer the provider's inputs
  task-022  warning: the scheduled time is outside every window the requester offered
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from fhir_p2p.audit import CLI_ACTOR
from fhir_p2p.errors import Conflict, Forbidden, Issue, P2PError, Unprocessable
from fhir_p2p.resources.pas import NUCC_SYSTEM, ROLE_SYSTEM, Json, first_code
from fhir_p2p.search.dates import instant_text
from fhir_p2p.search.query import parse_search
from fhir_p2p.store.base import StoredResource
from fhir_p2p.store.outbox import Outbox
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow import states
from fhir_p2p.workflow.assess import Assessment, assess
from fhir_p2p.workflow.calendar import describe, parse_instant
from fhir_p2p.workflow.denials import policy_of, without_server_extensions
from fhir_p2p.workflow.policy import NewInformation, PayerPolicy, PolicyBook, SpecialtyRule
from fhir_p2p.workflow.states import Side, Transition
from fhir_p2p.workflow.taskdata import (
    DEADLINE_MISSED,
    OUTPUT_SYSTEM,
    Kind,
    Outcome,
    State,
    denied_items,
    drop_outputs,
    input_code,
    inputs,
    kind_of,
    output_code,
    output_value,
    outputs,
    reference_id,
    set_output,
    set_output_code,
    state_of,
    with_state,
)

# Fields a Task keeps from its creation on.
_FIXED: Final = ("code", "focus", "for", "requester", "owner", "intent", "authoredOn", "partOf")
_OPEN_STATUSES: Final = "requested,received,accepted,in-progress"
_DECISIONS: Final = frozenset({Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED, Outcome.UPHELD})
_OVERTURNS: Final = frozenset({Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED})
# The outcomes each transition may record (any other change of the outcome output is refused, task-015).
_RECORDED_OUTCOMES: Final[dict[str, frozenset[str]]] = {
    "decide": _DECISIONS,
    "no-show": frozenset({Outcome.NO_SHOW}),
    "fail": frozenset({Outcome.NO_SHOW}),
    "cancel": frozenset({Outcome.WITHDRAWN}),
}
# The outputs a provider client records when it makes a transition (every other output is the payer's).
_PROVIDER_OUTPUTS: Final[dict[str, tuple[str, ...]]] = {"reschedule": ("scheduled-time",), "cancel": ("outcome",)}
EXTERNAL_REVIEW_MONTHS: Final = 4  # 45 CFR 147.136(d)(2)(i): four months after the final internal denial


@dataclass(frozen=True, slots=True)
class Review:
    """A Task's denial, as the workflow needs it: the stored ClaimResponse, its payer's policy, its assessment."""

    denial_id: str
    denial: Json
    policy: PayerPolicy
    assessment: Assessment


def checked(policies: PolicyBook, uow: UnitOfWork, current: Json | None, resource: Json) -> Json:
    """The Task to store: a new P2P or appeal request checked and completed, or a change checked against the
    state machine. Other Tasks pass unchanged.

    Raises:
        Unprocessable: a business rule refuses the request or change (422, rules above and p2p-001..).
        Conflict: an open request of the same kind exists for the denial (409).
        Forbidden: the caller's side may not make the change (403).
    """
    kind = kind_of(resource)
    if current is not None and kind_of(current) is not None and kind_of(current) != kind:
        raise _refused("task-009", "Task.code cannot change once the Task is stored", "Task.code")
    if kind is None:
        return resource
    if current is None:
        return _new(policies, uow, kind, resource)
    return _changed(policies, uow, kind, current, resource)


def review_of(policies: PolicyBook, uow: UnitOfWork, task: Json) -> Review:
    """The denial a Task is about, its policy and its assessment now.

    Raises:
        Unprocessable: `focus` names no stored ClaimResponse the unit of work can see (task-002).
    """
    denial_id = reference_id(task.get("focus"), "ClaimResponse")
    try:
        if denial_id is None:
            raise _refused("task-002", "Task.focus must be a reference ClaimResponse/<id>", "Task.focus")
        denial = uow.read("ClaimResponse", denial_id).as_dict()
    except P2PError as error:
        message = f"Task.focus names no stored denial the caller can see ({task.get('focus', {}).get('reference')})"
        raise _refused("task-002", message, "Task.focus") from error
    policy = policy_of(policies, uow, denial)
    try:  # as the payer sent it: what the server filled in from the policy is not the payer's word
        assessment = assess(without_server_extensions(denial), policy, uow.clock())
    except ValueError as error:
        raise _refused("task-002", f"The denial cannot be assessed: {error}", "Task.focus") from error
    return Review(denial_id, denial, policy, assessment)


def side_of(uow: UnitOfWork) -> Side | None:
    """The caller's side; None for the dev client and the CLI, which act for both."""
    return None if uow.tenant is None else Side(uow.tenant.role)


def open_requests(uow: UnitOfWork, denial_id: str, kinds: Iterable[Kind], *, open_only: bool = True) -> list[Json]:
    """The stored Tasks of `kinds` about the denial (only the open ones, by default)."""
    pairs = [("focus", f"ClaimResponse/{denial_id}"), ("code", ",".join(kinds))]
    if open_only:
        pairs.append(("status", _OPEN_STATUSES))
    search = parse_search("Task", pairs, strict=True, default_count=50, max_count=50)
    return [found.as_dict() for found in uow.find("Task", search.criteria, limit=50)]


def announce(uow: UnitOfWork, stored: StoredResource, previous: Json | None) -> None:
    """Queue a `task-state` event when a P2P or appeal Task is created or changes state (SPEC §6: for its
    Subscriptions, and for delivery to the payer): the version, the kind, the state before and after."""
    task = stored.as_dict()
    kind = kind_of(task)
    after = states.normalized(state_of(task))
    before = None if previous is None else states.normalized(state_of(previous))
    if kind is None or before == after:
        return
    detail = {"version": stored.version_id, "kind": str(kind), "from": before and str(before), "to": str(after)}
    Outbox(uow).queue("task-state", "Task", stored.id, detail)


# --- a new request -----------------------------------------------------------------------------


def _new(policies: PolicyBook, uow: UnitOfWork, kind: Kind, task: Json) -> Json:
    if task.get("status") != states.INITIAL.status:
        message = f"A {kind} Task is created in status requested, not {task.get('status')}"
        raise _refused("task-001", message, "Task.status")
    review = review_of(policies, uow, task)
    _same_parties(task, review.denial)
    # One request of any kind for a denial at a time: the checks below read the denial's other requests (an
    # open one of the same kind, an appeal filed), so two concurrent creates must not both pass them.
    uow.lock_for_conditional_create(f"open-request:{review.denial_id}")
    now = _requested_at(uow, task)
    if kind is Kind.P2P:
        _p2p_allowed(uow, task, review, now)
        deadline = review.assessment.request_due_at
    else:
        deadline = _appeal_allowed(uow, kind, task, review, now)
    if open_requests(uow, review.denial_id, [kind]):
        message = f"An open {kind} request exists for ClaimResponse/{review.denial_id}; update or cancel it"
        raise Conflict(message, issues=[Issue("error", "duplicate", message, "Task.focus", "task-004")])
    stored = with_state(task, states.INITIAL)
    _keep_marks(stored, None)  # a new request has missed nothing yet
    if task.get("businessStatus") is not None and state_of(task) != states.INITIAL:
        uow.warnings.append(
            Issue(
                "warning",
                "business-rule",
                "Task.businessStatus of a new request is set by the server: awaiting-scheduling",
                "Task.businessStatus",
                "task-012",
            )
        )
    if deadline is not None:
        _set_deadline(uow, stored, deadline)
    return stored


def _requested_at(uow: UnitOfWork, task: Json) -> datetime:
    """When a request is checked: now; for the records `fhir-p2p load` imports (what already happened, like the
    examples), the moment they say they were made (`authoredOn`)."""
    if uow.actor == CLI_ACTOR:
        return parse_instant(task.get("authoredOn")) or uow.clock()
    return uow.clock()


def _p2p_allowed(uow: UnitOfWork, task: Json, review: Review, now: datetime) -> None:
    role = input_code(task, "requester-role", ROLE_SYSTEM) or ""
    refusal = review.assessment.refusal(now, role, denied_items(task))
    if refusal is not None:
        raise Unprocessable(refusal.message, issues=[refusal.to_issue()])
    policy = review.policy
    if policy.p2p_before_appeal and open_requests(
        uow, review.denial_id, [Kind.INTERNAL_APPEAL, Kind.EXTERNAL_REVIEW], open_only=False
    ):
        message = (
            f"{policy.name} takes no peer-to-peer review once an appeal of the denial is filed. "
            "Next step: the appeal under way"
        )
        raise _refused("task-005", message, "Task.focus")
    offered = len(inputs(task, "availability"))
    if offered < policy.call_windows:  # flagged, not refused: a 278 request cannot carry call windows
        message = (
            f"{policy.name} asks for {policy.call_windows} call windows (Task.input availability); "
            f"the request offers {offered}: the payer will ask for times when it schedules"
        )
        uow.warnings.append(Issue("warning", "business-rule", message, "Task.input", "task-006"))


def _appeal_allowed(uow: UnitOfWork, kind: Kind, task: Json, review: Review, now: datetime) -> datetime | None:
    """Check an appeal request; its deadline (the filing window's end)."""
    assessment = review.assessment
    zone = review.policy.zone
    if kind is Kind.INTERNAL_APPEAL:
        due = assessment.appeal_due_at
        if due is None:
            raise _refused("task-019", "The ClaimResponse is not a final adverse determination to appeal", "Task.focus")
    else:
        upheld = [
            found
            for found in open_requests(uow, review.denial_id, [Kind.INTERNAL_APPEAL], open_only=False)
            if found.get("status") == "completed" and output_code(found, "outcome") == Outcome.UPHELD
        ]
        if not upheld:
            message = "An external review follows an internal appeal that upheld the denial; none is recorded"
            raise _refused("task-020", message, "Task.partOf")
        deadlines = [parse_instant(output_value(found, "appeal-deadline", "valueDateTime")) for found in upheld]
        due = max((d for d in deadlines if d is not None), default=None)
        if due is None:
            raise _refused("task-020", "The upheld internal appeal records no appeal-deadline", "Task.partOf")
    if now > due:
        message = f"The {kind} window closed at {describe(due, zone)}; the request came at {describe(now, zone)}"
        raise _refused("task-019", message + ". Next step: none", "Task.authoredOn")
    return due


def _same_parties(task: Json, denial: Json) -> None:
    for field, denial_field in (("for", "patient"), ("owner", "insurer")):
        mine = (task.get(field) or {}).get("reference")
        theirs = (denial.get(denial_field) or {}).get("reference")
        if mine and theirs and mine != theirs:
            message = f"Task.{field} ({mine}) must be the denial's {denial_field} ({theirs})"
            raise _refused("task-003", message, f"Task.{field}")


def _set_deadline(uow: UnitOfWork, task: Json, deadline: datetime) -> None:
    """Put the server's deadline in `restriction.period.end`, warning when the client sent another one."""
    text = instant_text(deadline)
    given = ((task.get("restriction") or {}).get("period") or {}).get("end")
    if given is not None and given != text:
        message = f"Task.restriction.period.end is the server's deadline: {text} (the request said {given})"
        uow.warnings.append(Issue("warning", "business-rule", message, "Task.restriction.period.end", "task-011"))
    restriction = dict(task.get("restriction") or {})
    restriction["period"] = {**(restriction.get("period") or {}), "end": text}
    task["restriction"] = restriction


# --- a change ----------------------------------------------------------------------------------


def _changed(policies: PolicyBook, uow: UnitOfWork, kind: Kind, current: Json, task: Json) -> Json:
    before, after = states.normalized(state_of(current)), states.normalized(state_of(task))
    for field in _FIXED:
        if current.get(field) != task.get(field):
            raise _refused("task-009", f"Task.{field} cannot change once the Task is stored", f"Task.{field}")
    stored = dict(task)
    if current.get("restriction") != task.get("restriction"):
        stored["restriction"] = current.get("restriction")
        if current.get("restriction") is None:
            stored.pop("restriction")
        message = "Task.restriction belongs to the server; the stored value was kept"
        uow.warnings.append(Issue("warning", "business-rule", message, "Task.restriction", "task-011"))
    if side_of(uow) is not None:  # the deadline marks are the sweep's: a client's write keeps the stored ones
        _keep_marks(stored, current)
    if not states.is_open(before):
        if _content(current) != _content(stored):
            raise _refused("task-010", f"The Task is {before.status}: it does not change any more", "Task.status")
        return stored
    transition = _transition(kind, before, after, current, stored)
    side = side_of(uow)
    _check_sides(side, transition, current, stored)
    _check_outcome(side, transition, current, stored)
    check = None if transition is None else _TRANSITION_CHECKS.get(transition.name)
    if check is not None:
        check(uow, kind, side, review_of(policies, uow, current), current, stored)
    return stored


def _transition(kind: Kind, before: State, after: State, current: Json, task: Json) -> Transition | None:
    """The transition a change makes; None for a change within the state (amending inputs or outputs)."""
    if before == after:
        rescheduling = states.named(kind, "reschedule")
        moved = _scheduled(current) != _scheduled(task)
        if rescheduling is not None and before in rescheduling.sources and moved:
            return rescheduling
        return None
    transition = states.find(kind, before, after)
    if transition is None:
        message = f"A {kind} Task cannot go from {before} to {after}"
        raise _refused("task-007", message, "Task.status")
    return transition


def _check_sides(side: Side | None, transition: Transition | None, current: Json, task: Json) -> None:
    if side is None:
        return
    if transition is not None and side not in transition.by:
        who = " or ".join(sorted(transition.by))
        message = f"Only the {who} side may {transition.name} this Task; the caller is a {side} client"
        raise Forbidden(message, issues=[Issue("error", "forbidden", message, "Task.status", "task-008")])
    if side is Side.PAYER and current.get("input") != task.get("input"):
        message = "Task.input holds the requester's request: a payer client cannot change it"
        raise Forbidden(message, issues=[Issue("error", "forbidden", message, "Task.input", "task-021")])
    own = _PROVIDER_OUTPUTS.get(transition.name, ()) if transition is not None else ()
    if side is Side.PROVIDER and _outputs_but(current, own) != _outputs_but(task, own):
        message = "Task.output records the payer's scheduling and decision: a provider client cannot change it"
        if transition is not None and own:
            message += f" (a provider's {transition.name} records only {', '.join(own)})"
        raise Forbidden(message, issues=[Issue("error", "forbidden", message, "Task.output", "task-021")])


def _keep_marks(task: Json, current: Json | None) -> None:
    """Give `task` the `p2p-deadline-missed` extensions of `current` (none for a new Task), whatever it had."""
    others = [e for e in task.get("extension", []) if e.get("url") != DEADLINE_MISSED]
    marks = [e for e in (current or {}).get("extension", []) if e.get("url") == DEADLINE_MISSED]
    if others or marks:
        task["extension"] = [*others, *marks]
    else:
        task.pop("extension", None)


def _outputs_but(task: Json, codes: Iterable[str]) -> list[Json]:
    """The Task's outputs other than those of the types `codes`."""
    skipped = frozenset(codes)
    return [o for o in task.get("output", []) if first_code(o.get("type"), OUTPUT_SYSTEM) not in skipped]


def _check_outcome(side: Side | None, transition: Transition | None, current: Json, task: Json) -> None:
    """task-015: the `outcome` output changes only with a transition that records one, to an outcome that fits it
    (a change within a state, an acceptance or a scheduling records none; a missed call is recorded by the
    no-show or fail that follows it; a cancellation records the requester's withdrawal, never the payer's)."""
    before, after = output_code(current, "outcome"), output_code(task, "outcome")
    if before == after:
        return
    name = transition.name if transition is not None else None
    if name in ("schedule", "reschedule") and before == Outcome.NO_SHOW and after is None:
        return  # the missed call is in the history; the new call has no outcome yet
    fits = _RECORDED_OUTCOMES.get(name or "", frozenset())
    if after in fits and not (after == Outcome.WITHDRAWN and side is Side.PAYER):
        return
    what = f"the transition {name}" if name else "a change that keeps the Task's state"
    if after == Outcome.WITHDRAWN and side is Side.PAYER:
        message = "Only the requester withdraws a request: a payer client cannot record the outcome withdrawn"
    else:
        message = f"The outcome {after or '(removed)'} does not fit {what}" + (
            f"; it records {' or '.join(sorted(fits))}" if fits else "; it records no outcome"
        )
    raise _refused("task-015", message, "Task.output")


def require_new_time(current: Json, task: Json) -> None:
    """Refuse (task-014) a rescheduling that keeps the scheduled time."""
    if _scheduled(current) == _scheduled(task):
        raise _refused("task-014", "Rescheduling needs a new scheduled-time", "Task.output")


def _reschedule(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    require_new_time(current, task)
    _schedule(uow, kind, side, review, current, task)


def _schedule(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    period = _scheduled(task)
    if not period or not period.get("start"):
        message = "Scheduling records the agreed time: output scheduled-time with a start"
        raise _refused("task-014", message, "Task.output")
    if output_code(task, "outcome") == Outcome.NO_SHOW:
        drop_outputs(task, "outcome")  # the missed call is in the history; the new call has no outcome yet
    _flag_time(uow, task, period)
    _flag_reviewer(uow, review.policy, task)


def _decide(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    outcome = output_code(task, "outcome")
    if outcome not in _DECISIONS:
        message = f"A decision records overturned, partially-overturned or upheld, not {outcome or 'nothing'}"
        raise _refused("task-015", message, "Task.output")
    if kind is Kind.P2P and review.assessment.informational and outcome in _OVERTURNS:
        message = (
            f"A peer-to-peer review of this {review.policy.name} determination is informational: it cannot "
            "change the decision. Next step: a reconsideration (internal appeal) with the new information"
        )
        raise _refused("task-015", message, "Task.output")
    if outcome in _OVERTURNS:
        revised = reference_id(output_value(task, "revised-determination", "valueReference"), "ClaimResponse")
        try:
            if revised is None:
                raise _refused("task-016", "revised-determination must reference ClaimResponse/<id>", "Task.output")
            uow.read("ClaimResponse", revised)
        except P2PError as error:
            message = "revised-determination names no stored ClaimResponse the caller can see"
            raise _refused("task-016", message, "Task.output") from error
        return
    if output_code(task, "next-step") is None:
        set_output_code(task, "next-step", next_step_after(kind))
    if output_value(task, "appeal-deadline", "valueDateTime") is None and output_code(task, "next-step") != "none":
        due = _appeal_deadline(kind, review, uow.clock())
        if due is not None:
            set_output(task, "appeal-deadline", "valueDateTime", instant_text(due))


def _no_show(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    if output_code(task, "outcome") != Outcome.NO_SHOW:
        raise _refused("task-015", "Going back to scheduling after a call records the outcome no-show", "Task.output")
    missed = missed_calls(uow, current) + 1
    limit = review.policy.missed_calls
    if missed >= limit:
        message = (
            f"This is missed call {missed} of the {limit} {review.policy.name} allows: it closes the request "
            "(status failed, statusReason no-show)"
        )
        raise _refused("task-017", message, "Task.status")


def _fail(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    if not (task.get("statusReason") or {}).get("text") and not (task.get("statusReason") or {}).get("coding"):
        raise _refused("task-014", "A failed Task says why in statusReason", "Task.statusReason")


def _cancel(uow: UnitOfWork, kind: Kind, side: Side | None, review: Review, current: Json, task: Json) -> None:
    if side is Side.PAYER and review.policy.new_information is not NewInformation.CANCEL_TO_APPEAL:
        message = (
            f"{review.policy.name} does not send new information to appeal: only the requester withdraws a request"
        )
        raise _refused("task-018", message, "Task.status")


_Check = Callable[[UnitOfWork, Kind, Side | None, Review, Json, Json], None]
_TRANSITION_CHECKS: Final[dict[str, _Check]] = {
    "schedule": _schedule,
    "reschedule": _reschedule,
    "decide": _decide,
    "no-show": _no_show,
    "fail": _fail,
    "reject": _fail,
    "cancel": _cancel,
}


def require_transition(current: Json, name: str) -> Kind:
    """Refuse an operation that makes the transition `name` where the stored Task cannot make it: task-010 when
    the Task is final, task-007 when it is not a P2P or appeal Task or `name` does not leave its state (an
    operation never passes as a change within the state, as a PUT of the same body would).

    Returns:
        The Task's kind.
    """
    kind, where = kind_of(current), states.normalized(state_of(current))
    if kind is None:
        raise _refused(
            "task-007", f"Task/{current.get('id')} is not a P2P or appeal Task: it has no workflow", "Task.code"
        )
    if not states.is_open(where):
        raise _refused("task-010", f"The Task is {where.status}: it does not change any more", "Task.status")
    transition = states.named(kind, name)
    if transition is None or where not in transition.sources:
        leaves = "" if transition is None else f" (it leaves {', '.join(sorted(map(str, transition.sources)))})"
        message = f"A {kind} Task that is {where} cannot {name}{leaves}"
        raise _refused("task-007", message, "Task.status")
    return kind


def next_step_after(kind: Kind) -> str:
    """What follows an upheld decision of a `kind` Task (CodeSystem p2p-next-step)."""
    return {Kind.P2P: "internal-appeal", Kind.INTERNAL_APPEAL: "external-review"}.get(kind, "none")


def missed_calls(uow: UnitOfWork, task: Json) -> int:
    """How many no-shows the Task's history records (versions that went back to scheduling with no-show)."""
    count, previous = 0, None
    page = uow.history("Task", str(task["id"]), since=None, count=1000, cursor=None)
    for entry in reversed(page.entries):  # oldest first
        version = None if entry.deleted else entry.as_dict()
        now_missed = version is not None and output_code(version, "outcome") == Outcome.NO_SHOW
        if now_missed and not previous:
            count += 1
        previous = now_missed
    return count


def _appeal_deadline(kind: Kind, review: Review, now: datetime) -> datetime | None:
    """The filing deadline of the next step after an upheld decision of a `kind` Task decided `now`."""
    if kind is Kind.P2P:
        return review.assessment.appeal_due_at
    if kind is Kind.INTERNAL_APPEAL:
        return _months_later(now, EXTERNAL_REVIEW_MONTHS)
    return None


def _months_later(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    year, month = divmod(moment.month - 1 + months, 12)
    first = moment.replace(year=moment.year + year, month=month + 1, day=1)
    last_day = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
    return first.replace(day=min(moment.day, last_day))


def _flag_reviewer(uow: UnitOfWork, policy: PayerPolicy, task: Json) -> None:
    """task-013: warn when the reviewer does not meet the payer's specialty rule (flagged, never refused)."""
    requested = input_code(task, "requested-specialty", NUCC_SYSTEM)
    given = first_code(output_value(task, "reviewer-specialty", "valueCodeableConcept"), NUCC_SYSTEM)
    if policy.reviewer_specialty is SpecialtyRule.SAME_SPECIALTY and requested and given and requested != given:
        message = (
            f"The reviewer's specialty ({given}) is not the one requested ({requested}); "
            f"{policy.name} promises a reviewer of the same specialty"
        )
    elif policy.reviewer_specialty is not SpecialtyRule.NONE and outputs(task, "reviewer") and not given:
        message = f"The reviewer's specialty is not recorded; {policy.name} promises {policy.reviewer_specialty}"
    else:
        return
    uow.warnings.append(Issue("warning", "business-rule", message, "Task.output", "task-013"))


def _flag_time(uow: UnitOfWork, task: Json, period: Json) -> None:
    """task-022: warn when the agreed time is outside every availability window offered."""
    offered = [i.get("valuePeriod") or {} for i in inputs(task, "availability")]
    start = parse_instant(period.get("start"))
    if start is None or not offered or any(_within(start, window) for window in offered):
        return
    message = "The scheduled time is outside every availability window the requester offered"
    uow.warnings.append(Issue("warning", "business-rule", message, "Task.output", "task-022"))


def _within(moment: datetime, window: Json) -> bool:
    """Inside the window; a bound that is missing or not a full date counts as open."""
    low, high = parse_instant(window.get("start")), parse_instant(window.get("end"))
    return (low is None or low <= moment) and (high is None or moment <= high)


def _scheduled(task: Json) -> Json | None:
    found = output_value(task, "scheduled-time", "valuePeriod")
    return found if isinstance(found, dict) else None


def _content(task: Json) -> Json:
    return {key: value for key, value in task.items() if key not in ("meta", "text")}


def _refused(rule: str, message: str, expression: str) -> Unprocessable:
    return Unprocessable(message, issues=[Issue("error", "business-rule", message, expression, rule)])
