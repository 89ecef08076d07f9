"""Fuzzing the HTTP API (tests/auth/test_fuzz.py): hypothesis strategies for requests over the real endpoints
with random, damaged or hostile bodies and headers, forged and damaged bearer tokens, the checks every
answer must pass, and a snapshot of the stored resources to compare before and after a refusal.

Tokens depend on the app (its key, its clock), so strategies draw *specs* (`AuthSpec`) that a test
turns into a header value with `Tokens.authorization()`; falsifying examples then print readably.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from flask import Flask
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from fhir_p2p.auth import ASSERTION_TYPE
from fhir_p2p.auth.tokens import issue_access_token
from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.resources.xml import dict_to_xml
from fhir_p2p.rest import interactions
from fhir_p2p.store.schema import resource_versions, resources
from fhir_p2p.x12.core import CoreEnvelopeError, CoreResponse, SoapFault, parse_response
from tests.auth.support import BASE, CLIENT_ID, ORGANIZATION, WHERE, offline_token, register, rsa_key, unsigned
from tests.conftest import example_files, load_example
from tests.x12.support import DATA, REQUEST, RESPONSE

# --- the data a fuzz run starts with --------------------------------------------------------------

# Loaded through the store (no HTTP, no auth, no tenancy): what reads, updates, $x12 and Tasks point at.
TARGETS = (
    "Organization-northwind-health-plan",
    "Organization-cedar-valley-medical-center",
    "Patient-theodora-vance",
    "ClaimResponse-denial-mri-lumbar",
    "Task-p2p-mri-lumbar",
)
EXAMPLES = [load_example(path.name) for path in example_files()]
KNOWN_IDS = tuple(load_example(name)["id"] for name in TARGETS)
PUBLIC_PATHS = frozenset(
    {"/fhir/metadata", "/auth/token", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"}
)


def load_targets(app: Flask) -> None:
    """Store TARGETS as they are (version 1 each)."""
    with app.extensions["fhir_p2p.store"].unit_of_work(write=True) as uow:
        for name in TARGETS:
            resource = load_example(name)
            interactions.update(uow, resource["resourceType"], resource["id"], resource, None)


def snapshot(app: Flask) -> dict[str, Any]:
    """What a refused request must leave as it was: counts and newest keys of `resources` and
    `resource_versions`, and a digest of every current resource row."""
    engine = app.extensions["fhir_p2p.store"].engine
    state: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in (resources, resource_versions):
            count, max_pk, max_version, sum_version = connection.execute(
                select(func.count(), func.max(table.c.pk), func.max(table.c.version_id), func.sum(table.c.version_id))
            ).one()
            state[table.name] = (count, max_pk, max_version, sum_version)
        digest = hashlib.sha256()
        rows = connection.execute(
            select(resources.c.pk, resources.c.version_id, resources.c.deleted, resources.c.content).order_by(
                resources.c.pk
            )
        )
        for row in rows:
            digest.update(repr(tuple(row)).encode())
        state["content"] = digest.hexdigest()
    return state


# --- a request ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthSpec:
    """Which Authorization header to send: `kind` (see AUTH_KINDS), and where/what to damage."""

    kind: str
    position: int = 0
    char: str = "A"
    scheme: str = "Bearer"

    @property
    def forged(self) -> bool:
        """True when the header can never be accepted, whatever the damage."""
        return self.kind in FORGED_KINDS


@dataclass(frozen=True)
class Call:
    """One HTTP request. A token request has `form` instead of a body (its assertions are signed when sent)."""

    method: str
    path: str  # with the query string
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    auth: AuthSpec | None = None
    form: tuple[tuple[str, Any], ...] | None = None  # /auth/token: resolved by `form_body`
    label: str = ""  # what the strategy meant to do (for --hypothesis-show-statistics)

    def __repr__(self) -> str:
        body = (
            self.body
            if self.body is None or len(self.body) <= 400
            else self.body[:400] + b"...(%d bytes)" % len(self.body)
        )
        return (
            f"Call(method={self.method!r}, path={self.path!r}, body={body!r}, headers={self.headers!r}, "
            f"auth={self.auth!r}, form={self.form!r})"
        )

    @property
    def bare_path(self) -> str:
        return self.path.split("?", 1)[0]


# --- 500s the fuzzing found ---------------------------------------------------------------------
# Each has a regression test in test_fuzz.py and is generated again here. Fixed in ab81a9d:
#  1. a control character (U+0000-U+001F but tab, CR, LF) in a resource string was stored, and its XML
#     was a 500 (a create with U+0000 was a 500 on PostgreSQL);
#  2. U+0000 in an id, a search value or If-None-Exist: 500 on PostgreSQL;
#  3. a vread version beyond the version column (2**31 on PostgreSQL, 2**63 on SQLite) or `_history/²`;
#  4. a server-signed access token whose role is neither provider nor payer.
# Fixed in fec6940:
#  5. a refusal quoting request text with a control character (a Content-Type, a search parameter or
#     value, an id, a JSON key), asked for as XML: lxml refused the text, in the error handler;
#  6. a client assertion whose iss holds U+0000: 500 on PostgreSQL at POST /auth/token (the client
#     lookup runs before the signature check, so no key was needed).
# A new one: an xfail(strict=True) test in test_fuzz.py with the minimal request, and its input left
# out here (with a note in this list) until it is fixed, so the fuzz tests keep guarding the rest.


def text(max_size: int) -> st.SearchStrategy[str]:
    """Any text that can be in a URL (no surrogates)."""
    return st.text(st.characters(codec="utf-8"), max_size=max_size)


# --- text and values ------------------------------------------------------------------------------

# Header values reach a WSGI app as latin-1 text; line breaks cannot be sent at all.
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x01, max_codepoint=0xFF, exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85"),
    max_size=80,
)
ODD_TEXT = text(40) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x01",
        "%",
        "%00",
        "%2F",
        "../..",
        "\u202e",
        "日本語",
        "a" * 70,
        "x" * 2000,
        "' OR 1=1 --",
        "<script>",
    ]
)
BIG_NUMBERS = ("99999999999999999999", "9223372036854775808", "2147483648", "-1", "0", "1e3", "00001", "1.5")

EXAMPLE_TYPES = st.sampled_from(sorted({e["resourceType"] for e in EXAMPLES}))
TYPES = st.sampled_from([*STORED_TYPES, "StructureDefinition", "ValueSet", "CodeSystem"]) | st.sampled_from(
    ["Foo", "claimresponse", "Bundle", "OperationOutcome", "Parameters", "metadata", "_history", "$validate", ""]
)
IDS = (
    st.sampled_from(KNOWN_IDS)
    | st.sampled_from(
        ["p1", "does-not-exist", "a" * 64, "a" * 65, "..", "-", "A.b-9", "%24x12", "a\x00b", *BIG_NUMBERS]
    )
    | text(20)
)
VERSIONS = st.sampled_from(["1", "2", "0", "x", "", "\u0661", "\u00b2", *BIG_NUMBERS]) | st.integers(-5, 10**30).map(
    str
)


def _segment(value: str) -> str:
    return quote(value, safe="$")


SEARCH_NAMES = st.sampled_from(
    [
        "_id", "patient", "identifier", "status", "created", "_lastUpdated", "_count", "_sort", "_include",
        "_revinclude", "_summary", "_elements", "_format", "_pretty", "_total", "_since", "_at", "_offset",
        "_page", "focus", "owner", "requestor", "insurer", "outcome", "use", "name", "profile", "url",
        "patient:missing", "identifier:of-type", "focus:ClaimResponse", "_has:Task:focus:status", "_tag",
        "_content", "business-status", "request", "subject", "_list",
    ]
) | text(12)  # fmt: skip
SEARCH_VALUES = st.sampled_from(
    [
        "", "x", "theodora-vance", "Patient/theodora-vance", "denial-mri-lumbar", "ge2026-11-18", "lt2026-02-30",
        "2026-13-40T99:00:00Z", "eq", "ap2026", "ClaimResponse:patient", "Task:focus", "*", "true", "false",
        "json", "xml", "application/fhir+json", "text/html", "a,b,,", "|", "http://x|", "|y", "-created",
        "complete", "requested", "count", "accurate", "1", "501", "NWH-UM-2026-1117-0042", "a\x00b", *BIG_NUMBERS,
    ]
) | ODD_TEXT  # fmt: skip
QUERIES = st.lists(st.tuples(SEARCH_NAMES, SEARCH_VALUES), max_size=4).map(lambda pairs: urlencode(pairs))

FHIR_JSON = "application/fhir+json"
CONTENT_TYPES = st.sampled_from(
    [
        FHIR_JSON, "application/json", "application/fhir+json; charset=utf-8", "application/fhir+json; fhirVersion=4.0",
        "application/fhir+xml", "application/xml", "text/xml", "application/edi-x12", "application/x12",
        "text/plain", "application/soap+xml; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz", "multipart/form-data", "text/html", "", ";;;",
        "application/json; charset=latin-1", "application/json; charset=nope",
        "application/x-www-form-urlencoded; charset=nope",
    ]
) | HEADER_TEXT  # fmt: skip
ACCEPTS = st.sampled_from(
    [
        FHIR_JSON, "application/fhir+xml", "application/edi-x12", "*/*", "text/html", "application/json;q=0",
        "application/fhir+xml;q=0.5, application/fhir+json;q=0.9", "application/soap+xml", "application/xml;q=x",
    ]
) | HEADER_TEXT  # fmt: skip
IF_MATCH = st.sampled_from(['W/"1"', '"1"', 'W/"2"', 'W/"0"', "*", 'W/""', 'W/"-1"', 'W/"99999999999999999999999"'])
PREFER = st.sampled_from(
    ["return=minimal", "return=representation", "return=OperationOutcome", "handling=strict", "handling=lenient",
     "respond-async", 'return="minimal", handling=strict', "return=", "=", ",,,"]
) | HEADER_TEXT  # fmt: skip
EXTRA_HEADERS = {
    "Content-Type": CONTENT_TYPES,
    "Accept": ACCEPTS,
    "If-Match": IF_MATCH | HEADER_TEXT,
    "If-None-Exist": QUERIES | HEADER_TEXT,
    "If-None-Match": IF_MATCH | HEADER_TEXT,
    "If-Modified-Since": st.sampled_from(["Wed, 18 Nov 2026 14:30:00 GMT", "Wed, 18 Nov 2026 14:30:00", "0"])
    | HEADER_TEXT,
    "Prefer": PREFER,
    "X-Request-Id": HEADER_TEXT | st.sampled_from(["abc-123", "a" * 129, "x\ty", "ü", "../../etc/passwd", "%0d%0a"]),
}


# --- bodies ---------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text(20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text(10), children, max_size=4),
    max_leaves=20,
)
FHIR_KEYS = st.sampled_from(
    ["resourceType", "id", "meta", "status", "entry", "request", "resource", "url", "method", "type", "identifier",
     "reference", "parameter", "name", "valueString", "extension", "fullUrl", "ifMatch", "ifNoneExist", "focus"]
)  # fmt: skip
FHIR_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | text(20) | TYPES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(FHIR_KEYS, children, max_size=5),
    max_leaves=25,
)
BAD_REFERENCES = (
    "Patient/does-not-exist", "Patient/", "Patient", "/Patient/theodora-vance", "../../etc/passwd", "#",
    "#missing", "urn:uuid:not-a-uuid", "http://elsewhere.example/fhir/Patient/1", "Foo/bar", "", " ",
    "Patient/theodora-vance/_history/99999999999999999999", "ClaimResponse/denial-mri-lumbar?x=1",
)  # fmt: skip
BAD_DATES = (
    "2026-02-30", "2026-02-30T10:00:00Z", "9999-99-99T99:99:99Z", "0000-01-01", "2026-11-18T25:00:00Z",
    "2026-11-18T14:30:00", "yesterday", "", "2026", "2026-11-18T14:30:00+25:00", "-2026-01-01", "1e10",
    "2026-11-18T14:30:00.1234567890123Z", "10000-01-01",
)  # fmt: skip
WRONG_TYPED = (None, True, 0, -1, 1.5, 10**30, "", "x", [], {}, [None], {"x": 1}, [[1]], "\x00")
DEEP_MARK = "__fuzz_deep__"
MUTATIONS = (
    "as-is", "wrong-type", "deep-nesting", "huge-string", "unknown-element", "bad-reference", "bad-date",
    "drop-element", "bad-id", "bad-resource-type", "primitive-extension", "contained", "odd-characters",
)  # fmt: skip


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) under `node`, deepest last."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append((*here, key))
        found.extend(_paths(child, (*here, key)))
    return found


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _drop(doc: Any, path: tuple[Any, ...]) -> None:
    node = doc
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]


@dataclass
class Mutated:
    """A resource after one named mutation; `text()` is its JSON (deep nesting spliced in as text)."""

    name: str
    resource: Any
    depth: int = 0
    deep_object: bool = False

    def text(self) -> bytes:
        raw = json.dumps(self.resource)
        if self.depth:
            opening, closing = (
                ('{"extension":' * self.depth, "}" * self.depth)
                if self.deep_object
                else (
                    "[" * self.depth,
                    "]" * self.depth,
                )
            )
            raw = raw.replace(json.dumps(DEEP_MARK), f"{opening}1{closing}", 1)
        return raw.encode()


@st.composite
def mutated(draw: st.DrawFn, resource_type: str | None = None) -> Mutated:
    """An example resource (of `resource_type` when there is one) after one named mutation."""
    pool = [e for e in EXAMPLES if e["resourceType"] == resource_type] or EXAMPLES
    doc = copy.deepcopy(draw(st.sampled_from(pool)))
    name = "as-is" if draw(st.integers(0, 2)) == 0 else draw(st.sampled_from(MUTATIONS))
    paths = [p for p in _paths(doc) if p != ("resourceType",)]
    path = draw(st.sampled_from(paths))
    result = Mutated(name, doc)
    if name == "wrong-type":
        _set(doc, path, draw(st.sampled_from(WRONG_TYPED)))
    elif name == "deep-nesting":
        keyed = isinstance(path[-1], str) and draw(st.booleans())
        _set(doc, (*path[:-1], "extension") if keyed else path, DEEP_MARK)
        result.depth = draw(st.sampled_from([30, 63, 64, 65, 200, 2000, 100_000]))
        result.deep_object = draw(st.booleans())
    elif name == "huge-string":
        _set(
            doc,
            path,
            draw(st.sampled_from(["x", "ü", "\U0001f600", "<&>", "\x00"])) * draw(st.sampled_from([10_000, 1_000_000])),
        )
    elif name == "unknown-element":
        key = draw(
            st.sampled_from(
                ["colour", "_colour", "resourceType", "", "extension", "modifierExtension", "fhir_comments"]
            )
        )
        target = path[:-1] if len(path) > 1 and isinstance(path[-1], str) else ()
        parent: Any = doc
        for step in target:
            parent = parent[step]
        if isinstance(parent, dict):
            parent[key] = draw(st.sampled_from(WRONG_TYPED))
    elif name == "bad-reference":
        references = [p for p in paths if p[-1] == "reference"] or [path]
        _set(doc, draw(st.sampled_from(references)), draw(st.sampled_from(BAD_REFERENCES)))
    elif name == "bad-date":
        dates = [
            p for p in paths if re.search(r"(date|created|start|end|Date|authoredOn|lastModified|birth)", str(p[-1]))
        ]
        _set(doc, draw(st.sampled_from(dates or [path])), draw(st.sampled_from(BAD_DATES)))
    elif name == "drop-element":
        _drop(doc, path)
    elif name == "bad-id":
        doc["id"] = draw(
            st.sampled_from(["", "a" * 65, "x y", "../x", "ü", 5, None, "denial-mri-lumbar", "p2p-mri-lumbar"])
        )
    elif name == "bad-resource-type":
        doc["resourceType"] = draw(TYPES | st.sampled_from([None, 5, ["Patient"], "patient"]))
    elif name == "primitive-extension":
        key = path[-1] if isinstance(path[-1], str) else "status"
        doc[f"_{key}"] = draw(st.sampled_from([{"extension": []}, {"id": 5}, [None], "x", {"extension": [{"url": 5}]}]))
    elif name == "contained":
        doc["contained"] = draw(st.sampled_from([[copy.deepcopy(doc)], [{}], [{"resourceType": "Patient"}], "x"]))
    elif name == "odd-characters":
        odd = ["\x00", "a\x01b", "\x1b[31m", "\t", "a\r\nb", "\u2028", "\x7f", "\ufeff", "\U0001f600", "\ud7ff"]
        _set(doc, path, draw(st.sampled_from(odd)))
    return result


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


X12_SOURCES = (REQUEST.read_bytes(), RESPONSE.read_bytes())
X12_NOISE = st.binary(max_size=4) | st.sampled_from([b"*", b"~", b":", b"^", b"\n", b"ISA", b"SE*", b"HL*", b"\xff"])


@st.composite
def x12_bodies(draw: st.DrawFn) -> bytes:
    """One of the 278 samples, as it is or damaged (as tests/x12/test_robustness.py damages them)."""
    data = bytearray(draw(st.sampled_from(X12_SOURCES)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        data[at : at + draw(st.integers(0, 12))] = draw(X12_NOISE)
    return bytes(data)


CORE_REQUEST = (DATA / "core" / "realtime-request-278.xml").read_text()
HOSTILE_XML = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir">'
    b'<id value="&e;"/></Patient>',
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><l>&d;</l>',
    b'<Patient xmlns="http://hl7.org/fhir"><xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
    b' href="/etc/passwd"/></Patient>',
    b"<a>" * 5000 + b"</a>" * 5000,
    b"<?xml version='1.0' encoding='nope'?><a/>",
    b"<soapenv:Envelope xmlns:soapenv='http://www.w3.org/2003/05/soap-envelope'><soapenv:Body/></soapenv:Envelope>",
    b"",
    b"\xef\xbb\xbf<x/>",
)  # fmt: skip


@st.composite
def soap_bodies(draw: st.DrawFn) -> bytes:
    """The CORE request sample with its payload or a field damaged, or hostile XML."""
    choice = draw(st.sampled_from(["sample", "payload", "field", "cut", "hostile"]))
    if choice == "hostile":
        return draw(st.sampled_from(HOSTILE_XML))
    xml = CORE_REQUEST
    if choice == "payload":
        payload = draw(x12_bodies()).decode("latin-1").replace("]]>", "")
        xml = re.sub(r"<!\[CDATA\[.*?\]\]>", lambda _: f"<![CDATA[{payload}]]>", xml, flags=re.S)
    elif choice == "field":
        name = draw(
            st.sampled_from(
                ["PayloadType", "ProcessingMode", "PayloadID", "TimeStamp", "SenderID", "ReceiverID", "CORERuleVersion"]
            )
        )
        value = draw(
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="<&"), max_size=40)
        )
        xml = re.sub(rf"<{name}>.*?</{name}>", lambda _: f"<{name}>{value}</{name}>", xml, flags=re.S)
    elif choice == "cut":
        xml = xml[: draw(st.integers(0, len(xml)))]
    return xml.encode()


def xml_of(resource: Any) -> bytes:
    try:
        return dict_to_xml(resource)
    except Exception:  # a mutation dict_to_xml cannot write: send its JSON instead
        return _json(resource)


@st.composite
def resource_bodies(draw: st.DrawFn, resource_type: str | None = None) -> tuple[bytes, str]:
    """(body, content type): an example or a mutated one, as JSON (mostly) or XML."""
    mutation = draw(mutated(resource_type))
    if mutation.depth == 0 and draw(st.integers(0, 5)) == 0:
        return xml_of(mutation.resource), "application/fhir+xml"
    return mutation.text(), FHIR_JSON


@st.composite
def bundle_bodies(draw: st.DrawFn) -> bytes:
    """A transaction or batch of examples (some mutated) with requests that make sense, or not."""
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        resource = draw(mutated()).resource if draw(st.booleans()) else copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
        kind = resource.get("resourceType") if isinstance(resource, dict) else "Patient"
        rid = resource.get("id") if isinstance(resource, dict) else None
        method = draw(st.sampled_from(["POST", "PUT", "GET", "DELETE", "PATCH", "HEAD", "", None]))
        url = draw(
            st.sampled_from([f"{kind}", f"{kind}/{rid}", f"{kind}?_id={rid}", "", "/", "Foo/1", "metadata", "_history"])
            | text(20)
        )
        entry: dict[str, Any] = {"resource": resource, "request": {"method": method, "url": url}}
        if draw(st.booleans()):
            entry["fullUrl"] = draw(
                st.sampled_from(["urn:uuid:1f0c5d2e-0000-4000-8000-000000000001", f"{BASE}/{kind}/{rid}", "x"])
            )
        if draw(st.integers(0, 3)) == 0:
            entry["request"].update(
                draw(
                    st.dictionaries(
                        st.sampled_from(["ifMatch", "ifNoneExist", "ifNoneMatch"]), IF_MATCH | QUERIES, max_size=2
                    )
                )
            )
        if draw(st.integers(0, 5)) == 0:
            entry = draw(
                st.sampled_from([{}, {"request": None}, {"resource": None, "request": {"method": "PUT"}}, "x"])
            )
        entries.append(entry)
    bundle_type = draw(st.sampled_from(["transaction", "batch", "collection", "searchset", "", None, 5]))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": bundle_type, "entry": entries}
    if draw(st.integers(0, 5)) == 0:
        bundle["entry"] = draw(st.sampled_from([None, {}, "x", [None]]))
    return _json(bundle)


@st.composite
def parameters_bodies(draw: st.DrawFn) -> bytes:
    resource = draw(mutated()).resource
    parameter = [{"name": "resource", "resource": resource}]
    if draw(st.booleans()):
        parameter.append(
            {
                "name": "profile",
                "valueUri": draw(st.sampled_from(["http://nowhere/x", "", "p2p-denial"]) | text(20)),
            }
        )
    body: Any = {"resourceType": "Parameters", "parameter": parameter}
    if draw(st.integers(0, 4)) == 0:
        body = draw(
            st.sampled_from(
                [
                    {"resourceType": "Parameters", "parameter": "x"},
                    {"resourceType": "Parameters", "parameter": [None, 5]},
                ]
            )
        )
    return _json(body)


def form_of(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs).encode()


RANDOM_BODIES = (
    st.binary(max_size=2000)
    | JSON_VALUES.map(_json)
    | FHIR_JSON_VALUES.map(_json)
    | st.sampled_from([b"", b"{", b"null", b"[]", b'{"resourceType": null}', b"\xff\xfe", b"{}" * 3])
)
OVERSIZED = b'{"resourceType":"Patient","id":"' + b"x" * (5 * 1024 * 1024 + 10) + b'"}'  # > MAX_BODY_BYTES


# --- requests -------------------------------------------------------------------------------------


OPERATIONS = (
    "create", "update", "read", "vread", "history", "type-history", "system-history", "delete", "search",
    "search-post", "validate", "validate-instance", "x12-of", "translate-x12", "translate-fhir", "inbound-x12",
    "core", "bundle", "random",
)  # fmt: skip


@st.composite
def operations(draw: st.DrawFn) -> tuple[str, str, str, bytes | None, str | None]:
    """(operation, method, path, body, content type) of one real interaction, with its own kind of body."""
    operation = draw(st.sampled_from(["create", "update"]) | st.sampled_from(OPERATIONS))
    kind = draw(EXAMPLE_TYPES) if draw(st.integers(0, 3)) else draw(TYPES)
    return (operation, *draw(_operation(operation, kind)))


@st.composite
def _operation(draw: st.DrawFn, operation: str, kind: str) -> tuple[str, str, bytes | None, str | None]:
    rid = _segment(draw(IDS))
    t = _segment(kind)
    if operation == "create":
        body, content_type = draw(resource_bodies(kind))
        return "POST", f"/fhir/{t}", body, content_type
    if operation == "update":
        mutation = draw(mutated(kind))
        if isinstance(mutation.resource, dict) and isinstance(mutation.resource.get("id"), str) and draw(st.booleans()):
            rid = _segment(mutation.resource["id"])  # mostly the resource's own id, as an update must
        return "PUT", f"/fhir/{t}/{rid}", mutation.text(), FHIR_JSON
    if operation == "read":
        return "GET", f"/fhir/{t}/{rid}", None, None
    if operation == "vread":
        return "GET", f"/fhir/{t}/{rid}/_history/{_segment(draw(VERSIONS))}", None, None
    if operation == "history":
        return "GET", f"/fhir/{t}/{rid}/_history?{draw(QUERIES)}", None, None
    if operation == "type-history":
        return "GET", f"/fhir/{t}/_history?{draw(QUERIES)}", None, None
    if operation == "system-history":
        return "GET", f"/fhir/_history?{draw(QUERIES)}", None, None
    if operation == "delete":
        return "DELETE", f"/fhir/{t}/{rid}", None, None
    if operation == "search":
        return "GET", f"/fhir/{t}?{draw(QUERIES)}", None, None
    if operation == "search-post":
        return "POST", f"/fhir/{t}/_search?{draw(QUERIES)}", draw(QUERIES).encode(), "application/x-www-form-urlencoded"
    if operation == "validate":
        if draw(st.booleans()):
            return "POST", f"/fhir/{t}/$validate", draw(parameters_bodies()), FHIR_JSON
        body, content_type = draw(resource_bodies(kind))
        return "POST", f"/fhir/{t}/$validate?{draw(QUERIES)}", body, content_type
    if operation == "validate-instance":
        return (
            draw(st.sampled_from(["GET", "POST"])),
            f"/fhir/{t}/{rid}/$validate",
            draw(parameters_bodies()),
            FHIR_JSON,
        )
    if operation == "x12-of":
        t = draw(st.sampled_from(["ClaimResponse", "Task"])) if draw(st.booleans()) else t
        return "GET", f"/fhir/{t}/{rid}/$x12", None, None
    if operation == "translate-x12":
        return "POST", "/fhir/$translate-x12", draw(x12_bodies()), "application/edi-x12"
    if operation == "translate-fhir":
        body = draw(bundle_bodies()) if draw(st.booleans()) else draw(resource_bodies())[0]
        return "POST", "/fhir/$translate-x12", body, FHIR_JSON
    if operation == "inbound-x12":
        return "POST", "/x12/278", draw(x12_bodies()), "application/edi-x12"
    if operation == "core":
        return "POST", "/core/realtime", draw(soap_bodies()), "application/soap+xml; charset=utf-8"
    if operation == "bundle":
        return "POST", "/fhir", draw(bundle_bodies()), FHIR_JSON
    path = draw(
        st.sampled_from(["/", "/fhir", "/fhir/", "/fhir/metadata", "/x12/278", "/core/realtime", "/auth/token",
                         "/.well-known/smart-configuration", "/fhir/$translate-x12", "/fhir//Patient", "/nowhere"])
        | st.lists(ODD_TEXT.map(_segment), min_size=1, max_size=4).map(lambda parts: "/fhir/" + "/".join(parts))
    )  # fmt: skip
    return draw(METHODS), path, draw(st.none() | RANDOM_BODIES), draw(st.none() | CONTENT_TYPES)


METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])


@st.composite
def calls(draw: st.DrawFn, auth: st.SearchStrategy[AuthSpec | None] | None = None) -> Call:
    """A request over the real endpoints: a fitting body most of the time, then some header, method or body noise."""
    label, method, path, body, content_type = draw(operations())
    if draw(st.integers(0, 9)) == 0:
        method = draw(METHODS)
    if draw(st.integers(0, 9)) == 0:
        body = draw(RANDOM_BODIES | st.just(OVERSIZED))
    headers: dict[str, str] = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    for name in draw(st.lists(st.sampled_from(sorted(EXTRA_HEADERS)), max_size=3, unique=True)):
        headers[name] = draw(EXTRA_HEADERS[name])
    spec = draw(auth) if auth is not None else None
    return Call(method, path, body, tuple(headers.items()), spec, label=label)


# --- Authorization headers ------------------------------------------------------------------------

# Kinds that are never accepted (on a non-public path, the answer is 401).
FORGED_KINDS = frozenset(
    {"none", "empty", "garbage", "other-scheme", "no-scheme", "alg-none", "hs256-public-key", "tampered-claims",
     "expired", "other-audience", "other-issuer", "unknown-client", "foreign-key", "huge"}
)  # fmt: skip
AUTH_KINDS = ("valid", "read-only", "truncated", "altered", "two-tokens", "odd-claims", *sorted(FORGED_KINDS))


def auth_specs() -> st.SearchStrategy[AuthSpec]:
    """The real token two times in three (most requests get past the check), else a damaged, forged or missing one."""
    real = st.builds(AuthSpec, kind=st.just("valid"))
    other = st.builds(
        AuthSpec,
        kind=st.sampled_from(AUTH_KINDS),
        position=st.integers(0, 10_000),
        char=st.sampled_from([*"AZaz09-_.=+/ ~", "", "..", "é"]),
        scheme=st.sampled_from(["Bearer", "bearer", "BEARER", "Bearer ", " Bearer", "Basic", "Token", "", "Bearer\t"]),
    )
    return st.one_of(real, real, other)


ODD_CLAIMS = (
    {"exp": "soon"}, {"exp": 10**20}, {"exp": None}, {"exp": True}, {"sub": 5}, {"scope": ["system/*.cruds"]},
    {"scope": "system/*.cruds system/Foo.xyz system/%.c"}, {"org": 5}, {"org": "Organization/other"},
    {"role": "payer"}, {"role": "admin"}, {"org": "not-a-reference"}, {"aud": [BASE, "http://other"]},
    {"aud": 5}, {"iat": "x"}, {"nbf": 10**20}, {"jti": None}, {"iss": None}, {"iat": -(10**20)},
    {"client_id": None, "sub": "nobody"}, {"scope": ""},
)  # fmt: skip


class Tokens:
    """The real access tokens of one app's registered client, and every forgery of them the specs name."""

    def __init__(self, app: Flask) -> None:
        register(app)
        self.app = app
        self.key = app.extensions["fhir_p2p.auth"].key()
        self.valid = offline_token(app, "system/*.cruds")
        self.read_only = offline_token(app, "system/*.rs")
        now = app.extensions["fhir_p2p.store"].clock()
        self.now = now
        header = jwt.get_unverified_header(self.valid)
        claims = jwt.decode(self.valid, options={"verify_signature": False})
        public_pem = self.key.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        hs_header = {**header, "alg": "HS256"}
        hs_input = ".".join(unsigned(hs_header, claims).split(".")[:2]).encode()
        common = {"client_id": CLIENT_ID, "organization": ORGANIZATION, "role": "provider", "scope": "system/*.cruds"}
        lifetime = timedelta(minutes=5)
        self.forged: dict[str, str] = {
            "alg-none": unsigned({**header, "alg": "none"}, claims),
            "hs256-public-key": unsigned(hs_header, claims, hmac.new(public_pem, hs_input, hashlib.sha256).digest()),
            "tampered-claims": ".".join(
                [
                    self.valid.split(".")[0],
                    _b64(_json({**claims, "scope": "system/*.cruds", "org": "Organization/x"})),
                    self.valid.split(".")[2],
                ]
            ),
            "expired": issue_access_token(
                self.key, issuer=WHERE.issuer, audience=BASE, now=now - timedelta(hours=2), lifetime=lifetime, **common
            ),
            "other-audience": issue_access_token(
                self.key, issuer=WHERE.issuer, audience="http://elsewhere/fhir", now=now, lifetime=lifetime, **common
            ),
            "other-issuer": issue_access_token(
                self.key, issuer="http://elsewhere/auth", audience=BASE, now=now, lifetime=lifetime, **common
            ),
            "unknown-client": issue_access_token(
                self.key,
                issuer=WHERE.issuer,
                audience=BASE,
                now=now,
                lifetime=lifetime,
                **{**common, "client_id": "nobody"},
            ),
            "foreign-key": unsigned(header, claims, b"\x00" * 64),
            "huge": "A" * 20_000,
        }
        self.odd = [self._signed({**claims, **change}) for change in ODD_CLAIMS]

    def _signed(self, claims: dict[str, Any]) -> str:
        claims = {name: value for name, value in claims.items() if value is not None}
        payload = json.dumps(claims).encode()
        return jwt.api_jws.encode(
            payload, self.key.private_key, algorithm=self.key.algorithm, headers={"kid": self.key.kid}
        )

    def authorization(self, spec: AuthSpec | None) -> str | None:
        """The Authorization header value `spec` names (None: no header)."""
        if spec is None or spec.kind == "none":
            return None
        token = self.token(spec)
        if spec.kind == "no-scheme":
            return token
        if spec.kind == "other-scheme":
            return f"Basic {base64.b64encode(b'ehr-1:secret').decode()}"
        scheme = (
            spec.scheme if spec.kind in ("valid", "read-only") or spec.scheme.strip().lower() == "bearer" else "Bearer"
        )
        return f"{scheme} {token}"

    def token(self, spec: AuthSpec) -> str:
        token = self.read_only if spec.kind == "read-only" else self.valid
        at = spec.position % len(token)
        if spec.kind == "truncated":
            return token[:at]
        if spec.kind == "altered":
            return token[:at] + spec.char + token[at + 1 :]
        if spec.kind == "two-tokens":
            return f"{token}{spec.char or ','}{token}"
        if spec.kind == "empty":
            return ""
        if spec.kind == "garbage":
            return spec.char * (spec.position % 300)
        if spec.kind == "odd-claims":
            return self.odd[spec.position % len(self.odd)]
        if spec.kind in self.forged:
            return self.forged[spec.kind]
        return token  # valid, read-only (and none/no-scheme/other-scheme, which use it or not)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- token requests (/auth/token) -----------------------------------------------------------------


@dataclass(frozen=True)
class AssertionSpec:
    """A client assertion: signed by the registered key with some claims changed, or forged."""

    claims: tuple[tuple[str, Any], ...] = ()
    forge: str = ""  # "", "alg-none", "hs256", "other-kid", "jku", "unsigned-garbage"


ASSERTION_CLAIMS = st.dictionaries(
    st.sampled_from(["iss", "sub", "aud", "exp", "iat", "nbf", "jti"]),
    st.sampled_from([None, "ehr-1", "nobody", "http://test/auth/token", "http://test/fhir", "", 0, -1, 10**12, "x",
                     [1], {"a": 1}, True, 1.5, "same-jti", "ehr\x001", "\x01"]),
    max_size=3,
).map(lambda d: tuple(sorted(d.items(), key=lambda kv: kv[0])))  # fmt: skip
ASSERTIONS = st.builds(
    AssertionSpec,
    claims=ASSERTION_CLAIMS,
    forge=st.sampled_from(["", "", "", "alg-none", "hs256", "other-kid", "jku", "unsigned-garbage"]),
)
FORM_NAMES = st.sampled_from(
    ["grant_type", "client_assertion_type", "client_assertion", "scope", "client_id", "client_secret", "audience", ""]
)
FORM_VALUES = st.sampled_from(
    ["client_credentials", "authorization_code", ASSERTION_TYPE, "system/*.cruds", "system/Task.rs", "system/*.*",
     "patient/*.read", "openid", "", " ", "ehr-1", "system/Foo.cruds", "system/*.cruds " * 200]
) | ODD_TEXT  # fmt: skip


@st.composite
def token_forms(draw: st.DrawFn) -> tuple[tuple[str, Any], ...]:
    """Form fields of a token request: the right ones (an assertion from ASSERTIONS) with some changed,
    dropped, repeated or added."""
    fields: list[tuple[str, Any]] = [
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", draw(ASSERTIONS)),
        ("scope", "system/*.cruds"),
    ]
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["change", "drop", "repeat", "add"]))
        if not fields:
            break
        at = draw(st.integers(0, len(fields) - 1))
        if action == "change":
            fields[at] = (fields[at][0], draw(FORM_VALUES))
        elif action == "drop":
            del fields[at]
        elif action == "repeat":
            fields.append(fields[at])
        else:
            fields.append((draw(FORM_NAMES), draw(FORM_VALUES)))
    return tuple(fields)


def token_calls() -> st.SearchStrategy[Call]:
    content_type = st.just("application/x-www-form-urlencoded") | CONTENT_TYPES
    return st.builds(
        lambda form, ctype, method, headers: Call(
            method, "/auth/token", None, (("Content-Type", ctype), *headers), None, form, label="token"
        ),
        token_forms(),
        content_type,
        st.just("POST") | METHODS,
        st.lists(st.tuples(st.sampled_from(["Accept", "X-Request-Id", "Authorization"]), HEADER_TEXT), max_size=2),
    )


def form_body(call: Call, now: Any) -> bytes:
    """The urlencoded body of a token request, its assertions signed now."""
    assert call.form is not None
    pairs = []
    for name, value in call.form:
        pairs.append((name, _assertion(value, now) if isinstance(value, AssertionSpec) else str(value)))
    return form_of(pairs)


def _assertion(spec: AssertionSpec, now: Any) -> str:
    body = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": "http://test/auth/token",
        "exp": int(now.timestamp()) + 200,
        "iat": int(now.timestamp()),
        "jti": str(uuid.uuid4()),
    }
    body.update({name: "fuzz-replayed-jti" if value == "same-jti" else value for name, value in spec.claims})
    body = {name: value for name, value in body.items() if value is not None}
    if spec.forge in ("alg-none", "hs256", "unsigned-garbage"):
        alg = {"alg-none": "none", "hs256": "HS256", "unsigned-garbage": "RS384"}[spec.forge]
        return unsigned({"alg": alg, "kid": "k1", "typ": "JWT"}, body, b"\x01" * 32)
    header = {"other-kid": {"kid": "other"}, "jku": {"kid": "k1", "jku": "http://127.0.0.1:9/jwks"}}.get(
        spec.forge, {"kid": "k1"}
    )
    # PyJWS signs any payload (PyJWT's encode refuses claims of the wrong type, which is what is tried here)
    return jwt.api_jws.encode(json.dumps(body).encode(), rsa_key(), algorithm="RS384", headers=header)


# --- what every answer must be ---------------------------------------------------------------------

TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"/|site-packages|\.py\", line \d+")
FHIR_NS = "{http://hl7.org/fhir}"


def problems_with(call: Call, status: int, mimetype: str, body: bytes) -> list[str]:
    """What is wrong with an answer to `call`: a 5xx, a traceback, or a refusal that is not an
    OperationOutcome (or the OAuth error of /auth/token, or the SOAP fault of /core/realtime, or the
    TA1/999 of the X12 endpoints)."""
    found = []
    if status >= 500:
        found.append(f"status {status}")
    if TRACEBACK.search(body):
        found.append("traceback text in the body")
    if status < 400 or call.method == "HEAD":
        return found
    path = call.bare_path
    if path == "/auth/token" and call.method == "POST" and _is_oauth_error(mimetype, body):
        return found
    if path == "/core/realtime" and (call.method == "POST" or _is_soap_fault(mimetype, body)):
        if not _is_soap_fault(mimetype, body):
            found.append(f"a refused CORE request answered {mimetype}, not a SOAP fault: {body[:300]!r}")
        return found
    if path in ("/x12/278", "/fhir/$translate-x12") and mimetype == "application/edi-x12" and body.startswith(b"ISA"):
        return found
    if not _is_operation_outcome(mimetype, body):
        found.append(f"a refusal answered {mimetype}, not an OperationOutcome: {body[:300]!r}")
    return found


def _is_oauth_error(mimetype: str, body: bytes) -> bool:
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return mimetype == "application/json" and isinstance(answer, dict) and isinstance(answer.get("error"), str)


def _is_soap_fault(mimetype: str, body: bytes) -> bool:
    try:
        return mimetype == "application/soap+xml" and isinstance(parse_response(body), SoapFault)
    except CoreEnvelopeError:
        return False


def core_refused(body: bytes) -> bool:
    """True when a 200 answer of /core/realtime refuses its payload: a CORE error, a TA1, or a rejecting 999."""
    try:
        answer = parse_response(body)
    except CoreEnvelopeError:
        return False
    if not isinstance(answer, CoreResponse):
        return True
    return not answer.ok or "ST*999*" not in answer.payload or bool(re.search(r"AK9\*[RMWX]", answer.payload))


def _is_operation_outcome(mimetype: str, body: bytes) -> bool:
    if mimetype == "application/fhir+json":
        try:
            answer = json.loads(body)
        except ValueError:
            return False
        issues = answer.get("issue") if isinstance(answer, dict) else None
        return (
            answer.get("resourceType") == "OperationOutcome"
            and isinstance(issues, list)
            and bool(issues)
            and all(isinstance(i, dict) and i.get("severity") and i.get("code") for i in issues)
        )
    if mimetype == "application/fhir+xml":
        try:
            root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return False
        return bool(root.tag == f"{FHIR_NS}OperationOutcome" and root.find(f"{FHIR_NS}issue") is not None)
    return False
