"""FHIR XML: the PAS corpus round-trips JSON -> XML -> JSON; unsafe and non-FHIR XML is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fhir_p2p.errors import BadRequest
from fhir_p2p.resources.parse import check_resource, parse_body, parse_resource
from fhir_p2p.resources.xml import dict_to_xml, xml_to_dict
from tests.mutations import set_path
from tests.unit.resources.support import corpus_files, denial, found, load

NS = 'xmlns="http://hl7.org/fhir"'
_FRACTION = re.compile(r"(?P<head>T\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)$")


def normalized(value: Any) -> Any:
    """Undo the documented `dict_to_xml` normalizations: 100 -> 100.0, .188 -> .188000, Z -> +00:00."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (match := _FRACTION.search(value)):
        fraction = (match.group("fraction") or "").rstrip("0")
        zone = "+00:00" if match.group("zone") == "Z" else match.group("zone")
        return value[: match.start()] + match.group("head") + (f".{fraction}" if fraction else "") + zone
    return value


def rejected(xml: str | bytes) -> BadRequest:
    data = xml.encode() if isinstance(xml, str) else xml
    with pytest.raises(BadRequest) as caught:
        xml_to_dict(data)
    return caught.value


# --- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.name)
def test_corpus_file_round_trips_through_xml(path: Path) -> None:
    original = load(path.name)

    xml = dict_to_xml(original)
    back = xml_to_dict(xml)

    assert xml.startswith(b"<?xml")
    assert check_resource(back) == []
    assert normalized(back) == normalized(original)


def test_xml_body_parses_to_the_same_json_as_the_json_body() -> None:
    resource = parse_resource(dict_to_xml(denial()), "xml", "ClaimResponse")

    assert resource == denial()
    assert next(iter(resource)) == "resourceType"


def test_primitive_extensions_become_underscore_keys_lined_up() -> None:
    xml = f"""<Patient {NS}><name><given value="Ann"/><given id="g2"><extension url="http://x">
        <valueString value="unknown"/></extension></given></name><active value="true" id="a"/></Patient>"""

    assert xml_to_dict(xml.encode()) == {
        "resourceType": "Patient",
        "name": [
            {
                "given": ["Ann", None],
                "_given": [None, {"id": "g2", "extension": [{"url": "http://x", "valueString": "unknown"}]}],
            }
        ],
        "active": True,
        "_active": {"id": "a"},
    }


def test_numbers_become_json_numbers() -> None:
    xml = f"""<Patient {NS}><multipleBirthInteger value="-3"/><extension url="http://x">
        <valueDecimal value="1.50"/></extension><extension url="http://y"><valueDecimal value="100"/>
        </extension></Patient>"""

    resource = xml_to_dict(xml.encode())

    assert resource["multipleBirthInteger"] == -3
    assert [ext["valueDecimal"] for ext in resource["extension"]] == [1.5, 100]
    assert type(resource["extension"][1]["valueDecimal"]) is int


def test_contained_resource_and_narrative() -> None:
    xml = f"""<Patient {NS}><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">
        <p>Ann</p></div></text><contained><Organization><id value="o1"/><name value="Acme"/></Organization>
        </contained></Patient>"""

    resource = xml_to_dict(xml.encode())

    assert resource["contained"] == [{"resourceType": "Organization", "id": "o1", "name": "Acme"}]
    assert resource["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')


def test_structure_errors_in_xml_are_reported_like_json() -> None:
    xml = f"""<ClaimResponse {NS}><status value="active"/><use value="claim"/>
        <created value="2005-05-02"/><outcome value="complete"/><patient/>
        <insurer><reference value="Organization/1"/></insurer></ClaimResponse>"""

    with pytest.raises(BadRequest) as caught:
        parse_resource(xml.encode(), "xml", "ClaimResponse")

    assert found(caught.value.issues) == [
        ("ClaimResponse.patient", "json-006"),
        ("ClaimResponse.type", "parse-009"),
    ]


# --- refused XML ----------------------------------------------------------------------------------


def test_billion_laughs_is_refused_before_parsing() -> None:
    xml = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
        <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
        <Patient xmlns="http://hl7.org/fhir"><id value="&lol3;"/></Patient>"""

    assert found(rejected(xml).issues) == [(None, "xml-002")]


def test_external_entity_is_refused() -> None:
    xml = f"""<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <Patient {NS}><id value="&x;"/></Patient>"""

    assert found(rejected(xml).issues) == [(None, "xml-002")]


def test_doctype_in_utf16_is_refused() -> None:
    xml = f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Patient><Patient {NS}/>'

    assert found(rejected(xml.encode("utf-16")).issues) == [(None, "xml-002")]


def test_malformed_xml_names_line_and_column() -> None:
    error = rejected(f"<Patient {NS}>\n  <active value='true'>\n</Patient>")

    assert found(error.issues) == [(None, "xml-001")]
    assert "line 3, column" in error.issues[0].message


@pytest.mark.parametrize(
    "xml",
    ['<Patient><active value="true"/></Patient>', '<Patient xmlns="urn:other"/>'],
    ids=["none", "other"],
)
def test_root_outside_the_fhir_namespace_is_refused(xml: str) -> None:
    assert found(rejected(xml).issues) == [(None, "xml-003")]


def test_root_that_is_not_a_resource_type_is_refused() -> None:
    assert found(rejected(f'<HumanName {NS}><family value="x"/></HumanName>').issues) == [("HumanName", "xml-004")]


def test_child_outside_the_fhir_namespace_is_refused() -> None:
    error = rejected(f'<Patient {NS}><x:active xmlns:x="urn:x" value="true"/></Patient>')

    assert found(error.issues) == [("Patient.active", "xml-003")]


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        pytest.param('<foo value="1"/>', [("Patient.foo", "xml-005")], id="unknown_element"),
        pytest.param('<name><foo value="1"/></name>', [("Patient.name[0].foo", "xml-005")], id="unknown_nested"),
        pytest.param('<name><id value="1"/></name>', [("Patient.name[0].id", "xml-005")], id="element_id_as_child"),
        pytest.param('<active value="true" foo="1"/>', [("Patient.active.@foo", "xml-006")], id="unknown_attribute"),
        pytest.param('<active value="true">yes</active>', [("Patient.active", "xml-007")], id="text_content"),
        pytest.param(
            '<active value="true"/><active value="false"/>',
            [("Patient.active", "xml-008")],
            id="repeated_single",
        ),
        pytest.param("<active/>", [("Patient.active", "xml-009")], id="no_value"),
        pytest.param('<active value="yes"/>', [("Patient.active", "xml-010")], id="bool_not_true_false"),
        pytest.param(
            '<multipleBirthInteger value="5.0"/>',
            [("Patient.multipleBirthInteger", "xml-010")],
            id="integer_with_fraction",
        ),
        pytest.param("<contained/>", [("Patient.contained[0]", "xml-011")], id="empty_resource_slot"),
        pytest.param(
            "<contained><Nope/></contained>",
            [("Patient.contained[0]", "xml-004")],
            id="unknown_contained_type",
        ),
    ],
)
def test_xml_without_a_fhir_json_equivalent_is_refused(xml: str, expected: list[tuple[str, str]]) -> None:
    assert found(rejected(f"<Patient {NS}>{xml}</Patient>").issues) == expected


def test_every_xml_problem_is_reported() -> None:
    error = rejected(f'<Patient {NS}><foo/><active value="1"/><name><bar/></name></Patient>')

    assert found(error.issues) == [
        ("Patient.foo", "xml-005"),
        ("Patient.active", "xml-010"),
        ("Patient.name[0].bar", "xml-005"),
    ]


def test_comments_are_dropped() -> None:
    resource = xml_to_dict(f'<Patient {NS}><!-- c --><active value="true"><!-- d --></active></Patient>'.encode())

    assert resource == {"resourceType": "Patient", "active": True}


def test_dict_to_xml_writes_the_model_in_fhir_order() -> None:
    doc = set_path(denial(), "ClaimResponse.status", "active")
    doc = {"status": doc.pop("status"), **doc}

    xml = dict_to_xml(doc).decode()

    assert xml.index("<id ") < xml.index("<status ")


def test_nesting_deeper_than_max_depth_is_refused_without_recursing() -> None:
    xml = f"<Patient {NS}>" + "<contained><Patient>" * 100 + "</Patient></contained>" * 100 + "</Patient>"

    error = rejected(xml)

    assert [rule for _, rule in found(error.issues)] == ["xml-013"]


def test_nesting_beyond_libxml2_limit_is_malformed() -> None:
    xml = f"<Patient {NS}>" + "<name>" * 300 + "</name>" * 300 + "</Patient>"

    assert [rule for _, rule in found(rejected(xml).issues)] in (["xml-001"], ["xml-013"])


def test_xml_max_depth_is_applied_by_parse_body() -> None:
    xml = f'<Patient {NS}><extension url="http://x"><extension url="http://y"><valueString value="z"/>'
    xml += "</extension></extension></Patient>"

    assert parse_body(xml.encode(), "xml", max_depth=5)["extension"][0]["url"] == "http://x"
    with pytest.raises(BadRequest):
        parse_body(xml.encode(), "xml", max_depth=3)
