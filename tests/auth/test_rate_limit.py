"""The per-client rate limit: 429 with Retry-After over the limit, counted in the database across apps."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from fhir_p2p.app import create_app
from fhir_p2p.auth.rate_limit import SYNC_FRACTION
from fhir_p2p.store.schema import rate_limit_windows, resources
from tests.auth.support import CLIENT_ID, SQLITE_ONLY, bearer, offline_token, register
from tests.conftest import auth_config, load_example

LIMIT = 3
WINDOW = "2026-11-18T14:30:00.000000Z"  # the fixed clock starts at 14:30:00 UTC; windows are 60 s
SCOPE = "system/*.cruds"


@pytest.fixture
def make_app(database_url, clock, tmp_path):
    """Apps with auth on, on the test database, one signing key; each with its own overrides."""
    made = []

    def make(**overrides):
        application = create_app(auth_config(database_url, clock, tmp_path / "server.pem", **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["fhir_p2p.store"].dispose()


@pytest.fixture
def limited_app(make_app):
    application = make_app(RATE_LIMIT=LIMIT)
    register(application)
    return application


def _statuses(app, count: int, client_id: str = CLIENT_ID) -> list[int]:
    client = app.test_client()
    headers = bearer(offline_token(app, SCOPE, client_id))
    return [client.get("/fhir/Task", headers=headers).status_code for _ in range(count)]


def _shared_counts(app) -> dict[tuple[str, str], int]:
    with app.extensions["fhir_p2p.store"].engine.connect() as connection:
        rows = connection.execute(select(rate_limit_windows))
        return {(row.client_id, row.window_start): row.requests for row in rows}


def _rules(response) -> list[str]:
    return [c["code"] for i in response.get_json()["issue"] for c in i.get("details", {}).get("coding", [])]


def test_the_request_over_the_limit_gets_429_with_retry_after_and_an_operation_outcome(limited_app, clock):
    assert _statuses(limited_app, LIMIT) == [200] * LIMIT
    client = limited_app.test_client()
    headers = bearer(offline_token(limited_app, SCOPE))
    response = client.get("/fhir/Task", headers=headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"  # the window started a few milliseconds ago
    assert response.mimetype == "application/fhir+json"
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [(i["severity"], i["code"]) for i in outcome["issue"]] == [("error", "throttled")]
    assert _rules(response) == ["rate-001"]
    assert outcome["issue"][0]["details"]["text"] == (
        "Rate limit reached: a client may make 3 requests every 60 seconds; retry in 60 seconds"
    )
    clock.advance(seconds=30)
    assert client.get("/fhir/Task", headers=headers).headers["Retry-After"] == "30"


def test_a_refusal_is_logged_once_without_phi(make_app):
    app = make_app(RATE_LIMIT=1, LOG_LEVEL="INFO")
    register(app)
    assert _statuses(app, 1) == [200]
    with capture_logs() as logs:
        assert _statuses(app, 1) == [429]
    assert [e for e in logs if e["event"] == "rate_limited"] == [
        {"event": "rate_limited", "log_level": "info", "limit": 1, "window": 60, "retry_after": 60}
    ]


def test_the_next_window_allows_requests_again(limited_app, clock):
    assert _statuses(limited_app, LIMIT + 1) == [200] * LIMIT + [429]
    clock.advance(seconds=59)
    assert _statuses(limited_app, 1) == [429]
    clock.advance(seconds=1)
    assert _statuses(limited_app, LIMIT + 1) == [200] * LIMIT + [429]


def test_two_apps_on_one_database_share_the_count(make_app):
    first, second = make_app(RATE_LIMIT=4), make_app(RATE_LIMIT=4)  # two workers, or two hosts
    register(first)
    assert _statuses(first, 2) + _statuses(second, 2) == [200] * 4
    assert _statuses(first, 1) + _statuses(second, 1) == [429, 429]
    assert _shared_counts(first) == {(CLIENT_ID, WINDOW): 5}  # the 5th was counted, then refused


def test_each_client_has_its_own_count(limited_app):
    register(limited_app, "ehr-2")
    assert _statuses(limited_app, LIMIT + 1) == [200] * LIMIT + [429]
    assert _statuses(limited_app, LIMIT + 1, "ehr-2") == [200] * LIMIT + [429]
    assert _shared_counts(limited_app) == {(CLIENT_ID, WINDOW): LIMIT, ("ehr-2", WINDOW): LIMIT}


def test_a_refused_create_stores_nothing_and_is_not_counted(limited_app):
    assert _statuses(limited_app, LIMIT) == [200] * LIMIT
    client = limited_app.test_client()
    headers = bearer(offline_token(limited_app, SCOPE))
    patient = load_example("Patient-theodora-vance")
    for _ in range(3):
        response = client.post("/fhir/Patient", json=patient, headers=headers)
        assert response.status_code == 429
    with limited_app.extensions["fhir_p2p.store"].engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(resources)).scalar_one() == 0
    assert _shared_counts(limited_app) == {(CLIENT_ID, WINDOW): LIMIT}  # refused without a database round trip


def test_requests_reach_the_shared_count_in_batches_or_after_250_ms(make_app, clock):
    app = make_app(RATE_LIMIT=100)
    register(app)
    batch = 100 // SYNC_FRACTION
    assert _statuses(app, 1) == [200]
    assert _shared_counts(app) == {(CLIENT_ID, WINDOW): 1}  # a window's first request is added at once
    assert _statuses(app, batch - 1) == [200] * (batch - 1)
    assert _shared_counts(app) == {(CLIENT_ID, WINDOW): 1}  # held in the process: no write per request
    assert _statuses(app, 1) == [200]
    assert _shared_counts(app) == {(CLIENT_ID, WINDOW): 1 + batch}
    assert _statuses(app, 1) == [200]
    clock.advance(milliseconds=250)
    assert _statuses(app, 1) == [200]
    assert _shared_counts(app) == {(CLIENT_ID, WINDOW): 3 + batch}


def test_a_burst_across_two_apps_goes_over_the_limit_by_less_than_a_batch_each(make_app):
    limit = 100
    apps = [make_app(RATE_LIMIT=limit), make_app(RATE_LIMIT=limit)]
    register(apps[0])
    clients = [app.test_client() for app in apps]
    headers = bearer(offline_token(apps[0], SCOPE))
    statuses = Counter(clients[n % 2].get("/fhir/Task", headers=headers).status_code for n in range(3 * limit))
    assert set(statuses) == {200, 429}
    assert limit <= statuses[200] <= limit + len(apps) * (limit // SYNC_FRACTION - 1)


def test_the_threads_of_one_process_admit_exactly_the_limit(make_app):
    app = make_app(RATE_LIMIT=25)
    register(app)
    statuses: list[int] = []

    def send() -> None:
        statuses.extend(_statuses(app, 10))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {200: 25, 429: 15}


def test_a_clients_rows_of_ended_windows_are_deleted(limited_app, clock):
    for _ in range(3):
        assert _statuses(limited_app, 1) == [200]
        clock.advance(seconds=60)
    assert _statuses(limited_app, 1) == [200]
    assert _shared_counts(limited_app) == {  # the previous window is kept for hosts whose clocks lag
        (CLIENT_ID, "2026-11-18T14:32:00.000000Z"): 1,
        (CLIENT_ID, "2026-11-18T14:33:00.000000Z"): 1,
    }


def test_a_limit_of_zero_turns_the_limit_off(make_app):
    app = make_app(RATE_LIMIT=0)
    register(app)
    assert _statuses(app, 20) == [200] * 20
    assert _shared_counts(app) == {}


def test_the_dev_client_is_never_limited(make_app):
    app = make_app(RATE_LIMIT=1, AUTH_REQUIRED=False)
    client = app.test_client()
    assert [client.get("/fhir/Task").status_code for _ in range(5)] == [200] * 5
    assert _shared_counts(app) == {}


def test_public_endpoints_are_not_limited(limited_app):
    client = limited_app.test_client()
    assert [client.get("/fhir/metadata").status_code for _ in range(LIMIT + 2)] == [200] * (LIMIT + 2)
    assert _shared_counts(limited_app) == {}


@SQLITE_ONLY
def test_core_realtime_over_the_limit_gets_a_soap_fault_429(limited_app):
    assert _statuses(limited_app, LIMIT) == [200] * LIMIT
    headers = bearer(offline_token(limited_app, SCOPE))
    soap = "application/soap+xml; charset=utf-8"
    response = limited_app.test_client().post("/core/realtime", data=b"<x/>", content_type=soap, headers=headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "application/soap+xml"
    assert b"Rate limit reached" in response.data


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("key", "value"),
    [("RATE_LIMIT", -1), ("RATE_LIMIT", "lots"), ("RATE_LIMIT", 2.5), ("RATE_LIMIT_WINDOW", 0), ("RATE_LIMIT", True)],
)
def test_bad_rate_limit_settings_are_refused_at_start(make_app, key, value):
    with pytest.raises(ValueError, match=f"FHIR_P2P_{key} must be a whole number"):
        make_app(**{key: value})


@SQLITE_ONLY
def test_the_rate_limit_settings_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("FHIR_P2P_RATE_LIMIT", "7")
    monkeypatch.setenv("FHIR_P2P_RATE_LIMIT_WINDOW", "10")
    settings = make_app().extensions["fhir_p2p.settings"]
    assert (settings.rate_limit, settings.rate_limit_window) == (7, 10)
    monkeypatch.setenv("FHIR_P2P_RATE_LIMIT_WINDOW", "a minute")
    with pytest.raises(ValueError, match="FHIR_P2P_RATE_LIMIT_WINDOW must be a whole number from 1 to 86400"):
        make_app()
