"""Runs a parsed `SearchRequest` in SQL: criteria over the index tables, sort, keyset paging, includes.

Paging is by keyset, not offset: a `next` cursor carries the sort values and primary key of the
last entry of the page, so resources created or deleted while a client pages never shift a page
(no entry is skipped or repeated because of them). Criteria are ANDed; the values of one
criterion are ORed. Date prefixes compare the resource's range [low, high] with the value's:
eq = contained, ne = not contained, lt/le/gt/ge/sa/eb as in FHIR `search.html`, ap = overlaps.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from fhir_p2p.errors import BadRequest, Issue
from fhir_p2p.search.model import (
    Criterion,
    DatePrefix,
    DateValue,
    ParamType,
    ReferenceValue,
    SearchRequest,
    SearchValue,
    SortKey,
    TokenValue,
)
from fhir_p2p.store.base import SearchPage, StoredResource
from fhir_p2p.store.schema import idx_date, idx_reference, idx_string, idx_token, idx_uri, resources

_TABLES: dict[ParamType, Table] = {
    ParamType.TOKEN: idx_token,
    ParamType.STRING: idx_string,
    ParamType.REFERENCE: idx_reference,
    ParamType.DATE: idx_date,
    ParamType.URI: idx_uri,
}
_REFERENCE_MODIFIERS_NOT_TYPES = frozenset({"missing"})
_T = TypeVar("_T")

# The tenant's visibility conditions for rows of a table (`resources` or an alias of it).
Visible = Callable[[Any], list[ColumnElement[bool]]]


def run_search(connection: Connection, request: SearchRequest, visible: Visible) -> SearchPage:
    """Execute `request` and return one page, its total and the cursor of the next page.

    Matches and included resources alike are only rows `visible` lets through.
    """
    filters = [*_filters(request.resource_type, request.criteria), *visible(resources)]
    total = connection.execute(select(func.count()).select_from(resources).where(*filters)).scalar_one()
    if request.summary_count or request.count == 0:
        return SearchPage(matches=[], total=total)
    keys = [(_sort_expression(key), key.descending) for key in request.sort]
    keys.append((resources.c.pk, False))
    query: Select[Any] = select(
        resources.c.pk,
        resources.c.res_id,
        resources.c.version_id,
        resources.c.last_updated,
        resources.c.content,
        *(expression.label(f"sort{i}") for i, (expression, _) in enumerate(keys[:-1])),
    ).where(*filters)
    if request.cursor is not None:
        query = query.where(_after(keys, _decode_cursor(request.cursor, len(keys))))
    query = query.order_by(*(expression.desc() if descending else expression.asc() for expression, descending in keys))
    rows = connection.execute(query.limit(request.count + 1)).all()
    page = rows[: request.count]
    next_cursor = None
    if len(rows) > request.count:
        last = page[-1]
        next_cursor = _encode_cursor([*(getattr(last, f"sort{i}") for i in range(len(keys) - 1)), last.pk])
    matches = [_stored(request.resource_type, row) for row in page]
    included = _included(connection, request, [row.pk for row in page], [row.res_id for row in page], visible)
    return SearchPage(matches=matches, included=included, total=total, next_cursor=next_cursor)


def find(
    connection: Connection, resource_type: str, criteria: tuple[Criterion, ...], limit: int, visible: Visible
) -> list[StoredResource]:
    """Current resources of `resource_type` matching every criterion, oldest first, at most `limit`."""
    query = (
        select(
            resources.c.pk, resources.c.res_id, resources.c.version_id, resources.c.last_updated, resources.c.content
        )
        .where(*_filters(resource_type, criteria), *visible(resources))
        .order_by(resources.c.pk)
        .limit(limit)
    )
    return [_stored(resource_type, row) for row in connection.execute(query)]


# --- criteria --------------------------------------------------------------------------


def _filters(resource_type: str, criteria: tuple[Criterion, ...]) -> list[ColumnElement[bool]]:
    conditions = [resources.c.res_type == resource_type, resources.c.deleted == false()]
    conditions.extend(_criterion(resource_type, criterion) for criterion in criteria)
    return conditions


def _criterion(resource_type: str, criterion: Criterion) -> ColumnElement[bool]:
    param = criterion.param
    if param.name == "_id":
        ids = [str(value) for value in criterion.values]
        return resources.c.res_id.not_in(ids) if criterion.modifier == "not" else resources.c.res_id.in_(ids)
    if param.name == "_lastUpdated":
        column = resources.c.last_updated
        return or_(*(_date_condition(column, column, _as(value, DateValue)) for value in criterion.values))
    table = _TABLES[param.type]
    rows_of_param = select(table.c.res_pk).where(table.c.res_type == resource_type, table.c.param == param.name)
    if criterion.modifier == "missing":
        present = resources.c.pk.in_(rows_of_param)
        return not_(present) if criterion.values[0] == "true" else present
    matching = rows_of_param.where(
        or_(*(_value_condition(table, param.type, criterion.modifier, v) for v in criterion.values))
    )
    if criterion.modifier == "not":
        return resources.c.pk.not_in(matching)
    return resources.c.pk.in_(matching)


def _value_condition(
    table: Table, param_type: ParamType, modifier: str | None, value: SearchValue
) -> ColumnElement[bool]:
    if param_type is ParamType.TOKEN:
        return _token_condition(table, _as(value, TokenValue))
    if param_type is ParamType.STRING:
        return _string_condition(table, modifier, str(value))
    if param_type is ParamType.REFERENCE:
        return _reference_condition(table, modifier, _as(value, ReferenceValue))
    if param_type is ParamType.DATE:
        return _date_condition(table.c.low, table.c.high, _as(value, DateValue))
    return table.c.value == str(value)


def _token_condition(table: Table, value: TokenValue) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if value.system == "":
        parts.append(table.c.system.is_(None))
    elif value.system is not None:
        parts.append(table.c.system == value.system)
    if value.code is not None:
        parts.append(table.c.code == value.code)
    return and_(true(), *parts)


def _string_condition(table: Table, modifier: str | None, value: str) -> ColumnElement[bool]:
    # query.py already normalized the value the way extract.py normalizes the index
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if modifier == "exact":
        return table.c.value == value
    if modifier == "contains":
        return table.c.value.like(f"%{escaped}%", escape="\\")
    return table.c.value.like(f"{escaped}%", escape="\\")


def _reference_condition(table: Table, modifier: str | None, value: ReferenceValue) -> ColumnElement[bool]:
    if value.target_id is None:
        return table.c.url == (value.url or "")
    parts = [table.c.target_id == value.target_id]
    target_type = value.target_type
    if target_type is None and modifier is not None and modifier not in _REFERENCE_MODIFIERS_NOT_TYPES:
        target_type = modifier
    if target_type is not None:
        parts.append(table.c.target_type == target_type)
    return and_(*parts)


def _date_condition(low: Any, high: Any, value: DateValue) -> ColumnElement[bool]:
    prefix = value.prefix
    within = and_(low >= value.low, high <= value.high)
    conditions: dict[DatePrefix, ColumnElement[bool]] = {
        DatePrefix.EQ: within,
        DatePrefix.NE: not_(within),
        DatePrefix.GT: high > value.high,
        DatePrefix.LT: low < value.low,
        DatePrefix.GE: high >= value.low,
        DatePrefix.LE: low <= value.high,
        DatePrefix.SA: low > value.high,
        DatePrefix.EB: high < value.low,
        DatePrefix.AP: and_(low <= value.high, high >= value.low),
    }
    return conditions[prefix]


def _as(value: SearchValue, kind: type[_T]) -> _T:
    if not isinstance(value, kind):
        raise TypeError(f"search value {value!r} is not a {kind.__name__}")
    return value


# --- sort and keyset paging ------------------------------------------------------------


def _sort_expression(key: SortKey) -> ColumnElement[Any]:
    name = key.param.name
    if name == "_id":
        return resources.c.res_id
    if name == "_lastUpdated":
        return resources.c.last_updated
    table = _TABLES[key.param.type]
    if key.param.type is ParamType.DATE:
        column = table.c.high if key.descending else table.c.low
    elif key.param.type is ParamType.TOKEN:
        column = table.c.code
    else:
        column = table.c.value
    aggregate = func.max(column) if key.descending else func.min(column)
    value = select(aggregate).where(table.c.res_pk == resources.c.pk, table.c.param == name).scalar_subquery()
    return func.coalesce(value, "")


def _after(keys: list[tuple[ColumnElement[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order given by `keys` (a lexicographic keyset condition)."""
    alternatives = []
    for i, (expression, descending) in enumerate(keys):
        equal_before = [keys[j][0] == values[j] for j in range(i)]
        beyond = expression < values[i] if descending else expression > values[i]
        alternatives.append(and_(*equal_before, beyond))
    return or_(*alternatives)


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def _decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as error:
        raise _bad_cursor() from error
    if not isinstance(values, list) or len(values) != length or not isinstance(values[-1], int):
        raise _bad_cursor()
    return values


def _bad_cursor() -> BadRequest:
    message = "The _cursor parameter does not belong to this search; start again from the first page"
    return BadRequest(message, issues=[Issue("error", "value", message, "_cursor", "search-sql-001")])


# --- includes --------------------------------------------------------------------------


def _included(
    connection: Connection, request: SearchRequest, page_pks: list[int], page_ids: list[str], visible: Visible
) -> list[StoredResource]:
    if not request.includes or not page_pks:
        return []
    target = resources.alias("target")
    columns = (
        target.c.pk,
        target.c.res_type,
        target.c.res_id,
        target.c.version_id,
        target.c.last_updated,
        target.c.content,
    )
    seen = {(request.resource_type, resource_id) for resource_id in page_ids}
    found: list[StoredResource] = []
    for include in request.includes:
        if include.reverse:
            join = idx_reference.join(target, target.c.pk == idx_reference.c.res_pk)
            where = [
                idx_reference.c.res_type == include.source_type,
                idx_reference.c.target_type == request.resource_type,
                idx_reference.c.target_id.in_(page_ids),
            ]
        else:
            join = idx_reference.join(
                target,
                and_(target.c.res_type == idx_reference.c.target_type, target.c.res_id == idx_reference.c.target_id),
            )
            where = [idx_reference.c.res_pk.in_(page_pks)]
            if include.target_type is not None:
                where.append(idx_reference.c.target_type == include.target_type)
        query = (
            select(*columns)
            .select_from(join)
            .where(idx_reference.c.param == include.param.name, target.c.deleted == false(), *where, *visible(target))
            .order_by(target.c.pk)
        )
        for row in connection.execute(query):
            if (row.res_type, row.res_id) not in seen:
                seen.add((row.res_type, row.res_id))
                found.append(_stored(row.res_type, row))
    return found


def _stored(resource_type: str, row: Any) -> StoredResource:
    return StoredResource(resource_type, row.res_id, row.version_id, row.last_updated, row.content.encode())
