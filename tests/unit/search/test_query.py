"""`parse_search`: query strings into `SearchRequest`s, and the issues bad ones raise."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fhir_p2p.errors import BadRequest, NotFound
from fhir_p2p.search.model import (
    Criterion,
    DatePrefix,
    DateValue,
    Include,
    ReferenceValue,
    SearchParam,
    SearchRequest,
    SortKey,
    TokenValue,
)
from fhir_p2p.search.params import ID_PARAM, LAST_UPDATED_PARAM, param_for
from fhir_p2p.search.query import parse_search, split_escaped, unescape

X12_306 = "https://codesystem.x12.org/005010/306"


def parse(
    resource_type: str,
    args: Sequence[tuple[str, str]],
    *,
    strict: bool = False,
    base_url: str | None = None,
) -> SearchRequest:
    return parse_search(resource_type, args, strict=strict, default_count=20, max_count=100, base_url=base_url)


def only(request: SearchRequest) -> Criterion:
    assert len(request.criteria) == 1
    return request.criteria[0]


def issues_of(
    resource_type: str, args: Sequence[tuple[str, str]], *, strict: bool = False
) -> list[tuple[str, str, str]]:
    with pytest.raises(BadRequest) as caught:
        parse(resource_type, args, strict=strict)
    return [(issue.rule or "", issue.expression or "", issue.code) for issue in caught.value.issues]


def param(resource_type: str, name: str) -> SearchParam:
    found = param_for(resource_type, name)
    assert found is not None
    return found


# --- the request as a whole --------------------------------------------------------------------


def test_empty_query_gives_defaults() -> None:
    request = parse("ClaimResponse", [])
    assert request == SearchRequest(
        resource_type="ClaimResponse",
        criteria=(),
        sort=(),
        count=20,
        includes=(),
        summary_count=False,
        cursor=None,
        used=(),
        ignored=(),
    )


def test_unknown_or_unstored_resource_type_is_not_found() -> None:
    for resource_type in ("Observation", "Nope", "claimresponse"):
        with pytest.raises(NotFound) as caught:
            parse(resource_type, [])
        assert caught.value.issues[0].rule == "search-001"


def test_repeats_are_anded_and_commas_ored() -> None:
    request = parse("Task", [("status", "requested,accepted"), ("status", "in-progress")])
    assert [criterion.values for criterion in request.criteria] == [
        (TokenValue(None, "requested"), TokenValue(None, "accepted")),
        (TokenValue(None, "in-progress"),),
    ]
    assert request.used == (("status", "requested,accepted"), ("status", "in-progress"))


def test_used_lists_criteria_in_order_then_result_parameters() -> None:
    request = parse(
        "ClaimResponse",
        [
            ("_revinclude", "Task:focus"),
            ("_count", "10"),
            ("outcome", "complete"),
            ("_sort", "-created"),
            ("_format", "json"),
            ("_pretty", "true"),
            ("created", "ge2024"),
            ("_summary", "false"),
            ("_include", "ClaimResponse:patient"),
            ("_cursor", "abc"),
        ],
    )
    assert request.used == (
        ("outcome", "complete"),
        ("created", "ge2024"),
        ("_sort", "-created"),
        ("_count", "10"),
        ("_revinclude", "Task:focus"),
        ("_include", "ClaimResponse:patient"),
        ("_summary", "false"),
    )
    assert request.ignored == ()
    assert request.cursor == "abc"


def test_empty_values_are_skipped() -> None:
    request = parse("Task", [("status", ""), ("_count", ""), ("code", ",")])
    assert request.criteria == () and request.used == () and request.count == 20


def test_every_issue_is_reported_at_once() -> None:
    assert issues_of(
        "ClaimResponse",
        [
            ("created", "xx2024"),
            ("created", "2024-13"),
            ("_count", "many"),
            ("status:exact", "a"),
            ("foo", "1"),
        ],
        strict=True,
    ) == [
        ("search-007", "created", "value"),
        ("search-008", "created", "value"),
        ("search-011", "_count", "value"),
        ("search-004", "status", "value"),
        ("search-002", "foo", "not-supported"),
    ]


# --- unknown parameters ------------------------------------------------------------------------


def test_unknown_parameters_are_ignored_when_lenient() -> None:
    request = parse(
        "Task",
        [
            ("status", "ready"),
            ("foo", "1"),
            ("_elements", "id"),
            ("foo", "2"),
            ("owner.name", "x"),
            ("_has:x", "y"),
        ],
    )
    assert request.ignored == ("foo", "_elements", "owner.name", "_has:x")
    assert request.used == (("status", "ready"),)


def test_unknown_parameters_are_refused_when_strict() -> None:
    assert issues_of("Task", [("foo", "1"), ("owner.name", "x"), ("status", "ready")], strict=True) == [
        ("search-002", "foo", "not-supported"),
        ("search-002", "owner.name", "not-supported"),
    ]


# --- tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (f"{X12_306}|A3", TokenValue(X12_306, "A3")),
        ("|A3", TokenValue("", "A3")),
        (f"{X12_306}|", TokenValue(X12_306, None)),
        ("A3", TokenValue(None, "A3")),
        (r"a\|b", TokenValue(None, "a|b")),
        (r"s|a\,b", TokenValue("s", "a,b")),
    ],
)
def test_token_value_forms(raw: str, value: TokenValue) -> None:
    criterion = only(parse("ClaimResponse", [("review-action", raw)]))
    assert criterion.param == param("ClaimResponse", "review-action")
    assert criterion.modifier is None
    assert criterion.values == (value,)


def test_escaped_comma_does_not_split() -> None:
    criterion = only(parse("Task", [("code", r"a\,b,c")]))
    assert criterion.values == (TokenValue(None, "a,b"), TokenValue(None, "c"))


@pytest.mark.parametrize("raw", ["|", "a|b|c"])
def test_bad_token_values(raw: str) -> None:
    assert issues_of("Task", [("code", raw)]) == [("search-006", "code", "value")]


def test_token_not_modifier() -> None:
    criterion = only(parse("Task", [("status:not", "completed,cancelled")]))
    assert criterion.modifier == "not"
    assert criterion.values == (TokenValue(None, "completed"), TokenValue(None, "cancelled"))


def test_token_text_modifier_is_not_supported() -> None:
    assert issues_of("Task", [("code:text", "attachment")]) == [("search-003", "code", "not-supported")]


@pytest.mark.parametrize("name", ["status:exact", "status:contains", "status:Patient", "created:not", "status:foo"])
def test_modifier_not_valid_for_the_parameter_type(name: str) -> None:
    base = name.split(":")[0]
    assert issues_of("ClaimResponse", [(name, "x")]) == [("search-004", base, "value")]


# --- :missing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["status", "created", "patient", "disposition", "_profile"])
def test_missing_on_every_type(name: str) -> None:
    criterion = only(parse("ClaimResponse", [(f"{name}:missing", "true")]))
    assert criterion.modifier == "missing" and criterion.values == ("true",)
    criterion = only(parse("ClaimResponse", [(f"{name}:missing", "false")]))
    assert criterion.values == ("false",)


@pytest.mark.parametrize("raw", ["yes", "TRUE", "true,false"])
def test_missing_needs_true_or_false(raw: str) -> None:
    assert issues_of("ClaimResponse", [("status:missing", raw)]) == [("search-005", "status", "value")]


# --- strings -----------------------------------------------------------------------------------


def test_string_values_are_normalized_and_modifiers_kept() -> None:
    request = parse(
        "Patient",
        [
            ("name", "JOSÉ,  Álvarez "),
            ("family:exact", "Smith"),
            ("given:contains", "an"),
            ("name:missing", "false"),
        ],
    )
    assert [(c.param, c.modifier, c.values) for c in request.criteria] == [
        (param("Patient", "name"), None, ("jose", "alvarez")),
        (param("Patient", "family"), "exact", ("smith",)),
        (param("Patient", "given"), "contains", ("an",)),
        (param("Patient", "name"), "missing", ("false",)),
    ]
    assert request.used[0] == ("name", "JOSÉ,  Álvarez ")
    assert request.used[1] == ("family:exact", "Smith")


def test_uri_value_is_kept_as_written() -> None:
    criterion = only(parse("Subscription", [("url", "http://Example.org/Hook")]))
    assert criterion.values == ("http://Example.org/Hook",)


def test_uri_below_is_not_supported() -> None:
    assert issues_of("Subscription", [("url:below", "http://example.org")]) == [("search-003", "url", "not-supported")]


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [p.value for p in DatePrefix])
def test_every_date_prefix(prefix: str) -> None:
    criterion = only(parse("ClaimResponse", [("created", f"{prefix}2024-02")]))
    assert criterion.values == (
        DateValue(DatePrefix(prefix), "2024-02-01T00:00:00.000000Z", "2024-02-29T23:59:59.999999Z"),
    )


def test_date_without_prefix_is_eq_and_keeps_its_precision() -> None:
    request = parse(
        "Task",
        [("authored-on", "2024"), ("modified", "2024-03-05"), ("period", "lt2024-03-05T10:00:00+02:00")],
    )
    assert [criterion.values for criterion in request.criteria] == [
        (DateValue(DatePrefix.EQ, "2024-01-01T00:00:00.000000Z", "2024-12-31T23:59:59.999999Z"),),
        (DateValue(DatePrefix.EQ, "2024-03-05T00:00:00.000000Z", "2024-03-05T23:59:59.999999Z"),),
        (DateValue(DatePrefix.LT, "2024-03-05T08:00:00.000000Z", "2024-03-05T08:00:00.999999Z"),),
    ]


def test_unencoded_plus_in_a_zone_offset_is_read_back() -> None:
    criterion = only(parse("ClaimResponse", [("created", "ge2005-05-02T11:02:00 05:00")]))
    assert criterion.values == (DateValue(DatePrefix.GE, "2005-05-02T06:02:00.000000Z", "2005-05-02T06:02:00.999999Z"),)


def test_date_or_values() -> None:
    criterion = only(parse("ClaimResponse", [("p2p-deadline", "lt2024-01-01,gt2025")]))
    assert [value.prefix for value in criterion.values if isinstance(value, DateValue)] == [
        DatePrefix.LT,
        DatePrefix.GT,
    ]


@pytest.mark.parametrize(("raw", "rule"), [("xx2024", "search-007"), ("Eq2024", "search-007")])
def test_bad_date_prefix(raw: str, rule: str) -> None:
    assert issues_of("ClaimResponse", [("created", raw)]) == [(rule, "created", "value")]


@pytest.mark.parametrize("raw", ["2024-13", "ge2024-02-30", "2024-1", "eq", "ge", "12/01/2024", "2024-01-01T10"])
def test_bad_date_value(raw: str) -> None:
    assert issues_of("ClaimResponse", [("created", raw)]) == [("search-008", "created", "value")]


def test_last_updated() -> None:
    criterion = only(parse("Task", [("_lastUpdated", "gt2024-01-01T00:00:00Z")]))
    assert criterion.param is LAST_UPDATED_PARAM
    assert criterion.values == (DateValue(DatePrefix.GT, "2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00.999999Z"),)
    assert issues_of("Task", [("_lastUpdated", "2024-99")]) == [("search-008", "_lastUpdated", "value")]


# --- _id ---------------------------------------------------------------------------------------


def test_id_values_are_plain_strings() -> None:
    criterion = only(parse("Task", [("_id", "a1,b-2.c")]))
    assert criterion.param is ID_PARAM and criterion.modifier is None
    assert criterion.values == ("a1", "b-2.c")


def test_bad_id_and_modifiers_on_pseudo_parameters() -> None:
    assert issues_of("Task", [("_id", "a b")]) == [("search-010", "_id", "value")]
    assert issues_of("Task", [("_id", "x" * 65)]) == [("search-010", "_id", "value")]
    assert issues_of("Task", [("_id:missing", "true")]) == [("search-004", "_id", "value")]
    assert issues_of("Task", [("_lastUpdated:not", "2024")]) == [("search-004", "_lastUpdated", "value")]


# --- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("patient", "Patient/123", ReferenceValue("Patient", "123", None)),
        ("patient", "Patient/123/_history/2", ReferenceValue("Patient", "123", None)),
        ("patient", "123", ReferenceValue(None, "123", None)),
        ("focus", "ClaimResponse/cr-1", ReferenceValue("ClaimResponse", "cr-1", None)),
        (
            "owner",
            "http://example.org/fhir/Organization/1",
            ReferenceValue(None, None, "http://example.org/fhir/Organization/1"),
        ),
        ("focus", "urn:uuid:1234", ReferenceValue(None, None, "urn:uuid:1234")),
    ],
)
def test_reference_value_forms(name: str, raw: str, value: ReferenceValue) -> None:
    criterion = only(parse("Task", [(name, raw)]))
    assert criterion.values == (value,)


def test_absolute_url_under_our_base_is_matched_by_type_and_id() -> None:
    criterion = only(
        parse(
            "Task",
            [("focus", "https://p2p.example/fhir/ClaimResponse/9")],
            base_url="https://p2p.example/fhir/",
        )
    )
    assert criterion.values == (ReferenceValue("ClaimResponse", "9", "https://p2p.example/fhir/ClaimResponse/9"),)
    criterion = only(
        parse(
            "Task",
            [("focus", "https://other.example/fhir/ClaimResponse/9")],
            base_url="https://p2p.example/fhir",
        )
    )
    assert criterion.values == (ReferenceValue(None, None, "https://other.example/fhir/ClaimResponse/9"),)


def test_type_modifier_on_a_reference() -> None:
    criterion = only(parse("Task", [("focus:ClaimResponse", "123,ClaimResponse/456")]))
    assert criterion.modifier == "ClaimResponse"
    assert criterion.values == (
        ReferenceValue("ClaimResponse", "123", None),
        ReferenceValue("ClaimResponse", "456", None),
    )
    assert parse("Task", [("focus:ClaimResponse", "123")]).used == (("focus:ClaimResponse", "123"),)


@pytest.mark.parametrize(
    ("name", "raw", "rule"),
    [
        ("patient", "Organization/1", "search-009"),  # Task.patient only points to Patient
        ("patient", "Nope/1", "search-009"),
        ("patient", "a/b/c", "search-009"),
        ("patient", "bad id", "search-009"),
        ("focus:ClaimResponse", "Task/1", "search-009"),
        ("patient:Organization", "1", "search-004"),
        ("patient:identifier", "x|1", "search-003"),
    ],
)
def test_bad_reference_values(name: str, raw: str, rule: str) -> None:
    code = "not-supported" if rule == "search-003" else "value"
    assert issues_of("Task", [(name, raw)]) == [(rule, name.split(":")[0], code)]


# --- _count, _summary, _cursor -----------------------------------------------------------------


def test_count_is_capped_and_echoed_as_applied() -> None:
    request = parse("Task", [("_count", "500")])
    assert request.count == 100 and request.used == (("_count", "100"),)
    assert parse("Task", [("_count", "7")]).count == 7
    request = parse_search("Task", [], strict=False, default_count=500, max_count=50)
    assert request.count == 50


def test_count_zero_means_total_only() -> None:
    request = parse("Task", [("_count", "0")])
    assert request.summary_count is True and request.count == 0


@pytest.mark.parametrize("raw", ["-1", "ten", "1.5", "+3", "٣"])
def test_bad_count(raw: str) -> None:
    assert issues_of("Task", [("_count", raw)]) == [("search-011", "_count", "value")]


def test_summary_values() -> None:
    assert parse("Task", [("_summary", "count")]).summary_count is True
    request = parse("Task", [("_summary", "false")])
    assert request.summary_count is False and request.used == (("_summary", "false"),)
    for raw in ("true", "text", "data", "bogus"):
        assert issues_of("Task", [("_summary", raw)]) == [("search-015", "_summary", "not-supported")]


def test_cursor_is_passed_through_and_not_used() -> None:
    request = parse("Task", [("status", "ready"), ("_cursor", "opaque==")])
    assert request.cursor == "opaque==" and request.used == (("status", "ready"),)


@pytest.mark.parametrize("name", ["_count", "_sort", "_summary", "_cursor"])
def test_result_parameters_only_once(name: str) -> None:
    value = {"_count": "5", "_sort": "status", "_summary": "count", "_cursor": "x"}[name]
    assert issues_of("Task", [(name, value), (name, value)]) == [("search-016", name, "value")]


# --- _sort -------------------------------------------------------------------------------------


def test_sort_keys_in_order_with_direction() -> None:
    request = parse("ClaimResponse", [("_sort", "-created,status,_id,-_lastUpdated,disposition")])
    assert request.sort == (
        SortKey(param("ClaimResponse", "created"), True),
        SortKey(param("ClaimResponse", "status"), False),
        SortKey(ID_PARAM, False),
        SortKey(LAST_UPDATED_PARAM, True),
        SortKey(param("ClaimResponse", "disposition"), False),
    )


@pytest.mark.parametrize("raw", ["patient", "nope", "-", "created,", "created,-created", "created:missing"])
def test_bad_sort_keys(raw: str) -> None:
    assert issues_of("ClaimResponse", [("_sort", raw)]) == [("search-012", "_sort", "value")]


# --- _include / _revinclude --------------------------------------------------------------------


def test_include_and_revinclude() -> None:
    request = parse(
        "ClaimResponse",
        [
            ("_include", "ClaimResponse:patient"),
            ("_include", "ClaimResponse:requestor:Organization"),
            ("_revinclude", "Task:focus"),
            ("_revinclude", "Provenance:target:ClaimResponse"),
            ("_include", "ClaimResponse:patient"),
        ],
    )
    assert request.includes == (
        Include("ClaimResponse", param("ClaimResponse", "patient"), None, False),
        Include("ClaimResponse", param("ClaimResponse", "requestor"), "Organization", False),
        Include("Task", param("Task", "focus"), None, True),
        Include("Provenance", param("Provenance", "target"), "ClaimResponse", True),
    )


@pytest.mark.parametrize(
    ("name", "raw", "rule"),
    [
        ("_include", "Task:focus", "search-013"),  # source must be the searched type
        ("_include", "ClaimResponse:status", "search-013"),  # not a reference parameter
        ("_include", "ClaimResponse:nope", "search-013"),
        ("_include", "ClaimResponse:patient:Organization", "search-013"),  # not a target of patient
        ("_include", "ClaimResponse:patient:Nope", "search-013"),
        ("_include", "ClaimResponse", "search-013"),
        ("_include", "ClaimResponse:patient:Patient:x", "search-013"),
        ("_revinclude", "Claim:patient", "search-013"),  # Claim.patient cannot point to a ClaimResponse
        ("_revinclude", "Task:status", "search-013"),
        ("_revinclude", "Task:focus:Claim", "search-013"),  # target must be the searched type
        ("_revinclude", "Observation:subject", "search-013"),
        ("_include", "*", "search-014"),
        ("_include", "ClaimResponse:*", "search-014"),
        ("_revinclude", "*:*", "search-014"),
    ],
)
def test_bad_includes(name: str, raw: str, rule: str) -> None:
    code = "not-supported" if rule == "search-014" else "value"
    assert issues_of("ClaimResponse", [(name, raw)]) == [(rule, name, code)]


def test_include_iterate_is_not_supported() -> None:
    assert issues_of("ClaimResponse", [("_include:iterate", "ClaimResponse:patient")]) == [
        ("search-003", "_include", "not-supported")
    ]


# --- escaping helpers --------------------------------------------------------------------------


def test_split_escaped_and_unescape() -> None:
    assert split_escaped("a,b", ",") == ["a", "b"]
    assert split_escaped(r"a\,b,c\\,d", ",") == [r"a\,b", "c\\\\", "d"]
    assert unescape(r"a\,b\|c\$d\\e") == "a,b|c$d\\e"
