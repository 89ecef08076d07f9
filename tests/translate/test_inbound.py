"""`from_278`: one Bundle per transaction set of an interchange (requests and responses), from the text
or from an already checked report; UM02 I as a Claim; and the inbound 278s it refuses, each a named
mutation of a valid sample."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from fhir_p2p.errors import Unprocessable
from fhir_p2p.resources import pas
from fhir_p2p.translate import from_278, from_278_request, from_278_response
from fhir_p2p.x12 import check_interchange
from tests.translate.support import assert_accepted_by_both
from tests.x12.mutations import Edit, delete, recount, replace
from tests.x12.support import REQUEST, RESPONSE


def _lines(text: str) -> list[str]:
    return text.strip().removesuffix("~").split("~\n")


def _set(text: str) -> list[str]:
    """The ST..SE lines of the (only) transaction set of an interchange."""
    return _lines(text)[2:-2]


def _interchange(base: str, *sets: list[str]) -> str:
    """`base`'s ISA and GS around `sets` (each ST..SE), numbered 0001, 0002, ..., GE01 counted."""
    lines = _lines(base)
    body = []
    for number, found in enumerate(sets, 1):
        _, *middle, se = found
        body += [f"ST*278*{number:04d}*005010X217", *middle, f"{se.rsplit('*', 1)[0]}*{number:04d}"]
    group = lines[-2].split("*")
    return "~\n".join([*lines[:2], *body, f"GE*{len(sets)}*{group[2]}", lines[-1]]) + "~\n"


def _edited(base: str, *edits: Edit) -> str:
    for edit in edits:
        base = edit(base)
    return recount(base)


REQUEST_TEXT, RESPONSE_TEXT = REQUEST.read_text(), RESPONSE.read_text()
APPEAL = _edited(
    REQUEST_TEXT,
    replace("UM*HS*S*62*22:B", "UM*HS*1*62*22:B"),
    replace("MSG*PEER TO PEER REVIEW", "MSG*EXTERNAL REVIEW"),
)
NEW_REQUEST = _edited(
    REQUEST_TEXT, replace("UM*HS*S*62*22:B", "UM*HS*I*62*22:B"), replace("UM*HS*S*62~", "UM*HS*I*62~")
)
URGENT_REQUEST = _edited(
    NEW_REQUEST, replace("UM*HS*I*62*22:B", "UM*HS*I*62*22:B**U")
)  # UM06: the oracle cannot read it


def test_every_transaction_set_becomes_a_bundle_in_file_order():
    text = _interchange(REQUEST_TEXT, *(_set(t) for t in (REQUEST_TEXT, APPEAL, NEW_REQUEST, REQUEST_TEXT)))
    report = check_interchange(text)
    assert report.accepted
    bundles = from_278(report)  # the checked report: no second parse
    assert [b["entry"][0]["resource"]["resourceType"] for b in bundles] == ["Task", "Task", "Claim", "Task"]
    codes = [pas.first_code(b["entry"][0]["resource"].get("code"), pas.TASK_CODE_SYSTEM) for b in bundles]
    assert codes == ["peer-to-peer-review", "external-review", None, "peer-to-peer-review"]
    assert from_278(text) == bundles  # the text gives the same
    for bundle in bundles:
        get_fhir_model_class("Bundle").model_validate(bundle)
    assert_accepted_by_both({"requests": text})


def test_requests_and_responses_mix_in_one_interchange():
    text = _interchange(RESPONSE_TEXT, _set(RESPONSE_TEXT), _set(REQUEST_TEXT))
    bundles = from_278(text)
    assert [b["entry"][0]["resource"]["resourceType"] for b in bundles] == ["ClaimResponse", "Task"]
    assert bundles[0] == from_278_response(RESPONSE_TEXT)
    assert bundles[1] == from_278_request(REQUEST_TEXT)


def test_um02_i_is_a_new_prior_authorization_request_read_as_a_claim():
    bundle = from_278_request(URGENT_REQUEST)
    get_fhir_model_class("Bundle").model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Claim", "Coverage", "Patient", "Organization", "PractitionerRole", "Practitioner"]
    claim = bundle["entry"][0]["resource"]
    assert (claim["status"], claim["use"], claim["created"]) == ("active", "preauthorization", "2025-03-10")
    assert claim["priority"]["coding"][0]["code"] == "stat"  # UM06 U
    assert from_278_request(NEW_REQUEST)["entry"][0]["resource"]["priority"]["coding"][0]["code"] == "normal"
    assert claim["insurance"] == [
        {"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/coverage-W123456789"}}
    ]
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in claim["diagnosis"]] == ["M54.16", "M51.26"]
    assert claim["item"] == [
        {
            "sequence": 1,
            "productOrService": pas.concept(pas.CPT_SYSTEM, "72148"),
            "servicedPeriod": {"start": "2025-03-17", "end": "2025-04-15"},
            "quantity": {"value": 1},
        }
    ]


# name -> (sample, edits, the rule of the refusal, its X12 path)
REFUSED = {
    "cancellation (BHT02 01)": (REQUEST_TEXT, [replace("BHT*0007*13*", "BHT*0007*01*")], "x12map-006", "BHT02"),
    "UM02 3 (cancel)": (REQUEST_TEXT, [replace("UM*HS*S*62*22:B", "UM*HS*3*62*22:B")], "x12map-006", "2000E/UM02"),
    "a review naming no denial": (
        REQUEST_TEXT,
        [delete("REF*BB*AUTH778899"), replace("REF*NT*ADM2025021400017~\nDTP*AAH", "DTP*AAH")],
        "x12map-004",
        "2000E/REF",
    ),
    "a dependent patient (2000D)": (
        REQUEST_TEXT,
        [
            replace(
                "DMG*D8*19700412*F~\nHL*4*3*EV*1", "DMG*D8*19700412*F~\nHL*4*3*23*1~\nNM1*QC*1*VANCE*JUNE~\nHL*5*4*EV*1"
            ),
            replace("HL*5*4*SS*0", "HL*6*5*SS*0"),
        ],
        "x12map-006",
        "2000D",
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_inbound_278_that_the_mapping_cannot_read_is_refused_with_every_issue(name):
    base, edits, rule, path = REFUSED[name]
    text = _interchange(base, _set(REQUEST_TEXT), _set(_edited(base, *edits)))
    assert check_interchange(text).accepted, "the mutation is valid X12"
    with pytest.raises(Unprocessable) as refused:
        from_278(text)
    assert [(i.rule, i.expression) for i in refused.value.issues] == [(rule, path)]
    assert refused.value.issues[0].message.startswith("transaction set 0002: ")


def test_an_interchange_that_is_not_accepted_is_refused_with_its_x12_issues():
    text = _edited(REQUEST_TEXT, delete("NM1*X3*2*ACME HEALTH PLAN*****PI*12345"))
    report = check_interchange(text)
    assert not report.accepted
    with pytest.raises(Unprocessable) as refused:
        from_278(report)
    assert [i.rule for i in refused.value.issues] == [i.rule for i in report.to_issues()]


def test_the_single_readers_refuse_the_other_direction():
    with pytest.raises(Unprocessable, match="not a 278 response"):
        from_278_response(REQUEST_TEXT)
    with pytest.raises(Unprocessable, match="not a 278 request"):
        from_278_request(RESPONSE_TEXT)
