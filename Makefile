# fhir-p2p developer tasks. Everything runs from the virtualenv .venv in this folder.
#   make run     SQLite in instance/ (or FHIR_P2P_DATABASE_URL), examples loaded, http://127.0.0.1:8080/fhir,
#                dev mode: --no-auth, loopback only (docs/security.md)
#   make test    the whole suite on 2 xdist workers; PYTEST_ARGS='-k x' narrows it, PYTEST_WORKERS=0 runs serially
#   make lint    ruff + mypy          make bench    benchmarks          make clean / distclean
#   make profiles  rebuild profiles/*.json from profiles/fsh with SUSHI (Node + npm; see profiles/README.md)

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
JUNIT := build/test-results/junit.xml

.DEFAULT_GOAL := help
.PHONY: help venv run test lint bench profiles clean distclean

help:
	@sed -n 's/^#   /  /p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Re-installs when pyproject.toml changes. A venv without pip (made when python3-venv was missing) is redone.
$(STAMP): pyproject.toml
	@test -x $(BIN)/pip || $(PY) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	@mkdir -p instance
	$(BIN)/fhir-p2p init-db
	$(BIN)/fhir-p2p load examples/
	exec $(BIN)/fhir-p2p run --no-auth --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected nothing; a run where nothing passed (all skipped/deselected) is
# an error too: a green `make test` must mean tests ran. The count comes from the JUnit XML.
define COUNT_PASSED
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
n = lambda key: sum(int(s.get(key, 0)) for s in suites)
passed = n("tests") - n("failures") - n("errors") - n("skipped")
print(f"make test: {passed} passed, {n('skipped')} skipped ({sys.argv[1]})")
sys.exit(0 if passed > 0 else 1)
endef
export COUNT_PASSED

test: $(STAMP)
	@mkdir -p $(dir $(JUNIT)) && rm -f $(JUNIT)
	@status=0; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider --junitxml=$(JUNIT) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "make test: ERROR: pytest collected no tests (exit 5); check testpaths and PYTEST_ARGS" >&2; exit 1; \
	elif [ $$status -ne 0 ]; then \
	  echo "make test: FAILED (pytest exit $$status)" >&2; exit $$status; \
	fi; \
	$(BIN)/python -c "$$COUNT_PASSED" $(JUNIT) || { echo "make test: ERROR: no test passed" >&2; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The JSON in profiles/ is committed; this regenerates it (`bash profiles/build.sh --check` verifies it).
profiles:
	bash profiles/build.sh

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Also the venv, the oracles' and the profile build's caches and the dev database in instance/.
distclean: clean
	rm -rf $(VENV) .fhir-oracle .x12-oracle .profiles-build instance
