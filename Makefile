# Quick start:  make demo   (local Label Studio with the seeds pre-annotated)
#               make test   (the whole test suite, as CI runs it)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint format bench bench-quality bench-speed bench-scale browser postgres clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian's chromium for the UI tests. Without it they are skipped - except under CI=true,
# where a missing chromium, Label Studio or ../shared fails the tests that need them.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "could not install chromium: browser tests will be skipped (failed under CI=true)"; \
	  else echo "chromium not installed and not root: browser tests will be skipped (failed under CI=true)"; fi; }

# Debian's PostgreSQL server for `annotate demo --postgres` and its test (same rules as chromium).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null \
	      || echo "could not install postgresql: its tests will be skipped (failed under CI=true)"; \
	  else echo "postgresql not installed and not root: its tests will be skipped (failed under CI=true)"; fi; }

demo: $(STAMP)
	$(BIN)/annotate demo

test: $(STAMP) browser postgres
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not studio and not browser"

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)

format: $(STAMP)
	$(BIN)/ruff format src tests $(wildcard benchmarks)

bench: bench-quality bench-speed bench-scale

bench-quality: $(STAMP)
	$(BIN)/python benchmarks/quality.py

bench-speed: $(STAMP)
	$(BIN)/python benchmarks/speed.py

# SPEC section 9 at 10,000 tasks: push into a local Label Studio, pull/validate, exports,
# agreement, and the ML backend's throughput. Each script prints its figures and targets.
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/push.py
	$(BIN)/python benchmarks/pull.py
	$(BIN)/python benchmarks/exports.py
	$(BIN)/python benchmarks/agreement.py
	$(BIN)/python benchmarks/backend.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
