"""One region's report rendered again and again while its workbook is edited.

Each render is a batch of that one region (:func:`smartcity_eval.batch.plan.plan`, then
:func:`smartcity_eval.batch.execute.execute`) in the preview's own output folder, a temporary one: the workbook
checked and scored, the cohort taken from the last one (seeded from the last batch's ``cohort.csv``, so only the
edited workbook is scored again), the notebook executed in a warm kernel of this thread's pool (a zygote with the
report modules imported, one kernel started ahead) and exported to HTML. What went wrong is kept as located
problems (:class:`Rendered`); the page keeps the last good report.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from smartcity_eval.batch.execute import execute
from smartcity_eval.batch.params import RunSpec
from smartcity_eval.batch.plan import Plan, batch_folder, plan
from smartcity_eval.common import i18n
from smartcity_eval.common.layout import OutputLayout
from smartcity_eval.results.cohort import keys_path

#: what went wrong: the workbook (its problems), the report's notebook, or anything else
INVALID, NOTEBOOK, RUNNER = "invalid", "notebook", "runner"


@dataclass(frozen=True)
class Target:
    """What a preview shows: one region's report of a year and stage, from ``data_dir``, in ``lang``; the last
    batch's cohort is read from ``output_dir``."""

    data_dir: Path
    output_dir: Path
    year: int
    stage: int
    region: str
    lang: str = i18n.DEFAULT_LANG
    previous: str = "auto"

    def spec(self, output_dir: Path) -> RunSpec:
        """The one-region batch of a render, into ``output_dir``, always rendered (never "unchanged, skip")."""
        return RunSpec(
            year=self.year,
            stage=self.stage,
            regions=[self.region],
            data_dir=self.data_dir,
            output_dir=output_dir,
            lang=self.lang,
            previous=self.previous,
            formats=("html",),
            force=True,
        )


@dataclass(frozen=True)
class Rendered:
    """One render: the report's HTML, or what went wrong (``problems``, each located, and their ``kind``); the
    region's name and the PDF's running header; seconds taken."""

    html: str = ""
    problems: tuple[str, ...] = ()
    kind: str = ""
    name: str = ""
    header: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


class Renderer:
    """Renders a :class:`Target` into ``workdir``. Call every method from one thread: its kernel pool is that
    thread's."""

    def __init__(self, target: Target, workdir: Path) -> None:
        self.target, self.workdir = target, workdir
        seed_cohort(target, workdir)

    def render(self) -> Rendered:
        """Check, score and render the region once; never raises."""
        start = time.perf_counter()
        try:
            planned = plan(self.target.spec(self.workdir), None)
        except Exception as exc:  # a published table, an earlier workbook or the method that cannot be read
            return Rendered(problems=(_message(exc, self.target.lang),), kind=RUNNER)
        try:
            return _finish(self.report(planned), time.perf_counter() - start)
        finally:
            shutil.rmtree(planned.folder / ".staging", ignore_errors=True)

    def report(self, planned: Plan) -> Rendered:
        """The planned report executed and exported, or the workbook's problems."""
        if not planned.reports:
            return Rendered(problems=tuple(planned.known[0].error.splitlines()), kind=INVALID)
        report = planned.reports[0]
        outcome = execute(report.task)
        if outcome.error or outcome.html is None:
            kind = NOTEBOOK if outcome.error_kind == NOTEBOOK else RUNNER
            return Rendered(problems=(outcome.error,), kind=kind, name=report.name)
        return Rendered(html=outcome.html.read_text(encoding="utf-8"), name=report.name, header=report.header)


def _finish(rendered: Rendered, seconds: float) -> Rendered:
    return Rendered(rendered.html, rendered.problems, rendered.kind, rendered.name, rendered.header, seconds)


def _message(exc: Exception, lang: str) -> str:
    if isinstance(exc, i18n.LocalizedError):
        return exc.message(lang)
    return f"{type(exc).__name__}: {exc}"


def seed_cohort(target: Target, workdir: Path) -> None:
    """Copy the last batch's ``cohort.csv`` and its row keys into the preview's own batch folder: the rows of the
    workbooks that did not change are taken from there."""
    source = OutputLayout(target.output_dir).cohort_csv(target.year, target.stage)
    folder = batch_folder(target.spec(workdir))
    for path in (source, keys_path(source)):
        if path.is_file():
            shutil.copyfile(path, folder / path.name)
