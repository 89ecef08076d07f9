"""Every denial in examples/ becomes a 278 response that we and pyx12 accept, and reads back with
every mapped field intact."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from fhir_p2p.translate import from_278_response, to_278_response
from tests.translate.support import assert_accepted_by_both, denial_files, example_set, mapped_fields


def test_every_denial_example_passes_check_interchange_and_the_oracle():
    texts = {path.stem: to_278_response(example_set(path)).text for path in denial_files()}
    assert len(texts) == 2
    assert_accepted_by_both(texts)


@pytest.mark.parametrize("path", denial_files(), ids=lambda p: p.stem)
def test_denial_example_round_trip_keeps_every_mapped_field(path):
    source = example_set(path)
    bundle = from_278_response(to_278_response(source).text)
    get_fhir_model_class("Bundle").model_validate(bundle)  # the read-back is structurally valid R4
    assert mapped_fields(bundle) == mapped_fields(source)


@pytest.mark.parametrize("path", denial_files(), ids=lambda p: p.stem)
def test_denial_example_reports_what_x12_cannot_carry(path):
    issues = to_278_response(example_set(path)).issues
    expressions = {i.expression for i in issues}
    assert {"ClaimResponse.disposition", "ClaimResponse.extension[0]", "ClaimResponse.created"} <= expressions
    assert all(i.severity == "warning" and i.rule and i.rule.startswith("x12map-") for i in issues)
