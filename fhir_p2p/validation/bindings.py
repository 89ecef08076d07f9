"""Coded values against their element's binding: required -> error, extensible -> warning.

Checked types: `code` (and `string`/`uri` bound to a value set), `Coding`, `CodeableConcept`,
`Quantity` (its `system`/`code`). A required binding on a CodeableConcept needs at least one coding
from the value set (text alone is not enough); an extensible one accepts text alone and warns when
codings are given but none is in the value set. A code the registry cannot judge (value set not
bundled, external code system, unsupported filter) gives one `information` issue for a required
binding and nothing for an extensible one.
"""

from __future__ import annotations

from typing import Any, Final

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.elements import Binding
from fhir_p2p.validation.values import items
from fhir_p2p.validation.valuesets import Expansion, Terminology, Verdict

BINDABLE: Final = frozenset({"code", "string", "uri", "Coding", "CodeableConcept", "Quantity"})
CHECKED_STRENGTHS: Final = frozenset({"required", "extensible"})


def check_binding(
    terminology: Terminology, binding: Binding, type_code: str, value: Any, expression: str, issues: list[Issue]
) -> None:
    """Append what is wrong with `value` (of type `type_code`) under `binding` to `issues`."""
    expansion = terminology.expansion(binding.value_set)
    required = binding.strength == "required"
    if type_code in ("code", "string", "uri"):
        if isinstance(value, str):
            verdict = expansion.check(None, value)
            _report(verdict, expansion, required, f"code '{value}'", expression, issues)
        return
    if not isinstance(value, dict):
        return
    if type_code == "CodeableConcept":
        _check_concept(expansion, required, value, expression, issues)
        return
    code = value.get("code")
    if isinstance(code, str):
        system = value.get("system")
        verdict = expansion.check(system if isinstance(system, str) else None, code)
        _report(verdict, expansion, required, _coding_text(value), expression, issues)


def _check_concept(
    expansion: Expansion, required: bool, value: dict[str, Any], expression: str, issues: list[Issue]
) -> None:
    codings = [c for c in items(value.get("coding")) if isinstance(c, dict) and isinstance(c.get("code"), str)]
    if not codings:
        if required:
            message = f"{expression} has no coding, but its required binding needs a code from {_name(expansion)}"
            issues.append(Issue("error", "code-invalid", message, expression, rules.NO_CODING))
        return
    verdicts = [expansion.check(_system(c), c["code"]) for c in codings]
    if Verdict.OK in verdicts:
        return
    text = ", ".join(_coding_text(c) for c in codings)
    if Verdict.UNKNOWN in verdicts:
        _report(Verdict.UNKNOWN, expansion, required, f"coding {text}", expression, issues)
    else:
        what, verb = (f"its codings ({text})", "are") if len(codings) > 1 else (f"its coding {text}", "is")
        _report(Verdict.BAD, expansion, required, what, expression, issues, verb)


def _report(
    verdict: Verdict,
    expansion: Expansion,
    required: bool,
    what: str,
    expression: str,
    issues: list[Issue],
    verb: str = "is",
) -> None:
    """One issue for a code that is not in the value set (BAD) or could not be checked (UNKNOWN)."""
    if verdict is Verdict.OK or (verdict is Verdict.UNKNOWN and not required):
        return
    if verdict is Verdict.UNKNOWN:
        message = f"{expression}: {what} was not checked against {_name(expansion)}: {expansion.why_unknown()}"
        issues.append(Issue("information", "informational", message, expression, rules.CODE_NOT_CHECKED))
    elif required:
        message = f"{expression}: {what} {verb} not in {_name(expansion)}, which the element requires"
        issues.append(Issue("error", "code-invalid", message, expression, rules.CODE_NOT_IN_REQUIRED))
    else:
        message = f"{expression}: {what} {verb} not in {_name(expansion)}, which the element should use (extensible)"
        issues.append(Issue("warning", "code-invalid", message, expression, rules.CODE_NOT_IN_EXTENSIBLE))


def _system(coding: dict[str, Any]) -> str | None:
    system = coding.get("system")
    return system if isinstance(system, str) else None


def _coding_text(coding: dict[str, Any]) -> str:
    system = coding.get("system")
    return f"{system}#{coding.get('code')}" if isinstance(system, str) else f"code '{coding.get('code')}'"


def _name(expansion: Expansion) -> str:
    if expansion.title and expansion.title != expansion.url:
        return f"value set {expansion.title} ({expansion.url})"
    return f"value set {expansion.url}"
