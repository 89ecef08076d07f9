"""create_app(config=None): configuration, logging, the store, request ids, auth, blueprints and error handlers."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request

from fhir_p2p.api import auth, conformance, core, headers, metadata, rate_limit, rest, workflow, x12
from fhir_p2p.api.errors import register_error_handlers
from fhir_p2p.api.http import refuse_nul_in_path, request_id_for, response_media
from fhir_p2p.config import DefaultConfig, Settings
from fhir_p2p.logging import bind_request, clear_request, configure_logging, get_logger
from fhir_p2p.resources.parse import warm_up
from fhir_p2p.rest.conformance import SERVER_PROFILES, ProfileCheck
from fhir_p2p.store import migrate
from fhir_p2p.store.base import Clock, system_clock
from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.sql import Store
from fhir_p2p.validation import Registry, Validator
from fhir_p2p.workflow.policy import PolicyBook, load_policies
from fhir_p2p.workflow.rules import WorkflowRules

log = get_logger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Args:
        config: overrides applied after `DefaultConfig` and `FHIR_P2P_*` variables (tests); the key
            `CLOCK` may hold a callable returning an aware datetime, used for every timestamp.
    Returns:
        The Flask app, its store open and its schema checked.
    Raises:
        ValueError: a setting is invalid, or the payer policy file is (`PolicyError`, listing every problem).
        RuntimeError: the database schema is not at the newest migration and AUTO_MIGRATE is off.
    """
    app = Flask("fhir_p2p", instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("FHIR_P2P")
    if config:
        app.config.update(config)
    settings = Settings.from_mapping(app.config, app.instance_path)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    configure_logging(settings.log_level, settings.log_format)
    policies = _payer_policies(settings.payers_file)  # before the database is touched
    app.extensions["fhir_p2p.payers"] = policies

    clock: Clock = app.config.get("CLOCK") or system_clock
    store = Store(make_engine(settings.database_url), clock, WorkflowRules(policies))
    _prepare_schema(store, settings)
    app.extensions["fhir_p2p.settings"] = settings
    app.extensions["fhir_p2p.store"] = store
    app.extensions["fhir_p2p.profiles"] = _profile_check(settings.profiles_dir.resolve())

    app.before_request(_start_request)
    auth.init_app(app, settings, store)  # the token check: after the request id is bound, before anything else
    rate_limit.init_app(app, settings, store)  # needs the caller the token check found
    app.before_request(_check_format)
    app.after_request(_finish_request)
    headers.init_app(app, settings)
    app.teardown_request(lambda _error: clear_request())
    app.register_blueprint(metadata.bp)
    app.register_blueprint(conformance.bp)  # before rest: /fhir/StructureDefinition is not a stored type
    app.register_blueprint(x12.bp)
    app.register_blueprint(workflow.bp)
    app.register_blueprint(core.bp)
    app.register_blueprint(rest.bp)
    register_error_handlers(app)
    warm_up()
    log.info("app_ready", database=store.engine.dialect.name, auto_migrate=settings.auto_migrate)
    return app


@cache
def _profile_check(folder: Path) -> ProfileCheck:
    """Load the conformance resources and compile the server's profiles (~0.1 s), once per folder and process."""
    registry = Registry.from_dir(folder)
    validator = Validator(registry)
    validator.warm(SERVER_PROFILES)
    log.info("profiles_loaded", folder=str(folder), **registry.counts())
    return ProfileCheck(validator)


def _payer_policies(path: Path) -> PolicyBook:
    """Load and validate the payer policies; a bad file stops the start with every problem it has."""
    book = load_policies(path)
    log.info("payer_policies_loaded", file=str(path), payers=len(book.policies))
    return book


def _prepare_schema(store: Store, settings: Settings) -> None:
    if migrate.is_current(store.engine):
        return
    if not settings.auto_migrate:
        raise RuntimeError("The database schema is not current: run `fhir-p2p init-db` first")
    migrate.upgrade(store.engine)


def _start_request() -> None:
    g.request_id = request_id_for(request.headers.get("X-Request-Id"))
    g.started = time.perf_counter()
    bind_request(g.request_id)
    refuse_nul_in_path(request.path)


def _check_format() -> None:
    response_media(request)  # a bad _format is refused before any work is done


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or request_id_for(None)
    response.headers["X-Request-Id"] = request_id
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # The path holds resource ids (not PHI); the query string may hold names and is never logged.
    log.info("request", method=request.method, path=request.path, status=response.status_code, ms=round(elapsed_ms, 2))
    return response
