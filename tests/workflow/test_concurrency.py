"""Concurrent requests for one denial (threads, each with its own client; SQLite and PostgreSQL): of two P2P
requests exactly one is created and the other is a 409; of a P2P and an appeal for a payer that takes no P2P
once an appeal is filed, the P2P is created only when it came first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from fhir_p2p.workflow.taskdata import Kind
from tests.workflow.support import Api, appeal_task, payer_denial, rules_of, story

ROUNDS = 4  # denials raced for, one after the other: a lost race shows in any of them


def _race(app: Flask, *requests: Callable[[Api], Any]) -> list[Any]:
    """Run each request at the same moment in its own thread with its own client; their answers, in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def run(index: int) -> None:
        api = Api(app.test_client())
        barrier.wait()
        try:
            answers[index] = requests[index](api)
        except BaseException as error:  # shown by the assertion below, not lost in the thread
            answers[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _open_tasks(api: Api, denial_id: str) -> int:
    found = api.client.get(f"/fhir/Task?focus=ClaimResponse/{denial_id}&status=requested&_summary=count")
    return int(found.get_json()["total"])


def test_two_concurrent_p2p_requests_for_one_denial_make_one_task_and_one_409(app, client):
    api = Api(client)
    api.load(story())
    for _ in range(ROUNDS):
        denial = payer_denial("NWHP1")
        assert api.put(denial).status_code == 201

        def request(racer: Api, denial_id: str = denial["id"]) -> Any:
            return racer.request_p2p(denial_id)

        answers = _race(app, request, request)
        assert sorted(a.status_code for a in answers) == [201, 409], [a.get_json() for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert rules_of(refused) == ["task-004"]
        assert _open_tasks(api, denial["id"]) == 1


def test_a_concurrent_p2p_and_appeal_for_cascade_are_never_both_taken(app, client):
    api = Api(client)
    api.load(story())
    owner = {"reference": "Organization/cascade-mutual"}
    for _ in range(ROUNDS):
        denial = payer_denial("CMHI2")
        assert api.put(denial).status_code == 201

        def p2p(racer: Api, denial_id: str = denial["id"]) -> Any:
            return racer.request_p2p(denial_id)

        def appeal(racer: Api, denial_id: str = denial["id"]) -> Any:
            return racer.post(appeal_task(denial_id, Kind.INTERNAL_APPEAL, owner=owner))

        p2p_answer, appeal_answer = _race(app, p2p, appeal)
        assert appeal_answer.status_code == 201, appeal_answer.get_json()
        if p2p_answer.status_code == 201:  # then it was written first, before the appeal was filed
            written = [a.get_json()["meta"]["lastUpdated"] for a in (p2p_answer, appeal_answer)]
            assert written == sorted(written)
        else:  # the appeal came first: Cascade takes no P2P after it
            assert (p2p_answer.status_code, rules_of(p2p_answer)) == (422, ["task-005"])
