# Two set-up commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian packages the browser tests and the benchmark need; installed when we may, named when not.
system-deps:
	@bash scripts/system-deps.sh

run: install
	@mkdir -p instance
	$(BIN)/flask --app app:create_app db upgrade
	$(BIN)/flask --app app:create_app seed-demo --if-empty
	$(BIN)/flask --app app:create_app dev

test: install system-deps
	@bash scripts/test.sh

bench: install
	WITH_BENCH_DEPS=1 bash scripts/system-deps.sh
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) instance/*.sqlite3 tests/artifacts
