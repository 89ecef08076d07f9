"""Differential test: `check_resource` (the structure walk alone when it finds nothing) agrees with fhir.resources.

For every corpus resource, every mutation of it, the hand-made corner cases and generated values of
each FHIR primitive type: the walk finds no error exactly when the JSON-only rules and
`Model.model_validate` find none (`differential.reference_problems`, the pipeline before the fast
path), and a rejected resource's report names each (place, rule) once. The walk never accepts what
pydantic rejects; it may be stricter only where listed in `STRICTER` (nowhere so far).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_p2p.resources.parse import check_resource
from tests.unit.resources.differential import (
    EDGE_CASES,
    TRICKY_VALUES,
    carrier,
    catalogue,
    reference_problems,
    source_names,
)

# Inputs the walk refuses although the JSON-only rules and pydantic accept them, by name.
STRICTER: frozenset[str] = frozenset()

PRIMITIVE_TYPES = (
    "base64Binary",
    "boolean",
    "canonical",
    "code",
    "date",
    "dateTime",
    "decimal",
    "id",
    "instant",
    "integer",
    "markdown",
    "oid",
    "positiveInt",
    "string",
    "time",
    "unsignedInt",
    "uri",
    "url",
    "uuid",
    "xhtml",
)

_ZONES = st.sampled_from(("", "", "Z", "+05:00", "-14:00", "+14:00", "+14:01", "+1:00"))
_DATES = st.one_of(st.dates().map(str), st.dates().map(lambda day: str(day)[:7]), st.integers(0, 10000).map(str))
_MOMENTS = st.tuples(st.datetimes(), st.sampled_from(("auto", "seconds")), _ZONES).map(
    lambda moment: moment[0].isoformat(timespec=moment[1]) + moment[2]
)
# Values close to valid ones of a FHIR type, so that both verdicts occur for every type.
NEAR_VALID: dict[str, st.SearchStrategy[Any]] = {
    "date": _DATES,
    "dateTime": st.one_of(_DATES, _MOMENTS),
    "instant": _MOMENTS,
    "time": st.tuples(st.times(), _ZONES).map(lambda moment: moment[0].isoformat() + moment[1]),
    "uuid": st.tuples(st.uuids(), st.sampled_from(("urn:uuid:", ""))).map(lambda uuid: f"{uuid[1]}{uuid[0]}"),
    "oid": st.lists(st.integers(0, 99), min_size=1, max_size=4).map(
        lambda arcs: "urn:oid:1." + ".".join(map(str, arcs))
    ),
    "base64Binary": st.binary(max_size=12).map(lambda data: base64.b64encode(data).decode()),
}
ANY_VALUE = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(max_size=12),
    st.integers(min_value=-(2**32), max_value=2**32),
    st.floats(allow_nan=False),
    st.booleans(),
)


@pytest.mark.parametrize("name", source_names())
def test_corpus_resource_is_valid_for_walk_and_model(name: str) -> None:
    resource = catalogue()[name].resource

    assert check_resource(resource) == []
    assert reference_problems(resource) == []


@pytest.mark.parametrize("name", source_names())
def test_walk_verdict_equals_model_verdict_for_every_mutation(name: str) -> None:
    source = catalogue()[name]

    disagreements = [disagreement(mutation.name, mutation.apply(source.resource)) for mutation in source.mutations]

    assert [found for found in disagreements if found is not None] == []


@pytest.mark.parametrize("name", EDGE_CASES)
def test_walk_verdict_equals_model_verdict_in_corner_cases(name: str) -> None:
    assert disagreement(name, EDGE_CASES[name]) is None


@pytest.mark.parametrize("fhir_type", PRIMITIVE_TYPES)
@settings(
    max_examples=120, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_walk_verdict_equals_model_verdict_for_generated_values(fhir_type: str, data: st.DataObject) -> None:
    value = data.draw(st.one_of(NEAR_VALID.get(fhir_type, st.nothing()), ANY_VALUE))

    assert disagreement(f"{fhir_type} {value!r}", carrier(fhir_type, value)) is None


def disagreement(name: str, resource: dict[str, Any]) -> str | None:
    """How `check_resource` and the reference pipeline disagree about `resource`, or None."""
    issues = check_resource(resource)
    expected = reference_problems(resource)
    if not issues and expected:
        return f"ACCEPTED {name}: pydantic says {expected[:3]}"
    if issues and not expected and name not in STRICTER:
        return f"STRICTER {name}: walk says {[(issue.rule, issue.expression) for issue in issues[:3]]}"
    places = [(issue.expression, issue.rule) for issue in issues]
    if len(places) != len(set(places)):
        return f"TWICE {name}: {places}"
    return None
