# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup serve test test-sqlite test-postgres bench lint reset-password clean help

help:
	@echo "make run    - set up (venv, database, bank, demo accounts) and serve on http://$(HOST):$(PORT)"
	@echo "make test   - install what tests need and run the whole suite on SQLite and PostgreSQL"
	@echo "make bench  - run the benchmarks in bench/"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) bank import question_bank
	$(FLASK) users demo

run: setup
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

reset-password: $(VENV)/.installed
	$(FLASK) users reset-password $(EMAIL)

test: $(VENV)/.dev-installed
	bash scripts/system-deps.sh
	bash scripts/run-tests.sh

test-sqlite: $(VENV)/.dev-installed
	$(BIN)/pytest

bench: $(VENV)/.dev-installed
	bash bench/run.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check prep tests bench app.py

clean:
	rm -rf $(VENV) *.egg-info
