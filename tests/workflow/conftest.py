"""The workflow tests' `api`: the workflow over HTTP (tests/workflow/support.py `Api`), in dev mode, with the
examples and the other example payers' Organizations stored."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.workflow.support import Api, story


@pytest.fixture
def api(client: FlaskClient) -> Api:
    api = Api(client)
    api.load(story())
    return api
