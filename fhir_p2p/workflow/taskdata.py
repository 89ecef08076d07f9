"""Reading and writing the parts of a P2P or appeal Task the workflow works with (SPEC §3): its kind, state,
inputs and outputs by their p2p-input / p2p-output codes, and references. Pure JSON helpers, no storage."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from fhir_p2p.resources.pas import (
    INPUT_SYSTEM,
    P2P_CODE_SYSTEM,
    P2P_DEFINITION,
    TASK_CODE_SYSTEM,
    Json,
    concept,
    first_code,
)

OUTPUT_SYSTEM: Final = P2P_CODE_SYSTEM + "p2p-output"
OUTCOME_SYSTEM: Final = P2P_CODE_SYSTEM + "p2p-outcome"
NEXT_STEP_SYSTEM: Final = P2P_CODE_SYSTEM + "p2p-next-step"
STAGE_SYSTEM: Final = P2P_CODE_SYSTEM + "p2p-stage"
DEADLINE_MISSED: Final = P2P_DEFINITION + "p2p-deadline-missed"  # the sweep's mark (workflow/sweep.py)

# Output codes whose value is a CodeableConcept of one of our code systems.
_OUTPUT_CONCEPTS: Final = {"outcome": OUTCOME_SYSTEM, "next-step": NEXT_STEP_SYSTEM}


class Kind(StrEnum):
    """Task.code of the workflow's Tasks (CodeSystem p2p-task-code)."""

    P2P = "peer-to-peer-review"
    INTERNAL_APPEAL = "internal-appeal"
    EXTERNAL_REVIEW = "external-review"


class Outcome(StrEnum):
    """CodeSystem p2p-outcome."""

    OVERTURNED = "overturned"
    PARTIALLY_OVERTURNED = "partially-overturned"
    UPHELD = "upheld"
    WITHDRAWN = "withdrawn"
    NO_SHOW = "no-show"


@dataclass(frozen=True, slots=True)
class State:
    """Where a Task is: its FHIR status and, while it is open or completed, its stage (p2p-stage)."""

    status: str
    stage: str | None

    def __str__(self) -> str:
        return f"{self.status}/{self.stage}" if self.stage else self.status


def kind_of(task: Json) -> Kind | None:
    """The workflow kind of a Task by its code (system p2p-task-code); None for any other Task."""
    code = first_code(task.get("code"), TASK_CODE_SYSTEM)
    return Kind(code) if code is not None and code in Kind._value2member_map_ else None


def state_of(task: Json) -> State:
    return State(str(task.get("status")), first_code(task.get("businessStatus"), STAGE_SYSTEM))


def with_state(task: Json, state: State) -> Json:
    """A copy of `task` in `state` (the stage removed when the state has none)."""
    changed = copy.deepcopy(task)
    changed["status"] = state.status
    if state.stage is None:
        changed.pop("businessStatus", None)
    else:
        changed["businessStatus"] = concept(STAGE_SYSTEM, state.stage)
    return changed


def inputs(task: Json, code: str) -> list[Json]:
    """The Task.input entries of type `code` (p2p-input)."""
    return [i for i in task.get("input", []) if first_code(i.get("type"), INPUT_SYSTEM) == code]


def outputs(task: Json, code: str) -> list[Json]:
    """The Task.output entries of type `code` (p2p-output)."""
    return [o for o in task.get("output", []) if first_code(o.get("type"), OUTPUT_SYSTEM) == code]


def input_code(task: Json, code: str, system: str) -> str | None:
    """The code of `system` in the first CodeableConcept input of type `code`."""
    found = inputs(task, code)
    return first_code(found[0].get("valueCodeableConcept"), system) if found else None


def output_value(task: Json, code: str, key: str) -> Any:
    """The `key` value (valuePeriod, valueReference...) of the first output of type `code`, or None."""
    found = outputs(task, code)
    return found[0].get(key) if found else None


def output_code(task: Json, code: str) -> str | None:
    """The code of an output whose value is one of our CodeableConcepts (outcome, next-step)."""
    return first_code(output_value(task, code, "valueCodeableConcept"), _OUTPUT_CONCEPTS[code])


def set_output(task: Json, code: str, key: str, value: Any) -> None:
    """Replace the outputs of type `code` with one holding `value` under `key` (in place)."""
    kept = [o for o in task.get("output", []) if first_code(o.get("type"), OUTPUT_SYSTEM) != code]
    task["output"] = [*kept, {"type": concept(OUTPUT_SYSTEM, code), key: value}]


def set_output_code(task: Json, code: str, value: str) -> None:
    """Set an output of our CodeableConcepts (outcome, next-step) to `value` (a plain str in the JSON, never an
    enum member: the search index reads exact `str` values)."""
    set_output(task, code, "valueCodeableConcept", concept(_OUTPUT_CONCEPTS[code], str(value)))


def drop_outputs(task: Json, *codes: str) -> None:
    """Remove the outputs of the given types (in place); `output` goes when none is left."""
    kept = [o for o in task.get("output", []) if first_code(o.get("type"), OUTPUT_SYSTEM) not in codes]
    if kept:
        task["output"] = kept
    else:
        task.pop("output", None)


def denied_items(task: Json) -> list[int]:
    """The `denied-item` sequences named (none: every disputable item)."""
    return [int(i["valuePositiveInt"]) for i in inputs(task, "denied-item") if "valuePositiveInt" in i]


def reference_id(reference: Any, resource_type: str) -> str | None:
    """The id of a relative literal reference `Type/id` of `resource_type` (a Reference or its string)."""
    text = reference.get("reference") if isinstance(reference, dict) else reference
    if not isinstance(text, str):
        return None
    found_type, _, found_id = text.partition("/")
    return found_id if found_type == resource_type and found_id and "/" not in found_id else None


def reason(text: str) -> Json:
    """A CodeableConcept with only text (statusReason)."""
    return {"text": text}
