"""The assessment of a prior-authorization determination under its payer's policy (SPEC §6): items classified,
P2P eligibility, the request, decision and appeal deadlines, accepted roles and the payer's contact; and the
refusal (422, rules p2p-001..) of a P2P request with the next step and its date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from fhir_p2p.errors import Issue
from fhir_p2p.resources.pas import (
    ACTION_SYSTEM,
    P2P_CONTACT,
    P2P_ELIGIBLE_ROLES,
    P2P_REQUEST_DEADLINE,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    ROLE_SYSTEM,
    Json,
    extensions,
    first_code,
)
from fhir_p2p.workflow.calendar import Duration, add, describe, end_of_day, require_aware
from fhir_p2p.workflow.policy import AfterDenial, Contact, PayerPolicy
from fhir_p2p.x12.x217.codes import HcrActionCode

# Rule ids: stable, never reused. Last id used: p2p-006.
#   p2p-001  the determination is neither adverse nor in a pre-decision window
#   p2p-002  the payer offers no P2P after a final adverse determination
#   p2p-003  the request comes after the request deadline
#   p2p-004  the requester's role is not one the payer accepts
#   p2p-005  an item named in the request is not one the P2P can dispute
#   p2p-006  a ClaimResponse cannot be assessed (no usable `created`): stored without the assessment (warning,
#            workflow/denials.py)
_ROLE_INPUT: Final = "Task.input.where(type.coding.code = 'requester-role').value"
_ITEM_INPUT: Final = "Task.input.where(type.coding.code = 'denied-item').value"


class ItemDecision(StrEnum):
    """What the payer decided on one item (from its review action code)."""

    DENIED = "denied"  # A3
    PARTIAL = "partial"  # A2
    MODIFIED = "modified"  # A6
    CERTIFIED = "certified"  # A1
    PENDED = "pended"  # A4
    CONTACT_PAYER = "contact-payer"  # CT
    OTHER = "other"  # C, NA, or no review action


# Review actions (X12 306, PAS extension-reviewAction) per item. A3 not certified, A2 certified partial (fewer
# units or days than asked) and A6 modified (certified in another form) are adverse and may be disputed, as the
# p2p-denial profile counts them; A1 is certified; A4 pended and CT contact payer are undecided (a pre-decision
# window when the policy offers one); C, NA or no code count as neither.
_DECISIONS: Final[dict[str, ItemDecision]] = {
    HcrActionCode.NOT_CERTIFIED: ItemDecision.DENIED,
    HcrActionCode.CERTIFIED_PARTIAL: ItemDecision.PARTIAL,
    HcrActionCode.MODIFIED: ItemDecision.MODIFIED,
    HcrActionCode.CERTIFIED_IN_TOTAL: ItemDecision.CERTIFIED,
    HcrActionCode.PENDED: ItemDecision.PENDED,
    HcrActionCode.CONTACT_PAYER: ItemDecision.CONTACT_PAYER,
}
ADVERSE: Final = frozenset({ItemDecision.DENIED, ItemDecision.PARTIAL, ItemDecision.MODIFIED})
UNDECIDED: Final = frozenset({ItemDecision.PENDED, ItemDecision.CONTACT_PAYER})


class Determination(StrEnum):
    """The response as a whole: adverse (an item A3/A2/A6), pending (no adverse item, one A4/CT), or neither."""

    ADVERSE = "adverse"
    PENDING = "pending"
    NOT_ADVERSE = "not-adverse"


class NextStep(StrEnum):
    """What the provider can do instead of the refused request (`internal-appeal`, `none`: CodeSystem p2p-next-step)."""

    INTERNAL_APPEAL = "internal-appeal"
    P2P_REQUEST = "p2p-request"  # a corrected P2P request, before the request deadline
    AWAIT_DETERMINATION = "await-determination"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ItemAssessment:
    """One ClaimResponse.item: its sequence, review action code and what that means."""

    sequence: int  # ClaimResponse.item.itemSequence
    action: str | None  # X12 306 review action code (HCR01)
    decision: ItemDecision


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a P2P request is refused (422), and what the provider can do next, by when."""

    rule: str
    message: str  # the reason, then "Next step: ..."
    expression: str  # FHIRPath of the Task element at fault
    next_step: NextStep
    next_step_due_at: datetime | None

    @property
    def reason(self) -> str:
        """The message without its next step (which `next_step` and `next_step_due_at` carry)."""
        return self.message.partition(". Next step: ")[0]

    def to_issue(self) -> Issue:
        return Issue("error", "business-rule", self.message, self.expression, self.rule)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A determination assessed under a payer policy at one moment. Times are aware UTC."""

    policy: PayerPolicy
    determination: Determination
    items: tuple[ItemAssessment, ...]
    created_at: datetime
    request_due_at: datetime | None  # None: no P2P is offered for this determination
    appeal_due_at: datetime | None  # None: nothing final and adverse to appeal
    roles: tuple[str, ...]  # requester roles accepted
    contact: Contact | None
    informational: bool  # the P2P can explain the decision but not change it (new information goes to appeal)
    why_not: Refusal | None = None  # why no P2P could be requested at the assessment time; None: eligible

    @property
    def eligible(self) -> bool:
        return self.why_not is None

    @property
    def disputable(self) -> tuple[int, ...]:
        """Sequences of the items a P2P can dispute: the adverse ones, or the undecided ones before a decision."""
        kinds = UNDECIDED if self.determination is Determination.PENDING else ADVERSE
        return tuple(item.sequence for item in self.items if item.decision in kinds)

    def decision_due_at(self, requested_at: datetime) -> datetime:
        """When the P2P decision is due for a request made at `requested_at`: the call within the scheduling
        SLA, then the decision within the decision SLA of the call."""
        zone = self.policy.zone
        return add(add(requested_at, self.policy.scheduling_sla, zone), self.policy.decision_sla, zone)

    def refusal(self, requested_at: datetime, role: str, items: Iterable[int] = ()) -> Refusal | None:
        """Why a P2P request must be refused, or None when it may go ahead.

        Args:
            requested_at: when the request was made (aware).
            role: the requester-role code.
            items: the `denied-item` sequences named; none means every disputable item.
        Returns:
            The first refusal that applies (rules p2p-001..p2p-005), or None.
        """
        return self._closed(requested_at) or self._wrong_role(role) or self._not_disputable(tuple(items))

    def _closed(self, at: datetime) -> Refusal | None:
        """p2p-001, -002, -003: no P2P for this determination, or not any more at `at`."""
        require_aware(at)
        name = self.policy.name
        if self.determination is Determination.NOT_ADVERSE:
            reason = (
                "The response is not an adverse determination: it must be active with an item denied (A3), "
                "partly certified (A2) or modified (A6)"
            )
            return self._refuse("p2p-001", reason, "Task.focus", at)
        if self.request_due_at is None and self.determination is Determination.PENDING:
            reason = f"The determination is still pending (A4/CT) and {name} offers no peer-to-peer review before it"
            return self._refuse("p2p-001", reason, "Task.focus", at)
        if self.request_due_at is None:
            reason = f"{name} offers no peer-to-peer review after a final determination"
            return self._refuse("p2p-002", reason, "Task.focus", at)
        if at > self.request_due_at:
            zone = self.policy.zone
            closed, came = describe(self.request_due_at, zone), describe(at, zone)
            reason = f"The peer-to-peer request window closed at {closed}; the request came at {came}"
            return self._refuse("p2p-003", reason, "Task.authoredOn", at)
        return None

    def _wrong_role(self, role: str) -> Refusal | None:
        """p2p-004."""
        if role in self.roles:
            return None
        accepted = ", ".join(self.roles)
        reason = f"{self.policy.name} does not accept peer-to-peer requests from {role} (accepted: {accepted})"
        return self._ask_again("p2p-004", reason, _ROLE_INPUT, "a request by an accepted role")

    def _not_disputable(self, items: tuple[int, ...]) -> Refusal | None:
        """p2p-005."""
        disputable = self.disputable
        wrong = [sequence for sequence in items if sequence not in disputable]
        if not wrong:
            return None
        decisions = {item.sequence: str(item.decision) for item in self.items}
        named = _items(f"{sequence} ({decisions.get(sequence, 'not in the determination')})" for sequence in wrong)
        allowed = _items(map(str, disputable))
        reason = f"A peer-to-peer review can dispute {allowed} only, not {named}"
        return self._ask_again("p2p-005", reason, _ITEM_INPUT, f"a request for {allowed}")

    def _ask_again(self, rule: str, reason: str, expression: str, step: str) -> Refusal:
        """A refusal whose next step is a corrected request before the request deadline."""
        due_at = self.request_due_at
        assert due_at is not None  # only reached once _closed found the window open
        message = f"{reason}. Next step: {step} by {describe(due_at, self.policy.zone)}."
        return Refusal(rule, message, expression, NextStep.P2P_REQUEST, due_at)

    def _refuse(self, rule: str, reason: str, expression: str, at: datetime) -> Refusal:
        """A refusal whose next step is what follows without a P2P: the appeal, the determination, or nothing."""
        step, due_at, text = self._without_p2p(at)
        return Refusal(rule, f"{reason}. Next step: {text}.", expression, step, due_at)

    def _without_p2p(self, at: datetime) -> tuple[NextStep, datetime | None, str]:
        if self.determination is Determination.PENDING:
            return NextStep.AWAIT_DETERMINATION, None, "wait for the payer's determination"
        if self.appeal_due_at is None:
            return NextStep.NONE, None, "none"
        when = describe(self.appeal_due_at, self.policy.zone)
        if at > self.appeal_due_at:
            return NextStep.NONE, None, f"none: the internal-appeal window closed at {when} too"
        return NextStep.INTERNAL_APPEAL, self.appeal_due_at, f"internal appeal by {when}"


def assess(claim_response: Json, policy: PayerPolicy, now: datetime) -> Assessment:
    """Assess a prior-authorization response for a P2P.

    Args:
        claim_response: a ClaimResponse (PAS-shaped), as JSON.
        policy: the insurer's policy (`PolicyBook.for_insurer(claim_response["insurer"])`).
        now: the moment of the assessment (aware), for `eligible` / `why_not`.
    Returns:
        The assessment. The payer's own extensions on the response win over the policy: `p2p-request-deadline`
        for the request deadline, `p2p-eligible-roles` for the roles, `p2p-contact` for the contact. A stored
        ClaimResponse also carries the ones the server filled in from the policy: assess
        `denials.without_server_extensions(stored)` to apply the policy as it is now.
    Raises:
        ValueError: `now` has no time zone, or `created` is missing or not a date or dateTime.
    """
    require_aware(now)
    zone = policy.zone
    items = tuple(_item(item) for item in claim_response.get("item", []))
    determination = _determination(claim_response, items)
    created_at = _instant(claim_response.get("created"), zone, end=False)
    given = _single_value(claim_response, P2P_REQUEST_DEADLINE, "valueDateTime")
    window = _request_window(determination, policy)
    request_due_at = None
    if given is not None and determination is not Determination.NOT_ADVERSE:
        request_due_at = _instant(given, zone, end=True)
    elif window is not None:
        request_due_at = add(created_at, window, zone)
    adverse = determination is Determination.ADVERSE
    fields: dict[str, Any] = {
        "policy": policy,
        "determination": determination,
        "items": items,
        "created_at": created_at,
        "request_due_at": request_due_at,
        "appeal_due_at": add(created_at, policy.appeal.window, zone) if adverse else None,
        "roles": _roles(claim_response) or tuple(policy.roles),
        "contact": _contact(claim_response) or policy.contact,
        "informational": adverse and policy.after_denial is AfterDenial.INFORMATIONAL,
    }
    return Assessment(**fields, why_not=Assessment(**fields)._closed(now))  # dataclasses.replace costs ~10 µs


def _items(names: Iterable[str]) -> str:
    """`item 1` or `items 1, 3`."""
    listed = list(names)
    return f"item{'s' if len(listed) > 1 else ''} {', '.join(listed)}"


def _request_window(determination: Determination, policy: PayerPolicy) -> Duration | None:
    """The policy's P2P request window for this kind of determination; None when it offers none."""
    if determination is Determination.ADVERSE and policy.after_denial is not AfterDenial.NONE:
        return policy.window
    return policy.pre_decision_window if determination is Determination.PENDING else None


def _item(item: Json) -> ItemAssessment:
    """An item's sequence and the code of the first PAS reviewAction on its adjudications."""
    action = None
    for adjudication in item.get("adjudication", []):
        for review in extensions(adjudication, REVIEW_ACTION):
            for part in extensions(review, REVIEW_ACTION_CODE):
                action = action or first_code(part.get("valueCodeableConcept"), ACTION_SYSTEM)
    return ItemAssessment(int(item.get("itemSequence", 0)), action, _DECISIONS.get(action or "", ItemDecision.OTHER))


def _determination(claim_response: Json, items: tuple[ItemAssessment, ...]) -> Determination:
    decisions = {item.decision for item in items}
    if claim_response.get("status") != "active" or claim_response.get("outcome") == "error":
        return Determination.NOT_ADVERSE
    if decisions & ADVERSE:
        return Determination.ADVERSE
    return Determination.PENDING if decisions & UNDECIDED else Determination.NOT_ADVERSE


def _single_value(claim_response: Json, url: str, key: str) -> Any:
    """The `key` value of the first extension with `url` on the response, or None."""
    found = extensions(claim_response, url)
    return found[0].get(key) if found else None


def _roles(claim_response: Json) -> tuple[str, ...]:
    """The roles the payer named on the response (`p2p-eligible-roles`, one extension per role)."""
    found = extensions(claim_response, P2P_ELIGIBLE_ROLES)
    codes = (first_code(ext.get("valueCodeableConcept"), ROLE_SYSTEM) for ext in found)
    return tuple(code for code in codes if code)


def _contact(claim_response: Json) -> Contact | None:
    point = _single_value(claim_response, P2P_CONTACT, "valueContactPoint") or {}
    return Contact(str(point["system"]), str(point["value"])) if point.get("system") and point.get("value") else None


def _instant(text: Any, zone: ZoneInfo, *, end: bool) -> datetime:
    """A FHIR dateTime as aware UTC. A date alone is read in the payer's zone: its start, or its end when `end`
    (a deadline given as a day lasts all that day); a time without a zone (not FHIR) is read there too."""
    if not isinstance(text, str):
        raise ValueError(f"expected a FHIR dateTime, got {text!r}")
    if len(text) == len("2026-11-20"):
        day = date.fromisoformat(text)
        return end_of_day(day, zone) if end else datetime.combine(day, time(), zone).astimezone(UTC)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
