"""Two or more concurrent writers of one resource never lose a write (threads, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from fhir_p2p.errors import Conflict, PreconditionFailed
from fhir_p2p.rest import interactions
from tests.conftest import load_example

THREADS = 4
UPDATES_EACH = 10


def _run_threads(target):
    errors: list[BaseException] = []

    def guarded(n):
        try:
            target(n)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_updates_without_if_match_all_land_as_versions(app):
    store = app.extensions["fhir_p2p.store"]
    patient = load_example("Patient-theodora-vance")
    with store.unit_of_work(write=True) as uow:
        interactions.update(uow, "Patient", patient["id"], patient, None)

    def writer(n):
        for i in range(UPDATES_EACH):
            body = {**patient, "extension": [{"url": "http://example.org/writer", "valueString": f"{n}-{i}"}]}
            while True:
                try:
                    with store.unit_of_work(write=True) as uow:
                        interactions.update(uow, "Patient", patient["id"], body, None)
                    break
                except Conflict:
                    continue  # the client's retry; a conflict must never be a silent loss

    assert _run_threads(writer) == []
    with store.unit_of_work() as uow:
        current = uow.read("Patient", patient["id"])
        history = uow.history("Patient", patient["id"], since=None, count=500, cursor=None)
    expected = 1 + THREADS * UPDATES_EACH
    assert current.version_id == expected
    assert sorted(v.version_id for v in history.entries) == list(range(1, expected + 1))
    written = {v.as_dict()["extension"][0]["valueString"] for v in history.entries if v.version_id > 1}
    assert written == {f"{n}-{i}" for n in range(THREADS) for i in range(UPDATES_EACH)}


def test_concurrent_updates_with_the_same_if_match_exactly_one_wins(app):
    store = app.extensions["fhir_p2p.store"]
    patient = load_example("Patient-theodora-vance")
    with store.unit_of_work(write=True) as uow:
        interactions.update(uow, "Patient", patient["id"], patient, None)
    outcomes: list[str] = []
    barrier = threading.Barrier(THREADS)

    def writer(n):
        body = {**patient, "gender": ["male", "female", "other", "unknown"][n]}
        barrier.wait()
        try:
            with store.unit_of_work(write=True) as uow:
                interactions.update(uow, "Patient", patient["id"], body, 1)
            outcomes.append("won")
        except (PreconditionFailed, Conflict):
            outcomes.append("refused")

    assert _run_threads(writer) == []
    assert sorted(outcomes) == ["refused"] * (THREADS - 1) + ["won"]
    with store.unit_of_work() as uow:
        assert uow.read("Patient", patient["id"]).version_id == 2
