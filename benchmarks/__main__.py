"""`python -m benchmarks [options]`: every benchmark (today: the HTTP one). `--help` lists the options."""

from __future__ import annotations

from benchmarks import http

if __name__ == "__main__":
    raise SystemExit(http.main())
