"""Settings: X12 identity values that would write invalid interchanges are refused at start-up."""

from __future__ import annotations

import pytest

from fhir_p2p.config import DefaultConfig, Settings


def _config(**overrides: object) -> dict[str, object]:
    values = {key: getattr(DefaultConfig, key) for key in dir(DefaultConfig) if key.isupper()}
    return {**values, **overrides}


def test_defaults_give_the_documented_x12_identity():
    settings = Settings.from_mapping(_config(), "/tmp/instance")
    values = (settings.x12_sender_qualifier, settings.x12_sender_id, settings.x12_usage, settings.x12_timezone)
    assert values == ("ZZ", "FHIRP2P", "P", "America/New_York")


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("X12_USAGE", "X", "FHIR_P2P_X12_USAGE"),
        ("X12_SENDER_ID", "A" * 16, "FHIR_P2P_X12_SENDER_ID"),
        ("X12_SENDER_ID", "BAD*ID", "FHIR_P2P_X12_SENDER_ID"),
        ("X12_SENDER_QUALIFIER", "Z", "FHIR_P2P_X12_SENDER_QUALIFIER"),
        ("X12_TIMEZONE", "Mars/Olympus_Mons", "FHIR_P2P_X12_TIMEZONE"),
    ],
)
def test_bad_x12_settings_are_refused_naming_the_variable(key, value, named):
    with pytest.raises(ValueError, match=named):
        Settings.from_mapping(_config(**{key: value}), "/tmp/instance")
