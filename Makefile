VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test lint format typecheck bench

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

setup: $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"

run: setup
	$(PY) -m bot

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy scripts scoring bot
	$(PY) -m pytest

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck:
	$(PY) -m mypy scripts scoring bot

bench:
	$(PY) -m benchmarks
