"""The owner rows of each resource (`resource_owners`) and the visibility condition every query uses.

`fhir_p2p/tenancy.py` says what the rules are; this module keeps them in SQL:

- a write replaces the resource's `party` rows (from its content), adds its `creator` row when it is
  new, and drops the read access it granted before;
- at the end of the unit of work (`Owners.finish`), so that resources written later in the same
  transaction count, a Task joins the parties of its denial, and every written resource grants its
  owners read access (`via`) to each resource it refers to that the writer can see, except the
  unit's own audit records: they refer to everything the unit wrote and belong to the parties of
  all of it, so their grants would open each resource to the parties of the others
  (docs/security.md, Tenancy);
- `visible_to(organization, ...)` is the condition a row must meet to exist for a tenant.

The statements are plain SQL compiled once per dialect and run on the unit of work's driver cursor
(store/inserts.py says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Connection, Dialect, Table, TextClause, exists, literal_column, or_, text

from fhir_p2p.store.inserts import Statement, compile_text, inserts_for, visible_sql
from fhir_p2p.store.schema import resource_owners, resource_versions
from fhir_p2p.tenancy import SHARED_TYPES, inherited_targets, party_organizations, reference_targets

# The shared types as SQL literals: an IN list without a bound (expanding) parameter to render per query.
_SHARED_LITERALS: Final[tuple[ColumnElement[str], ...]] = tuple(
    literal_column(f"'{name}'") for name in sorted(SHARED_TYPES)
)


def visible_to(organization: str, pk: ColumnElement[Any], resource_type: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for rows of shared types and for resources `organization` owns or was granted.

    A correlated EXISTS on (res_pk, organization): its cost does not grow with what the organization owns.
    """
    owned = exists().where(resource_owners.c.res_pk == pk, resource_owners.c.organization == organization)
    return or_(resource_type.in_(_SHARED_LITERALS), owned)


_MAX_CACHED_CONDITIONS: Final = 1024
_conditions: dict[tuple[str, str], TextClause] = {}


def visible_in(organization: str, table: Table) -> ColumnElement[bool]:
    """`visible_to` for a row of `resources` or `resource_versions` (the tables, not an alias), as SQL text.

    Building the condition as SQL elements (an EXISTS, an OR, an IN), and SQLAlchemy's walk over
    them for its statement cache on every query, cost more than running it; a text condition is
    built once per organization and table and is one element to walk.
    """
    key = (organization, table.name)
    condition = _conditions.get(key)
    if condition is None:
        pk = "res_pk" if table is resource_versions else "pk"
        parameter = f"visible_{table.name}"
        condition = text(visible_sql(table.name, pk, parameter)).bindparams(**{parameter: organization})
        if len(_conditions) >= _MAX_CACHED_CONDITIONS:
            _conditions.clear()
        _conditions[key] = condition
    return cast("ColumnElement[bool]", condition)  # a WHERE takes a text condition like a column one


@dataclass(slots=True)
class _Written:
    resource_type: str
    body: dict[str, Any]
    grants: bool  # False for the unit's audit records


class Owners:
    """The owner rows written by one unit of work, acting for `writer` (None: every organization).

    Its statements run on the driver cursor the unit of work passes in (see store/inserts.py).
    """

    def __init__(self, connection: Connection, writer: str | None):
        self.connection = connection
        self.writer = writer
        self._statements = _statements_for(connection.dialect)
        self._written: dict[int, _Written] = {}

    def wrote(
        self, cursor: Any, pk: int, resource_type: str, body: dict[str, Any] | None, *, new: bool, grants: bool = True
    ) -> None:
        """Record a write of `pk` (`body` None for a delete): its own rows now, its grants at `finish`.

        `grants` False: the resource grants no read access to what it refers to (the unit's audit
        records, see the module docstring).
        """
        statements = self._statements
        self._written.pop(pk, None)
        if not new:  # a new resource has granted nothing yet
            cursor.execute(statements.drop_grants.sql, statements.drop_grants.bind({"pk": pk}))
        if body is None:
            return
        if not new:
            cursor.execute(statements.drop_parties.sql, statements.drop_parties.bind({"pk": pk}))
        insert = statements.insert
        rows = [insert.params((pk, org, "party", None)) for org in sorted(party_organizations(resource_type, body))]
        if new and self.writer is not None:
            rows.append(insert.params((pk, self.writer, "creator", None)))
        if rows:
            cursor.executemany(insert.sql, rows)
        self._written[pk] = _Written(resource_type, body, grants)

    def finish(self, cursor: Any) -> None:
        """Inherit parties and grant read access for every resource written in this unit."""
        written, self._written = self._written, {}
        checked = self.writer is not None
        inherit, grant = self._statements.checked if checked else self._statements.unchecked
        for statement, targets_of in ((inherit, _inherited_targets), (grant, _granted_targets)):
            rows = [
                statement.bind({"pk": pk, "target_type": target_type, "target_id": target_id, "writer": self.writer})
                for pk, item in written.items()
                for target_type, target_id in sorted(targets_of(item))
            ]
            if rows:
                cursor.executemany(statement.sql, rows)

    def kinds(self, cursor: Any, pk: int) -> set[str]:
        """Why the writer may see the resource `pk`: its kinds of rows (empty when it may not)."""
        statement = self._statements.kinds
        cursor.execute(statement.sql, statement.bind({"pk": pk, "organization": self.writer}))
        return {kind for (kind,) in cursor.fetchall()}


def _inherited_targets(item: _Written) -> set[tuple[str, str]]:
    return inherited_targets(item.resource_type, item.body)


def _granted_targets(item: _Written) -> set[tuple[str, str]]:
    return reference_targets(item.body) if item.grants else set()


# One statement per (written resource, target), run as one executemany; plain SQL that both SQLite
# and PostgreSQL read, compiled once per dialect. `{visible}` is empty for the CLI and dev client
# (they see all).
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


@dataclass(frozen=True, slots=True)
class _Statements:
    insert: Statement
    drop_grants: Statement  # the read access `pk` granted
    drop_parties: Statement  # the party rows of `pk`
    kinds: Statement
    unchecked: tuple[Statement, Statement]  # (inherit, grant) for a writer that sees everything
    checked: tuple[Statement, Statement]  # (inherit, grant) for a tenant: only targets it sees


@cache
def _statements_for(dialect: Dialect) -> _Statements:
    def pair(visible: str) -> tuple[Statement, Statement]:
        inherit, grant = _INHERIT.format(visible=visible), _GRANT.format(visible=visible)
        return compile_text(inherit, dialect), compile_text(grant, dialect)

    return _Statements(
        insert=inserts_for(dialect).owner,
        drop_grants=compile_text("DELETE FROM resource_owners WHERE via_pk = :pk", dialect),
        drop_parties=compile_text("DELETE FROM resource_owners WHERE res_pk = :pk AND kind = 'party'", dialect),
        kinds=compile_text(
            "SELECT kind FROM resource_owners WHERE res_pk = :pk AND organization = :organization", dialect
        ),
        unchecked=pair(""),
        checked=pair(_WRITER_SEES),
    )
