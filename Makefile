# faircollect: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install browser run test lint lock bench screenshots train-screener compile-lexicon clean

install: $(STAMP)

## install: the exact versions in requirements.lock, each checked against its hash, then
## faircollect itself (editable, no further dependencies); `pip check` fails if the lock
## is missing something pyproject.toml asks for (then run `make lock`).
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || (echo "requirements.lock is out of date: run make lock" && false)
	touch $(STAMP)

## lock: pin pyproject.toml's dependencies and the dev extra, with the hashes of every
## file PyPI has for each pinned version, in requirements.lock (uv comes with the dev extra;
## the first lock of a fresh clone installs it).
lock:
	@test -x $(BIN)/uv || ($(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv)
	$(BIN)/uv pip compile --quiet --generate-hashes --extra dev --universal \
	  --python-version 3.11 --custom-compile-command "make lock" \
	  pyproject.toml -o requirements.lock

## run: build a demo portfolio in ./faircollect.db if none, run tonight's job, show the day,
## then serve the workbench (its URL and the demo logins are printed; Ctrl-C stops it).
run: install
	$(BIN)/faircollect quickstart
	$(BIN)/faircollect serve

## browser: Debian's Chromium and a CJK font, for the browser tests and the screenshots, and
## poppler-utils, which the letter tests read PDFs back with. Installed with apt-get when
## missing (as root, like CI); without them those tests skip.
browser:
	@if command -v chromium >/dev/null && command -v pdftotext >/dev/null \
	  && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	else (apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk poppler-utils) \
	  || echo "chromium / poppler-utils not installed: the browser and letter tests will be skipped"; fi

## test: the whole suite (SQLite always, PostgreSQL too when 127.0.0.1:5432 answers).
## The sources are compiled first: many tests start `faircollect` or a bench script as a
## process, and where PYTHONDONTWRITEBYTECODE is set each would compile every module again.
test: install browser
	$(BIN)/python -m compileall -q src bench
	$(BIN)/python -m pytest -n 2

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## train-screener: retrain the screener's model from the labelled corpus (fixed seed, reproducible),
## and compile the lexicon (parsed YAML and pinyin, read at start-up instead of pypinyin).
train-screener: install
	$(BIN)/python -m faircollect.screening_training --out src/faircollect/data/screen/model.npz

## compile-lexicon: after editing lexicon.yaml, compile it again (no retraining).
compile-lexicon: install
	$(BIN)/python -m faircollect.screening_training --compile-lexicon

bench: install
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/screen_eval.py

## screenshots: the workbench's main pages as PNGs in docs/screenshots/ (from a demo database).
screenshots: install browser
	$(BIN)/python -m tests.browser.screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) faircollect.db
