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
from dataclasses import asdict
from typing import Any

from smartcity_eval import __version__
from smartcity_eval.batch.commit import finish
from smartcity_eval.batch.execute import execute
from smartcity_eval.batch.kernels import prestart
from smartcity_eval.batch.params import RunSpec
from smartcity_eval.batch.plan import Plan, plan, wanted
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
from smartcity_eval.batch.text import TEXT
from smartcity_eval.common.tables import write_text_atomic

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
    spec: RunSpec, *, progress: bool = True, executor_factory: Callable[[int], cf.Executor] | None = None
) -> BatchResult:
    """Run a batch; never raises for a single region's failure."""
    started = time.perf_counter()
    planned: Plan | None = None
    try:
        with _executor(spec, executor_factory) as executor:
            t0 = time.perf_counter()
            planned = plan(spec, executor)
            plan_s = time.perf_counter() - t0
            done = run_reports(planned.reports, executor, spec, progress)
    finally:
        if planned is not None:
            shutil.rmtree(planned.folder / ".staging", ignore_errors=True)
    timings = {"plan": round(plan_s, 3), "total": round(time.perf_counter() - started, 3)}
    batch = BatchResult(sorted(planned.known + done, key=lambda r: r.region), planned.folder, timings)
    write_summary(spec, batch)
    return batch


def _executor(spec: RunSpec, factory: Callable[[int], cf.Executor] | None) -> cf.Executor:
    """``factory``'s executor, or worker processes (no more than regions) each starting its warm kernels."""
    workers = spec.workers or default_workers()
    if factory is not None:
        return factory(workers)
    return cf.ProcessPoolExecutor(
        max_workers=min(workers, max(1, len(wanted(spec)))),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=prestart,
        initargs=(REPORT_KERNEL,),
    )


def run_reports(reports: list[ReportPlan], executor: cf.Executor, spec: RunSpec, progress: bool) -> list[RegionResult]:
    """Execute every report on ``executor``, print its PDF as its HTML arrives, and finish each when it is done."""
    results = []
    with PrintPool(spec.browser, PRINT_THREADS) as prints, _progress(len(reports), progress) as tick:
        pending: dict[cf.Future[Any], Step] = {executor.submit(execute, r.task): (r, None) for r in reports}
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
    }
    write_text_atomic(batch.folder / "run-summary.json", json.dumps(summary, ensure_ascii=False, indent=2))


def summary_table(batch: BatchResult, lang: str = "id") -> str:
    """The final summary as a plain-text table."""
    t = TEXT[lang]
    rows = [
        (r.region, t[r.status], f"{r.duration:.1f}", (r.error or r.note).replace("\n", "\n" + " " * 52))
        for r in batch.results
    ]
    width = max([len(t["region"])] + [len(r[0]) for r in rows]) + 2
    lines = [f"{t['region']:<{width}}{t['status']:<26}{t['seconds']:>7}  {t['note']}"]
    lines += [f"{a:<{width}}{b:<26}{c:>7}  {d}" for a, b, c, d in rows]
    if batch.folder is not None:
        lines.append(f"\n{t['outputs']}: {batch.folder}")
    return "\n".join(lines)
