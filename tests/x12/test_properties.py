"""Property: any interchange the builder makes from valid data reads back equal, is accepted by us,
and (all of them in one batch) by pyx12."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fhir_p2p.x12 import Interchange, check_interchange, read_interchange
from tests.x12.strategies import interchanges
from tests.x12.support import run_oracle


def test_generated_interchanges_round_trip_and_pass_both_validators():
    written: dict[str, str] = {}

    @settings(
        max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(interchanges())
    def round_trip(interchange: Interchange) -> None:
        text = interchange.to_text()
        assert read_interchange(text.encode("latin-1")) == interchange
        report = check_interchange(text)
        assert report.all_issues() == []
        written[f"generated-{len(written):03d}"] = text

    round_trip()
    delimiters = {text[3] + text[104] + text[105] for text in written.values()}
    assert len(delimiters) > 1, "the data should have pushed the builder off the default delimiters"
    verdicts = run_oracle(written)
    assert {name: r["errors"] for name, r in verdicts.items() if not r["valid"]} == {}
