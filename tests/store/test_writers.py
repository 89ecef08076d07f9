"""The SQLite writers' queue: one holder at a time across threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from fhir_p2p.store.engine import make_engine
from fhir_p2p.store.writers import WriterQueue, writer_queue_for


def _hold(queue: WriterQueue, log: Path, rounds: int) -> None:
    """Append `in`/`out` lines around each turn; overlapping turns would interleave them."""
    for _ in range(rounds):
        with queue.turn():
            with log.open("a") as out:
                out.write("in\n")
            time.sleep(0.002)
            with log.open("a") as out:
                out.write("out\n")


def _assert_never_overlapped(log: Path, turns: int) -> None:
    lines = log.read_text().split()
    assert len(lines) == 2 * turns
    assert lines == ["in", "out"] * turns


def test_threads_take_turns(tmp_path: Path):
    queue = WriterQueue(tmp_path / "db.sqlite")
    log = tmp_path / "log"
    threads = [threading.Thread(target=_hold, args=(queue, log, 10)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _assert_never_overlapped(log, 40)


def test_forked_processes_take_turns_with_a_queue_opened_before_the_fork(tmp_path: Path):
    queue = WriterQueue(tmp_path / "db.sqlite")
    log = tmp_path / "log"
    with queue.turn():  # the parent opens its descriptor before forking, as a preloading server would
        pass
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_hold, args=(queue, log, 10)) for _ in range(3)]
    for child in children:
        child.start()
    _hold(queue, log, 10)
    for child in children:
        child.join()
        assert child.exitcode == 0
    _assert_never_overlapped(log, 40)
    queue.close()


def test_only_file_backed_sqlite_gets_a_queue(tmp_path: Path):
    file_engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    memory_engine = make_engine("sqlite://")
    try:
        queue = writer_queue_for(file_engine)
        assert queue is not None
        assert queue.path == (tmp_path / "x.db-writers.lock").resolve()
        assert writer_queue_for(memory_engine) is None
    finally:
        file_engine.dispose()
        memory_engine.dispose()
