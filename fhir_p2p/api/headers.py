"""Security headers on every response (docs/security.md "Response headers").

Always `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`, plus
`Strict-Transport-Security` when HSTS_SECONDS says clients use HTTPS. HTML (error pages, the web
pages to come) also gets a strict Content-Security-Policy, `X-Frame-Options: DENY` and
`Cache-Control: no-store`. A header the view set itself is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Final

from flask import Flask, Response

from fhir_p2p.config import Settings

_EVERY_RESPONSE: Final = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
_HTML: Final = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def init_app(app: Flask, settings: Settings) -> None:
    """Add the headers to every response of `app` (HSTS only when HSTS_SECONDS is set)."""
    every = dict(_EVERY_RESPONSE)
    if settings.hsts_seconds:
        every["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}"
    app.after_request(partial(_add_headers, every))


def _add_headers(every: Mapping[str, str], response: Response) -> Response:
    added = {**every, **_HTML} if response.mimetype == "text/html" else every
    for name, value in added.items():
        response.headers.setdefault(name, value)
    return response
