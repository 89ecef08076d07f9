"""The `fhir-p2p` command: init-db, load FILE|DIR..., validate FILE..., translate FILE... --to x12|fhir, run.

The database comes from FHIR_P2P_DATABASE_URL (default: SQLite in ./instance).
"""

from __future__ import annotations

import multiprocessing
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson
from flask import Config, Flask

from fhir_p2p.config import DefaultConfig, Settings, default_profiles_dir
from fhir_p2p.errors import Issue, P2PError, errors_in
from fhir_p2p.resources.parse import parse_body, parse_resource
from fhir_p2p.rest import interactions
from fhir_p2p.rest.conformance import ProfileCheck
from fhir_p2p.rest.x12 import X12Identity, one_bundle, outbound_addressing, subject_of, translate_resources
from fhir_p2p.store.sql import Store
from fhir_p2p.translate import from_278
from fhir_p2p.validation import Registry, Validator
from fhir_p2p.x12 import check_interchange


def _app(**overrides: Any) -> Flask:
    from fhir_p2p.app import create_app

    return create_app({"AUTO_MIGRATE": True, **overrides})


@click.group()
@click.version_option(package_name="fhir-p2p")
def main() -> None:
    """fhir-p2p: prior-authorization denial and peer-to-peer review server."""


@main.command("init-db")
def init_db() -> None:
    """Create the database or bring its schema to the newest migration."""
    app = _app()
    store: Store = app.extensions["fhir_p2p.store"]
    click.echo(f"database ready ({store.engine.dialect.name}, schema at the newest migration)")


@main.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def load(paths: tuple[Path, ...]) -> None:
    """Store FHIR JSON resources (files, or folders of *.json) under their own ids, replacing older versions."""
    app = _app()
    store: Store = app.extensions["fhir_p2p.store"]
    profiles: ProfileCheck = app.extensions["fhir_p2p.profiles"]
    files = sorted(f for path in paths for f in ([path] if path.is_file() else path.glob("*.json")))
    failures = 0
    with click.progressbar(files, label="loading") as bar:
        for file in bar:
            try:
                resource = parse_resource(file.read_bytes(), "json", None)
                resource_type = str(resource["resourceType"])
                profiles.require(resource)
                with store.unit_of_work(write=True) as uow:
                    if "id" in resource:
                        interactions.update(uow, resource_type, str(resource["id"]), resource, None)
                    else:
                        interactions.create(uow, resource_type, resource, None)
            except P2PError as error:
                failures += 1
                click.echo(f"\n{file}: {error.status} {error.message}", err=True)
    click.echo(f"loaded {len(files) - failures} of {len(files)} files")
    if failures:
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
        click.echo(f"{file}: {'invalid' if errors_in(found) else 'valid'}")
        for issue in found:
            click.echo(f"  {issue.severity} {issue.rule or '-'} {issue.expression or '-'}: {issue.message}")
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
    addressing = outbound_addressing(None, X12Identity.of(_settings()), source, subject, datetime.now(UTC))
    translation = translate_resources(source, subject, replace(addressing, control_number=control_number))
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


def _echo_issues(heading: str, issues: list[Issue]) -> None:
    click.echo(heading, err=True)
    for issue in issues:
        click.echo(f"  {issue.severity} {issue.rule or '-'} {issue.expression or '-'}: {issue.message}", err=True)


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--workers", default=min(2, multiprocessing.cpu_count()) or 1, show_default=True, type=int)
def run(host: str, port: int, workers: int) -> None:
    """Serve with gunicorn (sync workers), after bringing the schema up to date."""
    from gunicorn.app.base import BaseApplication

    _app()  # migrate once, before workers start

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("accesslog", None)

        def load(self) -> Flask:
            return _app(AUTO_MIGRATE=False)

    click.echo(f"fhir-p2p serving on http://{host}:{port}/fhir ({workers} workers)", err=True)
    _Server().run()
