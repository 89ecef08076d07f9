"""Value types shared by search: parameter definitions, index rows, and a parsed search request.

Pure data: `params.py` declares the parameters, `extract.py` turns a resource into index rows,
`query.py` turns a query string into a `SearchRequest`, and `store/search_sql.py` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ParamType(StrEnum):
    TOKEN = "token"
    STRING = "string"
    REFERENCE = "reference"
    DATE = "date"
    URI = "uri"


@dataclass(frozen=True, slots=True)
class SearchParam:
    """A search parameter of one resource type.

    `paths` are simple FHIRPath-like element paths from the resource root, e.g.
    `ClaimResponse.item.adjudication.extension('http://...').extension('code').valueCodeableConcept`
    or `Task.for`; `targets` restricts a reference parameter to these resource types (empty = any).
    """

    name: str
    type: ParamType
    paths: tuple[str, ...]
    targets: tuple[str, ...] = ()
    description: str = ""


# --- index rows: what a stored resource contributes to the search tables -------------------


@dataclass(frozen=True, slots=True)
class TokenRow:
    param: str
    system: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class StringRow:
    param: str
    value: str  # normalized: lower case, accents removed, white space collapsed


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    param: str
    target_type: str | None  # None when the reference is not "Type/id" shaped
    target_id: str | None
    url: str  # the reference as written


@dataclass(frozen=True, slots=True)
class DateRow:
    param: str
    low: str  # inclusive lower bound, UTC instant text YYYY-MM-DDTHH:MM:SS.ffffffZ
    high: str  # inclusive upper bound, same format


@dataclass(frozen=True, slots=True)
class UriRow:
    param: str
    value: str


@dataclass(slots=True)
class IndexRows:
    tokens: list[TokenRow] = field(default_factory=list)
    strings: list[StringRow] = field(default_factory=list)
    references: list[ReferenceRow] = field(default_factory=list)
    dates: list[DateRow] = field(default_factory=list)
    uris: list[UriRow] = field(default_factory=list)


# --- a parsed search request ---------------------------------------------------------------


class DatePrefix(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    GT = "gt"
    LE = "le"
    GE = "ge"
    SA = "sa"
    EB = "eb"
    AP = "ap"


@dataclass(frozen=True, slots=True)
class TokenValue:
    system: str | None  # None: any system; "" : no system ("|code")
    code: str | None  # None: any code ("system|")


@dataclass(frozen=True, slots=True)
class DateValue:
    prefix: DatePrefix
    low: str  # the range the written value covers, UTC instant text (see DateRow)
    high: str


@dataclass(frozen=True, slots=True)
class ReferenceValue:
    target_type: str | None  # None when only an id was given and no :Type modifier
    target_id: str | None  # None for an absolute URL that is not ours
    url: str | None  # the raw value when it is an absolute URL


SearchValue = TokenValue | DateValue | ReferenceValue | str


@dataclass(frozen=True, slots=True)
class Criterion:
    """One `name[:modifier]=v1,v2` of the query: the values are ORed; criteria are ANDed.

    For `_id` the param is the pseudo-parameter `_id` (values are str), for `_lastUpdated`
    it is `_lastUpdated` (values are DateValue). `modifier` is one of `missing`, `exact`,
    `contains`, `not`, `text`, or a resource type for references; None otherwise. With `missing`
    the values are `"true"` or `"false"`.
    """

    param: SearchParam
    modifier: str | None
    values: tuple[SearchValue, ...]


@dataclass(frozen=True, slots=True)
class SortKey:
    param: SearchParam  # `_id` and `_lastUpdated` are pseudo-parameters, see params.py
    descending: bool


@dataclass(frozen=True, slots=True)
class Include:
    """`_include=Source:param[:Target]` or `_revinclude=Source:param[:Target]`."""

    source_type: str
    param: SearchParam
    target_type: str | None
    reverse: bool


@dataclass(frozen=True, slots=True)
class SearchRequest:
    resource_type: str
    criteria: tuple[Criterion, ...]
    sort: tuple[SortKey, ...]
    count: int
    includes: tuple[Include, ...]
    summary_count: bool  # _summary=count
    cursor: str | None  # opaque token from a `next` link
    # the parameters actually used, canonical order, for the `self` link (name, raw value)
    used: tuple[tuple[str, str], ...]
    ignored: tuple[str, ...]  # unknown parameters skipped in lenient mode
