"""Payer policies as data (SPEC §6, docs/payer-policies.md): `PayerPolicy`, the DEFAULT policy for unknown
payers, the marshmallow schema of `config/payers.yaml` with `load_policies` (every problem in one `PolicyError`),
and `PolicyBook`, which finds the policy of a denial's insurer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from fhir_p2p.resources.pas import PAYER_ID_SYSTEM, Json
from fhir_p2p.workflow.calendar import Duration, Unit

try:
    from yaml import CSafeLoader as _SafeLoader  # libyaml, about 10 times faster
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class RequesterRole(StrEnum):
    """Who may ask for a P2P: the codes of CodeSystem `p2p-requester-role` (Task input `requester-role`)."""

    ORDERING_PHYSICIAN = "ordering-physician"
    COVERING_PHYSICIAN = "covering-physician"
    PHYSICIAN_ASSISTANT = "physician-assistant"
    NURSE_PRACTITIONER = "nurse-practitioner"


class SpecialtyRule(StrEnum):
    """Which reviewer the payer promises: same specialty as the requester, appropriate expertise, or no rule."""

    SAME_SPECIALTY = "same-specialty"
    APPROPRIATE_EXPERTISE = "appropriate-expertise"
    NONE = "none"


class AfterDenial(StrEnum):
    """What a P2P after a final adverse determination can do: change it (`review`), only explain it
    (`informational`: new information goes to the appeal, as in Medicare Advantage), or is not offered."""

    REVIEW = "review"
    INFORMATIONAL = "informational"
    NONE = "none"


class NewInformation(StrEnum):
    """Clinical information the original request did not have: discussed in the P2P (`allowed`), or the
    P2P is cancelled and the information goes to an internal appeal (`cancel-to-appeal`)."""

    ALLOWED = "allowed"
    CANCEL_TO_APPEAL = "cancel-to-appeal"


class Channel(StrEnum):
    """How P2P requests reach the payer: FHIR REST, X12 278 in a CAQH CORE SOAP envelope, X12 278 over
    HTTP, or `none` (the payer pulls them from its worklist)."""

    FHIR = "fhir"
    X12_CORE = "x12-core"
    X12_HTTP = "x12-http"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Contact:
    """A payer's P2P line: a FHIR ContactPoint's `system` (phone | fax | email | url) and `value`."""

    system: str
    value: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where P2P requests go. `credentials` names a secret held elsewhere (never the secret itself)."""

    channel: Channel
    endpoint: str = ""
    credentials: str = ""


@dataclass(frozen=True, slots=True)
class AppealTiming:
    """Internal appeal: how long after the denial it may be filed, and how fast the payer decides it."""

    window: Duration
    standard_decision: Duration
    expedited_decision: Duration


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """One payer's P2P rules (docs/payer-policies.md lists every field with its YAML name)."""

    payer_id: str  # matched against the insurer's identifier with system PAYER_ID_SYSTEM
    name: str
    window: Duration  # P2P request window after a final adverse determination, from its `created`
    roles: tuple[RequesterRole, ...]  # accepted requester roles
    appeal: AppealTiming
    delivery: Delivery
    organizations: tuple[str, ...]  # `Organization/<id>` references that also name this payer
    timezone: str  # IANA zone where the payer's days begin and end
    after_denial: AfterDenial
    pre_decision_window: Duration | None  # offered on a pended (A4) or contact-payer (CT) response; None: not
    p2p_before_appeal: bool  # True: a P2P can only be requested while no appeal of the denial is filed
    reviewer_specialty: SpecialtyRule
    scheduling_sla: Duration  # from the request to the call
    decision_sla: Duration  # from the call to the P2P decision
    call_windows: int  # availability windows the requester must offer
    missed_calls: int  # missed calls (no-shows) that close the request
    new_information: NewInformation
    contact: Contact | None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_POLICY: Final = PayerPolicy(
    payer_id="",
    name="Payer without a policy entry",
    window=Duration(14, Unit.CALENDAR_DAYS),
    roles=(RequesterRole.ORDERING_PHYSICIAN, RequesterRole.COVERING_PHYSICIAN),
    appeal=AppealTiming(
        window=Duration(180, Unit.CALENDAR_DAYS),
        standard_decision=Duration(30, Unit.CALENDAR_DAYS),
        expedited_decision=Duration(72, Unit.HOURS),
    ),
    delivery=Delivery(Channel.NONE),
    organizations=(),
    timezone="America/New_York",
    after_denial=AfterDenial.REVIEW,
    pre_decision_window=None,
    p2p_before_appeal=False,
    reviewer_specialty=SpecialtyRule.SAME_SPECIALTY,
    scheduling_sla=Duration(24, Unit.HOURS),
    decision_sla=Duration(24, Unit.HOURS),
    call_windows=1,
    missed_calls=2,
    new_information=NewInformation.ALLOWED,
    contact=None,
)
"""The policy of a payer the file does not list, and the value of every optional field an entry leaves out.

SPEC §3 pins the window (14 calendar days from `created`), the roles (ordering and covering physician), the
24 h scheduling SLA, the 180-day appeal window (the ERISA / ACA floor, 29 CFR 2560.503-1(h)(3)(i)) and
America/New_York. The rest is chosen so that the server never promises more than a payer is likely to give
and never refuses what a payer would accept: a P2P that can change the decision (`review`, the common
commercial case) but no pre-decision window (it cannot be assumed); delivery `none` (the payer pulls from
its worklist: nothing is sent to an endpoint nobody configured); same-specialty reviewer (the AMA
principle, H-320.939: mismatches are flagged, not refused); a decision 24 h after the call (AMA 2021
House of Delegates: P2P decisions actionable within 24 hours of the discussion); appeal decisions 30
calendar days standard and 72 hours expedited (29 CFR 2560.503-1(i)(2) pre-service limits); one call
window offered (the least any payer asks) and the request closed after two missed calls (one reschedule);
new information allowed (refusing it is the exception).
"""

_MISSING = "required field missing"
_ORGANIZATION = r"Organization/[A-Za-z0-9\-.]{1,64}"  # a relative reference to an Organization (FHIR id)


def _is_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not an IANA time zone") from None


def _messages(**specific: str) -> dict[str, Any]:
    """Error messages of a field, in the file's style: `required field missing`, `must have a value`, ..."""
    return {"required": _MISSING, "null": "must have a value", **specific}


def _enum(kind: type[StrEnum], **options: Any) -> fields.Enum[Any]:
    return fields.Enum(kind, by_value=True, error_messages=_messages(unknown="must be one of {choices}"), **options)


def _count(least: int, **options: Any) -> fields.Integer:
    at_least = validate.Range(min=least, error="must be a whole number of at least {min}")
    messages = _messages(invalid="must be a whole number")
    return fields.Integer(strict=True, validate=at_least, error_messages=messages, **options)


def _text(**options: Any) -> fields.String:
    not_empty = validate.Length(min=1, error="must not be empty")
    return fields.String(validate=not_empty, error_messages=_messages(invalid="must be text"), **options)


def _nested(schema: type[Schema], **options: Any) -> fields.Nested:
    return fields.Nested(schema, error_messages=_messages(type="must be a mapping"), **options)


class _Strict(Schema):
    error_messages = {"unknown": "unknown field", "type": "must be a mapping"}


class _DurationSchema(_Strict):
    amount = _count(1, required=True)
    unit = _enum(Unit, required=True)

    @post_load
    def _make(self, data: Json, **_: Any) -> Duration:
        return Duration(**data)


class _AppealSchema(_Strict):
    window = _nested(_DurationSchema, required=True)
    standard_decision = _nested(_DurationSchema, load_default=DEFAULT_POLICY.appeal.standard_decision)
    expedited_decision = _nested(_DurationSchema, load_default=DEFAULT_POLICY.appeal.expedited_decision)

    @post_load
    def _make(self, data: Json, **_: Any) -> AppealTiming:
        return AppealTiming(**data)


class _DeliverySchema(_Strict):
    channel = _enum(Channel, required=True)
    endpoint = fields.Url(
        schemes={"http", "https"}, require_tld=False, error_messages=_messages(invalid="must be an http(s) URL")
    )
    credentials = fields.String(
        validate=validate.Regexp(
            r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$",
            error="must be the name of a credential (a letter, then letters, digits, _ . : -), never a secret",
        )
    )

    @validates_schema
    def _endpoint_goes_with_channel(self, data: Json, **_: Any) -> None:
        if data["channel"] is Channel.NONE and data.get("endpoint"):
            raise ValidationError("not used when channel is none", "endpoint")
        if data["channel"] is not Channel.NONE and not data.get("endpoint"):
            raise ValidationError(f"required when channel is {data['channel']}", "endpoint")

    @post_load
    def _make(self, data: Json, **_: Any) -> Delivery:
        return Delivery(**data)


class _ContactSchema(_Strict):
    system = fields.String(
        required=True,
        validate=validate.OneOf(("phone", "fax", "email", "url"), error="must be one of {choices}"),
        error_messages=_messages(),
    )
    value = _text(required=True)

    @post_load
    def _make(self, data: Json, **_: Any) -> Contact:
        return Contact(**data)


class _PayerSchema(_Strict):
    payer_id = _text(required=True, data_key="id")
    name = _text(required=True)
    window = _nested(_DurationSchema, required=True)
    roles = fields.List(
        _enum(RequesterRole),
        required=True,
        validate=validate.Length(min=1, error="must name at least one role"),
        error_messages=_messages(invalid="must be a list"),
    )
    appeal = _nested(_AppealSchema, required=True)
    delivery = _nested(_DeliverySchema, required=True)
    organizations = fields.List(
        fields.String(validate=validate.Regexp(f"^{_ORGANIZATION}$", error="must be Organization/<id>")),
        load_default=(),
        error_messages=_messages(invalid="must be a list"),
    )
    timezone = fields.String(
        validate=_is_zone, load_default=DEFAULT_POLICY.timezone, error_messages=_messages(invalid="must be text")
    )
    after_denial = _enum(AfterDenial, load_default=DEFAULT_POLICY.after_denial)
    pre_decision_window = _nested(_DurationSchema, allow_none=True, load_default=None)
    p2p_before_appeal = fields.Boolean(
        load_default=DEFAULT_POLICY.p2p_before_appeal,
        truthy={True},
        falsy={False},
        error_messages=_messages(invalid="must be true or false"),
    )
    reviewer_specialty = _enum(SpecialtyRule, load_default=DEFAULT_POLICY.reviewer_specialty)
    scheduling_sla = _nested(_DurationSchema, load_default=DEFAULT_POLICY.scheduling_sla)
    decision_sla = _nested(_DurationSchema, load_default=DEFAULT_POLICY.decision_sla)
    call_windows = _count(0, load_default=DEFAULT_POLICY.call_windows)
    missed_calls = _count(1, load_default=DEFAULT_POLICY.missed_calls)
    new_information = _enum(NewInformation, load_default=DEFAULT_POLICY.new_information)
    contact = _nested(_ContactSchema, allow_none=True, load_default=None)

    @post_load
    def _make(self, data: Json, **_: Any) -> PayerPolicy:
        return PayerPolicy(**{**data, "roles": tuple(data["roles"]), "organizations": tuple(data["organizations"])})


class PolicyError(ValueError):
    """The policy file cannot be used. `problems` holds every problem found, each naming the file and, when
    it is about one entry, the payer and the field: `config/payers.yaml: payer NWHP1: window.unit: ...`."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class PolicyBook:
    """The loaded policies, found by the insurer's payer id or Organization reference; DEFAULT_POLICY for
    any other insurer."""

    def __init__(self, policies: Iterable[PayerPolicy]) -> None:
        self.policies = tuple(policies)
        self._by_payer_id = {policy.payer_id: policy for policy in self.policies}
        self._by_reference = {reference: policy for policy in self.policies for reference in policy.organizations}

    def for_insurer(self, insurer: Mapping[str, Any] | str | None) -> PayerPolicy:
        """The policy of a denial's insurer.

        Args:
            insurer: the insurer Organization resource, a Reference to it (`ClaimResponse.insurer`: its
                `identifier` with system `http://fhir-p2p.org/fhir/sid/payer-id`, else its `reference`),
                or a reference string (`Organization/<id>`, relative or absolute).
        Returns:
            The payer's policy: by payer id first, then by one of the entry's `organizations`; else DEFAULT_POLICY.
        """
        if isinstance(insurer, str):
            return self._by_reference.get(_organization_reference(insurer), DEFAULT_POLICY)
        if not isinstance(insurer, Mapping):
            return DEFAULT_POLICY
        identifiers = insurer.get("identifier")
        for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
            if isinstance(identifier, Mapping) and identifier.get("system") == PAYER_ID_SYSTEM:
                found = self._by_payer_id.get(str(identifier.get("value")))
                if found is not None:
                    return found
        if insurer.get("resourceType") == "Organization":
            return self._by_reference.get(f"Organization/{insurer.get('id')}", DEFAULT_POLICY)
        reference = insurer.get("reference")
        return self.for_insurer(reference) if isinstance(reference, str) else DEFAULT_POLICY


def load_policies(path: Path | str) -> PolicyBook:
    """Read and validate a payer policy file.

    Args:
        path: the YAML (or JSON) file, `{"payers": [entry, ...]}`.
    Returns:
        The book of its policies.
    Raises:
        PolicyError: the file cannot be read or parsed, or entries are invalid; every problem is listed.
    """
    where = str(path)
    entries = _entries(Path(path), where)
    loaded: list[tuple[int, PayerPolicy]] = []
    problems: list[str] = []
    schema = _PayerSchema()
    for number, entry in enumerate(entries, 1):
        try:
            loaded.append((number, schema.load(entry)))
        except ValidationError as error:
            label = f"{where}: payer {_label(entry, number)}"
            problems.extend(": ".join(filter(None, (label, *found))) for found in _flatten(error.messages))
    problems.extend(_clashes(loaded, where))
    if problems:
        raise PolicyError(problems)
    return PolicyBook(policy for _, policy in loaded)


def _entries(path: Path, where: str) -> list[Any]:
    """The `payers` list of the file."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # a SafeLoader
    except OSError as error:
        raise PolicyError([f"{where}: cannot be read ({error.strerror or error})"]) from None
    except UnicodeDecodeError as error:
        raise PolicyError([f"{where}: not UTF-8 text (byte {error.start})"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PolicyError([f"{where}: {at}{error.problem}"]) from None
    except yaml.YAMLError as error:
        raise PolicyError([f"{where}: not YAML ({error})"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("payers"), list):
        raise PolicyError([f"{where}: must be a mapping with a 'payers' list"])
    extra = sorted(str(key) for key in document if key != "payers")
    if extra:
        raise PolicyError([f"{where}: {key}: unknown field" for key in extra])
    return list(document["payers"])


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (PyYAML would keep the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _label(entry: Any, number: int) -> str:
    """The payer an entry is about: its id, or `#<n>` (1-based) when it has none."""
    payer_id = entry.get("id") if isinstance(entry, dict) else None
    return payer_id if isinstance(payer_id, str) and payer_id else f"#{number}"


def _flatten(messages: Any, at: str = "") -> Iterator[tuple[str, str]]:
    """(field path, message) pairs of marshmallow's nested messages: `window.unit`, `roles[1]`."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{at}[{key}]"
            elif key == "_schema":
                path = at
            else:
                path = f"{at}.{key}" if at else str(key)
            yield from _flatten(value, path)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, at)
    else:
        yield at, str(messages)


def _clashes(loaded: list[tuple[int, PayerPolicy]], where: str) -> Iterator[str]:
    """A payer id or an Organization reference that two entries claim."""
    payer_ids: dict[str, int] = {}
    references: dict[str, str] = {}
    for number, policy in loaded:
        first = payer_ids.setdefault(policy.payer_id, number)
        if first != number:
            yield f"{where}: payer {policy.payer_id}: id: duplicate payer id (entries {first} and {number})"
        for reference in policy.organizations:
            owner = references.setdefault(reference, policy.payer_id)
            if owner != policy.payer_id:
                yield f"{where}: payer {policy.payer_id}: organizations: {reference} is also listed by payer {owner}"


_REFERENCE = re.compile(f"(?:^|/)({_ORGANIZATION})(?:/_history/[^/]+)?$")


def _organization_reference(text: str) -> str:
    """`Organization/<id>` from a relative or absolute reference (a version is dropped); '' when it is not one."""
    match = _REFERENCE.search(text)
    return match.group(1) if match else ""
