"""FHIR XML in and out: `xml_to_dict` reads a body into FHIR JSON, `dict_to_xml` writes a stored resource.

Reading uses a hardened lxml parser (no DTD, entities, network or huge trees) and the element
tables of the fhir.resources models; writing uses fhir.resources (`model_dump_xml`).
"""

from __future__ import annotations

import codecs
import copy
import re
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from lxml import etree  # type: ignore[import-untyped]
from pydantic import ValidationError

from fhir_p2p.errors import BadRequest, Issue, P2PError, raise_on_errors
from fhir_p2p.resources import _model_issues
from fhir_p2p.resources._schema import (
    BOOLEAN,
    DECIMAL,
    ELEMENT,
    INTEGER,
    RESOURCE,
    Field,
    Schema,
    resource_model,
    resource_schema,
    schema_of,
)

FHIR_NS: Final = "http://hl7.org/fhir"
XHTML_NS: Final = "http://www.w3.org/1999/xhtml"

# Rule table. Ids never change meaning and are never reused.
# last id used: xml-012
MALFORMED: Final = "xml-001"  # not well-formed XML
DOCTYPE: Final = "xml-002"  # DOCTYPE / entity declarations are refused
NOT_FHIR_NAMESPACE: Final = "xml-003"  # an element outside http://hl7.org/fhir (xhtml only for Narrative.div)
UNKNOWN_RESOURCE_TYPE: Final = "xml-004"  # root (or contained) element names no R4B resource type
UNKNOWN_ELEMENT: Final = "xml-005"  # child element the type does not have
UNKNOWN_ATTRIBUTE: Final = "xml-006"  # attribute other than value / id / url (Extension)
TEXT_CONTENT: Final = "xml-007"  # text where FHIR XML has none
REPEATED_ELEMENT: Final = "xml-008"  # element with max cardinality 1 appears twice
EMPTY_PRIMITIVE: Final = "xml-009"  # primitive element with neither value nor id/extension
BAD_LEXICAL_VALUE: Final = "xml-010"  # value attribute not a boolean / integer / decimal literal
RESOURCE_CONTAINER: Final = "xml-011"  # a resource slot holds exactly one resource element
NOT_SERIALIZABLE: Final = "xml-012"  # a stored resource that fhir.resources cannot write as XML

_PARSER: Final = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)
_INTEGER: Final = re.compile(r"-?(0|[1-9][0-9]*)")
_DECIMAL: Final = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_PRIMITIVE_ATTRIBUTES: Final = frozenset({"value", "id"})


def xml_to_dict(body: bytes) -> dict[str, Any]:
    """Read a FHIR XML resource into the FHIR JSON it stands for, checking only the XML form.

    The result goes through the same checks as a JSON body (`parse.check_resource`). Values keep
    their lexical form except numbers: a decimal becomes a JSON number (`1.50` -> `1.5`, as with any
    JSON number parsed into a float), an integer an int; booleans must be `true`/`false`.
    Comments and processing instructions are dropped; element order is not checked.

    Args:
        body: the XML document.
    Returns:
        The resource as a JSON-ready dict, `resourceType` first.
    Raises:
        BadRequest: malformed XML (with line and column), DOCTYPE/entities, a root outside the
            FHIR namespace or not a resource type, and every element, attribute or value that has
            no FHIR JSON equivalent.
    """
    root = _parse(body)
    namespace, resource_type = _split_tag(root)
    if namespace != FHIR_NS:
        found = f"namespace '{namespace}'" if namespace else "no namespace"
        raise _bad_request(
            f"The root element <{resource_type}> must be in the FHIR namespace {FHIR_NS}, not {found}",
            NOT_FHIR_NAMESPACE,
            None,
        )
    schema = resource_schema(resource_type)
    if schema is None:
        raise _bad_request(f"<{resource_type}> is not a FHIR R4B resource type", UNKNOWN_RESOURCE_TYPE, resource_type)
    issues: list[Issue] = []
    resource = _read_resource(root, schema, resource_type, issues)
    raise_on_errors(issues, BadRequest)
    return resource


def dict_to_xml(resource: dict[str, Any]) -> bytes:
    """Write a stored (already valid) resource as FHIR XML via its fhir.resources model.

    Known normalizations, from fhir.resources: integral decimals gain a fraction (`100` -> `100.0`),
    instants/dateTimes with fractional seconds are padded to microseconds (`.188` -> `.188000`);
    elements come out in FHIR order.

    Args:
        resource: FHIR JSON as stored.
    Returns:
        The UTF-8 XML document, with an XML declaration.
    Raises:
        P2PError: (500) the resource does not validate, so it should never have been stored.
    """
    resource_type = resource.get("resourceType")
    model = resource_model(resource_type) if isinstance(resource_type, str) else None
    if model is None:
        raise P2PError(
            f"Cannot write resourceType {resource_type!r} as XML",
            issues=[
                Issue(
                    "error",
                    "exception",
                    f"Cannot write resourceType {resource_type!r} as XML",
                    None,
                    NOT_SERIALIZABLE,
                ),
            ],
        )
    try:
        instance = model.model_validate(resource)
    except ValidationError as error:
        issues = _model_issues.issues_from_validation_error(error, resource, str(resource_type))
        raise P2PError(
            f"The stored {resource_type} is not valid FHIR and cannot be written as XML", issues=issues
        ) from None
    written: bytes | str = instance.model_dump_xml()
    return written.encode("utf-8") if isinstance(written, str) else written


def _parse(body: bytes) -> Any:
    if _declares_doctype(body):
        raise _bad_request("XML with a DOCTYPE or entity declarations is not accepted", DOCTYPE, None)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise _bad_request(
            f"The XML body is not well-formed: {error.msg} (line {line}, column {column})", MALFORMED, None
        ) from None
    if root is None:
        raise _bad_request("The XML body is empty", MALFORMED, None)
    if root.getroottree().docinfo.doctype:
        raise _bad_request("XML with a DOCTYPE or entity declarations is not accepted", DOCTYPE, None)
    return root


def _declares_doctype(body: bytes) -> bool:
    """Refuse DTDs before libxml2 sees them (it expands internal entities in attribute values)."""
    head = body
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = body.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _split_tag(element: Any) -> tuple[str | None, str]:
    qname = etree.QName(element)
    return qname.namespace, qname.localname


def _read_resource(element: Any, schema: Schema, path: str, issues: list[Issue]) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": schema.type_name}
    for name in element.attrib:
        issues.append(
            _issue(
                f"{path} has attribute '{name}'; FHIR resources have no attributes",
                f"{path}.@{name}",
                UNKNOWN_ATTRIBUTE,
            )
        )
    _read_children(element, schema, path, resource, issues)
    return resource


def _read_element(element: Any, schema: Schema, path: str, issues: list[Issue]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in element.attrib.items():
        if name == "id" or (name == "url" and schema.type_name == "Extension"):
            result[name] = value
        else:
            issues.append(_issue(f"{path} has unknown attribute '{name}'", f"{path}.@{name}", UNKNOWN_ATTRIBUTE))
    _read_children(element, schema, path, result, issues)
    return result


def _read_children(element: Any, schema: Schema, path: str, result: dict[str, Any], issues: list[Issue]) -> None:
    _check_text(element.text, path, issues)
    extensions: dict[str, list[Any]] = {}
    for child in element:
        _check_text(child.tail, path, issues)
        namespace, name = _split_tag(child)
        spec = schema.fields.get(name)
        if spec is not None and spec.fhir_type == "xhtml":
            if namespace != XHTML_NS:
                issues.append(
                    _issue(
                        f"{path}.{name} must be an XHTML <div> in {XHTML_NS}",
                        f"{path}.{name}",
                        NOT_FHIR_NAMESPACE,
                    )
                )
                continue
        elif namespace != FHIR_NS:
            issues.append(
                _issue(
                    f"<{name}> in {path} is not in the FHIR namespace {FHIR_NS}",
                    f"{path}.{name}",
                    NOT_FHIR_NAMESPACE,
                )
            )
            continue
        if spec is None or spec.is_extension_slot or _is_attribute(name, schema):
            issues.append(_issue(f"Unknown element '{name}'", f"{path}.{name}", UNKNOWN_ELEMENT))
            continue
        if spec.is_list:
            items = result.setdefault(name, [])
            here = f"{path}.{name}[{len(items)}]"
        elif name in result or f"_{name}" in result:
            issues.append(
                _issue(
                    f"{path}.{name} appears more than once but is not repeating",
                    f"{path}.{name}",
                    REPEATED_ELEMENT,
                )
            )
            continue
        else:
            here = f"{path}.{name}"
        if spec.kind < ELEMENT:
            value, extension = _read_primitive(child, spec, here, issues)
            if spec.is_list:
                result[name].append(value)
                extensions.setdefault(name, []).append(extension)
            else:
                if value is not None:
                    result[name] = value
                if extension is not None:
                    result[f"_{name}"] = extension
        else:
            value = _read_complex(child, spec, here, issues)
            if spec.is_list:
                result[name].append(value)
            else:
                result[name] = value
    for name, slots in extensions.items():
        if any(slot is not None for slot in slots):
            result[f"_{name}"] = slots
        if all(value is None for value in result[name]):
            del result[name]


def _read_primitive(element: Any, spec: Field, here: str, issues: list[Issue]) -> tuple[Any, Any]:
    if spec.fhir_type == "xhtml":
        div = copy.deepcopy(element)
        etree.cleanup_namespaces(div)
        return etree.tostring(div, encoding="unicode", with_tail=False), None
    extension: dict[str, Any] = {}
    for name, value in element.attrib.items():
        if name == "id":
            extension["id"] = value
        elif name != "value":
            issues.append(_issue(f"{here} has unknown attribute '{name}'", f"{here}.@{name}", UNKNOWN_ATTRIBUTE))
    _check_text(element.text, here, issues)
    extension_schema = schema_of(get_fhir_model_class("Extension"))
    for child in element:
        _check_text(child.tail, here, issues)
        namespace, name = _split_tag(child)
        if namespace != FHIR_NS or name != "extension":
            issues.append(_issue(f"Unknown element '{name}'", f"{here}.{name}", UNKNOWN_ELEMENT))
            continue
        found = extension.setdefault("extension", [])
        found.append(_read_element(child, extension_schema, f"{here}.extension[{len(found)}]", issues))
    raw = element.get("value")
    if raw is None and not extension:
        issues.append(_issue(f"{here} has no value attribute and no extension", here, EMPTY_PRIMITIVE))
    return (None if raw is None else _json_value(raw, spec, here, issues)), (extension or None)


def _read_complex(element: Any, spec: Field, here: str, issues: list[Issue]) -> Any:
    if spec.kind != RESOURCE:
        assert spec.model is not None
        return _read_element(element, schema_of(spec.model), here, issues)
    _check_text(element.text, here, issues)
    children = list(element)
    for child in children:
        _check_text(child.tail, here, issues)
    if len(children) != 1:
        issues.append(
            _issue(
                f"{here} must hold exactly one resource element, not {len(children)}",
                here,
                RESOURCE_CONTAINER,
            )
        )
        return {}
    namespace, resource_type = _split_tag(children[0])
    schema = resource_schema(resource_type)
    if namespace != FHIR_NS or schema is None:
        issues.append(_issue(f"<{resource_type}> in {here} is not a FHIR R4B resource", here, UNKNOWN_RESOURCE_TYPE))
        return {}
    return _read_resource(children[0], schema, here, issues)


def _json_value(raw: str, spec: Field, here: str, issues: list[Issue]) -> Any:
    if spec.kind == BOOLEAN:
        if raw in ("true", "false"):
            return raw == "true"
        issues.append(_issue(f"{here} must be true or false, not '{raw}'", here, BAD_LEXICAL_VALUE, "value"))
    elif spec.kind == INTEGER:
        if _INTEGER.fullmatch(raw):
            return int(raw)
        issues.append(
            _issue(f"{here} must be an integer ({spec.fhir_type}), not '{raw}'", here, BAD_LEXICAL_VALUE, "value")
        )
    elif spec.kind == DECIMAL:
        if _DECIMAL.fullmatch(raw):
            return int(raw) if _INTEGER.fullmatch(raw) else float(raw)
        issues.append(_issue(f"{here} must be a decimal number, not '{raw}'", here, BAD_LEXICAL_VALUE, "value"))
    else:
        return raw
    return raw


def _is_attribute(name: str, schema: Schema) -> bool:
    """Element.id and Extension.url are XML attributes, never child elements."""
    return not schema.is_resource and (name == "id" or (name == "url" and schema.type_name == "Extension"))


def _check_text(text: str | None, path: str, issues: list[Issue]) -> None:
    if text is not None and text.strip():
        issues.append(
            _issue(
                f"{path} contains text '{text.strip()[:40]}'; FHIR XML carries values in value attributes",
                path,
                TEXT_CONTENT,
            )
        )


def _issue(message: str, expression: str | None, rule: str, code: str = "structure") -> Issue:
    return Issue("error", code, message, expression, rule)


def _bad_request(message: str, rule: str, expression: str | None) -> BadRequest:
    return BadRequest(message, issues=[_issue(message, expression, rule)])
