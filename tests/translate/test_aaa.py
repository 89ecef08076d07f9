"""ClaimResponse.error ⇄ AAA: each error goes to the loop of its PAS errorElement, its item's 2000F, or
2000E; the 278 passes both validators and reads back with the same errors."""

from __future__ import annotations

import json

from fhir_p2p.resources import pas
from fhir_p2p.translate import from_278_response, to_278_response
from tests.translate.support import EXAMPLES, ROOT, assert_accepted_by_both, example_set, mapped_fields

MRI = EXAMPLES / "ClaimResponse-denial-mri-lumbar.json"
PAS = ROOT.parent / "shared" / "corpus" / "pas"
ERROR_PATH = pas.PAS + "extension-errorPath"


def _error(code: str, *, loop: str | None = None, item: int | None = None, follow_up: str | None = None) -> dict:
    error: dict = {"code": pas.concept(pas.ERROR_SYSTEM, code)}
    extensions = []
    if loop:
        extensions.append({"url": pas.ERROR_ELEMENT, "extension": [{"url": "error", "valueString": loop}]})
    if follow_up:
        extensions.append(
            {"url": pas.ERROR_FOLLOW_UP, "valueCodeableConcept": pas.concept(pas.FOLLOW_UP_SYSTEM, follow_up)}
        )
    if extensions:
        error["extension"] = extensions
    if item:
        error["itemSequence"] = item
    return error


def _denial_with_errors() -> dict:
    """The MRI denial with an error in every placement the mapping has."""
    resources = example_set(MRI)
    resources[MRI.stem]["error"] = [
        _error("15"),  # 2000E
        _error("AG", item=1, follow_up="C"),  # 2000F of item 1
        _error("T4", loop="2010A-NM103", follow_up="N"),  # 2010A (the element is not carried)
        _error("42", loop="2010B"),  # 2010B, AAA01 Y and AAA04 R by default
        _error("58", loop="2010C", follow_up="P"),
        _error("79", loop="2000A", follow_up="Y"),
    ]
    return resources


def _error_response() -> dict:
    """PAS 2.2.1's ErrorResponseExample (outcome error, no items) with the parties of its rejection
    Bundle example and a Coverage for the member id, which the PAS examples do not carry."""
    error = json.loads((PAS / "pas-2.2.1-ClaimResponse-ErrorResponseExample.json").read_text())
    bundle = json.loads((PAS / "pas-2.2.1-Bundle-RejectionResponseBundleExample.json").read_text())
    parties = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] in ("Organization", "Patient")]
    coverage = {
        "resourceType": "Coverage",
        "id": "subscriber",
        "status": "active",
        "subscriberId": "12345678901",
        "beneficiary": {"reference": "Patient/SubscriberExample"},
        "payor": [{"reference": "Organization/InsurerExample"}],
    }
    return {f"{r['resourceType']}/{r['id']}": r for r in [error, *parties, coverage]}


def _segments(text: str) -> list[str]:
    return [line.rstrip("~") for line in text.splitlines()]


def test_errors_go_to_their_loops_and_pass_both_validators():
    texts = {"errors": to_278_response(_denial_with_errors()).text, "pas": to_278_response(_error_response()).text}
    assert_accepted_by_both(texts)
    segments = _segments(texts["errors"])
    assert segments[4:7] == ["HL*1**20*1", "AAA*N**79*Y", "NM1*X3*2*Northwind Health Plan*****PI*NWHP1"]
    assert segments[segments.index("NM1*X3*2*Northwind Health Plan*****PI*NWHP1") + 1] == "AAA*N**T4*N"
    assert segments[segments.index("NM1*FA*2*Cedar Valley Medical Center*****XX*1503948261") + 1] == "AAA*Y**42*R"
    assert segments[segments.index("NM1*IL*1*Vance*Theodora*J.***MI*NWH4417302951") + 1] == "AAA*N**58*P"
    event = segments.index("HL*4*3*EV*1")
    assert segments[event + 3] == "AAA*N**15*C"  # after TRN*1 and TRN*2
    assert segments[segments.index("HL*5*4*SS*0") + 1] == "AAA*N**AG*C"


def test_pas_error_example_becomes_aaa_at_2000e_and_2010a():
    segments = _segments(to_278_response(_error_response()).text)
    assert "AAA*N**04*C" in segments[segments.index("HL*4*3*EV*0") :]  # no errorElement: 2000E
    name = next(n for n, s in enumerate(segments) if s.startswith("NM1*X3"))
    assert segments[name + 1] == "AAA*N**T4*C"  # errorElement 2010A-NM103
    assert not any(s.startswith("HCR") for s in segments)


def test_errors_round_trip():
    for source in (_denial_with_errors(), _error_response()):
        bundle = from_278_response(to_278_response(source).text)
        assert mapped_fields(bundle) == mapped_fields(source)
    claim_response = from_278_response(to_278_response(_error_response()).text)["entry"][0]["resource"]
    assert claim_response["outcome"] == "error"  # AAA and no HCR


def test_what_aaa_cannot_carry_is_reported():
    resources = _denial_with_errors()
    errors = resources[MRI.stem]["error"]
    errors[2]["extension"].append({"url": ERROR_PATH, "valueString": "Bundle.entry[1].Organization.name"})
    errors.append({"code": {"text": "no X12 code"}})
    errors.append(_error("AG", item=7, follow_up="C"))  # no item 7: sent at 2000E
    errors.append({**_error("AF", follow_up="C"), "detailSequence": 1})
    found = {(i.expression, i.rule) for i in to_278_response(resources).issues}
    follow_up = f"extension('{pas.ERROR_FOLLOW_UP}')"
    expected = {
        ("ClaimResponse.error[0]." + follow_up, "x12map-007"),  # AAA04 is required: C sent
        ("ClaimResponse.error[3]." + follow_up, "x12map-007"),  # R sent for reason 42
        (f"ClaimResponse.error[2].extension('{pas.ERROR_ELEMENT}')", "x12map-005"),  # -NM103 dropped
        ("ClaimResponse.error[2].extension[2]", "x12map-001"),  # errorPath
        ("ClaimResponse.error[6].code", "x12map-001"),
        ("ClaimResponse.error[7].itemSequence", "x12map-005"),
        ("ClaimResponse.error[8].detailSequence", "x12map-001"),
    }
    assert {(e, r) for e, r in found if (e or "").startswith("ClaimResponse.error")} == expected


def test_more_than_nine_errors_in_a_loop_are_reported():
    resources = example_set(MRI)
    resources[MRI.stem]["error"] = [_error("15", follow_up="C") for _ in range(10)]
    issues = to_278_response(resources).issues
    assert [(i.expression, i.rule) for i in issues if "error" in (i.expression or "")] == [
        ("ClaimResponse.error[9]", "x12map-001")
    ]
