"""An escalated appeal travels as a 278 request: UM02 `1` (appeal, urgent) when expedited, `2` (standard)
otherwise, naming the denial; both interchanges pass the pyx12 oracle."""

from __future__ import annotations

import pytest

from tests.auth.support import SQLITE_ONLY
from tests.workflow.support import Api, changed, created, story
from tests.x12.support import run_oracle


def _appeal_x12(api: Api, *, expedited: bool) -> str:
    task = created(api.request_p2p("denial-mri-lumbar"))
    changed(api.op(task["id"], "schedule", start="2026-11-19T10:00:00-06:00"))
    changed(api.op(task["id"], "record-outcome", outcome="upheld"))
    appeal = created(api.op(task["id"], "escalate", expedited=expedited))
    response = api.client.get(f"/fhir/Task/{appeal['id']}/$x12")
    assert response.status_code == 200, response.get_data(as_text=True)
    text: str = response.get_data(as_text=True)
    return text


def _segment(text: str, tag: str) -> list[str]:
    return next(s.strip().split("*") for s in text.split("~") if s.strip().startswith(tag + "*"))


@SQLITE_ONLY
@pytest.mark.parametrize(("expedited", "um02"), [(True, "1"), (False, "2")])
def test_an_escalated_appeal_is_a_278_appeal_request(client, expedited, um02):
    api = Api(client)
    api.load(story())
    text = _appeal_x12(api, expedited=expedited)
    assert _segment(text, "UM")[2] == um02
    assert _segment(text, "REF")[1:3] == ["NT", "NWH-UM-2026-1117-0042"]  # the denial it appeals
    verdict = run_oracle({"appeal": text})["appeal"]
    assert verdict["valid"], verdict["errors"]
