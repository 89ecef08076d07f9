"""The background work of the workflow: the deadline sweep (workflow/sweep.py) as one transaction, once
(`fhir-p2p sweep`) or every SWEEP_INTERVAL seconds (`fhir-p2p worker`) until told to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from fhir_p2p.audit import Actor
from fhir_p2p.logging import get_logger
from fhir_p2p.store.sql import Store
from fhir_p2p.workflow.policy import PolicyBook
from fhir_p2p.workflow.sweep import SweepReport, sweep

SWEEP_ACTOR: Final = Actor("fhir-p2p-sweep", None)  # what the sweep's AuditEvents and Provenances name

log = get_logger(__name__)


def sweep_once(store: Store, policies: PolicyBook, closing_within: timedelta) -> SweepReport:
    """One sweep in one transaction; concurrent sweeps (several workers) take turns."""
    with store.unit_of_work(write=True, actor=SWEEP_ACTOR) as uow:
        uow.lock_for_conditional_create("deadline-sweep")
        report = sweep(uow, policies, closing_within=closing_within)
    log.info(
        "sweep_done",
        examined=report.examined,
        missed=len(report.missed),
        closing=len(report.closing),
        skipped=len(report.skipped),
    )
    return report


def run_worker(work: Callable[[], object], interval: float, stop: threading.Event) -> None:
    """Run `work` now and then every `interval` seconds until `stop` is set; a failed run is logged, and
    the next one comes on time."""
    while not stop.is_set():
        try:
            work()
        except Exception:
            log.exception("worker_run_failed")
        stop.wait(interval)
