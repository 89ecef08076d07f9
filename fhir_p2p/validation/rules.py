"""Rule ids of the profile validator: one stable id per kind of finding, never reused or renumbered.

Every `Issue` the validator returns carries one of these as `rule` (SPEC §3: `issue.details.coding`).
Invariant findings share `INVARIANT` and name the invariant key at the start of the message
(`p2p-task-1: ...`), because invariants come from the profiles, not from this table.
"""

from __future__ import annotations

from typing import Final

# Rule table. Ids never change meaning and are never reused.
# last id used: val-027
TOO_FEW: Final = "val-001"  # fewer values than the element's min (a required element is missing)
TOO_MANY: Final = "val-002"  # more values than the element's max (incl. max 0: not allowed here)
FIXED_VALUE: Final = "val-003"  # value differs from fixed[x]
PATTERN_VALUE: Final = "val-004"  # value does not contain pattern[x]
SLICE_TOO_FEW: Final = "val-005"  # fewer items match a slice than its min
SLICE_TOO_MANY: Final = "val-006"  # more items match a slice than its max
SLICE_UNMATCHED: Final = "val-007"  # an item of a closed slicing matches no slice
SLICE_ORDER: Final = "val-008"  # ordered slicing: items out of slice order (or open items before slices with openAtEnd)
CHOICE_TYPE: Final = "val-009"  # a choice element `name[x]` with a type the element does not allow here
UNKNOWN_ELEMENT: Final = "val-010"  # a key the definition has not
WRONG_SHAPE: Final = "val-011"  # JSON object / array / primitive where the definition wants another
CODE_NOT_IN_REQUIRED: Final = "val-012"  # code outside a required binding's value set (error)
CODE_NOT_IN_EXTENSIBLE: Final = "val-013"  # code outside an extensible binding's value set (warning)
CODE_NOT_CHECKED: Final = "val-014"  # value set not bundled, external code system, unsupported filter (information)
NO_CODING: Final = "val-015"  # CodeableConcept without a coding where a required binding needs one
INVARIANT: Final = "val-016"  # a FHIRPath invariant is false (severity of the invariant; key in the message)
INVARIANT_NOT_EVALUATED: Final = "val-017"  # an invariant could not be evaluated (information)
UNKNOWN_EXTENSION: Final = "val-018"  # extension url with no definition in the registry (warning)
EXTENSION_CONTEXT: Final = "val-019"  # extension used where its definition's context does not allow it
REFERENCE_TARGET: Final = "val-020"  # reference to a resource type the element does not allow
REFERENCE_TYPE_MISMATCH: Final = "val-021"  # Reference.type disagrees with the type in Reference.reference
UNKNOWN_PROFILE: Final = "val-022"  # profile URL not in the registry
PROFILE_TYPE: Final = "val-023"  # profile constrains another resource type
NOT_VALIDATED: Final = "val-024"  # resource type with no bundled definition (information)
SLICE_NOT_EVALUATED: Final = "val-025"  # discriminator the validator does not evaluate (information)
EXTENSION_NOT_AN_EXTENSION: Final = "val-026"  # url names a definition that is not an extension
MODIFIER_EXTENSION_UNKNOWN: Final = "val-027"  # unknown modifierExtension (error: its meaning cannot be ignored)
