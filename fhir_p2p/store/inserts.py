"""The inserts of every write (resource row, version row, index rows), run on the driver's cursor.

A create is seven INSERTs; through SQLAlchemy's statement execution they cost more than the SQL
itself (see benchmarks/README.md). The statements are still generated from `schema.py`, compiled
once per dialect, and run with the DBAPI `executemany` inside the unit of work's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import Dialect, Table, insert

from fhir_p2p.search.model import DateRow, IndexRows, ReferenceRow, StringRow, TokenRow, UriRow
from fhir_p2p.store.schema import idx_date, idx_reference, idx_string, idx_token, idx_uri, resource_versions, resources

RESOURCE_COLUMNS = ("res_type", "res_id", "version_id", "last_updated", "deleted", "content")
VERSION_COLUMNS = ("res_pk", "res_type", "res_id", "version_id", "last_updated", "method", "deleted", "content")

# Each index table with the row class whose fields, in order, are its columns after res_pk and res_type.
_INDEX_TABLES: tuple[tuple[Table, type[Any]], ...] = (
    (idx_token, TokenRow),
    (idx_string, StringRow),
    (idx_reference, ReferenceRow),
    (idx_date, DateRow),
    (idx_uri, UriRow),
)


@dataclass(frozen=True, slots=True)
class Statement:
    """One INSERT compiled for a dialect; `positional` when the driver takes a tuple (qmark), else a dict."""

    sql: str
    keys: tuple[str, ...]
    positional: bool

    def params(self, values: Sequence[Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for `values`, given in the order of `keys`."""
        return values if self.positional else dict(zip(self.keys, values, strict=True))


@dataclass(frozen=True, slots=True)
class Inserts:
    """Every INSERT a write needs, compiled for one dialect."""

    resource: Statement  # RETURNING pk
    version: Statement
    index: tuple[tuple[Statement, attrgetter[Any]], ...]  # in IndexRows order, with a row -> values getter


@cache
def inserts_for(dialect: Dialect) -> Inserts:
    """Compile the statements for `dialect` (once per dialect and process)."""
    index = []
    for table, row_class in _INDEX_TABLES:
        names = tuple(field.name for field in fields(row_class))
        if len(names) < 2:  # attrgetter of one name returns the value, not a tuple
            raise RuntimeError(f"{row_class.__name__} needs a param and at least one value field")
        index.append((_compile(table, dialect, ("res_pk", "res_type", *names)), attrgetter(*names)))
    return Inserts(
        _compile(resources, dialect, RESOURCE_COLUMNS, returning=True),
        _compile(resource_versions, dialect, VERSION_COLUMNS),
        tuple(index),
    )


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
