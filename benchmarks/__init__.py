"""Benchmarks of fhir-p2p. `python -m benchmarks` (or `make bench`) runs them all; see README.md."""
