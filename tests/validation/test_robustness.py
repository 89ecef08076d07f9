"""The validator never raises: resources of any shape get issues, not exceptions; warm-up compiles everything."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

from tests.validation.support import EXAMPLES, OWN_PROFILES, P2P_DENIAL, P2P_REQUEST, PAS_CORPUS, load, validator
from tests.validation.synthetic import validator_with

ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "#x",
    "urn:uuid:1",
    "Patient/1",
    "http://fhir-p2p.org/fhir/StructureDefinition/p2p-contact",
    [],
    [None],
    [1, "a"],
    {},
    {"a": 1},
    {"url": 5},
    {"reference": 7},
    {"coding": "x"},
    [{}],
    {"extension": [{}]},
    {"resourceType": "Patient", "contained": [1]},
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _scramble(doc: dict[str, Any], rnd: random.Random) -> None:
    paths = list(_paths(doc))
    for _ in range(rnd.randint(1, 3)):
        path = rnd.choice(paths)
        node: Any = doc
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = copy.deepcopy(rnd.choice(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            continue


def test_scrambled_resources_give_issues_not_exceptions() -> None:
    files = sorted(EXAMPLES.glob("*.json")) + sorted(PAS_CORPUS.glob("*.json"))
    originals = [load(path) for path in files]
    rnd = random.Random(20261118)
    for _ in range(600):
        doc = copy.deepcopy(rnd.choice(originals))
        _scramble(doc, rnd)
        resource_type = doc.get("resourceType")
        profile = {"ClaimResponse": P2P_DENIAL, "Task": P2P_REQUEST}.get(
            resource_type if isinstance(resource_type, str) else ""
        )
        validator().validate(doc, rnd.choice([None, profile]))


def test_warm_compiles_every_profile() -> None:
    check = validator_with()
    check.warm()
    for url in OWN_PROFILES:
        assert check.compiler.resource_rule(url) is not None
    assert check.validate(load(EXAMPLES / "Task-p2p-mri-lumbar.json"), P2P_REQUEST) == []
