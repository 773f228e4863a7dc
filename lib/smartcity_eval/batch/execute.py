"""The worker side of a batch: one notebook execution in a fresh kernel, retried once when the kernel fails, then
the HTML export.

The notebook runs in a fresh kernel from this worker's :func:`~smartcity_eval.batch.kernels.pool` (unless the
task's ``warm`` is false or warm kernels are switched off), killed right after. A kernel that dies or does not
start is retried once with another fresh kernel; an error in the notebook's own code is not.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartcity_eval.batch import kernels
from smartcity_eval.batch.records import Outcome, Task
from smartcity_eval.common.tables import write_text_atomic

#: executions per task: the first, and one retry when the kernel failed
ATTEMPTS = 2


def is_kernel_failure(exc: BaseException) -> bool:
    """A dead or unstartable kernel (retried) as opposed to an error in the notebook's code (not retried)."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError | TimeoutError):
        return True
    text = f"{type(exc).__name__}: {exc}"
    return isinstance(exc, RuntimeError) and ("Kernel" in text and ("died" in text or "didn't respond" in text))


@dataclass
class _Run:
    """What the attempts of one execution found so far."""

    attempts: int = 0
    error: str = ""
    kind: str = ""
    traceback: str = ""
    timings: dict[str, float] = field(default_factory=lambda: {"kernel": 0.0, "execute": 0.0, "html": 0.0})
    memory: dict[str, float] = field(default_factory=dict)

    def fail(self, error: str, kind: str, trace: str = "") -> None:
        self.error, self.kind, self.traceback = error, kind, trace

    def outcome(self, duration: float, html: Path | None) -> Outcome:
        """The outcome for the main process, with this worker's peak memory and pid."""
        worker_mb = kernels.peak_rss_mb()
        return Outcome(
            error=self.error,
            error_kind=self.kind,
            attempts=self.attempts,
            duration=duration,
            timings=self.timings,
            memory_mb={**({"worker": worker_mb} if worker_mb is not None else {}), **self.memory},
            pid=os.getpid(),
            html=html,
            traceback=self.traceback,
        )


def execute(task: Task) -> Outcome:
    """Execute ``task``'s notebook into ``task.staging/report.ipynb`` and export HTML. Runs in a worker process.

    ``timings``: seconds waiting for a kernel, executing, exporting HTML; ``memory_mb``: resident-set high-water
    marks of this worker, the region's kernel and the kernels' zygote.
    """
    start = time.perf_counter()
    task.staging.mkdir(parents=True, exist_ok=True)
    pool = kernels.pool(task.preload) if task.warm and kernels.enabled() else None
    run = _Run()
    for attempt in range(1, ATTEMPTS + 1):
        run.attempts = attempt
        if not _attempt(task, pool, run):
            break
    html = _export_html(task, run) if not run.error and {"html", "pdf"} & set(task.formats) else None
    return run.outcome(time.perf_counter() - start, html)


def _attempt(task: Task, pool: kernels.KernelPool | None, run: _Run) -> bool:
    """One execution in a fresh kernel; true when another is worth it (the kernel died or did not start)."""
    from papermill.exceptions import PapermillExecutionError

    km, t0, t1 = None, time.perf_counter(), None
    try:
        km = pool.acquire(task.kernel, task.notebook.parent) if pool is not None else None
        t1 = time.perf_counter()
        _papermill(task, km)
        run.fail("", "")
        return False
    except PapermillExecutionError as exc:
        run.fail(f"{exc.ename}: {exc.evalue}", "notebook")
        return False
    except Exception as exc:  # kernel trouble is retried once (with a new kernel), anything else reported
        if is_kernel_failure(exc):
            run.fail(f"{type(exc).__name__}: {exc}", "kernel")
            return True
        run.fail(f"{type(exc).__name__}: {exc}", "runner", traceback.format_exc())
        return False
    finally:
        if km is not None and pool is not None:
            _release(pool, km, run.memory)
        end = time.perf_counter()
        run.timings["kernel"] += (end if t1 is None else t1) - t0
        run.timings["execute"] += 0.0 if t1 is None else end - t1


def _papermill(task: Task, km: Any) -> None:
    """Papermill's execution of the task's notebook, in the kernel ``km`` when given (else one papermill starts)."""
    import papermill

    from smartcity_eval.batch import engine

    papermill.execute_notebook(
        str(task.notebook),
        str(task.staging / "report.ipynb"),
        parameters=task.parameters,
        kernel_name=task.kernel,
        cwd=str(task.notebook.parent),
        progress_bar=False,
        start_timeout=task.start_timeout,
        engine_name=engine.register(),
        **({"km": km} if km is not None else {}),
    )


def _release(pool: kernels.KernelPool, km: kernels.PooledKernelManager, memory: dict[str, float]) -> None:
    """Note the peak memory of the kernel and of the zygote, then kill the kernel."""
    for name, pid in (("kernel", pool.kernel_pid(km)), ("zygote", pool.zygote_pid())):
        mb = kernels.peak_rss_mb(pid) if pid else None
        if mb is not None:
            memory[name] = max(memory.get(name, 0.0), mb)
    pool.release(km)


def warm_html(lang: str) -> None:
    """Make this thread's HTML exporter for ``lang`` and compile its templates, as the first export would."""
    import nbformat

    from smartcity_eval.reports.report import notebook_to_html

    notebook_to_html(nbformat.v4.new_notebook(), lang=lang)


def _export_html(task: Task, run: _Run) -> Path | None:
    """``report.html`` next to the executed notebook, or None (and the error noted in ``run``)."""
    from smartcity_eval.reports.report import notebook_to_html

    t0 = time.perf_counter()
    path = task.staging / "report.html"
    try:
        html = notebook_to_html(path.with_suffix(".ipynb"), title=task.title, lang=task.parameters.get("lang", "id"))
        write_text_atomic(path, html)
    except Exception as exc:
        run.fail(f"HTML: {type(exc).__name__}: {exc}", "runner", traceback.format_exc())
        path = None
    run.timings["html"] = time.perf_counter() - t0
    return path
