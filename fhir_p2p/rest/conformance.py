"""Which profiles a written resource must meet, and checking it against them (SPEC §3).

A resource is validated against every profile it claims in `meta.profile` that this server has,
plus the one the server assigns by content: a ClaimResponse with an adverse PAS review action
(A3, A2, A6) is a `p2p-denial`; a Task coded `peer-to-peer-review` a `p2p-request`, one coded
`internal-appeal` or `external-review` a `p2p-appeal`. A claimed profile the server does not have
is reported as information, not refused (PAS profiles, for one, are not bundled). Errors refuse the
write with 422; warnings travel back with `Prefer: return=OperationOutcome`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Final

from fhir_p2p.errors import Issue, Unprocessable, errors_in
from fhir_p2p.resources.parse import check_resource
from fhir_p2p.validation import Validator

PROFILE_BASE: Final = "http://fhir-p2p.org/fhir/StructureDefinition/"
P2P_DENIAL: Final = PROFILE_BASE + "p2p-denial"
P2P_REQUEST: Final = PROFILE_BASE + "p2p-request"
P2P_APPEAL: Final = PROFILE_BASE + "p2p-appeal"
SERVER_PROFILES: Final = (P2P_DENIAL, P2P_REQUEST, P2P_APPEAL)

TASK_CODE_SYSTEM: Final = "http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code"
REVIEW_ACTION: Final = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
REVIEW_ACTION_CODE: Final = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
ADVERSE_ACTIONS: Final = frozenset({"A2", "A3", "A6"})
_TASK_PROFILES: Final = {
    "peer-to-peer-review": P2P_REQUEST,
    "internal-appeal": P2P_APPEAL,
    "external-review": P2P_APPEAL,
}

# Rule ids of this module; last id used: conf-001.
UNKNOWN_CLAIMED_PROFILE: Final = "conf-001"


def assigned_profile(resource: dict[str, Any]) -> str | None:
    """The profile the server gives a resource by its content; None when none applies."""
    resource_type = resource.get("resourceType")
    if resource_type == "ClaimResponse":
        return P2P_DENIAL if any(code in ADVERSE_ACTIONS for code in _review_action_codes(resource)) else None
    if resource_type == "Task":
        for coding in _codings(resource.get("code")):
            if coding.get("system") == TASK_CODE_SYSTEM and coding.get("code") in _TASK_PROFILES:
                return _TASK_PROFILES[str(coding["code"])]
    return None


class ProfileCheck:
    """Validates written resources against their profiles with one shared `Validator`."""

    def __init__(self, validator: Validator):
        self.validator = validator

    def issues(self, resource: dict[str, Any], path: str | None = None) -> list[Issue]:
        """Every issue of `resource` against its profiles (none: no profile applies).

        Args:
            resource: a resource that passed the base structure checks.
            path: its FHIRPath when inside another resource (`Bundle.entry[2].resource`).
        """
        return _relocated(self._against(resource, self._profiles(resource)), resource, path)

    def report(
        self, resource: dict[str, Any], expected_type: str | None = None, profile: str | None = None
    ) -> list[Issue]:
        """Everything `$validate` and `fhir-p2p validate` report for `resource`.

        The base structure checks first; when they find no error, the check against `profile` if
        given, else against the resource's profiles, else against its base R4 definition.
        """
        found = check_resource(resource, expected_type)
        if errors_in(found):
            return found
        if profile is not None:
            return found + self.validator.validate(resource, profile)
        profiles = self._profiles(resource)
        return found + (self._against(resource, profiles) if profiles else self.validator.validate(resource, None))

    def require(self, resource: dict[str, Any], path: str | None = None) -> list[Issue]:
        """Raise Unprocessable (422) with every issue when any is an error; else return the rest."""
        found = self.issues(resource, path)
        errors = errors_in(found)
        if errors:
            subject = path or str(resource.get("resourceType"))
            raise Unprocessable(f"{subject} does not meet its profile ({len(errors)} errors)", issues=found)
        return found

    def _profiles(self, resource: dict[str, Any]) -> list[str]:
        """The profiles it claims, then the one the server assigns (each once)."""
        claimed = (resource.get("meta") or {}).get("profile") or []
        wanted = [url for url in claimed if isinstance(url, str)]
        assigned = assigned_profile(resource)
        if assigned is not None and assigned not in wanted:
            wanted.append(assigned)
        return wanted

    def _against(self, resource: dict[str, Any], profiles: list[str]) -> list[Issue]:
        found: list[Issue] = []
        for profile in profiles:
            if self.validator.registry.structure_definition(profile) is not None:
                found.extend(self.validator.validate(resource, profile))
            else:
                message = f"Profile {profile} is not known to this server; the resource was not checked against it"
                where = f"{resource.get('resourceType')}.meta.profile"
                found.append(Issue("information", "not-supported", message, where, UNKNOWN_CLAIMED_PROFILE))
        return _unique(found)


def _review_action_codes(claim_response: dict[str, Any]) -> Iterator[object]:
    for item in claim_response.get("item") or []:
        for adjudication in _dicts(item.get("adjudication") if isinstance(item, dict) else None):
            for action in _extensions(adjudication, REVIEW_ACTION):
                for code in _extensions(action, REVIEW_ACTION_CODE):
                    for coding in _codings(code.get("valueCodeableConcept")):
                        yield coding.get("code")


def _extensions(element: dict[str, Any], url: str) -> Iterator[dict[str, Any]]:
    return (extension for extension in _dicts(element.get("extension")) if extension.get("url") == url)


def _codings(concept: Any) -> Iterator[dict[str, Any]]:
    return _dicts(concept.get("coding")) if isinstance(concept, dict) else iter(())


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    return (item for item in value if isinstance(item, dict)) if isinstance(value, list) else iter(())


def _unique(issues: list[Issue]) -> list[Issue]:
    """Two profiles share the base rules: report an issue found by both once."""
    return list(dict.fromkeys(issues))


def _relocated(issues: list[Issue], resource: dict[str, Any], path: str | None) -> list[Issue]:
    """Rewrite `ClaimResponse.x` expressions to `Bundle.entry[2].resource.x` for a nested resource."""
    if path is None:
        return issues
    root = str(resource.get("resourceType"))
    moved = []
    for issue in issues:
        expression = issue.expression
        if expression is not None and (expression == root or expression.startswith(root + ".")):
            expression = path + expression[len(root) :]
        elif expression is not None:
            expression = f"{path}.{expression}"
        moved.append(replace(issue, expression=expression))
    return moved
