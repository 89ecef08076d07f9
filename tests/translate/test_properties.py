"""Property: generated denials (delimiters in names, up to 12 items, optional elements missing)
become 278 responses that we and pyx12 (one batch) accept, and read back with every mapped field."""

from __future__ import annotations

from hypothesis import given

from fhir_p2p.translate import from_278_response, to_278_response
from fhir_p2p.x12 import check_interchange
from tests.translate.strategies import denials, generated
from tests.translate.support import assert_accepted_by_both, mapped_fields


def test_generated_denials_pass_both_validators_and_round_trip():
    written: dict[str, str] = {}

    @generated(30)
    @given(denials())
    def round_trip(resources: dict) -> None:
        text = to_278_response(resources).text
        assert check_interchange(text).all_issues() == []
        assert mapped_fields(from_278_response(text)) == mapped_fields(resources)
        written[f"denial-{len(written):03d}"] = text

    round_trip()
    delimiters = {text[3] + text[104] + text[105] for text in written.values()}
    assert len(delimiters) > 1, "names full of delimiters should push the builder off the default ones"
    assert_accepted_by_both(written)
