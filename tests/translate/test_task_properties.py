"""Property: generated P2P and appeal Tasks (delimiters in names and texts, up to 30 denied items and 12
documents, inputs repeated or missing) become 278 requests that we and pyx12 (one batch) accept; they
read back with every mapped field, and the 278 read back and written again is the same 278 but for
what comes from the denial (UM01, 2000F REF*BB/REF*NT)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given

from fhir_p2p.translate import RequestEnvelope, from_278_request, to_278_request
from fhir_p2p.x12 import Party, check_interchange
from tests.translate.strategies import generated, tasks
from tests.translate.support import assert_accepted_by_both, task_mapped_fields

ENVELOPE = RequestEnvelope(Party("ZZ", "PROVIDER"), Party("ZZ", "PAYER"), 7, datetime(2026, 11, 18, 9, 5), "T", "TASK")


def _from_the_denial(text: str) -> str:
    """`text` without what a resolvable denial adds: UM01 AR (institutional) and the 2000F REF*BB/REF*NT."""
    separator, terminator = text[3], text[105]
    lines = text.split(terminator)
    service_level = re.compile(r"\s*HL{0}\d+{0}\d+{0}SS".format(re.escape(separator)))
    service = next((n for n, line in enumerate(lines) if service_level.match(line)), len(lines))
    kept = lines[:service] + [line for line in lines[service:] if not line.lstrip().startswith(f"REF{separator}")]
    return terminator.join(kept).replace(f"UM{separator}AR{separator}", f"UM{separator}HS{separator}")


def test_generated_tasks_pass_both_validators_and_round_trip_both_ways():
    written: dict[str, str] = {}

    @generated(40)
    @given(tasks())
    def round_trip(resources: dict) -> None:
        text = to_278_request(resources, ENVELOPE).text
        assert check_interchange(text).all_issues() == []
        bundle = from_278_request(text, zone=UTC)
        assert task_mapped_fields(bundle) == task_mapped_fields(resources)
        again = to_278_request(bundle, ENVELOPE).text
        assert check_interchange(again).all_issues() == []
        assert re.sub(r"SE\W\d+", "SE", again) == re.sub(r"SE\W\d+", "SE", _from_the_denial(text))
        written[f"task-{len(written):03d}"] = text

    round_trip()
    kinds = {re.search(r"UM.(?:HS|AR).(\w)", text).group(1) for text in written.values()}  # type: ignore[union-attr]
    assert kinds == {"S", "1", "2"}, "P2P, expedited and standard appeals were all generated"
    assert len({text[3] + text[104] + text[105] for text in written.values()}) > 1, "delimiters had to move"
    assert_accepted_by_both(written)
