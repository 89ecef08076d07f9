"""Parse a search query string (`name[:modifier]=v1,v2&...`) into a `SearchRequest`.

Collects every problem and raises one `BadRequest`; knows nothing of SQL or HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fhir_p2p.errors import BadRequest, Issue, NotFound
from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.search.dates import date_range
from fhir_p2p.search.extract import normalize_string, parse_reference
from fhir_p2p.search.model import (
    Criterion,
    DatePrefix,
    DateValue,
    Include,
    ParamType,
    ReferenceValue,
    SearchParam,
    SearchRequest,
    SearchValue,
    SortKey,
    TokenValue,
)
from fhir_p2p.search.params import FHIR_RESOURCE_TYPES, ID_PARAM, param_for

# Rule ids (stable, never reused):
#   search-001  the searched resource type is not stored here (404)
#   search-002  unknown search parameter under strict handling
#   search-003  FHIR modifier this server does not support (:text, :above, :below, :in, :iterate...)
#   search-004  modifier not valid for this parameter
#   search-005  :missing value is not true or false
#   search-006  token value malformed (empty, or more than one `|`)
#   search-007  date prefix unknown
#   search-008  date value malformed
#   search-009  reference value malformed, or of a type the parameter cannot point to
#   search-010  _id value is not a FHIR id
#   search-011  _count is not a non-negative integer
#   search-012  _sort key unknown or not sortable, or repeated
#   search-013  _include / _revinclude malformed or naming a parameter that does not fit
#   search-014  _include / _revinclude wildcard `*` not supported
#   search-015  _summary value not supported (only `count` and `false`)
#   search-016  result parameter (_count, _sort, _summary, _cursor) given more than once
# last id used: search-017

_ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")

# Handled by the HTTP layer: neither applied nor ignored here.
_HTTP_PARAMS = frozenset({"_format", "_pretty"})
_SINGLE_RESULT_PARAMS = ("_count", "_sort", "_summary", "_cursor")
_INCLUDE_PARAMS = ("_include", "_revinclude")

# FHIR modifiers this server knows but does not implement.
_UNSUPPORTED_MODIFIERS = frozenset(
    {
        "text",
        "above",
        "below",
        "in",
        "not-in",
        "identifier",
        "of-type",
        "iterate",
        "code-text",
        "text-advanced",
    }
)
_MODIFIERS_BY_TYPE: dict[ParamType, frozenset[str]] = {
    ParamType.TOKEN: frozenset({"missing", "not"}),
    ParamType.STRING: frozenset({"missing", "exact", "contains"}),
    ParamType.REFERENCE: frozenset({"missing"}),
    ParamType.DATE: frozenset({"missing"}),
    ParamType.URI: frozenset({"missing"}),
}
_SORTABLE_TYPES = frozenset({ParamType.DATE, ParamType.STRING, ParamType.TOKEN, ParamType.URI})


def _error(code: str, message: str, expression: str, rule: str) -> Issue:
    return Issue("error", code, message, expression=expression, rule=rule)


def split_escaped(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is not escaped by a backslash; escapes are kept."""
    if "\\" not in text:
        return text.split(separator)
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape(text: str) -> str:
    """Undo FHIR search escaping: `\\,` `\\|` `\\$` `\\\\` become `,` `|` `$` `\\`."""
    if "\\" not in text:
        return text
    return re.sub(r"\\([,|$\\])", r"\1", text)


class _Parser:
    """One parse: accumulates criteria, result parameters and issues."""

    def __init__(self, resource_type: str, base_url: str | None) -> None:
        self.resource_type = resource_type
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.issues: list[Issue] = []
        self.criteria: list[Criterion] = []
        self.used: list[tuple[str, str]] = []
        self.ignored: list[str] = []
        self.seen_single: set[str] = set()
        self.sort: tuple[SortKey, ...] = ()
        self.sort_raw: str | None = None
        self.count: int | None = None
        self.summary_count = False
        self.summary_raw: str | None = None
        self.cursor: str | None = None
        self.includes: dict[Include, str] = {}

    # --- result parameters -------------------------------------------------------------------

    def result_param(self, name: str, modifier: str, raw: str) -> None:
        if modifier:
            code = "not-supported" if modifier in _UNSUPPORTED_MODIFIERS else "value"
            self.issues.append(
                _error(
                    code,
                    f"Modifier ':{modifier}' is not supported on {name}",
                    name,
                    "search-003" if code == "not-supported" else "search-004",
                )
            )
            return
        if name in _INCLUDE_PARAMS:
            self.include(name, raw)
            return
        if name in self.seen_single:
            self.issues.append(_error("value", f"{name} may be given only once", name, "search-016"))
            return
        self.seen_single.add(name)
        if name == "_count":
            self.parse_count(raw)
        elif name == "_sort":
            self.parse_sort(raw)
        elif name == "_summary":
            if raw == "count":
                self.summary_count = True
                self.summary_raw = raw
            elif raw == "false":
                self.summary_raw = raw
            else:
                self.issues.append(
                    _error(
                        "not-supported",
                        f"_summary={raw} is not supported (only count, false)",
                        name,
                        "search-015",
                    )
                )
        else:  # _cursor
            self.cursor = raw

    def parse_count(self, raw: str) -> None:
        if not raw.isascii() or not raw.isdigit():
            self.issues.append(
                _error("value", f"_count must be a non-negative integer, not '{raw}'", "_count", "search-011")
            )
            return
        self.count = int(raw)
        if self.count == 0:
            self.summary_count = True

    def parse_sort(self, raw: str) -> None:
        keys: list[SortKey] = []
        names: set[str] = set()
        for part in raw.split(","):
            descending = part.startswith("-")
            key = part[1:] if descending else part
            param = param_for(self.resource_type, key)
            if param is None or param.type not in _SORTABLE_TYPES:
                self.issues.append(
                    _error("value", f"Cannot sort {self.resource_type} by '{key}'", "_sort", "search-012")
                )
                continue
            if key in names:
                self.issues.append(_error("value", f"_sort names '{key}' twice", "_sort", "search-012"))
                continue
            names.add(key)
            keys.append(SortKey(param, descending))
        self.sort = tuple(keys)
        self.sort_raw = raw

    def include(self, name: str, raw: str) -> None:
        reverse = name == "_revinclude"
        if "*" in raw:
            self.issues.append(_error("not-supported", f"{name}={raw}: wildcard is not supported", name, "search-014"))
            return
        parts = raw.split(":")
        if len(parts) not in (2, 3):
            self.issues.append(
                _error(
                    "value",
                    f"{name} must be 'Type:param' or 'Type:param:Target', not '{raw}'",
                    name,
                    "search-013",
                )
            )
            return
        source, param_name = parts[0], parts[1]
        target = parts[2] if len(parts) == 3 else None
        problem = self.include_problem(source, param_name, target, reverse)
        if problem:
            self.issues.append(_error("value", f"{name}={raw}: {problem}", name, "search-013"))
            return
        param = param_for(source, param_name)
        assert param is not None  # checked by include_problem
        self.includes.setdefault(Include(source, param, target, reverse), raw)

    def include_problem(self, source: str, param_name: str, target: str | None, reverse: bool) -> str:
        if not reverse and source != self.resource_type:
            return f"the source type must be {self.resource_type}"
        if source not in STORED_TYPES:
            return f"{source} is not a stored type"
        param = param_for(source, param_name)
        if param is None or param.type is not ParamType.REFERENCE:
            return f"{param_name} is not a reference parameter of {source}"
        if target is not None and target not in FHIR_RESOURCE_TYPES:
            return f"{target} is not a resource type"
        if reverse:
            if target is not None and target != self.resource_type:
                return f"the target type must be {self.resource_type}"
            if param.targets and self.resource_type not in param.targets:
                return f"{source}.{param_name} cannot point to {self.resource_type}"
        elif target is not None and param.targets and target not in param.targets:
            return f"{source}.{param_name} cannot point to {target}"
        return ""

    # --- criteria ----------------------------------------------------------------------------

    def criterion(self, name: str, base: str, modifier: str, raw: str, strict: bool) -> None:
        param = None if "." in name else param_for(self.resource_type, base)
        if param is None:
            if strict:
                self.issues.append(
                    _error(
                        "not-supported",
                        f"Unknown search parameter '{name}' for {self.resource_type}",
                        base,
                        "search-002",
                    )
                )
            elif name not in self.ignored:
                self.ignored.append(name)
            return
        if not self.modifier_ok(param, modifier):
            return
        if modifier == "missing":
            if raw not in ("true", "false"):
                self.issues.append(
                    _error("value", f"{name} must be 'true' or 'false', not '{raw}'", base, "search-005")
                )
                return
            self.add(param, name, modifier, raw, (raw,))
            return
        values: list[SearchValue] = []
        count_before = len(self.issues)
        for part in split_escaped(raw, ","):
            if part == "":
                continue
            value = self.value(param, modifier, part)
            if value is not None:
                values.append(value)
        if values and len(self.issues) == count_before:
            self.add(param, name, modifier or None, raw, tuple(values))

    def add(
        self, param: SearchParam, name: str, modifier: str | None, raw: str, values: tuple[SearchValue, ...]
    ) -> None:
        self.criteria.append(Criterion(param, modifier, values))
        self.used.append((name, raw))

    def modifier_ok(self, param: SearchParam, modifier: str) -> bool:
        if not modifier:
            return True
        pseudo = not param.paths
        if modifier in _UNSUPPORTED_MODIFIERS:
            self.issues.append(
                _error("not-supported", f"Modifier ':{modifier}' is not supported", param.name, "search-003")
            )
            return False
        if not pseudo and modifier in _MODIFIERS_BY_TYPE[param.type]:
            return True
        if not pseudo and param.type is ParamType.REFERENCE and modifier in FHIR_RESOURCE_TYPES:
            if not param.targets or modifier in param.targets:
                return True
            self.issues.append(_error("value", f"{param.name} cannot point to {modifier}", param.name, "search-004"))
            return False
        self.issues.append(
            _error(
                "value",
                f"Modifier ':{modifier}' is not valid for {param.type.value} parameter {param.name}",
                param.name,
                "search-004",
            )
        )
        return False

    def value(self, param: SearchParam, modifier: str, part: str) -> SearchValue | None:
        if param is ID_PARAM:
            text = unescape(part)
            if _ID_RE.fullmatch(text) is None:
                self.issues.append(_error("value", f"'{text}' is not a valid id", param.name, "search-010"))
                return None
            return text
        kind = param.type
        if kind is ParamType.TOKEN:
            return self.token(param, part)
        if kind is ParamType.STRING:
            return normalize_string(unescape(part)) or None
        if kind is ParamType.DATE:
            return self.date(param, unescape(part))
        if kind is ParamType.REFERENCE:
            return self.reference(param, modifier, unescape(part))
        return unescape(part)  # URI

    def token(self, param: SearchParam, part: str) -> TokenValue | None:
        pieces = split_escaped(part, "|")
        if len(pieces) == 1:
            return TokenValue(None, unescape(pieces[0]))
        if len(pieces) == 2 and (pieces[0] or pieces[1]):
            system, code = unescape(pieces[0]), unescape(pieces[1])
            return TokenValue(system, code or None)
        self.issues.append(
            _error(
                "value",
                f"'{part}' is not a token (code, system|code, |code or system|)",
                param.name,
                "search-006",
            )
        )
        return None

    def date(self, param: SearchParam, text: str) -> DateValue | None:
        prefix = DatePrefix.EQ
        if len(text) >= 2 and text[:2].isalpha():
            try:
                prefix = DatePrefix(text[:2])
            except ValueError:
                self.issues.append(
                    _error(
                        "value",
                        f"'{text[:2]}' is not a date prefix (eq ne lt gt le ge sa eb ap)",
                        param.name,
                        "search-007",
                    )
                )
                return None
            text = text[2:]
        # A `+` zone offset sent unencoded arrives as a space.
        if " " in text:
            text = text.replace(" ", "+")
        try:
            low, high = date_range(text)
        except ValueError:
            self.issues.append(_error("value", f"'{text}' is not a valid date or dateTime", param.name, "search-008"))
            return None
        return DateValue(prefix, low, high)

    def reference(self, param: SearchParam, modifier: str, text: str) -> ReferenceValue | None:
        problem = ""
        value: ReferenceValue | None = None
        if modifier:  # a resource type
            found_type, _, found_id = text.rpartition("/")
            if found_type and found_type != modifier:
                problem = f"'{text}' does not match the :{modifier} modifier"
            elif _ID_RE.fullmatch(found_id) is None:
                problem = f"'{found_id}' is not a valid id"
            else:
                value = ReferenceValue(modifier, found_id, None)
        elif "://" in text or text.startswith("urn:"):
            target_type, target_id = parse_reference(text)
            if self.base_url and text.startswith(self.base_url) and target_type is not None:
                value = ReferenceValue(target_type, target_id, text)
            else:
                value = ReferenceValue(None, None, text)
        elif "/" in text:
            segments = text.split("/")
            target_type, target_id = parse_reference(text)
            shaped = len(segments) == 2 or (len(segments) == 4 and segments[2] == "_history")
            if not shaped or target_type is None or target_id is None or _ID_RE.fullmatch(target_id) is None:
                problem = f"'{text}' is not Type/id, an id or an absolute URL"
            elif param.targets and target_type not in param.targets:
                problem = f"{param.name} cannot point to {target_type}"
            else:
                value = ReferenceValue(target_type, target_id, None)
        elif _ID_RE.fullmatch(text) is None:
            problem = f"'{text}' is not a valid id"
        else:
            value = ReferenceValue(None, text, None)
        if problem:
            self.issues.append(_error("value", problem, param.name, "search-009"))
        return value


def parse_search(
    resource_type: str,
    args: Sequence[tuple[str, str]],
    *,
    strict: bool,
    default_count: int,
    max_count: int,
    base_url: str | None = None,
) -> SearchRequest:
    """Parse the query string of `GET /fhir/{type}?...` into a search request.

    Repeated names are ANDed, comma-separated values ORed (`\\,` escapes a comma). Empty values
    are skipped, as FHIR asks; `_format` and `_pretty` belong to the HTTP layer and are skipped.

    Args:
        resource_type: the searched type, e.g. `Task`.
        args: the query string as (name, value) pairs in order, repeats allowed.
        strict: `Prefer: handling=strict`: unknown parameters are an error, else ignored.
        default_count: page size when `_count` is absent.
        max_count: upper bound applied to `_count` (and to `default_count`).
        base_url: this server's FHIR base (`https://host/fhir`); an absolute reference value under
            it is matched by type and id, any other absolute URL by the URL as written.
    Returns:
        The request; `used` lists the applied parameters for the `self` link (without `_cursor`).
    Raises:
        NotFound: `resource_type` is not a stored type.
        BadRequest: with every issue found (bad values, modifiers, sort keys, includes, and
            unknown parameters under `strict`).
    """
    if resource_type not in STORED_TYPES:
        message = f"Resource type '{resource_type}' is not supported"
        raise NotFound(message, issues=[Issue("error", "not-found", message, rule="search-001")])
    parser = _Parser(resource_type, base_url)
    for name, raw in args:
        if "\x00" in name or "\x00" in raw:  # no stored value holds one; PostgreSQL refuses to compare with it
            message = f"Search parameter {name!r} holds a NUL character"
            raise BadRequest(message, issues=[Issue("error", "value", message, name, "search-017")])
        base, _, modifier = name.partition(":")
        if base in _HTTP_PARAMS or raw == "":
            continue
        if base in _SINGLE_RESULT_PARAMS or base in _INCLUDE_PARAMS:
            parser.result_param(base, modifier, raw)
        else:
            parser.criterion(name, base, modifier, raw, strict)
    if parser.issues:
        raise BadRequest(parser.issues[0].message, issues=parser.issues)
    return _request(parser, default_count, max_count)


def _request(parser: _Parser, default_count: int, max_count: int) -> SearchRequest:
    used = list(parser.used)
    if parser.sort_raw is not None:
        used.append(("_sort", parser.sort_raw))
    if parser.count is not None:
        count = min(parser.count, max_count)
        used.append(("_count", str(count)))
    else:
        count = min(default_count, max_count)
    for include, raw in parser.includes.items():
        used.append(("_revinclude" if include.reverse else "_include", raw))
    if parser.summary_raw is not None:
        used.append(("_summary", parser.summary_raw))
    return SearchRequest(
        resource_type=parser.resource_type,
        criteria=tuple(parser.criteria),
        sort=parser.sort,
        count=count,
        includes=tuple(parser.includes),
        summary_count=parser.summary_count,
        cursor=parser.cursor,
        used=tuple(used),
        ignored=tuple(parser.ignored),
    )
