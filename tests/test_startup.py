"""What a fresh process imports at start-up: module facts, never times (benchmarks/bench_startup.py measures those)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from dataclasses import dataclass

import pytest

from conftest import ROOT, SAMPLE
from smartcity_eval.cli import MODULE_COMMANDS, build_parser

# Builds 38 Lark grammars when imported (about 2 s); jsonschema >= 4.25 imports it whenever it is installed.
SLOW_TO_IMPORT = "rfc3987_syntax"
WHY_NOT = f"""{SLOW_TO_IMPORT} was imported, through: {{chain}}.
It builds 38 Lark grammars at import time (about 2 s) in every process that imports nbformat or papermill: the
command line, every worker, the papermill CLI. jsonschema >= 4.25 imports it whenever it is installed, and the
format-nongpl extra that jupyter-events requires installs it. pyproject.toml caps jsonschema below 4.25 for this
reason: keep the cap (and environment.yml in step), then `.venv/bin/pip install -e '.[test]'` and
`.venv/bin/pip uninstall rfc3987-syntax lark`. Lift the cap only for a jsonschema that imports it lazily."""

# What the command list and the light commands must not pay for: the batch, the reports, the store, the browser.
HEAVY = ("pandas", "numpy", "openpyxl", "duckdb", "lokal", "papermill", "nbformat", "nbclient", "jsonschema")
HEAVY += ("matplotlib", "playwright", "dask", "distributed")
MACHINERY = ("duckdb", "papermill", "nbformat", "nbclient", "jsonschema", "matplotlib", "playwright", "dask")

WORKBOOK = SAMPLE / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"
RUN_FILE_CHECK = (
    "from pathlib import Path; from smartcity_eval.batch.params import load_run_file; "
    "load_run_file(Path('params/2024-tahap-2.yaml'))"
)
MAIN = "from smartcity_eval.cli import main; raise SystemExit(main({argv!r}))"


@dataclass
class Imports:
    """The modules a fresh process ended with, and ``-X importtime``'s report of how they were imported."""

    modules: set[str]
    importtime: list[tuple[int, str]]  # (nesting depth, module), children before their importer

    def packages(self) -> set[str]:
        return {name.partition(".")[0] for name in self.modules}

    def chain(self, module: str) -> str:
        """Who imported ``module``: the importers from the top-level import down, joined by arrows."""
        index = next(i for i, (_, name) in enumerate(self.importtime) if name == module)
        depth, chain = self.importtime[index][0], [module]
        for level, name in self.importtime[index + 1 :]:
            if level < depth:
                depth = level
                chain.insert(0, name)
        return " -> ".join(chain)


def imports_of(code: str) -> Imports:
    """Run ``code`` in a fresh ``python -X importtime`` in the repository folder; what it imported."""
    done = "import sys; print('\\n'.join(sys.modules), file=sys.stderr)"
    wrapped = f"try:\n    {code}\nfinally:\n    {done}"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", wrapped], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    timed, modules = [], set()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:"):
            modules.add(line)
        elif not line.endswith("imported package"):
            name = line.rsplit("|", 1)[1]
            timed.append(((len(name) - len(name.lstrip())) // 2, name.strip()))
    return Imports(modules, timed)


def test_the_import_chain_is_read_from_importtime():
    assert imports_of("import json").chain("json.decoder") == "json -> json.decoder"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import smartcity_eval.cli", id="command line"),
        pytest.param(RUN_FILE_CHECK, id="run-file check"),
        pytest.param("import nbformat", id="nbformat"),
        pytest.param("import papermill", id="worker and papermill CLI"),
    ],
)
def test_no_process_imports_the_slow_iri_grammars(code):
    found = imports_of(code)
    assert SLOW_TO_IMPORT not in found.modules, WHY_NOT.format(chain=found.chain(SLOW_TO_IMPORT))


def test_the_command_line_reads_no_package_metadata_until_the_version_is_asked_for():
    assert "importlib.metadata" not in imports_of("import smartcity_eval.cli").modules


def test_version_prints_the_installed_version():
    proc = subprocess.run(
        [sys.executable, "-c", MAIN.format(argv=["--version"])], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.stdout == f"smartcity-eval {importlib.metadata.version('smartcity-eval')}\n"


def test_help_imports_none_of_the_heavy_libraries():
    assert imports_of(MAIN.format(argv=["--help"])).packages() & set(HEAVY) == set()


@pytest.mark.parametrize("command", ["validate", "score"])
def test_validate_and_score_start_none_of_the_batch_machinery(command):
    packages = imports_of(MAIN.format(argv=[command, str(WORKBOOK)])).packages()
    assert packages & set(MACHINERY) == set()


@pytest.mark.parametrize("command", list(MODULE_COMMANDS))
def test_the_command_list_is_the_same_with_the_commands_module_loaded(command):
    assert build_parser([command]).format_help() == build_parser([]).format_help()


def test_a_module_command_is_parsed_by_its_modules_parser():
    args = build_parser(["register", "13.74"]).parse_args(["register", "13.74"])
    assert args.query == ["13.74"]
