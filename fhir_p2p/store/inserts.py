"""The statements of every write and of a read by id, run on the driver's cursor.

A create is a dozen statements (resource, version and index rows, owner rows, and the same for its
audit records); through SQLAlchemy's statement execution each costs more than the SQL itself (see
benchmarks/README.md). The statements are still generated from `schema.py` (or written as plain SQL
both databases read), compiled once per dialect, and run with the DBAPI `execute`/`executemany`
inside the unit of work's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Table, insert, text
from sqlalchemy.exc import DBAPIError

from fhir_p2p.search.model import DateRow, IndexRows, ReferenceRow, StringRow, TokenRow, UriRow
from fhir_p2p.store.schema import (
    idx_date,
    idx_reference,
    idx_string,
    idx_token,
    idx_uri,
    resource_owners,
    resource_versions,
    resources,
)
from fhir_p2p.tenancy import SHARED_TYPES

RESOURCE_COLUMNS = ("res_type", "res_id", "version_id", "last_updated", "deleted", "content")
VERSION_COLUMNS = ("res_pk", "res_type", "res_id", "version_id", "last_updated", "method", "deleted", "content")
OWNER_COLUMNS = ("res_pk", "organization", "kind", "via_pk")

# Each index table with the row class whose fields, in order, are its columns after res_pk and res_type.
_INDEX_TABLES: tuple[tuple[Table, type[Any]], ...] = (
    (idx_token, TokenRow),
    (idx_string, StringRow),
    (idx_reference, ReferenceRow),
    (idx_date, DateRow),
    (idx_uri, UriRow),
)


def visible_sql(table: str, pk: str, parameter: str) -> str:
    """`owners.visible_to` as SQL text, for a row of `table` whose resource is `table.pk`: a shared type,
    or an owner row of the organization given as `:parameter`."""
    shared = ", ".join(f"'{name}'" for name in sorted(SHARED_TYPES))
    return (
        f"({table}.res_type IN ({shared}) OR EXISTS (SELECT 1 FROM resource_owners"
        f" WHERE resource_owners.res_pk = {table}.{pk} AND resource_owners.organization = :{parameter}))"
    )


# The current row of one resource, and the same for a tenant: only a row the organization may see.
_CURRENT = (
    "SELECT pk, version_id, last_updated, deleted, content FROM resources WHERE res_type = :type AND res_id = :id"
)
_CURRENT_VISIBLE = f"{_CURRENT} AND {visible_sql('resources', 'pk', 'organization')}"
# A new version of the current row, if it is still at the version read.
_UPDATE_CURRENT = (
    "UPDATE resources SET version_id = :new_version, last_updated = :last_updated, deleted = :deleted,"
    " content = :content WHERE pk = :pk AND version_id = :version"
)


class CurrentRow(NamedTuple):
    """The current row of a resource as `Inserts.current` reads it."""

    pk: int
    version_id: int
    last_updated: str
    deleted: bool
    content: str

    @classmethod
    def of(cls, row: Sequence[Any] | None) -> CurrentRow | None:
        """The row a driver fetched (SQLite answers 0/1 for a boolean), or None."""
        if row is None:
            return None
        pk, version_id, last_updated, deleted, content = row
        return cls(pk, version_id, last_updated, bool(deleted), content)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement compiled for a dialect; `positional` when the driver takes a tuple (qmark), else a dict.

    `keys` are the parameter names in the order a positional driver takes them (a name used twice
    in the SQL is there twice).
    """

    sql: str
    keys: tuple[str, ...]
    positional: bool

    def params(self, values: Sequence[Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for `values`, given in the order of `keys`."""
        return values if self.positional else dict(zip(self.keys, values, strict=True))

    def bind(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        """The driver's parameters for `values` given by name."""
        return tuple(values[key] for key in self.keys) if self.positional else values


@dataclass(frozen=True, slots=True)
class Inserts:
    """Every INSERT a write needs, and the read of a current row, compiled for one dialect."""

    resource: Statement  # RETURNING pk
    version: Statement
    index: tuple[tuple[Statement, attrgetter[Any]], ...]  # in IndexRows order, with a row -> values getter
    owner: Statement
    current: Statement  # a CurrentRow of (type, id)
    current_visible: Statement  # the same, when `organization` may see it
    locked: Statement  # `current`, locking the row until the transaction ends (FOR UPDATE on PostgreSQL)
    locked_visible: Statement  # `current_visible`, locking it
    update_current: Statement  # the new version of (pk, version), which must still be current
    delete_index: tuple[Statement, ...]  # the index rows of `pk`, one statement per index table


@cache
def inserts_for(dialect: Dialect) -> Inserts:
    """Compile the statements for `dialect` (once per dialect and process)."""
    index = []
    for table, row_class in _INDEX_TABLES:
        names = tuple(field.name for field in fields(row_class))
        if len(names) < 2:  # attrgetter of one name returns the value, not a tuple
            raise RuntimeError(f"{row_class.__name__} needs a param and at least one value field")
        index.append((_compile(table, dialect, ("res_pk", "res_type", *names)), attrgetter(*names)))
    lock = "" if dialect.name == "sqlite" else " FOR UPDATE"  # SQLite writers hold the database (BEGIN IMMEDIATE)
    return Inserts(
        resource=_compile(resources, dialect, RESOURCE_COLUMNS, returning=True),
        version=_compile(resource_versions, dialect, VERSION_COLUMNS),
        index=tuple(index),
        owner=_compile(resource_owners, dialect, OWNER_COLUMNS),
        current=compile_text(_CURRENT, dialect),
        current_visible=compile_text(_CURRENT_VISIBLE, dialect),
        locked=compile_text(_CURRENT + lock, dialect),
        locked_visible=compile_text(_CURRENT_VISIBLE + lock, dialect),
        update_current=compile_text(_UPDATE_CURRENT, dialect),
        delete_index=tuple(
            compile_text(f"DELETE FROM {table.name} WHERE res_pk = :pk", dialect) for table, _ in _INDEX_TABLES
        ),
    )


def compile_text(sql: str, dialect: Dialect) -> Statement:
    """Compile plain SQL with `:name` parameters for `dialect` (run it with `Statement.bind`)."""
    compiled = text(sql).compile(dialect=dialect)
    if compiled.positiontup is not None:
        return Statement(compiled.string, tuple(compiled.positiontup), True)
    return Statement(compiled.string, tuple(compiled.binds), False)


class DriverCursor:
    """A cursor of the driver's connection whose errors reach the caller as SQLAlchemy's.

    A statement run through SQLAlchemy fails with `sqlalchemy.exc.IntegrityError`, `OperationalError`
    and so on, which the store turns into a 409 (a unique key taken, a deadlock); one run on the bare
    driver cursor would fail with the driver's own class instead. This cursor translates as
    SQLAlchemy does, so both paths fail alike.
    """

    __slots__ = ("_cursor", "_dialect", "_error")

    def __init__(self, cursor: Any, dialect: Dialect):
        self._cursor = cursor
        self._dialect = dialect
        self._error: type[Exception] = dialect.loaded_dbapi.Error

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> None:
        try:
            self._cursor.execute(sql, params)
        except self._error as error:
            raise self._translated(sql, params, error, many=False) from error

    def executemany(self, sql: str, params: Sequence[Sequence[Any] | Mapping[str, Any]]) -> None:
        try:
            self._cursor.executemany(sql, params)
        except self._error as error:
            raise self._translated(sql, params, error, many=True) from error

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        rows: list[Any] = self._cursor.fetchall()
        return rows

    @property
    def rowcount(self) -> int:
        count: int = self._cursor.rowcount
        return count

    def close(self) -> None:
        self._cursor.close()

    def _translated(self, sql: str, params: Any, error: Exception, *, many: bool) -> BaseException:
        return DBAPIError.instance(sql, params, error, self._error, dialect=self._dialect, ismulti=many)


def _groups(rows: IndexRows) -> tuple[list[Any], ...]:
    """The row lists of `rows` in the order of the index statements."""
    return rows.tokens, rows.strings, rows.references, rows.dates, rows.uris


def write_index(cursor: Any, statements: Inserts, pk: int, resource_type: str, rows: IndexRows) -> None:
    """Insert every index row of one resource, one `executemany` per table that has rows."""
    for (statement, values_of), group in zip(statements.index, _groups(rows), strict=True):
        if group:
            prefix = (pk, resource_type)
            batch = [statement.params(prefix + values_of(row)) for row in group]
            cursor.executemany(statement.sql, batch)


def _compile(table: Table, dialect: Dialect, keys: tuple[str, ...], *, returning: bool = False) -> Statement:
    statement = insert(table).returning(table.c.pk) if returning else insert(table)
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    positional = compiled.positiontup is not None
    if positional and tuple(compiled.positiontup or ()) != keys:
        raise RuntimeError(f"{table.name}: compiled parameter order {compiled.positiontup} is not {keys}")
    return Statement(compiled.string, keys, positional)
