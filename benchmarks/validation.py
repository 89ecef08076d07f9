"""`python -m benchmarks.validation`: µs per profile validation against `fhir.resources` parsing of the same resources.

For the MRI denial ClaimResponse (against p2p-denial) and the P2P Task (against p2p-request), in one
run: `Validator.validate` with the profile, the same against the base definition only, and
`fhir.resources` R4B `Model.model_validate` alone. Each figure is the median of `--repeats` timings
of `--loops` calls, after one warm-up call that compiles the profile. The ratio is profile
validation over model_validate; issue 4 asks for at most 3x.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from fhir_p2p.validation import Registry, Validator

ROOT = Path(__file__).resolve().parent.parent
PROFILE_BASE = "http://fhir-p2p.org/fhir/StructureDefinition/"
CASES = (
    ("denial ClaimResponse", "examples/ClaimResponse-denial-mri-lumbar.json", PROFILE_BASE + "p2p-denial"),
    ("P2P Task", "examples/Task-p2p-mri-lumbar.json", PROFILE_BASE + "p2p-request"),
)
TARGET_RATIO = 3.0


def _microseconds(call: Callable[[], object], loops: int, repeats: int) -> float:
    call()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            call()
        timings.append((time.perf_counter() - start) / loops * 1e6)
    return statistics.median(timings)


def measure(loops: int, repeats: int) -> list[dict[str, Any]]:
    """One row per case: µs for profile validation, base validation, model_validate, and the ratio."""
    started = time.perf_counter()
    validator = Validator(Registry.from_dir(ROOT / "profiles"))
    load_ms = (time.perf_counter() - started) * 1e3
    rows = []
    for name, file, profile in CASES:
        resource = json.loads((ROOT / file).read_text())
        model = get_fhir_model_class(resource["resourceType"])
        first = time.perf_counter()
        issues = validator.validate(resource, profile)
        first_ms = (time.perf_counter() - first) * 1e3
        assert not any(issue.is_error for issue in issues), issues
        profiled = _microseconds(lambda r=resource, p=profile: validator.validate(r, p), loops, repeats)
        base = _microseconds(lambda r=resource: validator.validate(r), loops, repeats)
        parsed = _microseconds(lambda r=resource, m=model: m.model_validate(r), loops, repeats)
        rows.append(
            {
                "resource": name,
                "profile": profile.rsplit("/", 1)[1],
                "profile_us": profiled,
                "base_us": base,
                "model_validate_us": parsed,
                "ratio": profiled / parsed,
                "first_call_ms": first_ms,
                "registry_load_ms": load_ms,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loops", type=int, default=200, help="calls per timing (default 200)")
    parser.add_argument("--repeats", type=int, default=7, help="timings per figure; the median is shown (default 7)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    options = parser.parse_args(argv)
    rows = measure(options.loops, options.repeats)
    if options.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'resource':<22}{'profile':<13}{'profile µs':>11}{'base µs':>9}{'model_validate µs':>19}{'ratio':>7}")
    for row in rows:
        print(
            f"{row['resource']:<22}{row['profile']:<13}{row['profile_us']:>11,.0f}{row['base_us']:>9,.0f}"
            f"{row['model_validate_us']:>19,.0f}{row['ratio']:>7.2f}"
        )
    print(
        f"registry load {rows[0]['registry_load_ms']:.0f} ms; first validation per profile "
        + ", ".join(f"{row['profile']} {row['first_call_ms']:.0f} ms" for row in rows)
        + " (compiles the profile)"
    )
    worst = max(rows, key=lambda row: row["ratio"])
    verdict = "met" if worst["ratio"] <= TARGET_RATIO else "missed"
    print(f"target {verdict}: worst ratio {worst['ratio']:.2f} ({worst['resource']}); target <= {TARGET_RATIO:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
