# faircollect: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test lint bench train-screener clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: build a demo portfolio in ./faircollect.db if none, run tonight's job and show the day.
run: install
	$(BIN)/faircollect quickstart

## test: the whole suite (SQLite always, PostgreSQL too when 127.0.0.1:5432 answers).
test: install
	$(BIN)/python -m pytest -n 2

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## train-screener: retrain the screener's model from the labelled corpus (fixed seed, reproducible).
train-screener: install
	$(BIN)/python -m faircollect.screening_training --out src/faircollect/data/screen/model.npz

bench: install
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/screen_eval.py

clean:
	rm -rf $(VENV) faircollect.db
