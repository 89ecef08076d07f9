"""Helpers for the X12 tests: samples, the pyx12 oracle (one call for many files), 999 verdicts."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from fhir_p2p.x12 import Report, acknowledge

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "x12"
ORACLE = ROOT.parent / "shared" / "oracles" / "x12" / "x12-oracle"
REQUEST = DATA / "278-request-p2p-reconsideration.x12"
RESPONSE = DATA / "278-response-denial.x12"
NOW = datetime(2025, 3, 11, 9, 30)


def samples() -> list[Path]:
    return sorted(DATA.glob("*.x12"))


def run_oracle(texts: dict[str, str]) -> dict[str, dict]:
    """pyx12's verdict on each text, in one oracle call. Exit 2 (broken set-up) fails the test."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, text in texts.items():
            path = Path(folder) / f"{name}.x12"
            path.write_bytes(text.encode("latin-1"))
            paths.append(str(path))
        out = subprocess.run([str(ORACLE), *paths], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode in (0, 1), f"x12-oracle set-up failed ({out.returncode}): {out.stderr[-2000:]}"
    results = [json.loads(line) for line in out.stdout.splitlines()]
    return {Path(r["file"]).stem: r for r in results}


def ack_lines(report: Report) -> list[str]:
    """Our acknowledgment without its envelope: TA1, then AK1..AK9 of each 999 (with `*` and `:`)."""
    text = acknowledge(report, control_number=1, now=NOW).to_text()
    lines = [line.rstrip("~") for line in text.splitlines()]
    return [line for line in lines if re.match(r"(TA1|AK|IK)\w*\*", line)]


def transaction_verdicts(ack999: str) -> list[tuple[str, str]]:
    """(ST02, IK501) for every AK2 of a 999 text, in order."""
    verdicts, current = [], None
    for line in ack999.replace("\n", "").split("~"):
        parts = line.split("*")
        if parts[0] == "AK2":
            current = parts[2]
        elif parts[0] == "IK5" and current is not None:
            verdicts.append((current, parts[1]))
            current = None
    return verdicts


def our_verdicts(report: Report) -> list[tuple[str, str]]:
    """(ST02, IK501) as our 999 says, accepted-with-errors counted as accepted (`A`)."""
    return [(t.transaction.header.control_number, "R" if t.ack_code == "R" else "A") for t in report.transactions]
