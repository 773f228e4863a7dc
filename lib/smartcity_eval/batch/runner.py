"""The batch runner: one papermill execution per region, in parallel, with atomic outputs and a manifest.

First the workers validate and score every region's workbook (in parallel) and keep what each report needs
in its staging folder; the main process builds the cohort from the scores (:mod:`~smartcity_eval.batch.plan`).
Then per region, in a worker process: execute the notebook into the staging folder in a fresh warm kernel of its
own, retried once when the kernel fails, and export HTML (:mod:`~smartcity_eval.batch.execute`). In the main
process, as results arrive: print the PDF (:mod:`~smartcity_eval.batch.printing`, overlapping execution), write
the manifest, and move the files into ``outputs/<year>/tahap-<stage>/<region>/``
(:mod:`~smartcity_eval.batch.commit`). A failing region leaves no half-written report; its executed notebook
goes to ``_errors/``. Regions whose inputs, notebook and software are unchanged since their last good report
are skipped unless ``force``. This module runs those parts and writes ``run-summary.json``, however the batch ends
(``"ended"``: selesai, dibatalkan, gagal). A batch holds its output folder's lock throughout and stages in a folder
of its own; its worker processes ignore Ctrl-C and die with it (:mod:`~smartcity_eval.common.processes`).

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
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartcity_eval import __version__
from smartcity_eval.batch import kernels
from smartcity_eval.batch.commit import finish
from smartcity_eval.batch.execute import execute
from smartcity_eval.batch.guard import batch_folder, folder_lock
from smartcity_eval.batch.kernels import Preload
from smartcity_eval.batch.params import RunSpec, notebook_path, wanted
from smartcity_eval.batch.printing import PRINT_THREADS, PrintPool
from smartcity_eval.batch.records import (
    ABORTED,
    CANCELLED,
    ENDED,
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
from smartcity_eval.common import i18n, processes
from smartcity_eval.common.tables import write_text_atomic

if TYPE_CHECKING:
    from smartcity_eval.batch.plan import Plan

__all__ = [
    "FAILED",
    "INVALID",
    "OK",
    "SKIPPED",
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
    warm: Machinery | None = None,
) -> BatchResult:
    """Run a batch; never raises for a single region's failure. ``early``: the thread of a one-report run, made
    before the spec was (:func:`smartcity_eval.batch.single.early`); ``warm``: machinery kept warm between runs (the
    report server's, :mod:`smartcity_eval.batch.server`), used and left running. Holds the output folder's lock
    throughout (:class:`~smartcity_eval.batch.guard.BatchBusy` when another batch has it), stages in a folder of its
    own, and writes ``run-summary.json`` however it ends (Ctrl-C: one line on stderr, then ``KeyboardInterrupt``)."""
    folder = batch_folder(spec)
    with folder_lock(folder) as batch_id:
        ledger = Ledger(folder, folder / ".staging" / batch_id)
        try:
            with ending(spec, ledger), machinery(spec, executor_factory, early, warm) as parts:
                t0 = time.perf_counter()
                ledger.planned = plan(spec, parts.checks, ledger.staging)
                ledger.plan_s = time.perf_counter() - t0
                run_reports(ledger.planned.reports, parts, spec, progress, ledger.done)
        finally:
            drop_staging(ledger.staging)
    return ledger.result(spec)


@dataclass
class Ledger:
    """What a batch has done so far, kept as it goes so that its summary can be written however it ends."""

    folder: Path
    staging: Path
    started: float = field(default_factory=time.perf_counter)
    planned: Plan | None = None
    plan_s: float = 0.0
    done: list[RegionResult] = field(default_factory=list)
    ended: str = ENDED
    error: str = ""

    def result(self, spec: RunSpec) -> BatchResult:
        """The batch's result: every region known or finished, sorted, with its disputes and the weight caveats."""
        planned = self.planned
        known = planned.known if planned is not None else []
        for r in known + self.done:
            r.disputes = planned.disputes.get(r.region, 0) if planned is not None else 0
        from smartcity_eval.reports.document import weight_caveats  # (IPython: not before the kernels have started)

        timings = {"plan": round(self.plan_s, 3), "total": round(time.perf_counter() - self.started, 3)}
        notes = weight_caveats(spec.year, spec.lang)
        results = sorted(known + self.done, key=lambda r: r.region)
        return BatchResult(results, self.folder, timings, notes, self.ended, self.error, self.unfinished())

    def unfinished(self) -> list[str]:
        """The planned reports that did not finish (a batch cut short)."""
        finished = {r.region for r in self.done}
        reports = self.planned.reports if self.planned is not None else []
        return [r.region for r in reports if r.region not in finished]


@contextlib.contextmanager
def ending(spec: RunSpec, ledger: Ledger) -> Iterator[None]:
    """Note how the batch ends in ``ledger`` and write its summary in every case; Ctrl-C also says so in one line."""
    try:
        yield
    except KeyboardInterrupt as exc:
        ledger.ended = CANCELLED
        exc.reported = True  # type: ignore[attr-defined]  # the one line is said below; the CLI says no more
        raise
    except BaseException as exc:
        ledger.ended, ledger.error = ABORTED, f"{type(exc).__name__}: {exc}"
        raise
    finally:
        path = write_summary(spec, ledger.result(spec))
        if ledger.ended == CANCELLED:
            print(i18n.text("runner.interrupted", spec.lang, summary=path), file=sys.stderr)


def drop_staging(staging: Path) -> None:
    """Remove this batch's staging folder, and ``.staging`` itself when no other batch stages there."""
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.parent.rmdir()


def plan(spec: RunSpec, checks: cf.Executor | None, staging: Path) -> Plan:
    """:func:`smartcity_eval.batch.plan.plan`, imported only now: validation, scoring and pandas load while the
    kernel of a one-report run starts."""
    from smartcity_eval.batch import plan as planning

    return planning.plan(spec, checks, staging)


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
    spec: RunSpec,
    factory: Callable[[int], cf.Executor] | None,
    early: OneNotebook | None = None,
    warm: Machinery | None = None,
) -> Iterator[Machinery]:
    """The batch's :class:`Machinery`, stopped at the end: ``factory``'s executor or worker processes, or for one
    report on this machine a thread of this process with its one kernel (:func:`one_notebook`); or ``warm``, kept
    running."""
    if warm is not None:
        yield warm
        return
    if factory is None and spec.scheduler is None and len(wanted(spec)) == 1:
        with one_notebook(spec, early) as thread, PrintPool(spec.browser, 1) as prints:
            yield Machinery(None, thread, prints, browser_after=thread.kernel_started)
        return
    with _executor(spec, factory) as executor, PrintPool(spec.browser, PRINT_THREADS) as prints:
        yield Machinery(executor, executor, prints)


class Workers(cf.ProcessPoolExecutor):
    """Worker processes that never see Ctrl-C: each starts with SIGINT ignored (inherited across its start, so even
    while it imports), and the batch's process stops them."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Submit as usual; a worker started now inherits SIGINT ignored (main thread: elsewhere none is started)."""
        if threading.current_thread() is not threading.main_thread():
            return super().submit(fn, *args, **kwargs)
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, handler)


@contextlib.contextmanager
def own_workers(executor: cf.ProcessPoolExecutor) -> Iterator[cf.ProcessPoolExecutor]:
    """``executor``, shut down at the end; when the batch is cut short (Ctrl-C, an error of the runner's own) its
    worker processes are killed at once (their zygotes and kernels follow: :mod:`~smartcity_eval.common.processes`)."""
    try:
        yield executor
    except BaseException:
        quiet_interrupts()
        for child in multiprocessing.active_children():
            child.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def quiet_interrupts() -> None:
    """Ignore further Ctrl-C while a cut-short batch cleans up (in the main thread; elsewhere nothing to do)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker(preload: Preload) -> None:
    """A worker process's initializer: it dies with the batch and leaves Ctrl-C to it; then its warm kernels."""
    processes.worker_init()
    kernels.prestart(preload)


@contextlib.contextmanager
def one_notebook(spec: RunSpec, early: OneNotebook | None) -> Iterator[OneNotebook]:
    """``early`` when it fits the spec's notebook, else a new :class:`OneNotebook` (shut down at the end)."""
    notebook = notebook_path(spec.notebook)
    if early is not None and early.fits(notebook, spec.lang):
        yield early
        return
    with OneNotebook(notebook.parent, spec.lang) as thread:
        yield thread


def _executor(
    spec: RunSpec, factory: Callable[[int], cf.Executor] | None
) -> contextlib.AbstractContextManager[cf.Executor]:
    """``factory``'s executor, or worker processes (no more than regions) each starting its warm kernels."""
    workers = spec.workers or default_workers()
    if factory is not None:
        return factory(workers)
    return own_workers(
        Workers(
            max_workers=min(workers, max(1, len(wanted(spec)))),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(REPORT_KERNEL,),
        )
    )


def run_reports(
    reports: list[ReportPlan], parts: Machinery, spec: RunSpec, progress: bool, results: list[RegionResult]
) -> list[RegionResult]:
    """Execute every report on ``parts.notebooks``, print its PDF as its HTML arrives, and finish each when it is
    done, adding its result to ``results`` (kept when the batch is cut short)."""
    prints = parts.prints
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


def write_summary(spec: RunSpec, batch: BatchResult) -> Path:
    """``run-summary.json`` in the batch's folder: how the batch ended and every region's result; returns its path."""
    assert batch.folder is not None
    summary = {
        "year": spec.year,
        "stage": spec.stage,
        "notebook": spec.notebook,
        "software_version": __version__,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "ended": batch.ended,
        "error": batch.error,
        "exit_code": batch.exit_code,
        "regions": [asdict(r) for r in batch.results],
        "unfinished": batch.unfinished,
        "stale": [r.region for r in batch.results if r.stale],
        "notes": batch.notes,
    }
    path = batch.folder / "run-summary.json"
    write_text_atomic(path, json.dumps(summary, ensure_ascii=False, indent=2))
    return path


def remark(result: RegionResult) -> str:
    """What the summary table says of a region: its note (a stale report, no PDF) above its error."""
    return "\n".join(part for part in (result.note, result.error) if part)


def summary_table(batch: BatchResult, lang: str = "id") -> str:
    """The final summary as a plain-text table, with each region's disputed items not moderated yet."""
    t, disputes = i18n.section("runner")[lang], i18n.text("panel.open_column", lang)
    indent = " " * (54 + len(disputes))
    rows = [
        (r.region, t(r.status), f"{r.duration:.1f}", str(r.disputes), remark(r).replace("\n", "\n" + indent))
        for r in batch.results
    ]
    width = max([len(t("region"))] + [len(r[0]) for r in rows]) + 2
    n = len(disputes)
    lines = [f"{t('region'):<{width}}{t('status'):<26}{t('seconds'):>7}  {disputes}  {t('note')}"]
    lines += [f"{a:<{width}}{b:<26}{c:>7}  {d:>{n}}  {e}" for a, b, c, d, e in rows]
    lines += [f"\n* {note}" for note in batch.notes]
    if batch.folder is not None:
        lines.append(f"\n{t('outputs')}: {batch.folder}")
    return "\n".join(lines)
