"""The X12 005010 dictionary subset a 278 and its envelopes use: data elements, composites, segments.

Data: element number -> (type, min length, max length); a segment or composite lists its element
numbers in order, `!` marking those the X12 standard makes mandatory, followed by its syntax rules
(`P0809`: paired, `R`: at least one, `C`: conditional, `L`: list conditional, `E`: exclusive).
Implementation guides narrow these per loop (`layout.ElementRule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

ELEMENTS: dict[str, tuple[str, int, int]] = {
    # interchange control (ISA, IEA, TA1)
    "I01": ("ID", 2, 2), "I02": ("AN", 10, 10), "I03": ("ID", 2, 2), "I04": ("AN", 10, 10),
    "I05": ("ID", 2, 2), "I06": ("AN", 15, 15), "I07": ("AN", 15, 15), "I08": ("DT", 6, 6),
    "I09": ("TM", 4, 4), "I65": ("AN", 1, 1), "I11": ("ID", 5, 5), "I12": ("N0", 9, 9),
    "I13": ("ID", 1, 1), "I14": ("ID", 1, 1), "I15": ("AN", 1, 1), "I16": ("N0", 1, 5),
    "I17": ("ID", 1, 1), "I18": ("ID", 3, 3),
    # group and transaction control
    "479": ("ID", 2, 2), "142": ("AN", 2, 15), "124": ("AN", 2, 15), "373": ("DT", 8, 8),
    "337": ("TM", 4, 8), "28": ("N0", 1, 9), "455": ("ID", 1, 2), "480": ("AN", 1, 12),
    "97": ("N0", 1, 6), "143": ("ID", 3, 3), "329": ("AN", 4, 9), "1705": ("AN", 1, 35),
    "96": ("N0", 1, 10),
    # 278 segments
    "1005": ("ID", 4, 4), "353": ("ID", 2, 2), "127": ("AN", 1, 50), "640": ("ID", 2, 2),
    "628": ("AN", 1, 12), "734": ("AN", 1, 12), "735": ("ID", 1, 2), "736": ("ID", 1, 1),
    "98": ("ID", 2, 3), "1065": ("ID", 1, 1), "1035": ("AN", 1, 60), "1036": ("AN", 1, 35),
    "1037": ("AN", 1, 25), "1038": ("AN", 1, 10), "1039": ("AN", 1, 10), "66": ("ID", 1, 2),
    "67": ("AN", 2, 80), "706": ("ID", 2, 2), "166": ("AN", 1, 55), "19": ("AN", 2, 30),
    "156": ("ID", 2, 2), "116": ("ID", 3, 15), "26": ("ID", 2, 3), "309": ("ID", 1, 2),
    "310": ("AN", 1, 30), "1715": ("ID", 1, 3), "366": ("ID", 2, 2), "93": ("AN", 1, 60),
    "365": ("ID", 2, 2), "364": ("AN", 1, 256), "443": ("AN", 1, 20), "1221": ("ID", 1, 3),
    "128": ("ID", 2, 3), "1223": ("ID", 3, 3), "352": ("AN", 1, 80), "374": ("ID", 3, 3),
    "1250": ("ID", 2, 3), "1251": ("AN", 1, 35), "1525": ("ID", 1, 2), "1322": ("ID", 1, 1),
    "1365": ("ID", 1, 2), "1338": ("ID", 1, 3), "1213": ("ID", 1, 1), "923": ("ID", 1, 1),
    "1363": ("ID", 1, 1), "1514": ("ID", 1, 2), "306": ("ID", 1, 2), "1271": ("AN", 1, 30),
    "1073": ("ID", 1, 1), "1270": ("ID", 1, 3), "782": ("R", 1, 18), "380": ("R", 1, 15),
    "799": ("AN", 1, 30), "235": ("ID", 2, 2), "234": ("AN", 1, 48), "1339": ("AN", 2, 2),
    "355": ("ID", 2, 2), "1331": ("AN", 1, 2), "1328": ("N0", 1, 2), "1340": ("ID", 1, 2),
    "1364": ("ID", 1, 2), "1341": ("AN", 1, 2), "1327": ("ID", 1, 1), "1334": ("ID", 1, 1),
    "1337": ("ID", 1, 1), "1360": ("ID", 1, 1), "1371": ("R", 1, 10), "1345": ("ID", 1, 1),
    "673": ("ID", 2, 2), "1167": ("R", 1, 6), "615": ("ID", 1, 2), "616": ("N0", 1, 3),
    "678": ("ID", 1, 2), "679": ("ID", 1, 1), "933": ("AN", 1, 264), "934": ("ID", 2, 2),
    "1470": ("N0", 1, 9), "755": ("ID", 2, 2), "756": ("ID", 1, 2), "757": ("N0", 1, 2),
    "559": ("ID", 2, 2), "901": ("ID", 2, 2), "889": ("ID", 1, 1), "481": ("ID", 1, 2),
    "509": ("AN", 10, 10), "1068": ("ID", 1, 1), "1067": ("ID", 1, 1), "1066": ("ID", 1, 2),
    "659": ("ID", 1, 2), "1069": ("ID", 2, 2), "875": ("ID", 3, 3), "1203": ("ID", 2, 3),
    "1216": ("ID", 1, 1), "1219": ("ID", 1, 2), "584": ("ID", 2, 2), "1220": ("ID", 1, 1),
    "1165": ("ID", 1, 1), "1136": ("ID", 2, 2), "1321": ("ID", 2, 3), "1315": ("ID", 1, 1),
    "1314": ("ID", 1, 1), "1352": ("ID", 1, 2), "81": ("R", 1, 10), "1316": ("ID", 1, 1),
    "1317": ("ID", 1, 1), "609": ("N0", 1, 9), "1367": ("ID", 2, 3), "1342": ("ID", 1, 1),
    "1348": ("ID", 1, 1), "1349": ("ID", 1, 1), "1350": ("ID", 1, 1), "1382": ("ID", 1, 1),
    "1137": ("AN", 1, 15), "1384": ("ID", 1, 1), "1332": ("ID", 1, 2), "1325": ("ID", 1, 1),
    "1362": ("ID", 2, 3), "1222": ("AN", 1, 3), "1109": ("ID", 1, 1), "1218": ("ID", 1, 1),
    "1701": ("ID", 1, 1), "704": ("ID", 1, 2),
}  # fmt: skip

COMPOSITES: dict[str, str] = {
    "C002": "704! 704 704 704 704",  # actions indicated (PWK08)
    "C003": "235! 234! 1339 1339 1339 1339 352 234",  # composite medical procedure identifier (SV101, SV202)
    "C004": "1328! 1328 1328 1328",  # composite diagnosis code pointer (SV107)
    "C022": "1270! 1271! 1250 1251 782 380 799 1271 1073",  # health care code information (HI)
    "C023": "1331! 1332 1325",  # health care service location information (UM04)
    "C024": "1362! 1362 1362 156 26",  # related causes information (UM05)
    "C035": "1222! 559 1073",  # provider specialty information (PRV05)
    "C040": "128! 127! 128 127 128 127",  # reference identifier (REF04)
    "C052": "1218! 1701 1701 1701",  # date or time or period format (INS06)
    "C056": "1109 1270 1271",  # composite race or ethnicity information (DMG05)
}

_HI = " ".join(["C022!"] + ["C022"] * 11)

SEGMENTS: dict[str, tuple[str, str, str]] = {
    "ISA": (
        "Interchange Control Header",
        "I01! I02! I03! I04! I05! I06! I05! I07! I08! I09! I65! I11! I12! I13! I14! I15!",
        "",
    ),
    "IEA": ("Interchange Control Trailer", "I16! I12!", ""),
    "TA1": ("Interchange Acknowledgment", "I12! I08! I09! I17! I18!", ""),
    "GS": ("Functional Group Header", "479! 142! 124! 373! 337! 28! 455! 480!", ""),
    "GE": ("Functional Group Trailer", "97! 28!", ""),
    "ST": ("Transaction Set Header", "143! 329! 1705", ""),
    "SE": ("Transaction Set Trailer", "96! 329!", ""),
    "BHT": ("Beginning of Hierarchical Transaction", "1005! 353! 127 373 337 640", ""),
    "HL": ("Hierarchical Level", "628! 734 735! 736", ""),
    "TRN": ("Trace", "481! 127! 509 127", ""),
    "AAA": ("Request Validation", "1073! 559 901 889", ""),
    "UM": ("Health Care Services Review Information", "1525! 1322 1365 C023 C024 1338 1213 923 1363 1514", ""),
    "HCR": ("Health Care Services Review", "306! 127 1271 1073", ""),
    "REF": ("Reference Information", "128! 127 352 C040", "R0203"),
    "DTP": ("Date or Time or Period", "374! 1250! 1251!", ""),
    "HI": ("Health Care Information Codes", _HI, ""),
    "HSD": ("Health Care Services Delivery", "673 380 355 1167 615 616 678 679", "P0102 C0605"),
    "CRC": ("Conditions Indicator", "1136! 1073! 1321! 1321 1321 1321 1321", ""),
    "CL1": ("Claim Codes", "1315 1314 1352 1345", ""),
    "CR1": ("Ambulance Certification", "355 81 1316 1317 355 380 166 166 352 352", "P0102 P0506"),
    "CR2": ("Chiropractic Certification", "609 380 1367 1367 355 380 380 1342 1073 352 352 1073", "P0102 C0403 P0506"),
    "CR5": (
        "Home Oxygen Therapy Information",
        "1322 380 1348 1348 352 380 380 380 352 380 380 1349 1350 1350 1350 380 1382 1348",
        "",
    ),
    "CR6": (
        "Home Health Care Information",
        "923 373 1250 1251 373 1073 1073 1322 373 235 1137 373 373 373 1250 1251 1384 373 373 373 373",
        "",
    ),
    "PWK": ("Paperwork", "755! 756 757 98 66 67 352 C002 1525", "P0506"),
    "MSG": ("Message Text", "933! 934 1470", "C0302"),
    "NM1": (
        "Individual or Organizational Name",
        "98! 1065! 1035 1036 1037 1038 1039 66 67 706 98 1035",
        "P0809 C1110 C1203",
    ),
    "N3": ("Party Location", "166! 166", ""),
    "N4": ("Geographic Location", "19 156 116 26 309 310 1715", "E0207 C0605 C0704"),
    "PER": ("Administrative Communications Contact", "366! 93 365 364 365 364 365 364 443", "P0304 P0506 P0708"),
    "PRV": ("Provider Information", "1221! 128 127 156 C035 1223", "P0203"),
    "DMG": ("Demographic Information", "1250 1251 1068 1067 C056 1066 26 659 380 1270 1271", "P0102 P1011 C1105"),
    "INS": (
        "Insured Benefit",
        "1073! 1069! 875 1203 1216 C052 1219 584 1220 1073 1250 1251 1165 19 156 26 1470",
        "P1112",
    ),
    "SV1": (
        "Professional Service",
        "C003! 782 355 380 1331 1365 C004 782 1073 1340 1073 1073 1364 1341 1327 1334 127 116 782 1337 1360",
        "P0304",
    ),
    "SV2": ("Institutional Service Line", "234 C003 782 355 380 1371 782 1073 1345 1337", "R0102 P0405"),
}


@dataclass(frozen=True, slots=True)
class ElementDef:
    """One position of a segment or composite: its data element (or composite) and X12 requirement."""

    number: str
    mandatory: bool
    type: str = ""
    min_length: int = 0
    max_length: int = 0
    components: tuple[ElementDef, ...] | None = None  # set for a composite


@dataclass(frozen=True, slots=True)
class SegmentDef:
    """A segment's elements in order and its syntax rules (`(kind, positions)`, e.g. `("P", (8, 9))`)."""

    id: str
    name: str
    elements: tuple[ElementDef, ...]
    syntax: tuple[tuple[str, tuple[int, ...]], ...]


def _element(spec: str) -> ElementDef:
    number, mandatory = spec.rstrip("!"), spec.endswith("!")
    if number in COMPOSITES:
        return ElementDef(number, mandatory, components=tuple(_element(s) for s in COMPOSITES[number].split()))
    data_type, low, high = ELEMENTS[number]
    return ElementDef(number, mandatory, data_type, low, high)


@cache
def segment_def(seg_id: str) -> SegmentDef | None:
    """The dictionary entry for a segment id; None for segments this package does not know."""
    entry = SEGMENTS.get(seg_id)
    if entry is None:
        return None
    name, elements, rules = entry
    syntax = tuple((r[0], tuple(int(r[i : i + 2]) for i in range(1, len(r), 2))) for r in rules.split())
    return SegmentDef(seg_id, name, tuple(_element(s) for s in elements.split()), syntax)
