"""SMART system scopes: reading v2 (`system/Task.cruds`) and v1 (`system/Task.read|write|*`) scopes,
granting (what is requested narrowed to what is registered), and what each FHIR interaction needs.

Pure: no I/O. `docs/security.md` has the table of what each endpoint needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

PERMISSIONS: Final = "cruds"  # create, read, update, delete, search: SMART v2 order
ALL_TYPES: Final = "*"

_V1: Final = {"read": "rs", "write": "cud", "*": "cruds"}  # SMART v2's reading of v1 permissions
_SCOPE = re.compile(r"^system/(?P<type>[A-Z][A-Za-z]{0,63}|\*)\.(?P<permissions>[cruds]{1,5}|read|write|\*)$")

# FHIR interaction (CapabilityStatement codes) -> the SMART v2 permission letter it needs.
INTERACTION_PERMISSIONS: Final = {
    "create": "c",
    "read": "r",
    "vread": "r",
    "history-instance": "r",
    "update": "u",
    "delete": "d",
    "search-type": "s",
    "history-type": "s",
    "history-system": "s",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """One system scope: permissions (a subset of `cruds`, in that order) on a type or on every type (`*`)."""

    resource_type: str
    permissions: str

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        """Read `system/<Type|*>.<cruds subset|read|write|*>`; None for anything else.

        Out-of-order or repeated letters (`.dus`, `.rr`) and scopes with search-parameter
        constraints (`?category=...`) are not read: SMART lets a server ignore them.
        """
        match = _SCOPE.match(text)
        if match is None:
            return None
        permissions = _V1.get(match["permissions"], match["permissions"])
        if permissions != "".join(letter for letter in PERMISSIONS if letter in permissions):
            return None
        return cls(match["type"], permissions)

    def __str__(self) -> str:
        return f"system/{self.resource_type}.{self.permissions}"

    def covers(self, resource_type: str, permission: str) -> bool:
        """True when this scope allows `permission` on `resource_type` (`*`: on every type at once)."""
        return permission in self.permissions and self.resource_type in (ALL_TYPES, resource_type)


@dataclass(frozen=True, slots=True)
class Need:
    """A permission an interaction needs, on any one of `resource_types` (`*`: on every type at once)."""

    resource_types: tuple[str, ...]
    permission: str

    def met_by(self, scopes: Iterable[Scope]) -> bool:
        return any(scope.covers(t, self.permission) for scope in scopes for t in self.resource_types)

    def __str__(self) -> str:
        return " or ".join(f"system/{t}.{self.permission}" for t in self.resource_types)


def parse_scopes(text: str) -> tuple[Scope, ...]:
    """The system scopes in a space-separated scope string; other words are left out."""
    return tuple(scope for word in text.split() if (scope := Scope.parse(word)) is not None)


def unreadable_scopes(text: str) -> list[str]:
    """The words of a scope string that are not system scopes this server reads (for registration)."""
    return [word for word in text.split() if Scope.parse(word) is None]


def grant(requested: str, registered: str) -> str:
    """The scope string to grant: each requested scope narrowed to what the registered scopes allow.

    A requested scope granted whole is returned as it was written (a v1 scope stays v1); one granted
    in part becomes the v2 scopes of the part (`system/*.rs` against `system/Task.cruds` gives
    `system/Task.rs`). Words that are not system scopes, scopes nothing registered allows, and
    scopes another granted one already covers are left out; an empty result means nothing can be
    granted.

    Args:
        requested: the `scope` of the token request (or of an external provider's token).
        registered: the client's registered scopes, the most it may have.
    Returns:
        Space-separated scopes, each once.
    """
    allowed = parse_scopes(registered)
    granted: dict[str, Scope] = {}  # text -> scope, in order, each text once
    for word in requested.split():
        wanted = Scope.parse(word)
        if wanted is None:
            continue
        parts = _narrow(wanted, allowed)
        granted.update({word: wanted} if parts == [wanted] else {str(part): part for part in parts})
    return " ".join(text for text, scope in granted.items() if not _redundant(scope, granted.values()))


def _redundant(scope: Scope, among: Iterable[Scope]) -> bool:
    """True when another scope of `among` allows all that `scope` does (`system/Task.rs` beside `system/*.rs`)."""
    return any(
        other != scope
        and other.resource_type in (ALL_TYPES, scope.resource_type)
        and set(scope.permissions) <= set(other.permissions)
        for other in among
    )


def _narrow(wanted: Scope, allowed: Sequence[Scope]) -> list[Scope]:
    """`wanted` intersected with each allowed scope, merged per type."""
    by_type: dict[str, set[str]] = {}
    for scope in allowed:
        if scope.resource_type == ALL_TYPES:
            resource_type = wanted.resource_type
        elif wanted.resource_type in (ALL_TYPES, scope.resource_type):
            resource_type = scope.resource_type
        else:
            continue
        common = set(wanted.permissions) & set(scope.permissions)
        if common:
            by_type.setdefault(resource_type, set()).update(common)
    everywhere = by_type.get(ALL_TYPES, set())
    return [
        Scope(resource_type, "".join(letter for letter in PERMISSIONS if letter in letters))
        for resource_type, letters in by_type.items()
        if resource_type == ALL_TYPES or not letters <= everywhere
    ]


def need(interaction: str, resource_type: str) -> Need:
    """What one FHIR interaction (`read`, `search-type`, ...) on `resource_type` needs."""
    return Need((resource_type,), INTERACTION_PERMISSIONS[interaction])


def request_needs(method: str, resource_type: str, resource_id: str | None, if_none_exist: str | None) -> list[Need]:
    """What one FHIR request needs: a REST call, or an entry of a transaction or batch Bundle.

    POST creates (`c`; with If-None-Exist also `s`: its search decides the answer); PUT updates
    (`u`, also when it creates with the client's id, as SMART says); DELETE deletes (`d`); GET
    reads (`r`) a resource or searches (`s`) a type.
    """
    if method == "POST":
        return [need("create", resource_type), *([need("search-type", resource_type)] if if_none_exist else [])]
    if method == "PUT":
        return [need("update", resource_type)]
    if method == "DELETE":
        return [need("delete", resource_type)]
    return [need("read" if resource_id is not None else "search-type", resource_type)]


def first_missing(scopes: Iterable[Scope], needs: Iterable[Need]) -> Need | None:
    """The first need the scopes do not meet; None when they meet every one."""
    held = tuple(scopes)
    return next((wanted for wanted in needs if not wanted.met_by(held)), None)
