#!/bin/sh
# Container entry point. No arguments: apply the database migrations, then serve with gunicorn
# (WEB_CONCURRENCY sync workers, default 2; more options in GUNICORN_CMD_ARGS), logging to
# stdout/stderr. With arguments: run them instead, e.g. `docker run IMAGE fhir-p2p load /data/examples`
# or `docker compose run --rm app fhir-p2p init-db`.
set -eu

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

fhir-p2p init-db
exec gunicorn \
  --bind 0.0.0.0:8080 \
  --workers "${WEB_CONCURRENCY:-2}" \
  --worker-class sync \
  --access-logfile - \
  --error-logfile - \
  'fhir_p2p:create_app()'
