"""SMART system scopes: reading v1 and v2, granting requested ∩ registered, what each interaction needs."""

from __future__ import annotations

import pytest

from fhir_p2p.auth import Need, Scope, first_missing, grant, need, parse_scopes, request_needs
from fhir_p2p.auth.scopes import unreadable_scopes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("system/Task.cruds", Scope("Task", "cruds")),
        ("system/Task.rs", Scope("Task", "rs")),
        ("system/*.c", Scope("*", "c")),
        ("system/Task.read", Scope("Task", "rs")),  # v1 read = v2 rs
        ("system/Task.write", Scope("Task", "cud")),  # v1 write = v2 cud
        ("system/*.*", Scope("*", "cruds")),
        ("system/Task.dus", None),  # out of order
        ("system/Task.rr", None),  # repeated
        ("system/Task.x", None),
        ("system/Task.rs?status=requested", None),  # search-parameter constraints are not read
        ("patient/Task.rs", None),
        ("user/*.cruds", None),
        ("system/task.rs", None),
        ("openid", None),
    ],
)
def test_scope_text_is_read_as_smart_v2_permissions(text, expected):
    assert Scope.parse(text) == expected


def test_unreadable_words_are_reported_and_left_out():
    assert unreadable_scopes("system/Task.rs launch patient/*.rs") == ["launch", "patient/*.rs"]
    assert parse_scopes("system/Task.rs launch system/*.c") == (Scope("Task", "rs"), Scope("*", "c"))


@pytest.mark.parametrize(
    ("requested", "registered", "granted"),
    [
        ("system/Task.cruds", "system/Task.cruds", "system/Task.cruds"),
        ("system/Task.read", "system/Task.cruds", "system/Task.read"),  # granted whole: v1 stays v1
        ("system/Task.cruds", "system/Task.rs", "system/Task.rs"),  # narrowed
        ("system/*.cruds", "system/Task.cruds system/ClaimResponse.rs", "system/Task.cruds system/ClaimResponse.rs"),
        ("system/*.rs", "system/*.r", "system/*.r"),
        ("system/Task.rs", "system/*.cruds", "system/Task.rs"),
        ("system/Task.c system/Patient.r", "system/Task.cruds", "system/Task.c"),  # Patient not registered
        ("system/Patient.r", "system/Task.cruds", ""),
        ("system/*.cruds", "system/*.rs system/Task.cruds", "system/*.rs system/Task.cruds"),
        ("system/*.rs", "system/*.rs system/Task.r", "system/*.rs"),  # Task.r adds nothing to *.rs
        ("patient/*.rs launch", "system/*.cruds", ""),
        ("system/Task.rs system/Task.rs", "system/*.cruds", "system/Task.rs"),
    ],
)
def test_granted_scopes_are_the_requested_ones_narrowed_to_the_registered_ones(requested, registered, granted):
    assert grant(requested, registered) == granted


@pytest.mark.parametrize(
    ("interaction", "letter"),
    [
        ("create", "c"),
        ("read", "r"),
        ("vread", "r"),
        ("history-instance", "r"),
        ("update", "u"),
        ("delete", "d"),
        ("search-type", "s"),
        ("history-type", "s"),
        ("history-system", "s"),
    ],
)
def test_each_fhir_interaction_needs_its_smart_letter(interaction, letter):
    assert need(interaction, "Task") == Need(("Task",), letter)
    assert need(interaction, "Task").met_by(parse_scopes(f"system/Task.{letter}"))
    others = "".join(x for x in "cruds" if x != letter)
    assert not need(interaction, "Task").met_by(parse_scopes(f"system/Task.{others} system/Patient.cruds"))


@pytest.mark.parametrize(
    ("method", "resource_id", "if_none_exist", "letters"),
    [
        ("POST", None, None, ["c"]),
        ("POST", None, "identifier=x", ["c", "s"]),  # conditional create searches
        ("PUT", "t1", None, ["u"]),
        ("DELETE", "t1", None, ["d"]),
        ("GET", "t1", None, ["r"]),
        ("GET", None, None, ["s"]),
    ],
)
def test_a_request_or_bundle_entry_needs_the_letters_of_its_interaction(method, resource_id, if_none_exist, letters):
    assert request_needs(method, "Task", resource_id, if_none_exist) == [Need(("Task",), x) for x in letters]


def test_a_need_for_every_type_is_met_by_a_wildcard_scope_only():
    everything = need("history-system", "*")
    assert not everything.met_by(parse_scopes("system/Task.cruds system/Patient.cruds"))
    assert everything.met_by(parse_scopes("system/*.s"))


def test_a_need_with_alternatives_is_met_by_either_and_names_both():
    either = Need(("ClaimResponse", "Task"), "c")
    assert either.met_by(parse_scopes("system/Task.c"))
    assert either.met_by(parse_scopes("system/ClaimResponse.cruds"))
    assert not either.met_by(parse_scopes("system/Patient.c"))
    assert str(either) == "system/ClaimResponse.c or system/Task.c"


def test_first_missing_names_the_first_unmet_need():
    needs = [need("create", "Patient"), need("update", "Task"), need("read", "Task")]
    assert first_missing(parse_scopes("system/Patient.c system/Task.r"), needs) == need("update", "Task")
    assert first_missing(parse_scopes("system/*.cruds"), needs) is None
