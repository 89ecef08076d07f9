"""The baseline: a bare Flask app that does the least a JSON HTTP server can do.

It serves the same URL shapes as fhir-p2p so the benchmark drives it with the very same wrk scripts:

- `POST /fhir/ClaimResponse`: `orjson.loads(request.get_data())`, then a small constant 201 JSON.
  This is the floor under any create: Flask + gunicorn + reading and parsing the body.
- `GET /fhir/ClaimResponse/<id>` and `GET /fhir/ClaimResponse` (any query): a constant body, the
  compact bytes of the benchmark's ClaimResponse, built once at import. The floor under reads.
- `GET /fhir/metadata`: a constant tiny body, polled to know the server is up.

The body file is `BENCH_BODY_FILE` (set by benchmarks.http), else the example ClaimResponse.
Run: `gunicorn --chdir <project root> benchmarks.baseline_app:app`.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from flask import Flask, Response, request

DEFAULT_BODY = Path(__file__).resolve().parent.parent / "examples" / "ClaimResponse-denial-mri-lumbar.json"
FHIR_JSON = "application/fhir+json"

_body = orjson.dumps(orjson.loads(Path(os.environ.get("BENCH_BODY_FILE") or DEFAULT_BODY).read_bytes()))
_created = orjson.dumps({"resourceType": "ClaimResponse", "id": "baseline"})
_metadata = orjson.dumps({"resourceType": "CapabilityStatement", "status": "active", "kind": "instance"})

app = Flask(__name__)


@app.post("/fhir/ClaimResponse")
def create() -> Response:
    parsed = orjson.loads(request.get_data())
    if not isinstance(parsed, dict):  # use the result, so nothing can skip the parse
        return Response(b'{"error":"not an object"}', status=400, mimetype=FHIR_JSON)
    return Response(_created, status=201, mimetype=FHIR_JSON)


@app.get("/fhir/ClaimResponse/<resource_id>")
def read(resource_id: str) -> Response:
    return Response(_body, status=200, mimetype=FHIR_JSON)


@app.get("/fhir/ClaimResponse")
def search() -> Response:
    return Response(_body, status=200, mimetype=FHIR_JSON)


@app.get("/fhir/metadata")
def metadata() -> Response:
    return Response(_metadata, status=200, mimetype=FHIR_JSON)
