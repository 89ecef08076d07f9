"""Where an invariant is evaluated: the FHIRPath variables `%resource` and `%rootResource`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Scope:
    """`resource`: the resource that holds the element (a contained or Bundle entry resource included);
    `root_resource`: the resource that holds it in turn (its container), else the same resource."""

    resource: dict[str, Any]
    root_resource: dict[str, Any]
