# Shortcuts for developers; the README's two commands need nothing but Python.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test format bench

$(PY):
	python3 -m venv $(VENV)

setup: $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"

run: setup
	$(PY) -m bot

test: setup
	$(PY) -m pytest

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench:
	$(PY) -m benchmarks.bench_lint
	$(PY) -m benchmarks.bench_engine
	$(PY) -m benchmarks.bench_scoring
	$(PY) -m benchmarks.bench_screen
	$(PY) -m benchmarks.bench_dispatch
	$(PY) -m benchmarks.bench_bot
	$(PY) -m benchmarks.bench_outbox
