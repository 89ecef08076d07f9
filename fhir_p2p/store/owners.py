"""The owner rows of each resource (`resource_owners`) and the visibility condition every query uses.

`fhir_p2p/tenancy.py` says what the rules are; this module keeps them in SQL:

- a write replaces the resource's `party` rows (from its content), adds its `creator` row when it is
  new, and drops the read access it granted before;
- at the end of the unit of work (`Owners.finish`), so that resources written later in the same
  transaction count, a Task joins the parties of its denial, and every written resource grants its
  owners read access (`via`) to each resource it refers to that the writer can see;
- `visible_to(organization, ...)` is the condition a row must meet to exist for a tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, delete, exists, insert, or_, select, text

from fhir_p2p.store.schema import resource_owners
from fhir_p2p.tenancy import SHARED_TYPES, inherited_targets, party_organizations, reference_targets


def visible_to(organization: str, pk: ColumnElement[Any], resource_type: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for rows of shared types and for resources `organization` owns or was granted.

    A correlated EXISTS on (organization, res_pk): its cost does not grow with what the organization owns.
    """
    owned = exists().where(resource_owners.c.res_pk == pk, resource_owners.c.organization == organization)
    return or_(resource_type.in_(SHARED_TYPES), owned)


def kinds_of(connection: Connection, pk: int, organization: str) -> set[str]:
    """Why `organization` may see the resource `pk`: its kinds of rows (empty when it may not)."""
    query = select(resource_owners.c.kind).where(
        resource_owners.c.res_pk == pk, resource_owners.c.organization == organization
    )
    return set(connection.execute(query).scalars())


@dataclass(slots=True)
class _Written:
    resource_type: str
    body: dict[str, Any]


class Owners:
    """The owner rows written by one unit of work, acting for `writer` (None: every organization)."""

    def __init__(self, connection: Connection, writer: str | None):
        self.connection = connection
        self.writer = writer
        self._written: dict[int, _Written] = {}

    def wrote(self, pk: int, resource_type: str, body: dict[str, Any] | None, *, new: bool) -> None:
        """Record a write of `pk` (`body` None for a delete): its own rows now, its grants at `finish`."""
        table = resource_owners
        self.connection.execute(delete(table).where(table.c.via_pk == pk))
        self._written.pop(pk, None)
        if body is None:
            return
        if not new:
            self.connection.execute(delete(table).where(table.c.res_pk == pk, table.c.kind == "party"))
        rows = [
            {"res_pk": pk, "organization": org, "kind": "party", "via_pk": None}
            for org in sorted(party_organizations(resource_type, body))
        ]
        if new and self.writer is not None:
            rows.append({"res_pk": pk, "organization": self.writer, "kind": "creator", "via_pk": None})
        if rows:
            self.connection.execute(insert(table), rows)
        self._written[pk] = _Written(resource_type, body)

    def finish(self) -> None:
        """Inherit parties and grant read access for every resource written in this unit."""
        written, self._written = self._written, {}
        inherit, grant = _STATEMENTS[self.writer is not None]
        for statement, targets_of in ((inherit, inherited_targets), (grant, _granted_targets)):
            rows = [
                {"pk": pk, "target_type": target_type, "target_id": target_id, "writer": self.writer}
                for pk, item in written.items()
                for target_type, target_id in sorted(targets_of(item.resource_type, item.body))
            ]
            if rows:
                self.connection.execute(statement, rows)


def _granted_targets(resource_type: str, body: dict[str, Any]) -> set[tuple[str, str]]:
    return reference_targets(body)


# One statement per (written resource, target), run as one executemany; plain SQL that both SQLite
# and PostgreSQL read, compiled once. `{visible}` is empty for the CLI and dev client (they see all).
_WRITER_SEES = "AND EXISTS (SELECT 1 FROM resource_owners w WHERE w.res_pk = t.pk AND w.organization = :writer)"
# The written resource `pk` joins the parties of the target.
_INHERIT = """
INSERT INTO resource_owners (res_pk, organization, kind, via_pk)
SELECT DISTINCT CAST(:pk AS BIGINT), s.organization, 'party', CAST(NULL AS BIGINT)
FROM resources t JOIN resource_owners s ON s.res_pk = t.pk AND s.kind = 'party'
WHERE t.res_type = :target_type AND t.res_id = :target_id AND t.pk <> :pk {visible}
AND NOT EXISTS (SELECT 1 FROM resource_owners e
                WHERE e.res_pk = :pk AND e.organization = s.organization AND e.kind = 'party')
"""
# The target gets the owners of the written resource `pk` as readers.
_GRANT = """
INSERT INTO resource_owners (res_pk, organization, kind, via_pk)
SELECT DISTINCT t.pk, s.organization, 'via', CAST(:pk AS BIGINT)
FROM resources t JOIN resource_owners s ON s.res_pk = :pk AND s.kind IN ('creator', 'party')
WHERE t.res_type = :target_type AND t.res_id = :target_id AND t.pk <> :pk {visible}
"""
# (inherit, grant) for a writer that sees everything (False) and for a tenant (True).
_STATEMENTS: Final = {
    checked: (text(_INHERIT.format(visible=visible)), text(_GRANT.format(visible=visible)))
    for checked, visible in ((False, ""), (True, _WRITER_SEES))
}
