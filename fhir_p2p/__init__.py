"""fhir-p2p: FHIR R4 and X12 278 integration server for prior-authorization denials and P2P reviews."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "create_app"]


def create_app(config: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    """Build the Flask application (see `fhir_p2p.app.create_app`)."""
    from fhir_p2p.app import create_app as _create_app

    return _create_app(config)
