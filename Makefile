# smartcity-eval — everything on a fresh machine: `make demo`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg

.PHONY: demo test lint browser scores sample-data notebooks lab clean help

help:
	@echo "make demo   - set up .venv (and Chromium) and render the sample reports into outputs/"
	@echo "make test   - set up .venv and run lint, the test suite and nbval on the notebooks"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

browser: $(STAMP)
	@PYTHON=$(PY) bash scripts/install-browser.sh

scores: $(STAMP)
	@for f in $$(find data/sample -name '*.xlsx' | sort); do \
	  $(BIN)/smartcity-eval score "$$f" || exit 1; echo; \
	done

demo: $(STAMP) browser scores

test: $(STAMP)
	$(BIN)/ruff check lib tests scripts benchmarks
	$(BIN)/pytest -q

sample-data: $(STAMP)
	$(PY) scripts/make_sample_data.py

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf outputs/*/ outputs/*.duckdb .pytest_cache
