"""Any inbound 278 interchange to FHIR: one collection Bundle per transaction set, read as a response
(BHT02 `11`, `from_278_response`'s reading) or a request (`13`, `from_278_request`'s), from the text
or from the `Report` of an interchange the caller already checked (no second parse)."""

from __future__ import annotations

from datetime import tzinfo

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.resources.pas import Json
from fhir_p2p.translate._read import response_bundle
from fhir_p2p.translate._read_parties import accepted, purpose_of
from fhir_p2p.translate._read_request import request_bundle
from fhir_p2p.translate._report import UNSUPPORTED
from fhir_p2p.x12 import Loop, Report, check_interchange
from fhir_p2p.x12._gc import collection_paused
from fhir_p2p.x12.tokenizer import Source


def from_278(source: Source | Report, *, zone: tzinfo | None = None) -> list[Json]:
    """Translate every transaction set of a 278 interchange to FHIR.

    Args:
        source: the interchange (text, bytes or a binary stream), or the `Report` that
            `check_interchange` made of it.
        zone: the zone of X12 times; without it a request's Task.authoredOn / Claim.created are dates.
    Returns:
        One `collection` Bundle per transaction set, in file order: a response gives the ClaimResponse
        and its parties, a request the P2P / appeal Task (or, UM02 `I`, the Claim) and its parties.
    Raises:
        Unprocessable: the interchange is not accepted (its X12 issues), or a transaction set has
            nothing the mapping reads; every set's issues, each message naming its ST02.
        X12TooLarge, X12ReadError: from `check_interchange` when given text that is no interchange.
    """
    report = source if isinstance(source, Report) else check_interchange(source)
    bundles: list[Json] = []
    issues: list[Issue] = []
    with collection_paused():  # many small dicts, no cycles: the collector's passes would find nothing
        for transaction in accepted(report):
            tree = transaction.tree
            assert tree is not None, "an accepted transaction set was read as a 278"
            try:
                bundles.append(_bundle(tree, zone))
            except Unprocessable as refused:
                number = transaction.transaction.header.control_number
                issues += [_in_set(i, number) for i in refused.issues]
    if issues:
        raise Unprocessable("a 278 transaction set cannot be read into FHIR", issues=issues)
    return bundles


def _bundle(tree: Loop, zone: tzinfo | None) -> Json:
    purpose = purpose_of(tree)
    if purpose == "11":
        return response_bundle(tree)
    if purpose == "13":
        return request_bundle(tree, zone)
    message = f"BHT02 {purpose}: only 13 (request) and 11 (response) are mapped"
    raise Unprocessable(message, issues=[Issue("error", "not-supported", message, "BHT02", UNSUPPORTED)])


def _in_set(issue: Issue, control_number: str) -> Issue:
    return Issue(
        issue.severity, issue.code, f"transaction set {control_number}: {issue.message}", issue.expression, issue.rule
    )
