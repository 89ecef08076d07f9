"""The public surface of fhir_p2p.x12 is `__all__`, and everything in it exists."""

from __future__ import annotations

import fhir_p2p.x12 as x12


def test_all_names_exist_and_are_sorted():
    assert all(hasattr(x12, name) for name in x12.__all__)
    assert x12.__all__ == sorted(x12.__all__)
