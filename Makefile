# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
# Everything lands in .venv/ (the tools) and var/ (the database and the secret key).

VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000
# The first interpreter that is Python 3.11 or newer; override with `make PYTHON=/path/python3`.
PYTHON  ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
             && { command -v $$p; break; }; done)

.PHONY: install run test lint fmt typecheck clean help

help:
	@echo "make run     install, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    install, lint, type-check, run the whole test suite"
	@echo "make install create .venv and install ccsim (only when pyproject.toml changed)"
	@echo "make lint | make fmt | make typecheck | make clean"

install: $(STAMP)

# Re-install only when pyproject.toml is newer than the stamp: `make install` is idempotent
# and costs nothing the second time.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
	  if [ -z "$(PYTHON)" ]; then echo "error: Python 3.11+ not found; install python3 (>= 3.11) or run make PYTHON=/path/to/python3.11" >&2; exit 1; fi; \
	  echo "creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv $(VENV) || { echo "error: cannot create a venv; on Debian: apt-get install python3-venv" >&2; exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,redis]'
	@touch $(STAMP)

run: install
	$(BIN)/ccsim db upgrade
	$(BIN)/ccsim demo
	@echo "ccsim: open http://$(HOST):$(PORT) (Ctrl+C stops the server)"
	$(BIN)/ccsim serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy scoring simulator app

test: lint typecheck
	$(BIN)/pytest

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
