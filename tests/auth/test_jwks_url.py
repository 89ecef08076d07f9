"""Clients registered by JWK Set URL: fetched with requests (`responses` mocks it), cached, refetched on a new kid."""

from __future__ import annotations

import pytest
import requests
import responses

from fhir_p2p.auth.jwks import JwksError, JwksFetcher
from fhir_p2p.auth.service import Authority
from tests.auth.support import SQLITE_ONLY, assertion, ec_key, jwks_of, register, rsa_key, token_request

JWKS_URL = "https://ehr.example.org/.well-known/jwks.json"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _use_fetcher(app, fetcher: JwksFetcher) -> None:
    app.extensions["fhir_p2p.auth"] = Authority(
        app.extensions["fhir_p2p.settings"], app.extensions["fhir_p2p.store"], fetcher=fetcher
    )


@pytest.mark.parametrize(
    ("cache_control", "fetches"), [("max-age=600", 1), ("no-store", 2)], ids=["cached", "no-store: every time"]
)
@responses.activate
def test_a_client_with_a_jwks_url_gets_tokens_and_the_set_is_cached_as_allowed(
    auth_app, auth_client, clock, cache_control, fetches
):
    responses.get(JWKS_URL, json=jwks_of(rsa_key()), headers={"Cache-Control": cache_control})
    register(auth_app, jwks_url=JWKS_URL)

    for _ in range(2):
        assert token_request(auth_client, assertion(clock.now)).status_code == 200
    assert len(responses.calls) == fetches
    assert responses.calls[0].request.headers["Accept"] == "application/json"


@SQLITE_ONLY
@responses.activate
def test_a_jku_header_naming_the_registered_url_is_accepted(auth_app, auth_client, clock):
    responses.get(JWKS_URL, json=jwks_of(rsa_key()))
    register(auth_app, jwks_url=JWKS_URL)
    response = token_request(auth_client, assertion(clock.now, header={"jku": JWKS_URL}))
    assert response.status_code == 200


@SQLITE_ONLY
@responses.activate
def test_a_new_kid_makes_one_refetch_so_clients_can_rotate_keys(auth_app, auth_client, clock):
    ticks = Clock()
    _use_fetcher(auth_app, JwksFetcher(max_age=300, min_interval=10, monotonic=ticks))
    responses.get(JWKS_URL, json=jwks_of(rsa_key()))
    register(auth_app, jwks_url=JWKS_URL)
    assert token_request(auth_client, assertion(clock.now)).status_code == 200

    responses.replace(responses.GET, JWKS_URL, json=jwks_of(rsa_key(), ec_key(), kids=("k1", "k2")))
    too_soon = token_request(auth_client, assertion(clock.now, ec_key(), kid="k2"))
    assert too_soon.status_code == 401  # within min_interval the cached set is kept (no fetch per unknown kid)
    ticks.now += 11
    assert token_request(auth_client, assertion(clock.now, ec_key(), kid="k2")).status_code == 200
    assert len(responses.calls) == 2


@SQLITE_ONLY
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "body": "oops"},
        {"status": 302, "headers": {"Location": "https://elsewhere.example/jwks"}},
        {"body": "not json"},
        {"json": {"no": "keys"}},
        {"body": requests.ConnectionError("refused")},
        {"body": requests.Timeout("slow")},
    ],
    ids=["500", "redirect", "not JSON", "not a JWK Set", "connection refused", "timeout"],
)
@responses.activate
def test_an_unusable_jwks_url_refuses_the_client(auth_app, auth_client, clock, answer):
    responses.get(JWKS_URL, **answer)
    register(auth_app, jwks_url=JWKS_URL)
    response = token_request(auth_client, assertion(clock.now))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert "JWK Set" in response.get_json()["error_description"]


@responses.activate
def test_the_fetcher_uses_timeouts_and_the_shorter_of_its_own_and_the_servers_max_age():
    ticks = Clock()
    fetcher = JwksFetcher(timeout=4.0, max_age=100, monotonic=ticks)
    responses.get(JWKS_URL, json={"keys": []}, headers={"Cache-Control": "public, max-age=30"})
    fetcher.get(JWKS_URL)
    ticks.now += 29
    fetcher.get(JWKS_URL)
    assert len(responses.calls) == 1
    ticks.now += 2
    fetcher.get(JWKS_URL)
    assert len(responses.calls) == 2
    assert responses.calls[0].request.req_kwargs["timeout"] == (3.05, 4.0)


@responses.activate
def test_a_huge_jwks_is_refused():
    responses.get(JWKS_URL, body=b'{"keys": [' + b" " * 300_000 + b"]}")
    with pytest.raises(JwksError, match="larger than"):
        JwksFetcher().get(JWKS_URL)
