"""Assessing a determination under each example payer: item classes, eligibility, deadlines, roles, contact,
and the refusals of a P2P request (late, wrong role, non-adverse, item not denied) with the next step."""

from __future__ import annotations

import dataclasses

import pytest

from fhir_p2p.errors import Issue
from fhir_p2p.workflow.assess import Determination, ItemDecision, NextStep, assess
from fhir_p2p.workflow.policy import DEFAULT_POLICY, AfterDenial, Contact
from tests.conftest import load_example
from tests.mutations import drop_path, set_path
from tests.workflow.support import at, corpus, denial, policy, shipped_book

STORY_NOW = at("2026-11-18T08:30:00-06:00")  # the example Task's authoredOn
CORPUS_NOW = at("2005-05-02T12:02:00+05:00")  # an hour after the corpus responses were created
ACTION_CODE = "ClaimResponse.item[0].adjudication[0].extension[0].extension[0].valueCodeableConcept.coding[0].code"
P2P = "http://fhir-p2p.org/fhir/StructureDefinition/"
ALL_ROLES = ("ordering-physician", "covering-physician", "physician-assistant", "nurse-practitioner")
NORTHWIND_ROLES = ("ordering-physician", "covering-physician", "nurse-practitioner")


def _policy(payer_id):
    return policy(payer_id) if payer_id else DEFAULT_POLICY


@pytest.mark.parametrize(
    ("payer_id", "request_due", "appeal_due", "informational", "roles"),
    [
        ("EGMA1", "2026-12-01T23:59:59-08:00", "2027-01-16T23:59:59-08:00", True, ALL_ROLES),
        ("CMHI2", "2026-12-02T23:59:59-07:00", "2027-05-16T23:59:59-06:00", False, ALL_ROLES[:2]),
        ("NWHP1", "2026-11-24T23:59:59-06:00", "2027-05-16T23:59:59-05:00", False, NORTHWIND_ROLES),
        ("BBTX1", "2026-11-20T16:45:00-06:00", "2027-05-16T23:59:59-05:00", False, ALL_ROLES[:3]),
        ("", "2026-12-01T23:59:59-05:00", "2027-05-16T23:59:59-04:00", False, ALL_ROLES[:2]),
    ],
)
def test_mri_denial_under_each_payer(payer_id, request_due, appeal_due, informational, roles):
    assessment = assess(denial("mri-lumbar"), _policy(payer_id), STORY_NOW)
    assert assessment.determination is Determination.ADVERSE
    assert [(i.sequence, i.action, i.decision) for i in assessment.items] == [(1, "A3", ItemDecision.DENIED)]
    assert assessment.created_at == at("2026-11-17T22:45:00+00:00")
    assert assessment.request_due_at == at(request_due)
    assert assessment.appeal_due_at == at(appeal_due)
    assert (assessment.eligible, assessment.why_not) == (True, None)
    assert assessment.informational is informational
    assert assessment.roles == roles
    assert assessment.disputable == (1,)


@pytest.mark.parametrize(
    ("payer_id", "request_due", "appeal_due", "eligible"),
    [
        ("EGMA1", "2026-11-24T23:59:59-08:00", "2027-01-09T23:59:59-08:00", True),
        ("CMHI2", "2026-11-25T23:59:59-07:00", "2027-05-09T23:59:59-06:00", True),
        ("NWHP1", "2026-11-18T23:59:59-06:00", "2027-05-09T23:59:59-05:00", True),  # Veterans Day skipped
        ("BBTX1", "2026-11-13T14:05:00-06:00", "2027-05-09T23:59:59-05:00", False),  # 72 h ran out
        ("", "2026-11-24T23:59:59-05:00", "2027-05-09T23:59:59-04:00", True),
    ],
)
def test_inpatient_partial_denial_under_each_payer(payer_id, request_due, appeal_due, eligible):
    assessment = assess(denial("inpatient-stay"), _policy(payer_id), STORY_NOW)
    assert assessment.determination is Determination.ADVERSE
    assert [(i.sequence, i.decision) for i in assessment.items] == [
        (1, ItemDecision.PARTIAL),
        (2, ItemDecision.CERTIFIED),
    ]
    assert assessment.disputable == (1,)
    assert assessment.request_due_at == at(request_due)
    assert assessment.appeal_due_at == at(appeal_due)
    assert assessment.eligible is eligible


def test_inpatient_denial_after_a_72_hour_window_says_why_and_what_next():
    why_not = assess(denial("inpatient-stay"), policy("BBTX1"), STORY_NOW).why_not
    assert why_not is not None
    assert why_not.rule == "p2p-003"
    assert why_not.message == (
        "The peer-to-peer request window closed at 2026-11-13 14:05 CST; the request came at 2026-11-18 08:30 CST."
        " Next step: internal appeal by 2027-05-09."
    )
    assert (why_not.next_step, why_not.next_step_due_at) == (NextStep.INTERNAL_APPEAL, at("2027-05-09T23:59:59-05:00"))


@pytest.mark.parametrize(
    ("payer_id", "request_due", "informational"),
    [
        # created 2005-05-02T06:02Z: still 1 May in Los Angeles, 2 May (a Monday) elsewhere
        ("EGMA1", "2005-05-15T23:59:59-07:00", True),
        ("CMHI2", "2005-05-17T23:59:59-06:00", False),
        ("NWHP1", "2005-05-09T23:59:59-05:00", False),
        ("BBTX1", "2005-05-05T11:02:00+05:00", False),
        ("", "2005-05-16T23:59:59-04:00", False),
    ],
)
def test_corpus_rejection_under_each_payer(payer_id, request_due, informational):
    assessment = assess(corpus("RejectionResponseExample"), _policy(payer_id), CORPUS_NOW)
    assert assessment.determination is Determination.ADVERSE
    assert [(i.sequence, i.decision) for i in assessment.items] == [(1, ItemDecision.DENIED)]
    assert assessment.request_due_at == at(request_due)
    assert assessment.eligible
    assert assessment.informational is informational


@pytest.mark.parametrize(
    ("payer_id", "request_due", "why_not"),
    [
        ("EGMA1", "2005-05-03T11:02:00+05:00", None),  # 24 h pre-decision window
        ("BBTX1", "2005-05-03T23:59:59-05:00", None),  # 1 business day, Texas
        ("CMHI2", None, "Cascade Mutual Health Insurance"),
        ("NWHP1", None, "Northwind Health Plan"),
        ("", None, "Payer without a policy entry"),
    ],
)
def test_corpus_pended_response_opens_a_pre_decision_window_only_where_the_payer_offers_one(
    payer_id, request_due, why_not
):
    assessment = assess(corpus("PractitionerRequestorPendingResponseExample"), _policy(payer_id), CORPUS_NOW)
    assert assessment.determination is Determination.PENDING
    assert [(i.sequence, i.action, i.decision) for i in assessment.items] == [(1, "A4", ItemDecision.PENDED)]
    assert assessment.appeal_due_at is None
    assert not assessment.informational
    if request_due:
        assert assessment.request_due_at == at(request_due)
        assert assessment.eligible
        assert assessment.disputable == (1,)
    else:
        assert assessment.request_due_at is None
        assert assessment.why_not is not None
        assert assessment.why_not.rule == "p2p-001"
        assert assessment.why_not.message == (
            f"The determination is still pending (A4/CT) and {why_not} offers no peer-to-peer review before it."
            " Next step: wait for the payer's determination."
        )
        assert (assessment.why_not.next_step, assessment.why_not.next_step_due_at) == (
            NextStep.AWAIT_DETERMINATION,
            None,
        )


NOT_ADVERSE = (
    "The response is not an adverse determination: it must be active with an item denied (A3), partly certified"
    " (A2) or modified (A6). Next step: none."
)


@pytest.mark.parametrize("payer_id", ["EGMA1", "CMHI2", "NWHP1", "BBTX1", ""])
@pytest.mark.parametrize(
    ("response", "decisions"),
    [
        (lambda: corpus("PractitionerRequestorResponseExample"), [ItemDecision.CERTIFIED]),
        (lambda: corpus("ErrorResponseExample"), []),
        (lambda: load_example("ClaimResponse-approval-physical-therapy"), [ItemDecision.CERTIFIED] * 2),
    ],
    ids=["corpus-approval", "corpus-error", "example-approval"],
)
def test_an_approval_or_an_error_is_not_eligible(payer_id, response, decisions):
    assessment = assess(response(), _policy(payer_id), CORPUS_NOW)
    assert assessment.determination is Determination.NOT_ADVERSE
    assert [i.decision for i in assessment.items] == decisions
    assert (assessment.request_due_at, assessment.appeal_due_at) == (None, None)
    assert assessment.why_not is not None
    assert (assessment.why_not.rule, assessment.why_not.message) == ("p2p-001", NOT_ADVERSE)
    assert (assessment.why_not.next_step, assessment.why_not.next_step_due_at) == (NextStep.NONE, None)


def test_corpus_insurer_is_unknown_so_the_default_policy_applies():
    assert shipped_book().for_insurer(corpus("RejectionResponseExample")["insurer"]) is DEFAULT_POLICY


@pytest.mark.parametrize(
    ("code", "decision", "determination"),
    [
        ("A3", ItemDecision.DENIED, Determination.ADVERSE),
        ("A2", ItemDecision.PARTIAL, Determination.ADVERSE),
        ("A6", ItemDecision.MODIFIED, Determination.ADVERSE),
        ("A1", ItemDecision.CERTIFIED, Determination.NOT_ADVERSE),
        ("A4", ItemDecision.PENDED, Determination.PENDING),
        ("CT", ItemDecision.CONTACT_PAYER, Determination.PENDING),
        ("C", ItemDecision.OTHER, Determination.NOT_ADVERSE),
        ("NA", ItemDecision.OTHER, Determination.NOT_ADVERSE),
        ("ZZ", ItemDecision.OTHER, Determination.NOT_ADVERSE),
    ],
)
def test_review_action_codes_classify_the_item(code, decision, determination):
    claim_response = set_path(denial("mri-lumbar"), ACTION_CODE, code)
    assessment = assess(claim_response, policy("NWHP1"), STORY_NOW)
    assert [(i.action, i.decision) for i in assessment.items] == [(code, decision)]
    assert assessment.determination is determination


def test_an_item_without_a_review_action_is_neither_adverse_nor_pending():
    claim_response = drop_path(denial("mri-lumbar"), "ClaimResponse.item[0].adjudication[0].extension[0]")
    assessment = assess(claim_response, policy("NWHP1"), STORY_NOW)
    assert [(i.action, i.decision) for i in assessment.items] == [(None, ItemDecision.OTHER)]
    assert assessment.determination is Determination.NOT_ADVERSE


def test_a_cancelled_response_is_not_adverse():
    claim_response = set_path(denial("mri-lumbar"), "ClaimResponse.status", "cancelled")
    assert assess(claim_response, policy("NWHP1"), STORY_NOW).determination is Determination.NOT_ADVERSE


def test_payer_extensions_on_the_response_win_over_the_policy():
    claim_response = denial("mri-lumbar")
    claim_response["extension"] += [
        {"url": P2P + "p2p-request-deadline", "valueDateTime": "2026-11-19T17:00:00-06:00"},
        {"url": P2P + "p2p-contact", "valueContactPoint": {"system": "email", "value": "p2p@northwind.example.org"}},
        *(
            {"url": P2P + "p2p-eligible-roles", "valueCodeableConcept": {"coding": [{"system": ROLE, "code": code}]}}
            for code in ("ordering-physician", "physician-assistant")
        ),
    ]
    assessment = assess(claim_response, policy("NWHP1"), STORY_NOW)
    assert assessment.request_due_at == at("2026-11-19T17:00:00-06:00")
    assert assessment.contact == Contact("email", "p2p@northwind.example.org")
    assert assessment.roles == ("ordering-physician", "physician-assistant")
    assert assessment.refusal(STORY_NOW, "physician-assistant") is None
    refused = assessment.refusal(STORY_NOW, "nurse-practitioner")
    assert refused is not None
    assert refused.rule == "p2p-004"


ROLE = "http://fhir-p2p.org/fhir/CodeSystem/p2p-requester-role"


def test_a_payer_deadline_given_as_a_date_lasts_that_whole_day_in_the_payer_zone():
    claim_response = denial("mri-lumbar")
    claim_response["extension"].append({"url": P2P + "p2p-request-deadline", "valueDateTime": "2026-11-19"})
    assessment = assess(claim_response, policy("NWHP1"), STORY_NOW)
    assert assessment.request_due_at == at("2026-11-19T23:59:59-06:00")


def test_the_policy_contact_is_used_when_the_response_has_none():
    assert assess(denial("mri-lumbar"), policy("NWHP1"), STORY_NOW).contact == Contact("phone", "+1-312-555-0188")
    assert assess(denial("mri-lumbar"), policy("CMHI2"), STORY_NOW).contact is None


def test_a_payer_without_p2p_after_a_final_denial_refuses_it_unless_the_denial_gives_a_deadline():
    no_p2p = dataclasses.replace(policy("NWHP1"), after_denial=AfterDenial.NONE)
    assessment = assess(denial("mri-lumbar"), no_p2p, STORY_NOW)
    assert assessment.request_due_at is None
    assert assessment.why_not is not None
    assert assessment.why_not.rule == "p2p-002"
    assert assessment.why_not.message == (
        "Northwind Health Plan offers no peer-to-peer review after a final determination."
        " Next step: internal appeal by 2027-05-16."
    )
    claim_response = denial("mri-lumbar")
    claim_response["extension"].append({"url": P2P + "p2p-request-deadline", "valueDateTime": "2026-11-20"})
    assert assess(claim_response, no_p2p, STORY_NOW).eligible


MRI_NORTHWIND_DUE = at("2026-11-24T23:59:59-06:00")


@pytest.mark.parametrize(
    ("name", "payer_id", "requested_at", "role", "items", "rule", "message", "next_step", "due"),
    [
        pytest.param(
            "mri-lumbar",
            "NWHP1",
            "2026-11-25T09:00:00-06:00",
            "ordering-physician",
            (),
            "p2p-003",
            "The peer-to-peer request window closed at 2026-11-24; the request came at 2026-11-25 09:00 CST."
            " Next step: internal appeal by 2027-05-16.",
            NextStep.INTERNAL_APPEAL,
            "2027-05-16T23:59:59-05:00",
            id="late-business-days",
        ),
        pytest.param(
            "mri-lumbar",
            "EGMA1",
            "2026-12-05T10:00:00-08:00",
            "ordering-physician",
            (),
            "p2p-003",
            "The peer-to-peer request window closed at 2026-12-01; the request came at 2026-12-05 10:00 PST."
            " Next step: internal appeal by 2027-01-16.",
            NextStep.INTERNAL_APPEAL,
            "2027-01-16T23:59:59-08:00",
            id="late-medicare-advantage",
        ),
        pytest.param(
            "mri-lumbar",
            "BBTX1",
            "2026-11-20T16:45:01-06:00",
            "ordering-physician",
            (),
            "p2p-003",
            "The peer-to-peer request window closed at 2026-11-20 16:45 CST; the request came at 2026-11-20 16:45:01"
            " CST."
            " Next step: internal appeal by 2027-05-16.",
            NextStep.INTERNAL_APPEAL,
            "2027-05-16T23:59:59-05:00",
            id="late-by-a-second",
        ),
        pytest.param(
            "mri-lumbar",
            "NWHP1",
            "2026-11-18T08:30:00-06:00",
            "physician-assistant",
            (),
            "p2p-004",
            "Northwind Health Plan does not accept peer-to-peer requests from physician-assistant (accepted:"
            " ordering-physician, covering-physician, nurse-practitioner). Next step: a request by an accepted role"
            " by 2026-11-24.",
            NextStep.P2P_REQUEST,
            "2026-11-24T23:59:59-06:00",
            id="wrong-role",
        ),
        pytest.param(
            "mri-lumbar",
            "CMHI2",
            "2026-11-18T08:30:00-06:00",
            "nurse-practitioner",
            (1,),
            "p2p-004",
            "Cascade Mutual Health Insurance does not accept peer-to-peer requests from nurse-practitioner (accepted:"
            " ordering-physician, covering-physician). Next step: a request by an accepted role by 2026-12-02.",
            NextStep.P2P_REQUEST,
            "2026-12-02T23:59:59-07:00",
            id="wrong-role-default-zone",
        ),
        pytest.param(
            "inpatient-stay",
            "NWHP1",
            "2026-11-18T08:30:00-06:00",
            "ordering-physician",
            (2,),
            "p2p-005",
            "A peer-to-peer review can dispute item 1 only, not item 2 (certified). Next step: a request for item 1"
            " by 2026-11-18.",
            NextStep.P2P_REQUEST,
            "2026-11-18T23:59:59-06:00",
            id="item-certified",
        ),
        pytest.param(
            "inpatient-stay",
            "EGMA1",
            "2026-11-18T08:30:00-06:00",
            "covering-physician",
            (1, 2, 7),
            "p2p-005",
            "A peer-to-peer review can dispute item 1 only, not items 2 (certified), 7 (not in the determination)."
            " Next step: a request for item 1 by 2026-11-24.",
            NextStep.P2P_REQUEST,
            "2026-11-24T23:59:59-08:00",
            id="items-certified-and-unknown",
        ),
    ],
)
def test_refusal_says_why_and_gives_the_next_step_with_its_date(
    name, payer_id, requested_at, role, items, rule, message, next_step, due
):
    assessment = assess(denial(name), policy(payer_id), STORY_NOW)
    refused = assessment.refusal(at(requested_at), role, items)
    assert refused is not None
    assert (refused.rule, refused.message) == (rule, message)
    assert (refused.next_step, refused.next_step_due_at) == (next_step, at(due))


def test_refusal_of_a_non_adverse_determination():
    assessment = assess(load_example("ClaimResponse-approval-physical-therapy"), policy("NWHP1"), STORY_NOW)
    refused = assessment.refusal(STORY_NOW, "ordering-physician", [1])
    assert refused is not None
    assert (refused.rule, refused.message, refused.expression) == ("p2p-001", NOT_ADVERSE, "Task.focus")
    assert refused.to_issue() == Issue("error", "business-rule", NOT_ADVERSE, "Task.focus", "p2p-001")


def test_refusal_after_the_appeal_window_too_has_no_next_step():
    assessment = assess(corpus("RejectionResponseExample"), policy("NWHP1"), CORPUS_NOW)
    refused = assessment.refusal(STORY_NOW, "ordering-physician")
    assert refused is not None
    assert refused.message == (
        "The peer-to-peer request window closed at 2005-05-09; the request came at 2026-11-18 08:30 CST."
        " Next step: none: the internal-appeal window closed at 2005-10-29 too."
    )
    assert (refused.next_step, refused.next_step_due_at) == (NextStep.NONE, None)


def test_a_late_pre_decision_request_waits_for_the_determination():
    assessment = assess(corpus("PractitionerRequestorPendingResponseExample"), policy("EGMA1"), CORPUS_NOW)
    refused = assessment.refusal(at("2005-05-04T12:00:00+05:00"), "nurse-practitioner")
    assert refused is not None
    assert refused.message == (
        "The peer-to-peer request window closed at 2005-05-02 23:02 PDT; the request came at 2005-05-04 00:00 PDT."
        " Next step: wait for the payer's determination."
    )
    assert (refused.rule, refused.next_step) == ("p2p-003", NextStep.AWAIT_DETERMINATION)


def test_a_request_in_time_from_an_accepted_role_for_denied_items_is_not_refused():
    assessment = assess(denial("mri-lumbar"), policy("NWHP1"), STORY_NOW)
    assert assessment.refusal(STORY_NOW, "ordering-physician", [1]) is None
    assert assessment.refusal(MRI_NORTHWIND_DUE, "nurse-practitioner") is None  # the last second counts


def test_a_late_request_is_refused_for_lateness_before_its_role():
    assessment = assess(denial("mri-lumbar"), policy("NWHP1"), STORY_NOW)
    refused = assessment.refusal(at("2026-12-01T09:00:00-06:00"), "physician-assistant", [9])
    assert refused is not None
    assert refused.rule == "p2p-003"


@pytest.mark.parametrize(
    ("payer_id", "due"),
    [
        ("NWHP1", "2026-11-20T23:59:59-06:00"),  # the call by the end of the next business day, then 24 h
        ("BBTX1", "2026-11-20T08:30:00-06:00"),  # 24 h to the call, 24 h to the decision
    ],
)
def test_decision_deadline_follows_the_request(payer_id, due):
    assessment = assess(denial("mri-lumbar"), policy(payer_id), STORY_NOW)
    assert assessment.decision_due_at(STORY_NOW) == at(due)


def test_assess_refuses_a_time_without_a_zone():
    with pytest.raises(ValueError, match="has no time zone"):
        assess(denial("mri-lumbar"), policy("NWHP1"), STORY_NOW.replace(tzinfo=None))


def test_assess_refuses_a_response_without_created():
    with pytest.raises(ValueError, match="expected a FHIR dateTime, got None"):
        assess(drop_path(denial("mri-lumbar"), "ClaimResponse.created"), policy("NWHP1"), STORY_NOW)
