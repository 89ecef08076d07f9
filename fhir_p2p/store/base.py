"""What the store hands back: stored resources, history entries, search pages; and what it is given: the
clock, and the business rules every write goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import orjson

if TYPE_CHECKING:
    from fhir_p2p.store.sql import UnitOfWork

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class WriteRules(Protocol):
    """Business rules a unit of work applies to every create and update of a resource, whichever way it
    came (REST, transaction, inbound X12, the CLI): fhir_p2p/workflow/rules.py. `creating` and `updating`
    return the resource to store (they may add to it, e.g. the server's extensions) or raise the P2PError
    that refuses the write; warnings for the caller go to `uow.warnings`. `written` follows each write in the
    same transaction (e.g. to queue events about it)."""

    def creating(self, uow: UnitOfWork, resource_type: str, resource: dict[str, Any]) -> dict[str, Any]: ...

    def updating(
        self, uow: UnitOfWork, resource_type: str, current: dict[str, Any] | None, resource: dict[str, Any]
    ) -> dict[str, Any]: ...

    def written(self, uow: UnitOfWork, stored: StoredResource, previous: dict[str, Any] | None) -> None:
        """After a create or update (`previous`: the version it replaced, None for a new resource)."""


@dataclass(frozen=True, slots=True)
class StoredResource:
    """One version of a resource as stored: its JSON text is the response body, as is."""

    resource_type: str
    id: str
    version_id: int
    last_updated: str  # UTC instant text, see fhir_p2p.search.dates.instant_text
    content: bytes  # JSON; empty for a deleted version
    deleted: bool = False
    method: str = "PUT"  # the interaction that made this version: POST, PUT or DELETE

    @property
    def etag(self) -> str:
        return f'W/"{self.version_id}"'

    @property
    def relative_url(self) -> str:
        return f"{self.resource_type}/{self.id}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.content)
        return data


@dataclass(frozen=True, slots=True)
class WriteResult:
    stored: StoredResource
    created: bool  # True when the interaction created the resource (201), False for 200


@dataclass(slots=True)
class SearchPage:
    matches: list[StoredResource]
    included: list[StoredResource] = field(default_factory=list)
    total: int = 0
    next_cursor: str | None = None


@dataclass(slots=True)
class HistoryPage:
    entries: list[StoredResource]
    next_cursor: str | None = None
