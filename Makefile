# Two commands for a fresh clone: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo.db

.PHONY: run test lint bench demo clean docs-preview bundle

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

$(DEMO_DB): | $(VENV)/.installed
	$(BIN)/zhibu demo --db $(DEMO_DB)

run: $(VENV)/.installed $(DEMO_DB)
	$(BIN)/zhibu --db $(DEMO_DB)

# Many tests wait on ptys and subprocesses, so workers overlap well even on 2 cores;
# loadgroup keeps each xdist_group (tests sharing a resource) on one worker.
PYTEST_WORKERS ?= 3

# Tests marked both_engines also run on PostgreSQL: a throwaway cluster from the
# installed server (tests/pg_cluster.py), or ZHIBU_TEST_PG_URL when set.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	@url="$$($(BIN)/python -m tests.pg_cluster up)"; \
	ZHIBU_TEST_PG_URL="$$url" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup; \
	rc=$$?; [ -n "$$ZHIBU_TEST_PG_URL" ] || $(BIN)/python -m tests.pg_cluster down; exit $$rc

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

# PNG pages of one document of every kind (LibreOffice + poppler-utils), for a
# person to look at: docs-preview/*.png.
docs-preview: $(VENV)/.installed-test
	$(BIN)/python -m tests.docs_render docs-preview

# The offline bundle for site servers (docs/OFFLINE.md): dist/zhibu-offline-<version>/
# and its .tar.gz, for linux x86_64 and aarch64, CPython 3.11-3.13. Downloaded
# wheels are cached in ~/.cache/zhibu-bundle. BUNDLE_ARGS=--current: this machine only.
BUNDLE_ARGS ?=

bundle: | $(BIN)/python
	$(BIN)/python offline/build.py --out dist $(BUNDLE_ARGS)

demo: $(VENV)/.installed
	$(BIN)/zhibu demo --db $(DEMO_DB) --force

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm dist
