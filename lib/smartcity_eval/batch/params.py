"""Run files (``params/*.yaml``) and their check against a notebook's declared parameters.

A run file names the notebook, the year and stage, the regions and the output formats; every other key must
be a parameter the notebook declares (papermill's inspection), of the declared type. All problems are
reported together, and nothing runs, before any kernel starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smartcity_eval.common.layout import DEFAULT_DATA_DIR, DEFAULT_OUTPUT_DIR, DataLayout

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = {"region_report": "region_report.ipynb", "overview": "overview.ipynb"}
FORMATS = ("ipynb", "html", "pdf")
#: keys of a run file that steer the runner rather than the notebook
RUNNER_KEYS = {"notebook", "regions", "formats", "workers", "force", "output_dir", "scheduler", "browser"}
#: notebook parameters the runner sets itself for each region
RUNNER_SET = {"region", "cohort_file", "inputs_file", "output_dir"}
TYPES = {"int": int, "str": str, "float": (int, float), "bool": bool, "list": list, "dict": dict}


class ParamsError(ValueError):
    """A run file or set of parameters is wrong; ``problems`` lists every problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}:\n" + "\n".join(f"  - {p}" for p in problems))


def notebooks_dir() -> Path:
    """Where the report notebooks live (``SMARTCITY_EVAL_NOTEBOOKS`` or the repository's ``notebooks/``)."""
    return Path(os.environ.get("SMARTCITY_EVAL_NOTEBOOKS", ROOT / "notebooks"))


def notebook_path(name: str) -> Path:
    """Path of a named notebook (``region_report`` or ``overview``)."""
    if name not in NOTEBOOKS:
        raise ParamsError("notebook", [f"unknown notebook {name!r}; expected one of {', '.join(NOTEBOOKS)}"])
    return notebooks_dir() / NOTEBOOKS[name]


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The notebook's parameters cell as papermill inspects it: name -> {inferred_type_name, default, help}."""
    import papermill

    return papermill.inspect_notebook(str(path))


def check_parameters(values: dict[str, Any], declared: dict[str, dict[str, Any]]) -> list[str]:
    """Problems with ``values`` against ``declared``: unknown names, wrong types (missing ones keep defaults)."""
    problems = []
    for name, value in values.items():
        if name not in declared:
            problems.append(f"unknown parameter '{name}' (the notebook declares: {', '.join(declared)})")
            continue
        type_name = declared[name].get("inferred_type_name", "None")
        expected = TYPES.get(type_name)
        if expected is None:
            continue
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            problems.append(f"parameter '{name}' is {value!r} ({type(value).__name__}); expected {type_name}")
    return problems


def issuer_problems(path: str, lang: str) -> list[str]:
    """Every problem of the issuer file a run names, located, in the run's language."""
    from smartcity_eval.inputs.issuer import read_issuer

    return [p.format(lang if lang in ("id", "en") else "id") for p in read_issuer(path)[1]]


@dataclass
class RunSpec:
    """One batch: which notebook, for which regions, with which parameters and outputs."""

    year: int
    stage: int
    notebook: str = "region_report"
    regions: list[str] | None = None
    data_dir: Path = field(default_factory=lambda: DEFAULT_DATA_DIR.resolve())
    output_dir: Path = field(default_factory=lambda: DEFAULT_OUTPUT_DIR.resolve())
    lang: str = "id"
    previous: str = "auto"
    formats: tuple[str, ...] = FORMATS
    workers: int | None = None
    force: bool = False
    scheduler: str | None = None
    browser: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def notebook_parameters(self) -> dict[str, Any]:
        """Parameters common to every region of the batch."""
        base = {"year": self.year, "stage": self.stage, "data_dir": str(self.data_dir), "lang": self.lang}
        if self.notebook == "region_report":
            base["previous"] = self.previous
        return {**base, **self.extra}


def wanted(spec: RunSpec) -> list[str]:
    """The region slugs a batch asks for (every workbook of the year and stage unless listed)."""
    if spec.regions is not None:
        return list(spec.regions)
    return DataLayout(spec.data_dir).regions(spec.year, spec.stage)


def _check_runner_keys(data: dict[str, Any], problems: list[str]) -> None:
    regions = data.get("regions", "all")
    if regions != "all" and not (isinstance(regions, list) and all(isinstance(r, str) for r in regions)):
        problems.append(f"'regions' is {regions!r}; expected 'all' or a list of region slugs")
    formats = data.get("formats", list(FORMATS))
    if not isinstance(formats, list) or not set(formats) <= set(FORMATS) or not formats:
        problems.append(f"'formats' is {formats!r}; expected a list drawn from {list(FORMATS)}")
    workers = data.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        problems.append(f"'workers' is {workers!r}; expected a whole number >= 1")
    if "force" in data and not isinstance(data["force"], bool):
        problems.append(f"'force' is {data['force']!r}; expected true or false")


def build_spec(data: dict[str, Any], source: str, base_dir: Path | None = None) -> RunSpec:
    """Check a run mapping against the notebook and build the :class:`RunSpec`; raises :class:`ParamsError`.

    Relative paths in it are relative to ``base_dir`` (default: the current folder, never the package's).
    """
    base_dir = Path.cwd() if base_dir is None else base_dir
    problems: list[str] = []
    notebook = data.get("notebook", "region_report")
    if notebook not in NOTEBOOKS:
        raise ParamsError(source, [f"'notebook' is {notebook!r}; expected one of {', '.join(NOTEBOOKS)}"])
    declared = declared_parameters(notebook_path(notebook))
    for key in ("year", "stage"):
        if key not in data:
            problems.append(f"missing parameter '{key}'")
    _check_runner_keys(data, problems)
    nb_values = {k: v for k, v in data.items() if k not in RUNNER_KEYS}
    for key in sorted(set(nb_values) & RUNNER_SET):
        problems.append(f"parameter '{key}' is set by the runner for each region; remove it")
    problems += check_parameters({k: v for k, v in nb_values.items() if k not in RUNNER_SET}, declared)
    if isinstance(data.get("lang", "id"), str) and data.get("lang", "id") not in ("id", "en"):
        problems.append(f"parameter 'lang' is {data.get('lang')!r}; expected 'id' or 'en'")
    if data.get("stage") not in (None, 1, 2):
        problems.append(f"parameter 'stage' is {data.get('stage')!r}; expected 1 or 2")
    if isinstance(nb_values.get("issuer_file"), str) and nb_values["issuer_file"]:
        nb_values["issuer_file"] = str((base_dir / nb_values["issuer_file"]).resolve())
        problems += issuer_problems(nb_values["issuer_file"], data.get("lang", "id"))
    if problems:
        raise ParamsError(source, problems)
    regions = data.get("regions", "all")
    extra = {
        k: v for k, v in nb_values.items() if k not in {"year", "stage", "data_dir", "lang", "previous"} | RUNNER_SET
    }
    return RunSpec(
        year=data["year"],
        stage=data["stage"],
        notebook=notebook,
        regions=None if regions == "all" else list(regions),
        data_dir=(base_dir / data.get("data_dir", str(DEFAULT_DATA_DIR))).resolve(),
        output_dir=(base_dir / data.get("output_dir", str(DEFAULT_OUTPUT_DIR))).resolve(),
        lang=data.get("lang", "id"),
        previous=data.get("previous", "auto"),
        formats=tuple(data.get("formats", FORMATS)),
        workers=data.get("workers"),
        force=data.get("force", False),
        scheduler=data.get("scheduler"),
        browser=data.get("browser"),
        extra=extra,
    )


def load_run_file(path: Path) -> RunSpec:
    """Read and check a run file; relative paths in it are relative to the current folder."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParamsError(str(path), [f"cannot read the run file: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ParamsError(str(path), ["expected a mapping of parameter names to values"])
    return build_spec(data, str(path))
