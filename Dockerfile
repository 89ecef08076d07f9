# syntax=docker/dockerfile:1
# fhir-p2p server image: slim Python, non-root, gunicorn (sync workers), logs to stdout.
#   docker build -t fhir-p2p .
#   docker run -p 8080:8080 -v fhir-p2p-data:/data fhir-p2p      # SQLite in /data
#   docker compose up --build                                      # with PostgreSQL (compose.yaml)
# Entry point: docker/entrypoint.sh (init-db, then gunicorn; or the command given).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so that a code change does not reinstall them.
COPY pyproject.toml /tmp/src/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/src/pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt

# Then the package and its data. .dockerignore lets in only pyproject.toml, README.md, LICENSE,
# fhir_p2p/, profiles/ and docker/, so this works whether profiles/ exists yet or not.
COPY . /tmp/src
WORKDIR /tmp/src
RUN { [ -f README.md ] || : > README.md; } \
 && pip install --no-deps . \
 && mkdir -p /app/profiles \
 && if [ -d profiles ]; then cp -r profiles/. /app/profiles/; fi \
 && install -m 0755 docker/entrypoint.sh /usr/local/bin/fhir-p2p-entrypoint \
 && mkdir -p /data /usr/local/var \
 && chown app:app /data /usr/local/var \
 && rm -rf /tmp/src /tmp/requirements.txt
WORKDIR /app

# Without a PostgreSQL URL the server uses SQLite; keep it in /data (mount a volume there), not in
# the package's instance folder. /usr/local/var is writable too, for Flask's instance folder.
ENV FHIR_P2P_DATABASE_URL=sqlite:////data/fhir-p2p.sqlite3 \
    FHIR_P2P_PROFILES_DIR=/app/profiles \
    WEB_CONCURRENCY=2

USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/fhir/metadata', timeout=4)"]
ENTRYPOINT ["fhir-p2p-entrypoint"]
