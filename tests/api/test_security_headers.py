"""Security headers: nosniff and no-referrer on every response, CSP/framing/caching on HTML, HSTS when configured."""

from __future__ import annotations

import pytest
from flask import Response

from fhir_p2p.app import create_app
from tests.auth.support import SQLITE_ONLY
from tests.conftest import auth_config

pytestmark = SQLITE_ONLY

EVERY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
HTML = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _security_headers(response) -> dict[str, str]:
    names = [*EVERY, *HTML, "Strict-Transport-Security"]
    return {name: response.headers[name] for name in names if name in response.headers}


def test_a_fhir_json_response_gets_nosniff_and_no_referrer_only(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert _security_headers(response) == EVERY


def test_an_error_response_gets_them_too(client):
    response = client.get("/fhir/Task/no-such-task")
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert _security_headers(response) == EVERY


def test_an_html_response_also_gets_the_content_security_policy_no_framing_and_no_store(app, client):
    app.add_url_rule("/page", "page", lambda: Response("<p>P2P review</p>", mimetype="text/html"))
    response = client.get("/page")
    assert response.status_code == 200
    assert _security_headers(response) == {**EVERY, **HTML}


def test_headers_a_view_set_itself_are_kept(app, client):
    def page() -> Response:
        return Response(
            "<p>cached</p>",
            mimetype="text/html",
            headers={"Cache-Control": "private, max-age=60", "X-Frame-Options": "SAMEORIGIN"},
        )

    app.add_url_rule("/page", "page", page)
    response = client.get("/page")
    assert _security_headers(response) == {
        **EVERY,
        **HTML,
        "Cache-Control": "private, max-age=60",
        "X-Frame-Options": "SAMEORIGIN",
    }


def test_hsts_is_sent_only_when_configured(database_url, clock, tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/fhir/metadata").headers
    app = create_app(auth_config(database_url, clock, tmp_path / "server.pem", HSTS_SECONDS=31_536_000))
    behind_tls = app.test_client()
    responses = [behind_tls.get("/fhir/metadata"), behind_tls.get("/fhir/Task")]
    assert [response.status_code for response in responses] == [200, 401]
    for response in responses:
        assert _security_headers(response) == {**EVERY, "Strict-Transport-Security": "max-age=31536000"}
    app.extensions["fhir_p2p.store"].dispose()


@pytest.mark.parametrize("value", [-1, "a year", 10**9])
def test_a_bad_hsts_setting_is_refused_at_start(database_url, clock, tmp_path, value):
    with pytest.raises(ValueError, match="FHIR_P2P_HSTS_SECONDS must be a whole number from 0 to 63072000"):
        create_app(auth_config(database_url, clock, tmp_path / "server.pem", HSTS_SECONDS=value))
