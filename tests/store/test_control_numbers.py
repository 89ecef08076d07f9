"""X12 control numbers: each sender's own sequence, never shared by concurrent writers, 1 after 999999999."""

from __future__ import annotations

import threading

from sqlalchemy import update

from fhir_p2p.errors import Conflict
from fhir_p2p.store.schema import x12_control_numbers

THREADS = 4
EACH = 15


def test_each_sender_counts_from_one(app):
    store = app.extensions["fhir_p2p.store"]
    with store.unit_of_work(write=True) as uow:
        taken = [uow.next_control_number("ZZ:FHIRP2P") for _ in range(3)] + [uow.next_control_number("30:123456789")]
    assert taken == [1, 2, 3, 1]


def test_a_rolled_back_unit_gives_its_number_back(app):
    store = app.extensions["fhir_p2p.store"]
    try:
        with store.unit_of_work(write=True) as uow:
            assert uow.next_control_number("ZZ:FHIRP2P") == 1
            raise RuntimeError("refused after taking a number")
    except RuntimeError:
        pass
    with store.unit_of_work(write=True) as uow:
        assert uow.next_control_number("ZZ:FHIRP2P") == 1


def test_the_nine_digit_counter_wraps_to_one(app):
    store = app.extensions["fhir_p2p.store"]
    with store.unit_of_work(write=True) as uow:
        uow.next_control_number("ZZ:FHIRP2P")
        uow.connection.execute(update(x12_control_numbers).values(last_number=999_999_998))
        assert [uow.next_control_number("ZZ:FHIRP2P") for _ in range(2)] == [999_999_999, 1]


def test_concurrent_writers_never_share_a_number(app):
    store = app.extensions["fhir_p2p.store"]
    taken: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        for _ in range(EACH):
            while True:
                try:
                    with store.unit_of_work(write=True) as uow:
                        number = uow.next_control_number("ZZ:FHIRP2P")
                    break
                except Conflict:
                    continue
                except BaseException as error:  # pragma: no cover - reported below
                    errors.append(error)
                    return
            taken.append(number)

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == list(range(1, THREADS * EACH + 1))
