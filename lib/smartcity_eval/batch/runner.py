"""The batch runner: one papermill execution per region, in parallel, with atomic outputs and a manifest.

First the workers validate and score every region's workbook (in parallel) and keep what each report needs
in its staging folder; the main process builds the cohort from the scores (:mod:`~smartcity_eval.batch.plan`).
Then per region, in a worker process: execute the notebook into the staging folder in a fresh warm kernel of its
own, retried once when the kernel fails, and export HTML (:mod:`~smartcity_eval.batch.execute`). In the main
process, as results arrive: print the PDF (:mod:`~smartcity_eval.batch.printing`, overlapping execution), write
the manifest, and move the files into ``outputs/<year>/tahap-<stage>/<region>/``
(:mod:`~smartcity_eval.batch.commit`). A failing region leaves no half-written report; its executed notebook
goes to ``_errors/``. Regions whose inputs, notebook and software are unchanged since their last good report
are skipped unless ``force``. This module runs those parts and writes ``run-summary.json``.

A run of one report starts no more than it needs (:func:`machinery`): its workbook is checked in this process, its
notebook runs in a thread of this process whose one kernel boots (the ordinary way, no zygote, no spare) while the
plan is made (:mod:`~smartcity_eval.batch.single`), and its browser starts while the notebook runs.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from smartcity_eval import __version__
from smartcity_eval.batch import kernels
from smartcity_eval.batch.commit import finish
from smartcity_eval.batch.execute import execute
from smartcity_eval.batch.params import RunSpec, notebook_path, wanted
from smartcity_eval.batch.printing import PRINT_THREADS, PrintPool
from smartcity_eval.batch.records import (
    FAILED,
    INVALID,
    OK,
    SKIPPED,
    BatchResult,
    Outcome,
    Printed,
    RegionResult,
    ReportPlan,
)
from smartcity_eval.batch.report_kernel import REPORT_KERNEL
from smartcity_eval.batch.single import OneNotebook
from smartcity_eval.batch.text import TEXT
from smartcity_eval.common import i18n
from smartcity_eval.common.tables import write_text_atomic

if TYPE_CHECKING:
    from smartcity_eval.batch.plan import Plan

__all__ = [
    "FAILED",
    "INVALID",
    "OK",
    "SKIPPED",
    "TEXT",
    "BatchResult",
    "RegionResult",
    "default_workers",
    "run",
    "summary_table",
]

#: a report on its way: waiting for its worker (no outcome yet) or for its PDF (the worker's outcome)
Step = tuple[ReportPlan, Outcome | None]


def default_workers() -> int:
    """One worker per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run(
    spec: RunSpec,
    *,
    progress: bool = True,
    executor_factory: Callable[[int], cf.Executor] | None = None,
    early: OneNotebook | None = None,
) -> BatchResult:
    """Run a batch; never raises for a single region's failure. ``early``: the thread of a one-report run, made
    before the spec was (:func:`smartcity_eval.batch.single.early`)."""
    started = time.perf_counter()
    planned: Plan | None = None
    try:
        with machinery(spec, executor_factory, early) as parts:
            t0 = time.perf_counter()
            planned = plan(spec, parts.checks)
            plan_s = time.perf_counter() - t0
            done = run_reports(planned.reports, parts, spec, progress)
    finally:
        if planned is not None:
            shutil.rmtree(planned.folder / ".staging", ignore_errors=True)
    timings = {"plan": round(plan_s, 3), "total": round(time.perf_counter() - started, 3)}
    for result in planned.known + done:
        result.disputes = planned.disputes.get(result.region, 0)
    from smartcity_eval.reports.document import weight_caveats  # (IPython: not before the kernels have started)

    notes = weight_caveats(spec.year, spec.lang)
    batch = BatchResult(sorted(planned.known + done, key=lambda r: r.region), planned.folder, timings, notes)
    write_summary(spec, batch)
    return batch


def plan(spec: RunSpec, checks: cf.Executor | None) -> Plan:
    """:func:`smartcity_eval.batch.plan.plan`, imported only now: validation, scoring and pandas load while the
    kernel of a one-report run starts."""
    from smartcity_eval.batch import plan as planning

    return planning.plan(spec, checks)


@dataclass(frozen=True)
class Machinery:
    """Where a batch's parts run: ``checks`` (workbooks; None: in this process), ``notebooks`` (executions) and
    ``prints`` (PDFs); ``browser_after``: start the browser when this is done (one report: when its kernel is ready,
    so that the two do not start on the same cores at once), else when the first PDF is asked for."""

    checks: cf.Executor | None
    notebooks: cf.Executor
    prints: PrintPool
    browser_after: cf.Future[None] | None = None


@contextlib.contextmanager
def machinery(
    spec: RunSpec, factory: Callable[[int], cf.Executor] | None, early: OneNotebook | None = None
) -> Iterator[Machinery]:
    """The batch's :class:`Machinery`, stopped at the end: ``factory``'s executor or worker processes, or for one
    report on this machine a thread of this process with its one kernel (:func:`one_notebook`)."""
    if factory is None and spec.scheduler is None and len(wanted(spec)) == 1:
        with one_notebook(spec, early) as thread, PrintPool(spec.browser, 1) as prints:
            yield Machinery(None, thread, prints, browser_after=thread.kernel_started)
        return
    with _executor(spec, factory) as executor, PrintPool(spec.browser, PRINT_THREADS) as prints:
        yield Machinery(executor, executor, prints)


@contextlib.contextmanager
def one_notebook(spec: RunSpec, early: OneNotebook | None) -> Iterator[OneNotebook]:
    """``early`` when it fits the spec's notebook, else a new :class:`OneNotebook` (shut down at the end)."""
    notebook = notebook_path(spec.notebook)
    if early is not None and early.fits(notebook, spec.lang):
        yield early
        return
    with OneNotebook(notebook.parent, spec.lang) as thread:
        yield thread


def _executor(spec: RunSpec, factory: Callable[[int], cf.Executor] | None) -> cf.Executor:
    """``factory``'s executor, or worker processes (no more than regions) each starting its warm kernels."""
    workers = spec.workers or default_workers()
    if factory is not None:
        return factory(workers)
    return cf.ProcessPoolExecutor(
        max_workers=min(workers, max(1, len(wanted(spec)))),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=kernels.prestart,
        initargs=(REPORT_KERNEL,),
    )


def run_reports(reports: list[ReportPlan], parts: Machinery, spec: RunSpec, progress: bool) -> list[RegionResult]:
    """Execute every report on ``parts.notebooks``, print its PDF as its HTML arrives, and finish each when it is
    done."""
    results, prints = [], parts.prints
    with _progress(len(reports), progress) as tick:
        pending: dict[cf.Future[Any], Step] = {parts.notebooks.submit(execute, r.task): (r, None) for r in reports}
        if parts.browser_after is not None and any("pdf" in r.task.formats for r in reports):
            parts.browser_after.add_done_callback(lambda _: prints.warm(spec.lang))
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                result = advance(fut, pending, prints, spec.lang)
                if result is not None:
                    results.append(result)
                    tick()
    return results


def advance(
    fut: cf.Future[Any], pending: dict[cf.Future[Any], Step], prints: PrintPool, lang: str
) -> RegionResult | None:
    """Take ``fut``'s report a step on: from its worker to the printer (its next future added to ``pending``), or
    to its finish (the result)."""
    report, outcome = pending.pop(fut)
    if outcome is not None:
        return finish(report, outcome, printed(fut), lang)
    outcome = executed(fut)
    if outcome.error or "pdf" not in report.task.formats or outcome.html is None:
        return finish(report, outcome, None, lang)
    pending[prints.submit(outcome.html, report.task.staging / "report.pdf", report.header, lang)] = (report, outcome)
    return None


def executed(fut: cf.Future[Outcome]) -> Outcome:
    """A worker's outcome; a worker that crashed outright gives its exception and traceback."""
    try:
        return fut.result()
    except Exception as exc:
        return Outcome(f"{type(exc).__name__}: {exc}", "worker", attempts=1, traceback=traceback.format_exc())


def printed(fut: cf.Future[Printed]) -> Printed:
    """A print's result; printing that raised gives its exception as the problem."""
    try:
        return fut.result()
    except Exception as exc:
        return Printed(f"{type(exc).__name__}: {exc}")


@contextlib.contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr (when ``show`` and there is work), as the function that moves it on by one."""
    if not (show and total):
        yield lambda: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, unit="region", file=sys.stderr)
    try:
        yield lambda: bar.update(1)
    finally:
        bar.close()


def write_summary(spec: RunSpec, batch: BatchResult) -> None:
    """``run-summary.json`` in the batch's folder: every region's result."""
    assert batch.folder is not None
    summary = {
        "year": spec.year,
        "stage": spec.stage,
        "notebook": spec.notebook,
        "software_version": __version__,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "exit_code": batch.exit_code,
        "regions": [asdict(r) for r in batch.results],
        "notes": batch.notes,
    }
    write_text_atomic(batch.folder / "run-summary.json", json.dumps(summary, ensure_ascii=False, indent=2))


def summary_table(batch: BatchResult, lang: str = "id") -> str:
    """The final summary as a plain-text table, with each region's disputed items not moderated yet."""
    t, disputes = TEXT[lang], i18n.text("panel.open_column", lang)
    indent = " " * (54 + len(disputes))
    rows = [
        (r.region, t[r.status], f"{r.duration:.1f}", str(r.disputes), (r.error or r.note).replace("\n", "\n" + indent))
        for r in batch.results
    ]
    width = max([len(t["region"])] + [len(r[0]) for r in rows]) + 2
    n = len(disputes)
    lines = [f"{t['region']:<{width}}{t['status']:<26}{t['seconds']:>7}  {disputes}  {t['note']}"]
    lines += [f"{a:<{width}}{b:<26}{c:>7}  {d:>{n}}  {e}" for a, b, c, d, e in rows]
    lines += [f"\n* {note}" for note in batch.notes]
    if batch.folder is not None:
        lines.append(f"\n{t['outputs']}: {batch.folder}")
    return "\n".join(lines)
