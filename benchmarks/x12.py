"""X12 benchmark: parse + validate (+ translate) throughput of fhir_p2p against pyx12 on the same interchange.

One generated interchange of N transaction sets (the request sample's 278, each with its own BHT03,
trace numbers and 1 to 3 services), measured in one run:

    fhir_p2p read                  read_interchange: delimiters, segments, envelopes
    fhir_p2p read + validate       check_interchange: envelopes, control numbers, X217 layout, elements
    fhir_p2p ... + 999             check_interchange + acknowledge (TA1/999 text)
    fhir_p2p ... + translate       check_interchange + from_278 (a FHIR Bundle per transaction)
    pyx12 validate                 pyx12 4.0.0 x12n_document with the oracle's X217 map, no 999/JSON output

Times are CPU seconds of the measuring process (`time.process_time`), so other work on the machine
disturbs them less than wall time. Ours is the best of `--repeat` runs; pyx12 (in the x12 oracle's
own venv, `./.x12-oracle`, which the oracle installs on first use; never a dependency of the
server) the best of `--pyx12-repeat`, after a warm-up that loads its maps. Targets: read + validate,
and read + validate + translate, at >= 10x pyx12's transactions/s. Results: a table on stdout and
`benchmarks/results/x12-<UTC time>.json`.

    python -m benchmarks.x12 [--transactions N] [--repeat N] [--pyx12-repeat N] [--skip-pyx12]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fhir_p2p.translate import from_278
from fhir_p2p.x12 import (
    Envelope,
    HlLevel,
    Loop,
    Party,
    Segment,
    acknowledge,
    build_interchange,
    check_interchange,
    read_interchange,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SAMPLE = ROOT / "tests" / "x12" / "data" / "278-request-p2p-reconsideration.x12"
ORACLE = ROOT.parent / "shared" / "oracles" / "x12"
ORACLE_HOME = Path(os.environ.get("X12_ORACLE_HOME", ROOT / ".x12-oracle"))
TARGET = 10.0
CREATED = datetime(2025, 3, 10, 14, 15)

# Runs in the oracle's venv: times pyx12's validation alone (no 999, HTML or JSON written).
PYX12_TIMER = """
import functools, io, json, logging, sys, time
import pyx12.map_if, pyx12.params, pyx12.x12n_document
pyx12.map_if.load_map_file = functools.lru_cache(maxsize=None)(pyx12.map_if.load_map_file)
logging.getLogger("pyx12").setLevel(logging.CRITICAL)
maps, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="ascii").read().replace("\\n", "")
params = pyx12.params.params()
def run(data):
    return pyx12.x12n_document.x12n_document(param=params, src_file=io.StringIO(data), fd_997=None,
                                             fd_html=None, fd_json=None, map_path=maps + "/req")
first_set = text.index("~", text.index("~SE*") + 1) + 1
run(text[:first_set] + "GE*1*5~IEA*1*000000005~")  # warm-up: loads the maps
times, valid = [], None
for _ in range(repeat):
    start = time.process_time()
    valid = run(text)
    times.append(time.process_time() - start)
print(json.dumps({"seconds": min(times), "valid": bool(valid)}))
"""


def interchange_text(transactions: int) -> str:
    """The benchmark interchange: the sample request repeated with varied ids and 1 to 3 services."""
    sample = check_interchange(SAMPLE.read_bytes()).transactions[0].tree
    assert sample is not None
    bht, umo = sample.segments[0], sample.loops[0]
    bodies = []
    for n in range(transactions):
        root = _level(umo)
        event = root.levels[0].levels[0].levels[0]
        service = event.levels[0]
        event.levels = [_renamed(service, f"S{n}-{k}") for k in range(1 + n % 3)]
        bodies.append([bht.with_element(3, f"P2PREQ{n:08d}"), *root.to_segments()])
    envelope = Envelope(Party("ZZ", "RIVERAORTHO"), Party("ZZ", "ACMEHEALTHUM"), 5, CREATED, usage="T")
    return build_interchange(envelope, bodies).to_text()


def _flatten(loop: Loop) -> list[Segment]:
    return loop.segments + [s for child in loop.loops for s in _flatten(child)]


def _level(loop: Loop) -> HlLevel:
    """An HL loop of a read transaction as a level to rebuild (HL numbers are recomputed)."""
    own = loop.segments[1:] + [s for child in loop.loops if child.segments[0].id != "HL" for s in _flatten(child)]
    return HlLevel(loop.segments[0].element(3), own, [_level(c) for c in loop.loops if c.segments[0].id == "HL"])


def _renamed(level: HlLevel, suffix: str) -> HlLevel:
    segments = [s.with_element(2, s.element(2) + suffix) if s.id == "TRN" else s for s in level.segments]
    return HlLevel(level.code, segments, level.levels)


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def pyx12_seconds(path: Path, repeat: int) -> dict[str, Any]:
    """pyx12's validation time in the oracle's venv (installed by the oracle on its first call)."""
    python = ORACLE_HOME / "venv" / "bin" / "python"
    if not (python.exists() and (ORACLE_HOME / "maps" / "req" / "maps.xml").exists()):
        subprocess.run([str(ORACLE / "x12-oracle"), str(SAMPLE)], cwd=ROOT, capture_output=True, check=False)
    out = subprocess.run(
        [str(python), "-c", PYX12_TIMER, str(ORACLE_HOME / "maps"), str(path), str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pyx12 timing failed: {out.stderr[-1000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.x12", description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=1000, help="transaction sets in the interchange (1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of ours, best kept (5)")
    parser.add_argument("--pyx12-repeat", type=int, default=2, help="runs of pyx12, best kept (2)")
    parser.add_argument("--skip-pyx12", action="store_true", help="measure ours only")
    args = parser.parse_args(argv)

    text = interchange_text(args.transactions)
    report = check_interchange(text)
    if not report.accepted:
        print(f"the generated interchange is not valid: {report.all_issues()[:3]}", file=sys.stderr)
        return 1
    rows: list[dict[str, Any]] = [
        {"measure": "fhir_p2p read", "seconds": best_of(args.repeat, lambda: read_interchange(text))},
        {"measure": "fhir_p2p read + validate", "seconds": best_of(args.repeat, lambda: check_interchange(text))},
        {
            "measure": "fhir_p2p read + validate + 999",
            "seconds": best_of(
                args.repeat, lambda: acknowledge(check_interchange(text), control_number=1, now=CREATED)
            ),
        },
        {
            "measure": "fhir_p2p read + validate + translate",
            "seconds": best_of(args.repeat, lambda: from_278(check_interchange(text))),
        },
    ]
    if not args.skip_pyx12:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.x12"
            path.write_text(text, encoding="ascii")
            found = pyx12_seconds(path, args.pyx12_repeat)
        rows.append({"measure": "pyx12 4.0.0 validate", "seconds": found["seconds"], "pyx12_valid": found["valid"]})
    for row in rows:
        row["tx_per_s"] = args.transactions / row["seconds"]
    print(table(rows, args.transactions, len(text)))
    save(rows, args)
    return 0


def table(rows: list[dict[str, Any]], transactions: int, size: int) -> str:
    pyx12 = next((r for r in rows if r["measure"].startswith("pyx12")), None)
    lines = [
        f"interchange: {transactions:,} transaction sets, {size:,} bytes",
        f"{'measure':<38}{'seconds':>9}{'tx/s':>10}{'vs pyx12':>10}",
    ]
    for row in rows:
        ratio = f"{row['tx_per_s'] / pyx12['tx_per_s']:.1f}x" if pyx12 else "-"
        lines.append(f"{row['measure']:<38}{row['seconds']:>9.3f}{row['tx_per_s']:>10,.0f}{ratio:>10}")
    for measure in ("read + validate", "read + validate + translate") if pyx12 else ():
        ours = next(r for r in rows if r["measure"] == f"fhir_p2p {measure}")
        ratio = ours["tx_per_s"] / pyx12["tx_per_s"]
        verdict = "met" if ratio >= TARGET else "missed"
        lines.append(f"target {verdict}: {measure} at {ratio:.1f}x pyx12's rate (target >= {TARGET:.0f}x)")
    return "\n".join(lines)


def save(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    record = {"options": vars(args), "machine": machine, "rows": rows}
    (RESULTS_DIR / f"x12-{stamp}.json").write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
