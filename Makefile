# smartcity-eval — everything on a fresh machine: `make demo`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg

.PHONY: demo test lint browser scores panel reports sample-data notebooks lab dashboard clean help venv

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

# the assessor panel of the sample (Kota Padang Panjang 2024 Tahap II): merge the five assessors' own workbooks,
# show the merged panel's agreement and disputes and write its moderation copy, then the sample panel workbook, where
# one of the two disputes is moderated; `reports` renders its report with the panel's appendix
PANEL_INPUTS := data/sample/assessors/2024/tahap-2/kota-padang-panjang
PANEL_OUT := outputs/panel/2024/tahap-2
panel: $(STAMP)
	$(BIN)/smartcity-eval merge $(PANEL_INPUTS)/A*.xlsx -o $(PANEL_OUT)/kota-padang-panjang.xlsx
	@echo
	$(BIN)/smartcity-eval moderate $(PANEL_OUT)/kota-padang-panjang.xlsx -o $(PANEL_OUT)/kota-padang-panjang-moderasi.xlsx
	@echo
	$(BIN)/smartcity-eval moderate data/sample/2024/tahap-2/kota-padang-panjang.xlsx
	@echo

reports: $(STAMP) browser
	$(BIN)/smartcity-eval run params/2023-tahap-2.yaml --no-progress
	$(BIN)/smartcity-eval run params/2024-tahap-2.yaml --no-progress
	$(BIN)/smartcity-eval run params/2024-tahap-1.yaml --no-progress
	$(BIN)/smartcity-eval ingest data/sample
	$(BIN)/smartcity-eval run params/2023-overview.yaml --no-progress
	@echo; echo "Reports (PDF and HTML):"; find outputs -name 'report.pdf' | sort | sed 's/^/  /'
	@echo "The assessor panel: appendix E of outputs/2024/tahap-2/kota-padang-panjang/report.pdf"
	@echo "Evaluation store: outputs/smartcity.duckdb (explore it in notebooks/explore.ipynb: make lab, or make dashboard)"

demo: $(STAMP) browser scores panel reports

NBVAL := $(BIN)/pytest -q -p no:cacheprovider --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg

test: $(STAMP) browser
	$(BIN)/ruff check lib tests scripts benchmarks
	$(BIN)/ruff format --check lib tests scripts benchmarks
	$(BIN)/pytest -q
	$(NBVAL)

# re-execute the committed notebooks with their default parameters (the outputs nbval compares against)
notebooks: $(STAMP)
	cd notebooks && for nb in *.ipynb; do ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace "$$nb" || exit 1; done

sample-data: $(STAMP)
	$(PY) scripts/make_sample_data.py

# JupyterLab on the notebooks folder; --allow-root only when run as root (as `make demo` may be)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $$([ "$$(id -u)" -eq 0 ] && echo --allow-root)

# explore.ipynb without code for people who do not code (Voilà), on http://127.0.0.1:8866
dashboard: $(STAMP)
	$(BIN)/smartcity-eval dashboard

clean:
	rm -rf outputs/*/ outputs/*.duckdb .pytest_cache
