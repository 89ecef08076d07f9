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
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    String,
    and_,
    cast,
    delete,
    exists,
    insert,
    literal,
    null,
    or_,
    select,
)

from fhir_p2p.store.schema import resource_owners, resources
from fhir_p2p.tenancy import SHARED_TYPES, inherited_targets, party_organizations, reference_targets

OWNER_KINDS = ("creator", "party")


def visible_to(organization: str, pk: ColumnElement[Any], resource_type: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for rows of shared types and for resources `organization` owns or was granted."""
    owned = select(resource_owners.c.res_pk).where(resource_owners.c.organization == organization)
    return or_(resource_type.in_(SHARED_TYPES), pk.in_(owned))


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
        for pk, item in written.items():
            inherited = inherited_targets(item.resource_type, item.body)
            if inherited:
                self._insert_from(pk, inherited, "party")
        for pk, item in written.items():
            targets = reference_targets(item.body)
            if targets:
                self._insert_from(pk, targets, "via")

    def _insert_from(self, pk: int, targets: set[tuple[str, str]], kind: str) -> None:
        """`party`: `pk` joins the parties of the targets. `via`: the targets get `pk`'s owners as readers."""
        table = resource_owners
        target = resources.alias("target")
        source = table.alias("source")
        named = or_(*(and_(target.c.res_type == t, target.c.res_id == i) for t, i in sorted(targets)))
        conditions = [named, target.c.pk != pk]
        if self.writer is not None:
            conditions.append(visible_to(self.writer, target.c.pk, target.c.res_type))
        this = cast(literal(pk), BigInteger())
        receiver: ColumnElement[Any]
        giver: ColumnElement[Any]
        wanted: tuple[str, ...]
        if kind == "party":
            receiver, giver, wanted, via = this, target.c.pk, ("party",), cast(null(), BigInteger())
        else:
            receiver, giver, wanted, via = target.c.pk, this, OWNER_KINDS, this
        already = exists().where(
            table.c.res_pk == receiver,
            table.c.organization == source.c.organization,
            table.c.kind == kind,
            table.c.via_pk == pk if kind == "via" else table.c.via_pk.is_(None),
        )
        rows = (
            select(receiver, source.c.organization, cast(literal(kind), String(8)), via)
            .select_from(target.join(source, source.c.res_pk == giver))
            .where(*conditions, source.c.kind.in_(wanted), ~already)
            .distinct()
        )
        self.connection.execute(insert(table).from_select(["res_pk", "organization", "kind", "via_pk"], rows))
