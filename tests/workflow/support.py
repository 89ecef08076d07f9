"""Shared by the workflow tests: the shipped policy file, the example denials and corpus responses, times; and
the workflow over HTTP (`Api`: operations, PUTs, history), the example payers' Organizations and denials."""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient

from fhir_p2p.resources.pas import INPUT_SYSTEM, ROLE_SYSTEM
from fhir_p2p.workflow import states
from fhir_p2p.workflow.policy import PayerPolicy, PolicyBook, load_policies
from fhir_p2p.workflow.states import normalized
from fhir_p2p.workflow.taskdata import Kind, State, state_of, with_state
from fhir_p2p.workflow.tasks import next_step_after
from tests.conftest import PAS_CORPUS, ROOT, example_files, load_example

PAYERS_FILE = ROOT / "config" / "payers.yaml"


@cache
def shipped_book() -> PolicyBook:
    return load_policies(PAYERS_FILE)


def policy(payer_id: str) -> PayerPolicy:
    return next(p for p in shipped_book().policies if p.payer_id == payer_id)


def shipped_document() -> dict[str, Any]:
    """A fresh copy of the shipped file's content, to mutate."""
    document: dict[str, Any] = yaml.safe_load(PAYERS_FILE.read_text())
    return document


def entry(document: dict[str, Any], payer_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in document["payers"] if e.get("id") == payer_id)
    return found


def write(tmp_path: Path, document: Any, name: str = "payers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
    return path


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAS_CORPUS / f"pas-2.2.1-ClaimResponse-{name}.json").read_text())
    return copy.deepcopy(data)


def denial(name: str) -> dict[str, Any]:
    return load_example(f"ClaimResponse-denial-{name}")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the workflow over HTTP ------------------------------------------------------------------------

FHIR_JSON = "application/fhir+json"
REQUESTER = "Practitioner/adaeze-lindqvist"
# The payer Organization of each example payer: Northwind is the examples' own; the others are copies of it.
PAYER_ORGANIZATIONS = {
    "NWHP1": "northwind-health-plan",
    "EGMA1": "evergreen-medicare-advantage",
    "CMHI2": "cascade-mutual",
    "BBTX1": "bluebonnet-texas",
}
_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
_serial = itertools.count(1)

# Parameter name -> the value key a plain Python value goes under (a dict with a value[x] key is used as is).
_PARAMETER_KEYS = {
    "requester": "valueReference",
    "requester-role": "valueCode",
    "requested-specialty": "valueCode",
    "callback": "valueContactPoint",
    "availability": "valuePeriod",
    "clinical-rationale": "valueString",
    "supporting-info": "valueReference",
    "denied-item": "valuePositiveInt",
    "approved-item": "valuePositiveInt",
    "reason": "valueString",
    "start": "valueDateTime",
    "end": "valueDateTime",
    "reviewer": "valueReference",
    "reviewer-specialty": "valueCode",
    "note": "valueString",
    "outcome": "valueCode",
    "revised-determination": "valueReference",
    "next-step": "valueCode",
    "expedited": "valueBoolean",
}


def parameters(**values: Any) -> dict[str, Any]:
    """A Parameters resource: `requester_role="nurse-practitioner"`, `availability=[period, period]`,
    `reason={"valueCodeableConcept": {...}}` (underscores in names become hyphens; lists repeat a parameter)."""
    found = []
    for key, given in values.items():
        name = key.replace("_", "-")
        for value in given if isinstance(given, list) else [given]:
            if isinstance(value, dict) and any(re.fullmatch(r"value[A-Z]\w+", k) for k in value):
                found.append({"name": name, **value})
                continue
            value_key = _PARAMETER_KEYS[name]
            if value_key == "valueReference" and isinstance(value, str):
                value = {"reference": value}
            found.append({"name": name, value_key: value})
    return {"resourceType": "Parameters", **({"parameter": found} if found else {})}


def payer_organization(payer_id: str) -> dict[str, Any]:
    """The payer Organization of `payer_id`: the example's Northwind, or a copy of it with the other payer's id."""
    organization = load_example("Organization-northwind-health-plan")
    if payer_id == "NWHP1":
        return organization
    organization["id"] = PAYER_ORGANIZATIONS[payer_id]
    organization["name"] = policy(payer_id).name
    organization.pop("alias", None)
    for identifier in organization["identifier"]:
        identifier["value"] = payer_id if identifier["system"].endswith("payer-id") else f"9{len(payer_id)}{payer_id}"
    return organization


def story() -> list[dict[str, Any]]:
    """The examples without the Task, in load order, and the other example payers' Organizations."""
    others = [payer_organization(payer_id) for payer_id in PAYER_ORGANIZATIONS if payer_id != "NWHP1"]
    return others + [load_example(path.name) for path in example_files() if not path.name.startswith("Task-")]


def payer_denial(
    payer_id: str = "NWHP1",
    *,
    created: datetime | str | None = None,
    actions: tuple[str, ...] = ("A3",),
    denial_id: str | None = None,
) -> dict[str, Any]:
    """The example MRI denial, made another payer's (its insurer), `created` at another time, with one item per
    review action code in `actions` (copies of the denied item, sequences 1, 2...), and identifiers of its own."""
    found = denial("mri-lumbar")
    serial = next(_serial)
    found["id"] = denial_id or f"denial-{payer_id.lower()}-{serial}"
    found["insurer"] = {"reference": f"Organization/{PAYER_ORGANIZATIONS[payer_id]}"}
    if created is not None:
        found["created"] = created if isinstance(created, str) else created.isoformat()
    found["identifier"][0]["value"] += f"-{serial}"
    found["preAuthRef"] += f"-{serial}"
    template = found["item"][0]
    found["item"] = []
    for sequence, action in enumerate(actions, start=1):
        item = copy.deepcopy(template)
        item["itemSequence"] = sequence
        item["extension"][0]["valueString"] += f"-{serial}-{sequence}"
        for part in item["adjudication"][0]["extension"][0]["extension"]:
            if part["url"] == _ACTION:
                part["valueCodeableConcept"]["coding"][0] = {
                    "system": "https://codesystem.x12.org/005010/306",
                    "code": action,
                }
        if action not in ("A3", "A2", "A6"):  # only an adverse action carries a denial reason
            item["adjudication"][0]["extension"][0]["extension"] = [
                part for part in item["adjudication"][0]["extension"][0]["extension"] if part["url"] != "reasonCode"
            ]
        found["item"].append(item)
    return found


@dataclass
class Api:
    """A test client speaking the workflow: operations, PUTs, reads, history (with the caller's headers)."""

    client: FlaskClient
    headers: dict[str, str] = field(default_factory=dict)

    def load(self, resources: list[dict[str, Any]]) -> None:
        for resource in resources:
            response = self.put(resource)
            assert response.status_code in (200, 201), response.get_json()

    def put(self, resource: dict[str, Any], **headers: str) -> Any:
        url = f"/fhir/{resource['resourceType']}/{resource['id']}"
        return self.client.put(
            url, data=json.dumps(resource), content_type=FHIR_JSON, headers={**self.headers, **headers}
        )

    def post(self, resource: dict[str, Any], **headers: str) -> Any:
        url = f"/fhir/{resource['resourceType']}"
        return self.client.post(
            url, data=json.dumps(resource), content_type=FHIR_JSON, headers={**self.headers, **headers}
        )

    def operation(self, url: str, body: dict[str, Any], **headers: str) -> Any:
        return self.client.post(url, data=json.dumps(body), content_type=FHIR_JSON, headers={**self.headers, **headers})

    def request_p2p(
        self,
        denial_id: str,
        *,
        role: str = "ordering-physician",
        windows: int = 2,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> Any:
        """$request-p2p for a denial, by the example's ordering physician, with `windows` call windows."""
        offered = [
            {"start": f"2026-11-{19 + n}T09:00:00-06:00", "end": f"2026-11-{19 + n}T12:00:00-06:00"}
            for n in range(windows)
        ]
        body = parameters(
            requester=REQUESTER,
            requester_role=role,
            callback={"system": "phone", "value": "+1-217-555-0143"},
            **({"availability": offered} if offered else {}),
            **values,
        )
        return self.operation(f"/fhir/ClaimResponse/{denial_id}/$request-p2p", body, **(headers or {}))

    def op(self, task_id: str, name: str, headers: dict[str, str] | None = None, **values: Any) -> Any:
        return self.operation(f"/fhir/Task/{task_id}/${name}", parameters(**values), **(headers or {}))

    def read(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        response = self.client.get(f"/fhir/{resource_type}/{resource_id}", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        found: dict[str, Any] = response.get_json()
        return found

    def task(self, task_id: str) -> dict[str, Any]:
        return self.read("Task", task_id)

    def history(self, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
        """Every version, oldest first."""
        response = self.client.get(f"/fhir/{resource_type}/{resource_id}/_history?_count=100", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        entries = response.get_json().get("entry", [])
        return sorted((e["resource"] for e in entries if "resource" in e), key=lambda r: int(r["meta"]["versionId"]))


def created(response: Any) -> dict[str, Any]:
    """The resource of a 201 answer (asserting it)."""
    assert response.status_code == 201, response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


def changed(response: Any) -> dict[str, Any]:
    """The resource of a 200 answer (asserting it)."""
    assert response.status_code == 200, response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


def rules_of(response: Any) -> list[str]:
    """The rule ids of an OperationOutcome answer."""
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome", body
    return [c["code"] for issue in body["issue"] for c in issue.get("details", {}).get("coding", [])]


def state(task: dict[str, Any]) -> State:
    return normalized(state_of(task))


def outputs_of(task: dict[str, Any]) -> dict[str, Any]:
    """The Task's outputs by code: a code for outcome/next-step, else the value."""
    found: dict[str, Any] = {}
    for output in task.get("output", []):
        code = output["type"]["coding"][0]["code"]
        value = next(v for k, v in output.items() if k.startswith("value"))
        found[code] = value["coding"][0]["code"] if code in ("outcome", "next-step") else value
    return found


# --- Tasks in every state ---------------------------------------------------------------------------------

CALL_TIMES = ("2026-11-19T10:00:00-06:00", "2026-11-20T10:00:00-06:00", "2026-11-23T10:00:00-06:00")
_OUTPUT = "http://fhir-p2p.org/fhir/CodeSystem/p2p-output"
_CONCEPT_SYSTEMS = {
    "outcome": "http://fhir-p2p.org/fhir/CodeSystem/p2p-outcome",
    "next-step": "http://fhir-p2p.org/fhir/CodeSystem/p2p-next-step",
}
# How a Task of each kind gets to each of its states from `requested`: the transitions, in order.
P2P_PATHS: dict[State, tuple[str, ...]] = {
    states.REQUESTED: (),
    states.RECEIVED: ("receive",),
    states.ACCEPTED: ("accept",),
    states.SCHEDULED: ("accept", "schedule"),
    states.RESCHEDULED: ("accept", "schedule", "reschedule"),
    states.HELD: ("accept", "schedule", "hold"),
    states.DECIDED: ("accept", "schedule", "decide"),
    states.REJECTED: ("reject",),
    states.CANCELLED: ("cancel",),
    states.FAILED: ("accept", "schedule", "fail"),
}
APPEAL_PATHS: dict[State, tuple[str, ...]] = {
    states.REQUESTED: (),
    states.RECEIVED: ("receive",),
    states.ACCEPTED: ("accept",),
    states.HELD: ("accept", "hold"),
    states.DECIDED: ("accept", "decide"),
    states.REJECTED: ("reject",),
    states.CANCELLED: ("cancel",),
    states.FAILED: ("accept", "hold", "fail"),
}
PATHS = {Kind.P2P: P2P_PATHS, Kind.INTERNAL_APPEAL: APPEAL_PATHS, Kind.EXTERNAL_REVIEW: APPEAL_PATHS}
# The operation that makes each transition, with its parameters (receive, hold and fail have none: PUT only).
OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "accept": ("accept", {}),
    "reject": ("reject", {"reason": "Not a covered service"}),
    "schedule": ("schedule", {"start": CALL_TIMES[0]}),
    "reschedule": ("reschedule", {"start": CALL_TIMES[1]}),
    "decide": ("record-outcome", {"outcome": "upheld"}),
    "no-show": ("record-outcome", {"outcome": "no-show"}),
    "cancel": ("cancel", {}),
}
TRANSITION_NAMES = tuple(dict.fromkeys(t.name for table in states.TRANSITIONS.values() for t in table))


def put_output(task: dict[str, Any], code: str, value: Any) -> None:
    """Set an output in place (its position kept when there is one): a code of outcome/next-step, or a
    valuePeriod / valueDateTime / valueReference given as {"valuePeriod": ...}."""
    typed = value
    if code in _CONCEPT_SYSTEMS:
        typed = {"valueCodeableConcept": {"coding": [{"system": _CONCEPT_SYSTEMS[code], "code": value}]}}
    output = {"type": {"coding": [{"system": _OUTPUT, "code": code}]}, **typed}
    found = task.setdefault("output", [])
    for index, existing in enumerate(found):
        if existing["type"]["coding"][0]["code"] == code:
            found[index] = output
            return
    found.append(output)


def drop_output(task: dict[str, Any], code: str) -> None:
    task["output"] = [o for o in task.get("output", []) if o["type"]["coding"][0]["code"] != code]
    if not task["output"]:
        del task["output"]


def equivalent_put(kind: Kind, task: dict[str, Any], name: str) -> dict[str, Any]:
    """The body of a PUT that makes the transition `name` of the current `task` (what its operation records):
    the target state, and the scheduled time, reason or outcome the transition needs."""
    table = {t.name: t for table in states.TRANSITIONS.values() for t in table}
    body = with_state(copy.deepcopy(task), table[name].target)
    body.pop("meta", None)
    if name in ("schedule", "reschedule"):
        current = outputs_of(task).get("scheduled-time", {}).get("start")
        start = CALL_TIMES[0] if name == "schedule" else next(t for t in CALL_TIMES[1:] if t != current)
        put_output(body, "scheduled-time", {"valuePeriod": {"start": start}})
    elif name in ("reject", "fail"):
        body["statusReason"] = task.get("statusReason") or {"text": f"{name}: see the note"}
    elif name == "decide":
        put_output(body, "outcome", "upheld")
        put_output(body, "next-step", outputs_of(task).get("next-step") or next_step_after(kind))
    elif name == "no-show":
        put_output(body, "outcome", "no-show")
    elif name == "cancel":
        put_output(body, "outcome", "withdrawn")
    return body


def make(api: Api, kind: Kind, task_id: str, name: str, *, by: str = "operation") -> Any:
    """Make the transition `name` by its operation (`by="operation"`) or by the equivalent PUT (`by="put"`);
    transitions without an operation are PUT."""
    if by == "operation" and name in OPERATIONS:
        operation, values = OPERATIONS[name]
        if name == "reschedule":
            current = outputs_of(api.task(task_id)).get("scheduled-time", {}).get("start")
            values = {"start": next(t for t in CALL_TIMES[1:] if t != current)}
        return api.op(task_id, operation, **values)
    return api.put(equivalent_put(kind, api.task(task_id), name))


def appeal_task(denial_id: str, kind: Kind, part_of: str | None = None, **fields: Any) -> dict[str, Any]:
    """An appeal request Task (p2p-appeal) for a stored NWHP1-style denial, as a provider would POST it."""
    task = {
        "resourceType": "Task",
        "meta": {"profile": ["http://fhir-p2p.org/fhir/StructureDefinition/p2p-appeal"]},
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code", "code": str(kind)}]},
        "focus": {"reference": f"ClaimResponse/{denial_id}"},
        "for": {"reference": "Patient/theodora-vance"},
        "authoredOn": "2026-11-18T09:00:00-06:00",
        "requester": {"reference": REQUESTER},
        "owner": fields.pop("owner", {"reference": "Organization/northwind-health-plan"}),
        "input": [
            {
                "type": {"coding": [{"system": INPUT_SYSTEM, "code": "requester-role"}]},
                "valueCodeableConcept": {"coding": [{"system": ROLE_SYSTEM, "code": "ordering-physician"}]},
            },
            {
                "type": {"coding": [{"system": INPUT_SYSTEM, "code": "callback"}]},
                "valueContactPoint": {"system": "phone", "value": "+1-217-555-0143"},
            },
        ],
        **({"partOf": [{"reference": f"Task/{part_of}"}]} if part_of else {}),
        **fields,
    }
    return task


def new_task(api: Api, kind: Kind, payer_id: str = "NWHP1") -> str:
    """A new Task of `kind` in `requested`, for a denial of its own: a P2P by $request-p2p; an internal appeal
    POSTed; an external review POSTed after an internal appeal that upheld the denial."""
    found = payer_denial(payer_id)
    assert api.put(found).status_code == 201
    if kind is Kind.P2P:
        return str(created(api.request_p2p(found["id"]))["id"])
    owner = {"reference": f"Organization/{PAYER_ORGANIZATIONS[payer_id]}"}
    appeal = created(api.post(appeal_task(found["id"], Kind.INTERNAL_APPEAL, owner=owner)))["id"]
    if kind is Kind.INTERNAL_APPEAL:
        return str(appeal)
    changed(api.op(appeal, "accept"))
    changed(api.op(appeal, "record-outcome", outcome="upheld"))
    return str(created(api.post(appeal_task(found["id"], kind, part_of=appeal, owner=owner)))["id"])


def reach(api: Api, kind: Kind, target: State, payer_id: str = "NWHP1") -> str:
    """A new Task of `kind` brought to `target` along PATHS (operations where there is one)."""
    task_id = new_task(api, kind, payer_id)
    reached = states.INITIAL
    for name in PATHS[kind][target]:
        reached = state(changed(make(api, kind, task_id, name)))
    assert reached == target
    return task_id
