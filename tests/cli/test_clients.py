"""`fhir-p2p clients add|list|remove|rotate|jwks`, `token` (online and --offline), `run --no-auth` (both databases)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from fhir_p2p.cli import main
from tests.auth.support import BASE, SQLITE_ONLY, bearer, ec_key, jwks_of, rsa_key


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment: the test database, and the key and base URL the `auth_app` fixture uses."""
    return {
        "FHIR_P2P_DATABASE_URL": database_url,
        "FHIR_P2P_LOG_LEVEL": "WARNING",
        "FHIR_P2P_AUTH_SIGNING_KEY": str(tmp_path / "server.pem"),
        "FHIR_P2P_BASE_URL": BASE,
    }


def _run(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, list(args), env=env)


def _pem(tmp_path: Path, key, name: str = "client.pem") -> Path:
    path = tmp_path / name
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def _jwks_file(tmp_path: Path, document: dict, name: str = "jwks.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def _add(env, jwks: Path, client_id: str = "ehr-1", scopes: str = "system/Task.cruds system/*.rs"):
    return _run(env, "clients", "add", "--id", client_id, "--org", "Organization/cedar", "--role", "provider",
                "--jwks", str(jwks), "--scopes", scopes)  # fmt: skip


def test_clients_are_added_listed_rotated_and_removed(auth_app, env, tmp_path):
    first = _jwks_file(tmp_path, jwks_of(rsa_key()))
    added = _add(env, first)
    assert added.exit_code == 0, added.output
    url = _run(env, "clients", "add", "--id", "payer-1", "--org", "Organization/northwind", "--role", "payer",
               "--jwks-url", "https://payer.example.org/jwks.json", "--scopes", "system/Task.rs")  # fmt: skip
    assert url.exit_code == 0, url.output

    listed = _run(env, "clients", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t") == [
        "ehr-1", "active", "Organization/cedar", "provider", "1 inline keys", "system/Task.cruds system/*.rs"
    ]  # fmt: skip
    assert lines[1].split("\t")[:5] == ["payer-1", "active", "Organization/northwind", "payer",
                                        "https://payer.example.org/jwks.json"]  # fmt: skip

    second = _jwks_file(tmp_path, jwks_of(rsa_key(), ec_key(), kids=("k1", "k2")), "jwks2.json")
    assert _run(env, "clients", "rotate", "ehr-1", "--jwks", str(second)).exit_code == 0
    assert "2 inline keys" in _run(env, "clients", "list").stdout

    assert _run(env, "clients", "remove", "ehr-1").exit_code == 0
    assert _run(env, "clients", "list").stdout.splitlines()[0].split("\t")[1] == "REMOVED"
    again = _run(env, "clients", "remove", "ehr-1")
    assert again.exit_code == 1 and "no active client ehr-1" in again.output
    assert _run(env, "clients", "rotate", "ehr-1", "--jwks", str(second)).exit_code == 1
    reused = _add(env, first)
    assert reused.exit_code == 1 and "already registered" in reused.output


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "cedar"], "Organization/<id>"),
        (["--scopes", "patient/*.rs"], "patient/*.rs"),
        (["--jwks-url", "http://ehr.example.org/jwks"], "either --jwks FILE or --jwks-url URL"),
    ],
)
def test_a_bad_registration_is_refused_with_the_reason(env, tmp_path, args, message):
    jwks = _jwks_file(tmp_path, jwks_of(rsa_key()))
    base = {"--id": "ehr-1", "--org": "Organization/cedar", "--role": "provider", "--jwks": str(jwks),
            "--scopes": "system/Task.rs"}  # fmt: skip
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = _run(env, "clients", "add", *[x for pair in base.items() for x in pair])
    assert result.exit_code == 2
    assert message in result.output


@SQLITE_ONLY
def test_a_jwks_holding_a_private_key_is_refused(env, tmp_path):
    private = {"keys": [{**jwks_of(ec_key())["keys"][0], "d": "c2VjcmV0"}]}
    result = _add(env, _jwks_file(tmp_path, private))
    assert result.exit_code == 2
    assert "private key members" in result.output


def test_clients_jwks_prints_the_public_set_of_a_pem_key(tmp_path):
    result = CliRunner().invoke(main, ["clients", "jwks", str(_pem(tmp_path, ec_key())), "--kid", "main"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == jwks_of(ec_key(), kids=("main",))


def test_token_offline_prints_a_token_the_server_accepts(auth_app, clock, env, tmp_path):
    clock.now = datetime.now(UTC)  # the CLI signs with the real time
    _add(env, _jwks_file(tmp_path, jwks_of(rsa_key())))
    result = _run(env, "token", "--client", "ehr-1", "--offline", "--scope", "system/Task.cruds system/Patient.c")
    assert result.exit_code == 0, result.output
    assert "granted: system/Task.cruds" in result.stderr
    token = result.stdout.strip()
    client = auth_app.test_client()
    assert client.get("/fhir/Task", headers=bearer(token)).status_code == 200
    assert client.get("/fhir/Patient", headers=bearer(token)).status_code == 403


def test_token_offline_refuses_an_unknown_client(auth_app, env):
    result = _run(env, "token", "--client", "nobody", "--offline")
    assert result.exit_code == 1
    assert "invalid_client" in result.output


def _forward_to(app):
    """A `responses` callback that hands the request to the Flask app (the 'running server')."""
    client = app.test_client()

    def forward(request):
        path = request.url.split("http://test", 1)[1]
        answer = client.open(path, method=request.method, data=request.body, headers=dict(request.headers))
        return answer.status_code, dict(answer.headers), answer.get_data()

    return forward


@pytest.mark.parametrize("key", [rsa_key(), ec_key()], ids=["RS384", "ES384"])
@responses.activate
def test_token_performs_the_client_credentials_grant_against_the_server(auth_app, clock, env, tmp_path, key):
    clock.now = datetime.now(UTC)  # the CLI signs with the real time
    pem = _pem(tmp_path, key)
    _add(env, _jwks_file(tmp_path, json.loads(CliRunner().invoke(main, ["clients", "jwks", str(pem)]).stdout)))
    responses.add_callback(responses.GET, f"{BASE}/.well-known/smart-configuration", callback=_forward_to(auth_app))
    responses.add_callback(responses.POST, "http://test/auth/token", callback=_forward_to(auth_app))

    result = _run(
        env, "token", "--client", "ehr-1", "--key", str(pem), "--url", "http://test", "--scope", "system/Task.rs"
    )
    assert result.exit_code == 0, result.output
    assert auth_app.test_client().get("/fhir/Task", headers=bearer(result.stdout.strip())).status_code == 200

    wrong_kid = _run(env, "token", "--client", "ehr-1", "--key", str(pem), "--url", "http://test", "--kid", "nope")
    assert wrong_kid.exit_code == 1
    assert "invalid_client" in wrong_kid.output


@SQLITE_ONLY
def test_token_needs_a_key_unless_offline(env):
    result = _run(env, "token", "--client", "ehr-1")
    assert result.exit_code == 2
    assert "--key" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_run_no_auth_refuses_a_host_other_than_loopback(host):
    result = CliRunner().invoke(main, ["run", "--no-auth", "--host", host])
    assert result.exit_code == 2
    assert "listens on 127.0.0.1, localhost, ::1 only" in result.output
