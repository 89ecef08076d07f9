"""The public surface of fhir_p2p.auth is `__all__` (ruff keeps it sorted), and everything in it exists."""

from __future__ import annotations

from fhir_p2p import auth


def test_everything_exported_exists():
    assert auth.__all__
    assert all(hasattr(auth, name) for name in auth.__all__)
