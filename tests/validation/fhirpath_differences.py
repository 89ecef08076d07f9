"""Where fhirpathpy's result is wrong and the compiled FHIRPath (`fhir_p2p/validation/fhirpath.py`) is not.

`CORPUS_DIFFERENCES` lists the inputs of `test_fhirpath_differential.py` on which the two disagree,
`FHIRPATHPY_WRONG` one minimal case per reason; the test fails when a listed case stops differing or an
unlisted one differs. Date and time comparisons are not compiled (fhirpathpy compares FHIR dateTime
values as strings, across time zones too; `per-1` and Task `inv-1` are native), so they cannot differ here.
Not listed because it depends on module state: fhirpathpy's ofType() compares type names only until some
is() has run in the process (`test_fhirpath.py`); the profiles' ofType() types have no subtypes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

EXTENSION_WITHOUT_URL: Final = (
    "fhirpathpy's extension(url) reads every extension's url with [] and raises KeyError on one without; "
    "FHIRPath only selects the extensions whose url matches"
)
REPEATED_EXTENSION: Final = "fhirpathpy's extension(url) keeps only the first matching extension of each element"
PRIMITIVE_EXTENSION: Final = (
    "FHIR's JSON mapping makes a primitive value and its `_name` object (id, extensions) one node; fhirpathpy "
    "makes the `_name` object a second node (and pairs arrays wrongly)"
)
COLLECTION_EQUALITY: Final = (
    "fhirpathpy's = compares only the first items of two collections of the same size; FHIRPath compares "
    "every item, in order"
)
DECIMAL_EQUALITY: Final = (
    "fhirpathpy's = compares a decimal from the JSON (a Python float) with a decimal literal (a Decimal) as "
    "Python values, and the float 0.1 is not Decimal('0.1'); FHIRPath compares decimal values"
)
CORPUS_DIFFERENCES: Final = {  # (input, invariant key): why fhirpathpy's result is wrong
    ("denial_review_action_without_url", "p2p-denial-1"): EXTENSION_WITHOUT_URL,
    ("denial_review_action_without_url", "p2p-denial-2"): EXTENSION_WITHOUT_URL,
}


@dataclass(frozen=True)
class Wrong:
    """A minimal input on which fhirpathpy is wrong: the expression, its input, FHIRPath's result, why."""

    expression: str
    base_path: str
    value: dict[str, Any]
    expected: list[Any]
    reason: str


STATUS_EXTENSION: Final = {"extension": [{"url": "http://example.org/reason", "valueCode": "unknown"}]}
EXTENDED_STATUS: Final = {"resourceType": "Task", "status": "completed", "_status": STATUS_EXTENSION}
TWO_EXTENSIONS: Final = {"resourceType": "Patient", "extension": [{"url": "u", "valueString": "x"}] * 2}
FHIRPATHPY_WRONG: Final = {
    "extension_without_url": Wrong(
        "extension('u').exists()",
        "Patient",
        {"resourceType": "Patient", "extension": [{"valueString": "x"}, {"url": "u", "valueString": "y"}]},
        [True],
        EXTENSION_WITHOUT_URL,
    ),
    "extension_repeated": Wrong("extension('u').count()", "Patient", TWO_EXTENSIONS, [2], REPEATED_EXTENSION),
    "primitive_extension_count": Wrong("status.count()", "Task", EXTENDED_STATUS, [1], PRIMITIVE_EXTENSION),
    "primitive_extension_equality": Wrong("status = 'completed'", "Task", EXTENDED_STATUS, [True], PRIMITIVE_EXTENSION),
    "primitive_extension_has_value": Wrong("status.hasValue()", "Task", EXTENDED_STATUS, [True], PRIMITIVE_EXTENSION),
    "primitive_array_extension": Wrong(
        "name.given.count()",
        "Patient",
        {"resourceType": "Patient", "name": [{"given": ["Ann", None], "_given": [None, STATUS_EXTENSION]}]},
        [2],
        PRIMITIVE_EXTENSION,
    ),
    "decimal_equality": Wrong("value = 0.1", "Quantity", {"value": 0.1}, [True], DECIMAL_EQUALITY),
    "collection_equality": Wrong(
        "name.given = ('Ann' | 'Bea')",
        "Patient",
        {"resourceType": "Patient", "name": [{"given": ["Ann", "Cy"]}]},
        [False],
        COLLECTION_EQUALITY,
    ),
}
