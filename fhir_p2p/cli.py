"""The `fhir-p2p` command: init-db, load FILE|DIR..., validate FILE..., translate FILE... --to x12|fhir, run
[--no-auth], sweep, worker, clients add|list|remove|rotate|jwks, token.

The database comes from FHIR_P2P_DATABASE_URL (default: SQLite in ./instance).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import orjson
import requests
from flask import Config, Flask

from fhir_p2p.audit import CLI_ACTOR
from fhir_p2p.auth import (
    ASSERTION_TYPE,
    GRANT_TYPE,
    ROLES,
    Authority,
    Endpoints,
    OAuthError,
    checked_jwks,
    checked_jwks_url,
    load_private_key,
    public_jwk,
    registration_problems,
    sign_assertion,
)
from fhir_p2p.config import DefaultConfig, Settings, default_profiles_dir
from fhir_p2p.errors import Conflict, Issue, P2PError, errors_in
from fhir_p2p.resources.parse import parse_body, parse_resource
from fhir_p2p.rest import interactions
from fhir_p2p.rest.conformance import ProfileCheck
from fhir_p2p.rest.x12 import X12Identity, one_bundle, outbound_envelope, subject_of, translate_resources
from fhir_p2p.store.clients import ClientRows
from fhir_p2p.store.sql import Store
from fhir_p2p.translate import from_278
from fhir_p2p.validation import Registry, Validator
from fhir_p2p.workflow.worker import run_worker, sweep_once
from fhir_p2p.x12 import check_interchange

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_NO_AUTH_WARNING = """
  !!  AUTHENTICATION IS OFF (--no-auth): no token is asked for, and every request acts as the
  !!  all-access dev client `dev-no-auth` (scopes system/*.cruds, every organization).
  !!  For local demos only; listening on {host} (loopback) only.
"""


def _app(**overrides: Any) -> Flask:
    from fhir_p2p.app import create_app

    return create_app({"AUTO_MIGRATE": True, **overrides})


@contextmanager
def _opened_app() -> Iterator[Flask]:
    """The app (schema brought up to date), its store closed afterwards."""
    app = _app()
    try:
        yield app
    finally:
        app.extensions["fhir_p2p.store"].dispose()


@contextmanager
def _store() -> Iterator[Store]:
    """The app's store (schema brought up to date), closed afterwards."""
    with _opened_app() as app:
        yield app.extensions["fhir_p2p.store"]


@click.group()
@click.version_option(package_name="fhir-p2p")
def main() -> None:
    """fhir-p2p: prior-authorization denial and peer-to-peer review server."""


@main.command("init-db")
def init_db() -> None:
    """Create the database or bring its schema to the newest migration."""
    with _store() as store:
        click.echo(f"database ready ({store.engine.dialect.name}, schema at the newest migration)")


@main.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def load(paths: tuple[Path, ...]) -> None:
    """Store FHIR JSON resources (files, or folders of *.json) under their own ids, replacing older versions.

    Every file is checked first; the valid ones are then stored in one transaction, so the read
    access their references grant (fhir_p2p/tenancy.py) does not depend on the order of the files.
    """
    with _opened_app() as app:
        _load_files(app, paths)


def _load_files(app: Flask, paths: tuple[Path, ...]) -> None:
    store: Store = app.extensions["fhir_p2p.store"]
    profiles: ProfileCheck = app.extensions["fhir_p2p.profiles"]
    files = sorted(f for path in paths for f in ([path] if path.is_file() else path.glob("*.json")))
    valid: list[tuple[Path, dict[str, Any]]] = []
    with click.progressbar(files, label="checking") as bar:
        for file in bar:
            try:
                resource = parse_resource(file.read_bytes(), "json", None)
                profiles.require(resource)
                valid.append((file, resource))
            except P2PError as error:
                click.echo(f"\n{file}: {error.status} {error.message}", err=True)
    with _refusals(), store.unit_of_work(write=True, actor=CLI_ACTOR) as uow:
        for file, resource in valid:
            resource_type = str(resource["resourceType"])
            try:
                if "id" in resource:
                    interactions.update(uow, resource_type, str(resource["id"]), resource, None)
                else:
                    interactions.create(uow, resource_type, resource, None)
            except P2PError as error:
                raise click.ClickException(f"{file}: {error.status} {error.message}; nothing was stored") from None
    click.echo(f"loaded {len(valid)} of {len(files)} files")
    if len(valid) < len(files):
        raise SystemExit(1)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", help="StructureDefinition URL to check against (default: the resource's own profiles).")
@click.option(
    "--profiles",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="FHIR_P2P_PROFILES_DIR",
    help="Conformance resources folder (default: profiles/).",
)
def validate(files: tuple[Path, ...], profile: str | None, folder: Path | None) -> None:
    """Check FHIR JSON files as the server does (base structure, then profiles); print every issue.

    Exit status 1 when any file has an error. No database is needed.
    """
    check = ProfileCheck(Validator(Registry.from_dir(folder or default_profiles_dir())))
    invalid = 0
    for file in files:
        try:
            resource = parse_body(file.read_bytes(), "json")
        except P2PError as error:
            found = list(error.issues)
        else:
            found = check.report(resource, None, profile)
        invalid += bool(errors_in(found))
        _echo_issues(f"{file}: {'invalid' if errors_in(found) else 'valid'}", found, err=False)
    click.echo(f"{len(files) - invalid} of {len(files)} files valid")
    if invalid:
        raise SystemExit(1)


@main.command("translate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "target", type=click.Choice(["x12", "fhir"]), required=True, help="What to write.")
@click.option("--control-number", default=1, show_default=True, type=click.IntRange(1, 999_999_999), help="ISA13.")
def translate(files: tuple[Path, ...], target: str, control_number: int) -> None:
    """Translate offline, as the server does, to standard output; problems go to standard error.

    --to x12: the first FILE (a Bundle, or a P2P / appeal Task or ClaimResponse) becomes a 278
    request or response; the other FILEs (resources or Bundles) supply what it references. The X12
    sender, usage and zone come from FHIR_P2P_X12_* (see config.py). --to fhir: every 278 FILE
    becomes FHIR Bundles (one per transaction). Exit status 1 when something cannot be translated.
    """
    try:
        if target == "x12":
            _print_x12(files, control_number)
        else:
            for file in files:
                _print_fhir(file)
    except P2PError as error:
        _echo_issues(error.message, error.issues)
        raise SystemExit(1) from None


def _print_x12(files: tuple[Path, ...], control_number: int) -> None:
    first, *others = (parse_resource(file.read_bytes(), "json", None) for file in files)
    subject, source = subject_of(first)
    if others:
        pool = [first, *others]
        resources = [e["resource"] for b in pool if b["resourceType"] == "Bundle" for e in b.get("entry", [])]
        resources += [r for r in pool if r["resourceType"] != "Bundle"]
        source = {str(index): resource for index, resource in enumerate(resources)}
    envelope = outbound_envelope(X12Identity.of(_settings()), source, subject, datetime.now(UTC), control_number)
    translation = translate_resources(source, envelope)
    click.echo(translation.text)
    if translation.issues:
        _echo_issues(f"{len(translation.issues)} values are not carried by the 278:", translation.issues)


def _print_fhir(file: Path) -> None:
    report = check_interchange(file.read_text(encoding="utf-8"))
    if not report.accepted or not report.transactions:
        raise P2PError(f"{file}: not a valid 005010X217 interchange", issues=report.to_issues())
    bundle = one_bundle(from_278(report, zone=X12Identity.of(_settings()).zone))
    sys.stdout.buffer.write(orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n")


def _settings() -> Settings:
    config = Config(Path.cwd())
    config.from_object(DefaultConfig)
    config.from_prefixed_env("FHIR_P2P")
    return Settings.from_mapping(config, str(Path.cwd() / "instance"))


def _echo_issues(heading: str, issues: list[Issue], *, err: bool = True) -> None:
    """A heading, then one line per issue: severity, rule id, FHIRPath, message (standard error by default)."""
    click.echo(heading, err=err)
    for issue in issues:
        click.echo(f"  {issue.severity} {issue.rule or '-'} {issue.expression or '-'}: {issue.message}", err=err)


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=min(2, multiprocessing.cpu_count()) or 1, show_default=True, type=int)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Dev mode: no tokens; every request acts as the all-access client dev-no-auth. Loopback hosts only.",
)
def run(host: str, port: int, workers: int, no_auth: bool) -> None:
    """Serve with gunicorn (sync workers), after bringing the schema up to date."""
    from gunicorn.app.base import BaseApplication

    if no_auth and host not in LOOPBACK_HOSTS:
        raise click.UsageError(
            f"--no-auth serves without authentication, so it listens on {', '.join(LOOPBACK_HOSTS)} only, "
            f"not {host}. Register clients (`fhir-p2p clients add`) to serve other hosts."
        )
    overrides: dict[str, Any] = {"AUTH_REQUIRED": False} if no_auth else {}
    _app(**overrides)  # migrate once, before workers start
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("accesslog", None)

        def load(self) -> Flask:
            return _app(AUTO_MIGRATE=False, **overrides)

    if no_auth:
        click.secho(_NO_AUTH_WARNING.format(host=host), fg="red", bold=True, err=True)
    click.echo(f"fhir-p2p serving on http://{bind}/fhir ({workers} workers)", err=True)
    _Server().run()


@main.command("sweep")
def sweep_command() -> None:
    """Mark missed scheduling and decision deadlines and announce closing P2P windows, once (docs/workflow.md)."""
    with _opened_app() as app:
        settings: Settings = app.extensions["fhir_p2p.settings"]
        closing_within = timedelta(hours=settings.sweep_closing_within)
        report = sweep_once(app.extensions["fhir_p2p.store"], app.extensions["fhir_p2p.payers"], closing_within)
    click.echo(f"swept at {report.at.isoformat()}: {report.examined} examined")
    for reference, deadline in report.missed:
        click.echo(f"  {reference}: {deadline} deadline missed")
    for reference in report.closing:
        click.echo(f"  {reference}: P2P window closing, no request")
    for reference in report.skipped:
        click.echo(f"  {reference}: skipped (its denial cannot be read or assessed)")


@main.command("worker")
def worker() -> None:
    """Run the background work until interrupted: the deadline sweep every FHIR_P2P_SWEEP_INTERVAL seconds."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with _opened_app() as app, contextlib.suppress(KeyboardInterrupt):
        store: Store = app.extensions["fhir_p2p.store"]
        settings: Settings = app.extensions["fhir_p2p.settings"]
        closing_within = timedelta(hours=settings.sweep_closing_within)
        click.echo(f"worker: sweeping every {settings.sweep_interval} s; Ctrl-C or SIGTERM stops it")
        run_worker(
            lambda: sweep_once(store, app.extensions["fhir_p2p.payers"], closing_within), settings.sweep_interval, stop
        )


@main.group("clients")
def clients() -> None:
    """The API clients that may ask for tokens (SMART Backend Services; docs/security.md)."""


@clients.command("add")
@click.option("--id", "client_id", required=True, help="The client id (its assertions' iss and sub).")
@click.option("--org", "organization", required=True, help="The Organization it acts for: Organization/<id>.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--jwks", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Its JWK Set file.")
@click.option("--jwks-url", help="Or the https URL of its JWK Set (preferred by SMART: the client rotates keys).")
@click.option("--scopes", required=True, help='The most it may be granted, e.g. "system/Task.cruds system/*.rs".')
def clients_add(
    client_id: str, organization: str, role: str, jwks: Path | None, jwks_url: str | None, scopes: str
) -> None:
    """Register a client."""
    problems = registration_problems(client_id, organization, role, scopes)
    if problems:
        raise click.UsageError("; ".join(problems))
    keys, url = _keys(jwks, jwks_url)
    scopes = " ".join(scopes.split())
    with _store() as store, _refusals(), store.unit_of_work(write=True) as uow:
        ClientRows(uow).add(client_id, organization=organization, role=role, jwks=keys, jwks_url=url, scopes=scopes)
    click.echo(f"client {client_id} registered: {organization}, {role}, scopes {scopes}")


@clients.command("list")
def clients_list() -> None:
    """Show every client, removed ones too."""
    with _store() as store, store.unit_of_work() as uow:
        found = ClientRows(uow).list()
    for client in found:
        keys = client.jwks_url or f"{len(orjson.loads(client.jwks or '{}').get('keys', []))} inline keys"
        state = "REMOVED" if client.revoked else "active"
        click.echo(f"{client.client_id}\t{state}\t{client.organization}\t{client.role}\t{keys}\t{client.scopes}")
    click.echo(f"{len(found)} clients", err=True)


@clients.command("remove")
@click.argument("client_id")
def clients_remove(client_id: str) -> None:
    """Revoke a client: it gets no more tokens and its tokens stop working (its id is never reused)."""
    with _store() as store, store.unit_of_work(write=True) as uow:
        removed = ClientRows(uow).remove(client_id)
    if not removed:
        raise click.ClickException(f"no active client {client_id}")
    click.echo(f"client {client_id} removed")


@clients.command("rotate")
@click.argument("client_id")
@click.option("--jwks", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The new JWK Set file.")
@click.option("--jwks-url", help="Or the new JWK Set URL.")
def clients_rotate(client_id: str, jwks: Path | None, jwks_url: str | None) -> None:
    """Replace a client's public keys (keep the old key in the set until the client has switched)."""
    keys, url = _keys(jwks, jwks_url)
    with _store() as store, store.unit_of_work(write=True) as uow:
        rotated = ClientRows(uow).rotate(client_id, jwks=keys, jwks_url=url)
    if not rotated:
        raise click.ClickException(f"no active client {client_id}")
    click.echo(f"client {client_id}: keys replaced")


@clients.command("jwks")
@click.argument("key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kid", help="Key id (default: the RFC 7638 thumbprint, which `fhir-p2p token` uses too).")
def clients_jwks(key: Path, kid: str | None) -> None:
    """Print the JWK Set (public part only) of a client's PEM private key, for `clients add --jwks`."""
    try:
        private_key = load_private_key(key.read_bytes())
    except ValueError as error:
        raise click.ClickException(f"{key}: {error}") from None
    click.echo(orjson.dumps({"keys": [public_jwk(private_key.public_key(), kid)]}, option=orjson.OPT_INDENT_2))


def _keys(jwks: Path | None, jwks_url: str | None) -> tuple[str | None, str | None]:
    """The checked JWK Set text or URL, exactly one of them."""
    if (jwks is None) == (jwks_url is None):
        raise click.UsageError("give either --jwks FILE or --jwks-url URL")
    try:
        return (checked_jwks(jwks.read_bytes()), None) if jwks is not None else (None, checked_jwks_url(str(jwks_url)))
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except Conflict as error:
        raise click.ClickException(error.message) from None


@main.command("token")
@click.option("--client", "client_id", required=True, help="The registered client id.")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Its PEM private key.")
@click.option("--scope", default="system/*.cruds", show_default=True, help="Scopes asked for (narrowed to registered).")
@click.option("--url", default="http://127.0.0.1:8080", show_default=True, help="The server, or its FHIR base URL.")
@click.option("--kid", help="Key id in the client's JWK Set (default: the key's RFC 7638 thumbprint).")
@click.option("--offline", is_flag=True, help="Sign with the server's own key here (on the server's machine).")
def token(client_id: str, key: Path | None, scope: str, url: str, kid: str | None, offline: bool) -> None:
    """Print an access token: the client-credentials grant against a running server, or --offline."""
    fhir_base = url.rstrip("/") if url.rstrip("/").endswith("/fhir") else url.rstrip("/") + "/fhir"
    try:
        if offline:
            answer = _offline_token(client_id, scope, fhir_base)
        else:
            answer = _granted(client_id, key, scope, fhir_base, kid)
    except OAuthError as error:
        raise click.ClickException(f"{error.error}: {error.description}") from None
    if answer["scope"] != scope:
        click.echo(f"granted: {answer['scope']}", err=True)
    click.echo(answer["access_token"])


def _offline_token(client_id: str, scope: str, fhir_base: str) -> dict[str, Any]:
    with _opened_app() as app:
        settings: Settings = app.extensions["fhir_p2p.settings"]
        authority: Authority = app.extensions["fhir_p2p.auth"]
        return authority.sign_offline(client_id, scope, Endpoints.for_base(settings.base_url or fhir_base))


def _granted(client_id: str, key: Path | None, scope: str, fhir_base: str, kid: str | None) -> dict[str, Any]:
    """SMART Backend Services as a client does it: discovery, a signed assertion, the token request."""
    if key is None:
        raise click.UsageError("--key (the client's PEM private key) is needed, or --offline")
    try:
        private_key = load_private_key(key.read_bytes())
        discovery = requests.get(f"{fhir_base}/.well-known/smart-configuration", timeout=(3.05, 10))
        discovery.raise_for_status()
        token_url = str(discovery.json()["token_endpoint"])
        now = datetime.now(UTC)
        assertion = sign_assertion(private_key, client_id=client_id, token_url=token_url, now=now, kid=kid)
        form = {
            "grant_type": GRANT_TYPE,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        }
        response = requests.post(token_url, data=form, timeout=(3.05, 10))
    except (ValueError, KeyError, requests.RequestException) as error:
        raise click.ClickException(f"no token: {error}") from None
    try:
        answer: dict[str, Any] = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or "access_token" not in answer:
        refusal = f"{answer.get('error', response.status_code)}: {answer.get('error_description', response.reason)}"
        raise click.ClickException(f"no token: {refusal}")
    return answer
