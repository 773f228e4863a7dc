"""The package's folders are its layers, and imports go one way: a module imports only from its own layer or below.

common (paths, files, exact numbers, language) → method (the method as data, exact scoring) → inputs
(workbooks, validation, register) → results (rules, sources, cohort, national tables, store, export) → reports
(content, charts, HTML, PDF) → batch (run files, kernels, runner, Dask) → preview (the live preview server) → cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import smartcity_eval

PACKAGE = Path(smartcity_eval.__file__).parent
LAYERS = ["common", "method", "inputs", "results", "reports", "batch", "preview", "cli"]


def layer_of(module: str) -> int | None:
    """Index in LAYERS of ``smartcity_eval.<layer>...`` (None for the package itself)."""
    parts = module.split(".")
    if parts[0] != "smartcity_eval" or len(parts) < 2:
        return None
    return LAYERS.index(parts[1])


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append(("." * node.level + (node.module or ""), [a.name for a in node.names]))
    return found


def test_every_module_sits_in_a_layer():
    assert {module_name(p).split(".")[1] for p in modules()} <= set(LAYERS)


@pytest.mark.parametrize("path", modules(), ids=module_name)
def test_imports_go_down_the_layers(path):
    own = layer_of(module_name(path))
    upward = [m for m, _ in imports(path) if (layer_of(m) or 0) > own]
    assert upward == []


@pytest.mark.parametrize("path", modules(), ids=module_name)
def test_no_relative_imports(path):
    assert [m for m, _ in imports(path) if m.startswith(".")] == []


@pytest.mark.parametrize("path", modules(), ids=module_name)
def test_no_private_names_from_other_modules(path):
    private = [(m, n) for m, names in imports(path) for n in names if n.startswith("_") and not n.startswith("__")]
    assert private == []
