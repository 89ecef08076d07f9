"""Alembic migrations of the fhir-p2p schema; run with `fhir-p2p init-db` (see store/migrate.py)."""
