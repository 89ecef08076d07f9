"""The per-client rate limit on every authenticated request: 429 with `Retry-After` once a client
has used up `RATE_LIMIT` requests of the current window (`fhir_p2p.auth.rate_limit` counts).

Runs right after the token check, before any other work, so a refused request changes nothing.
Public endpoints (no client) and the dev client are not limited.
"""

from __future__ import annotations

from flask import Flask, current_app

from fhir_p2p.api.auth import current_caller
from fhir_p2p.auth.rate_limit import RateLimiter
from fhir_p2p.config import Settings
from fhir_p2p.errors import Issue, TooManyRequests
from fhir_p2p.logging import get_logger
from fhir_p2p.store.sql import Store

log = get_logger(__name__)

# Rule ids of this module; last id used: rate-001.


def init_app(app: Flask, settings: Settings, store: Store) -> None:
    """Register the check after `api.auth`'s (it needs the caller); nothing when RATE_LIMIT is 0."""
    if settings.rate_limit == 0:
        return
    app.extensions["fhir_p2p.rate_limit"] = RateLimiter(
        store, limit=settings.rate_limit, window=settings.rate_limit_window
    )
    app.before_request(_limit)


def _limit() -> None:
    try:
        caller = current_caller()
    except LookupError:
        return  # a public endpoint
    if caller.is_dev:
        return
    limiter: RateLimiter = current_app.extensions["fhir_p2p.rate_limit"]
    refusal = limiter.admit(caller.client_id)
    if refusal is None:
        return
    log.info("rate_limited", limit=refusal.limit, window=refusal.window, retry_after=refusal.retry_after)
    message = (
        f"Rate limit reached: a client may make {refusal.limit} requests every {refusal.window} seconds;"
        f" retry in {refusal.retry_after} seconds"
    )
    raise TooManyRequests(
        message,
        issues=[Issue("error", "throttled", message, rule="rate-001")],
        headers={"Retry-After": str(refusal.retry_after)},
    )
