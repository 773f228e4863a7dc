"""Run files (``params/*.yaml``) and their check against a notebook's declared parameters.

A run file names the notebook, the year and stage, the regions and the output formats; every other key must
be a parameter the notebook declares (papermill's inspection), of the declared type. All problems are
reported together, and nothing runs, before any kernel starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from smartcity_eval.batch.notebooks import NOTEBOOKS, ROOT, notebooks_dir  # noqa: F401 - ROOT, notebooks_dir: here too
from smartcity_eval.common import i18n
from smartcity_eval.common.layout import DEFAULT_DATA_DIR, DEFAULT_OUTPUT_DIR, DataLayout

if TYPE_CHECKING:  # validation loads pandas and openpyxl: only a run that names an issuer file needs them
    from smartcity_eval.inputs.validation import Problem

FORMATS = ("ipynb", "html", "pdf")
#: keys of a run file that steer the runner rather than the notebook
RUNNER_KEYS = {"notebook", "regions", "formats", "workers", "force", "output_dir", "scheduler", "browser"}
#: notebook parameters the runner sets itself for each region
RUNNER_SET = {"region", "cohort_file", "inputs_file", "output_dir"}
TYPES = {"int": int, "str": str, "float": (int, float), "bool": bool, "list": list, "dict": dict}


class ParamsError(ValueError):
    """A run file or set of parameters is wrong; ``problems`` lists every problem (messages of the ``params``
    section, or an issuer file's located problems). ``str()`` is Indonesian; :meth:`message` gives any language."""

    def __init__(self, source: str, problems: list[i18n.Message | Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.message())

    def message(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Every problem, one per line, in ``lang``."""
        lines = [p.text(lang) if isinstance(p, i18n.Message) else p.format(lang) for p in self.problems]
        return f"{self.source}:\n" + "\n".join(f"  - {line}" for line in lines)


def notebook_path(name: str) -> Path:
    """Path of a named notebook (``region_report`` or ``overview``)."""
    if name not in NOTEBOOKS:
        raise ParamsError(
            "notebook", [i18n.Message("params.bad_notebook", value=repr(name), choices=", ".join(NOTEBOOKS))]
        )
    return notebooks_dir() / NOTEBOOKS[name]


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The notebook's parameters cell as papermill inspects it: name -> {inferred_type_name, default, help}."""
    import papermill

    return papermill.inspect_notebook(str(path))


def check_parameters(values: dict[str, Any], declared: dict[str, dict[str, Any]]) -> list[i18n.Message]:
    """Problems with ``values`` against ``declared``: unknown names, wrong types (missing ones keep defaults)."""
    problems = []
    for name, value in values.items():
        if name not in declared:
            problems.append(i18n.Message("params.unknown", name=name, declared=", ".join(declared)))
            continue
        type_name = declared[name].get("inferred_type_name", "None")
        expected = TYPES.get(type_name)
        if expected is None:
            continue
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            problems.append(i18n.Message("params.bad_type", name=name, value=repr(value), expected=type_name))
    return problems


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


def _check_runner_keys(data: dict[str, Any], problems: list[i18n.Message]) -> None:
    regions = data.get("regions", "all")
    if regions != "all" and not (isinstance(regions, list) and all(isinstance(r, str) for r in regions)):
        problems.append(i18n.Message("params.bad_regions", value=repr(regions)))
    formats = data.get("formats", list(FORMATS))
    if not isinstance(formats, list) or not set(formats) <= set(FORMATS) or not formats:
        problems.append(i18n.Message("params.bad_formats", value=repr(formats), choices=", ".join(FORMATS)))
    workers = data.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        problems.append(i18n.Message("params.bad_workers", value=repr(workers)))
    if "force" in data and not isinstance(data["force"], bool):
        problems.append(i18n.Message("params.bad_force", value=repr(data["force"])))


def build_spec(data: dict[str, Any], source: str, base_dir: Path | None = None) -> RunSpec:
    """Check a run mapping against the notebook and build the :class:`RunSpec`; raises :class:`ParamsError`.

    Relative paths in it are relative to ``base_dir`` (default: the current folder, never the package's).
    """
    base_dir = Path.cwd() if base_dir is None else base_dir
    problems: list[i18n.Message | Problem] = []
    notebook = data.get("notebook", "region_report")
    if notebook not in NOTEBOOKS:
        raise ParamsError(
            source, [i18n.Message("params.bad_notebook", value=repr(notebook), choices=", ".join(NOTEBOOKS))]
        )
    declared = declared_parameters(notebook_path(notebook))
    for key in ("year", "stage"):
        if key not in data:
            problems.append(i18n.Message("params.missing", name=key))
    _check_runner_keys(data, problems)
    nb_values = {k: v for k, v in data.items() if k not in RUNNER_KEYS}
    for key in sorted(set(nb_values) & RUNNER_SET):
        problems.append(i18n.Message("params.runner_set", name=key))
    problems += check_parameters({k: v for k, v in nb_values.items() if k not in RUNNER_SET}, declared)
    if isinstance(data.get("lang", "id"), str) and data.get("lang", "id") not in ("id", "en"):
        problems.append(i18n.Message("params.bad_lang", value=repr(data.get("lang"))))
    if data.get("stage") not in (None, 1, 2):
        problems.append(i18n.Message("params.bad_stage", value=repr(data.get("stage"))))
    if isinstance(nb_values.get("issuer_file"), str) and nb_values["issuer_file"]:
        nb_values["issuer_file"] = str((base_dir / nb_values["issuer_file"]).resolve())
        from smartcity_eval.inputs.issuer import read_issuer

        problems += read_issuer(nb_values["issuer_file"])[1]
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
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        raise ParamsError(str(path), [i18n.Message("params.unreadable", detail=detail)]) from exc
    if not isinstance(data, dict):
        raise ParamsError(str(path), [i18n.Message("params.not_mapping")])
    return build_spec(data, str(path))


def check_inputs(spec: RunSpec) -> None:
    """Refuse a batch with nothing to do, before anything is written: a data folder that does not exist, a year
    without a method file, a region report with no workbook for the year and stage. Raises :class:`ParamsError`."""
    from smartcity_eval.common.layout import DataLayout
    from smartcity_eval.method import methodology as mth

    problems: list[i18n.Message | Problem] = []
    if spec.year not in mth.years():
        years = ", ".join(map(str, mth.years()))
        problems.append(i18n.Message("params.no_method", year=spec.year, years=years))
    if not spec.data_dir.is_dir():
        problems.append(i18n.Message("params.no_data_dir", path=str(spec.data_dir)))
    elif spec.notebook == "region_report" and not DataLayout(spec.data_dir).workbooks(spec.year, spec.stage):
        folder = DataLayout(spec.data_dir).workbook_dir(spec.year, spec.stage)
        problems.append(i18n.Message("params.no_workbooks", folder=str(folder)))
    if problems:
        raise ParamsError(str(spec.data_dir), problems)
