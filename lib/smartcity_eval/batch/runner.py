"""The batch runner: one papermill execution per region, in parallel, with atomic outputs and a manifest.

First the workers validate and score every region's workbook (in parallel) and keep what each report needs
in its staging folder (:mod:`smartcity_eval.results.region_inputs`); the main process builds the cohort from the
scores. Then per region, in a worker process: execute the notebook into the staging folder in a fresh kernel
of its own (started ahead of need with the imports done, see :mod:`smartcity_eval.batch.kernels`; a kernel that dies
or does not start is retried once with another fresh kernel, an error in the notebook's own code is not), and
export HTML. In the main process, as results arrive: print the PDF (on two threads, each with one browser tab
for the whole batch, so printing overlaps execution), write the manifest, and move the files into
``outputs/<year>/tahap-<stage>/<region>/`` (each by an atomic rename).
A failing region leaves no half-written report; its executed notebook goes to ``_errors/``. Regions whose
inputs, notebook and software are unchanged since their last good report are skipped unless ``force``.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from smartcity_eval import __version__
from smartcity_eval.batch.params import RunSpec, notebook_path
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.common.tables import sha256, write_text_atomic
from smartcity_eval.inputs.validation import Expect, validate
from smartcity_eval.results import rules
from smartcity_eval.results.cohort import build_cohort
from smartcity_eval.results.sources import previous_result, report_inputs

OK, SKIPPED, INVALID, FAILED = "ok", "skipped", "invalid", "failed"
TEXT = {
    "id": {
        "region": "Daerah",
        "status": "Status",
        "seconds": "Detik",
        "note": "Keterangan",
        "done": "selesai",
        "outputs": "Hasil di",
        "no_pdf": "PDF tidak dibuat",
        "no_workbook": "lembar kerja tidak ditemukan",
        OK: "berhasil",
        SKIPPED: "dilewati (tidak berubah)",
        INVALID: "tidak valid",
        FAILED: "gagal",
    },
    "en": {
        "region": "Region",
        "status": "Status",
        "seconds": "Seconds",
        "note": "Note",
        "done": "done",
        "outputs": "Outputs in",
        "no_pdf": "PDF not produced",
        "no_workbook": "workbook not found",
        OK: "ok",
        SKIPPED: "skipped (unchanged)",
        INVALID: "invalid",
        FAILED: "failed",
    },
}


@dataclass
class RegionResult:
    """The outcome of one region in a batch."""

    region: str
    status: str
    name: str = ""
    duration: float = 0.0
    error: str = ""
    note: str = ""
    attempts: int = 0
    folder: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    memory_mb: dict[str, float] = field(default_factory=dict)
    worker_pid: int = 0


@dataclass
class BatchResult:
    """Every region's result and the batch's folder; ``timings``: seconds spent planning and in all."""

    results: list[RegionResult] = field(default_factory=list)
    folder: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if any(r.status in (INVALID, FAILED) for r in self.results) else 0


# ------------------------------------------------------------------------------------------- worker side


def _is_kernel_failure(exc: BaseException) -> bool:
    """A dead or unstartable kernel (retried) as opposed to an error in the notebook's code (not retried)."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError | TimeoutError):
        return True
    text = f"{type(exc).__name__}: {exc}"
    return isinstance(exc, RuntimeError) and ("Kernel" in text and ("died" in text or "didn't respond" in text))


ENGINE = "smartcity"


def _register_engine() -> str:
    """Papermill's nbclient engine, saving the output notebook when execution starts and ends (also when the
    kernel dies, and during long cells) instead of after every cell: the same notebook, written 2 times, not 37."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    if ENGINE in papermill_engines._engines:
        return ENGINE

    class Manager(NotebookExecutionManager):  # type: ignore[misc]
        writes = False

        def save(self, **kwargs: Any) -> None:
            if self.writes:
                super().save(**kwargs)
            else:
                self.last_save_time = self.now()

        def autosave_cell(self) -> None:
            self.writes = True
            try:
                super().autosave_cell()
            finally:
                self.writes = False

        def notebook_complete(self, **kwargs: Any) -> None:
            self.writes = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_notebook(
            cls,
            nb: Any,
            kernel_name: str,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            nb_man = Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, Engine)
    return ENGINE


def execute_task(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one region's notebook into ``task['staging']`` and export HTML. Runs in a worker process.

    The notebook runs in a fresh kernel from this worker's :func:`~smartcity_eval.batch.kernels.pool` (unless
    ``task['warm']`` is false or warm kernels are switched off), which is killed right after. ``timings`` in the
    result: seconds waiting for a kernel, executing, exporting HTML; ``memory_mb``: resident-set high-water
    marks of this worker, the region's kernel and the kernels' zygote.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from smartcity_eval.batch import kernels
    from smartcity_eval.reports.report import notebook_to_html

    staging = Path(task["staging"])
    staging.mkdir(parents=True, exist_ok=True)
    out_nb = staging / "report.ipynb"
    start = time.perf_counter()
    timings = {"kernel": 0.0, "execute": 0.0, "html": 0.0}
    kernel_name, cwd = task.get("kernel", "python3"), str(Path(task["notebook"]).parent)
    pool = kernels.pool() if task.get("warm", True) and kernels.enabled() else None
    attempts, error, kind = 0, "", ""
    memory: dict[str, float] = {}
    for attempt in (1, 2):
        attempts = attempt
        km, t1 = None, None
        t0 = time.perf_counter()
        try:
            extra: dict[str, Any] = {}
            if pool is not None:
                km = extra["km"] = pool.acquire(kernel_name, cwd)
            t1 = time.perf_counter()
            papermill.execute_notebook(
                task["notebook"],
                str(out_nb),
                parameters=task["parameters"],
                kernel_name=kernel_name,
                cwd=cwd,
                progress_bar=False,
                start_timeout=task.get("start_timeout", 60),
                engine_name=_register_engine(),
                **extra,
            )
            error = ""
            break
        except PapermillExecutionError as exc:
            error, kind = f"{exc.ename}: {exc.evalue}", "notebook"
            break
        except Exception as exc:  # kernel trouble is retried once (with a new kernel), anything else reported
            error, kind = f"{type(exc).__name__}: {exc}", "kernel" if _is_kernel_failure(exc) else "runner"
            if kind != "kernel":
                break
        finally:
            if km is not None and pool is not None:
                for name, pid in (("kernel", pool.kernel_pid(km)), ("zygote", pool.zygote_pid())):
                    mb = kernels.peak_rss_mb(pid) if pid else None
                    if mb is not None:
                        memory[name] = max(memory.get(name, 0.0), mb)
                pool.release(km)
            end = time.perf_counter()
            timings["kernel"] += (end if t1 is None else t1) - t0
            timings["execute"] += 0.0 if t1 is None else end - t1
    result = {
        "region": task["region"],
        "staging": str(staging),
        "attempts": attempts,
        "error": error,
        "error_kind": kind,
        "html": None,
    }
    lang = task["parameters"].get("lang", "id")
    if not error and ("html" in task["formats"] or "pdf" in task["formats"]):
        t0 = time.perf_counter()
        try:
            html = notebook_to_html(out_nb, title=task["title"], lang=lang)
            write_text_atomic(staging / "report.html", html)
            result["html"] = str(staging / "report.html")
        except Exception as exc:
            result["error"], result["error_kind"] = f"HTML: {type(exc).__name__}: {exc}", "runner"
        timings["html"] = time.perf_counter() - t0
    result["duration"] = time.perf_counter() - start
    result["timings"] = timings
    worker_mb = kernels.peak_rss_mb()
    result["memory_mb"] = {**({"worker": worker_mb} if worker_mb is not None else {}), **memory}
    result["pid"] = os.getpid()
    return result


def check_region(job: dict[str, Any]) -> dict[str, Any]:
    """Validate and score one region's workbook; save its report inputs. Runs in a worker process.

    Returns ``error`` (the workbook's problems) or the score card with the region's name and stage, the path of
    last year's result, and whether ``job['inputs_file']`` was written.
    """
    from smartcity_eval.results import region_inputs

    data_dir, year, stage, slug = Path(job["data_dir"]), job["year"], job["stage"], job["slug"]
    path = DataLayout(data_dir).workbook(year, stage, slug)
    check = validate(path, Expect(year=year, stage=stage, region=slug))
    if check.assessment is None:
        return {"slug": slug, "error": "\n".join(p.format(job["lang"]) for p in check.errors)}
    prev = previous_result(data_dir, year, slug, job["previous"])
    card = rules.score(check.assessment, prev.final)
    written = False
    if job.get("inputs_file"):
        got = region_inputs.gather(
            slug, year, stage, data_dir, job["previous"], assessment=check.assessment, prev=prev, card=card
        )
        region_inputs.write(got, job["inputs_file"])
        written, inputs = True, got.inputs
    else:
        inputs = report_inputs(data_dir, slug, year, stage, job["previous"])
    p = check.assessment.profile
    return {
        "slug": slug,
        "error": "",
        "card": card,
        "name": p.region,
        "year": p.year,
        "stage": p.stage,
        "inputs": inputs,
        "inputs_written": written,
    }


# ------------------------------------------------------------------------------------------- main side


def _fingerprint(inputs: dict[str, str], notebook_sha: str, parameters: dict[str, Any], formats: Iterable[str]) -> str:
    blob = json.dumps(
        {
            "inputs": inputs,
            "notebook": notebook_sha,
            "version": __version__,
            "parameters": parameters,
            "formats": sorted(formats),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _inside(root: Path, *parts: str) -> Path:
    """``root / parts`` after checking it stays inside ``root``."""
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"path {path} leaves the output folder {root}")
    return path


def _commit(staging: Path, final: Path, names: Iterable[str]) -> None:
    """Move the staged files into ``final`` one atomic rename each, then drop the staging folder."""
    final.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = staging / name
        if src.exists():
            os.replace(src, final / name)
    shutil.rmtree(staging, ignore_errors=True)


class _Printer:
    """One browser for the whole batch, started on first use; remembers when none can be had."""

    def __init__(self, browser: str | None) -> None:
        self.browser = browser
        self.printer: Any = None
        self.unavailable = ""

    def print(self, html: Path, pdf: Path, header: str, lang: str) -> str:
        if self.unavailable:
            return self.unavailable
        from smartcity_eval.reports.report import BrowserUnavailable, PdfPrinter

        try:
            if self.printer is None:
                self.printer = PdfPrinter(browser=self.browser, reuse_page=True).__enter__()
            self.printer.print_pdf(html, pdf, header=header, lang=lang)
            return ""
        except BrowserUnavailable as exc:
            self.unavailable = str(exc).splitlines()[0]
            print(f"PDF: {exc}", file=sys.stderr)
            return self.unavailable
        except Exception:  # a crashed or stuck browser: the next region gets a new one
            self.close()
            raise

    def close(self) -> None:
        printer, self.printer = self.printer, None
        if printer is not None:
            try:
                printer.__exit__(None, None, None)
            except Exception as exc:  # closing a browser that already died
                print(f"PDF: closing the browser: {type(exc).__name__}: {exc}", file=sys.stderr)


class _PrintPool:
    """PDF printing for the batch on ``threads`` threads of the main process, each with its own browser (started
    on first use; Playwright's sync API wants one per thread), so printing overlaps the workers' execution."""

    def __init__(self, browser: str | None, threads: int = 2) -> None:
        import queue

        self.browser, self.size = browser, max(1, threads)
        self.jobs: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.unavailable = ""

    def _serve(self) -> None:
        printer = _Printer(self.browser)
        try:
            while (job := self.jobs.get()) is not None:
                future, args = job
                if not future.set_running_or_notify_cancel():
                    continue
                t0 = time.perf_counter()
                try:
                    problem = self.unavailable or printer.print(*args)
                    if printer.unavailable:
                        self.unavailable = printer.unavailable
                    future.set_result((problem, time.perf_counter() - t0))
                except BaseException as exc:
                    future.set_exception(exc)
        finally:
            printer.close()

    def submit(self, html: Path, pdf: Path, header: str, lang: str) -> cf.Future[tuple[str, float]]:
        """Print ``html`` to ``pdf``; the future gives (problem or "", seconds)."""
        if len(self.threads) < self.size:
            thread = threading.Thread(target=self._serve, name=f"pdf-{len(self.threads) + 1}", daemon=True)
            thread.start()
            self.threads.append(thread)
        future: cf.Future[tuple[str, float]] = cf.Future()
        self.jobs.put((future, (html, pdf, header, lang)))
        return future

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(timeout=120)


def _wanted(spec: RunSpec) -> list[str]:
    """The region slugs a batch asks for (every workbook of the year and stage unless listed)."""
    if spec.regions is not None:
        return list(spec.regions)
    return DataLayout(spec.data_dir).regions(spec.year, spec.stage)


def _map(
    executor: cf.Executor | None, fn: Callable[[dict[str, Any]], dict[str, Any]], jobs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``fn`` over ``jobs``, on ``executor`` when given; a job that raises gives ``{"slug", "error"}``."""

    def failed(job: dict[str, Any], exc: BaseException) -> dict[str, Any]:
        return {"slug": job["slug"], "error": f"{type(exc).__name__}: {exc}"}

    if executor is None:
        out = []
        for job in jobs:
            try:
                out.append(fn(job))
            except Exception as exc:
                out.append(failed(job, exc))
        return out
    futures = [executor.submit(fn, job) for job in jobs]
    out = []
    for job, fut in zip(jobs, futures, strict=True):
        try:
            out.append(fut.result())
        except Exception as exc:
            out.append(failed(job, exc))
    return out


def plan(spec: RunSpec, executor: cf.Executor | None = None) -> tuple[list[dict[str, Any]], list[RegionResult], Path]:
    """Validate the batch's workbooks, build the cohort, and list the regions to execute.

    The workbooks are validated and scored by :func:`check_region`, on ``executor`` when given. Returns (tasks,
    results already known: invalid / skipped, batch folder).
    """
    from smartcity_eval.common.i18n import stage_name

    out_root = spec.output_dir.resolve()
    batch_dir = _inside(out_root, str(spec.year), f"tahap-{spec.stage}")
    batch_dir.mkdir(parents=True, exist_ok=True)
    nb_path = notebook_path(spec.notebook)
    nb_sha = sha256(nb_path)
    t = TEXT[spec.lang]
    results: list[RegionResult] = []
    jobs = []
    stagings: dict[str, Path] = {}
    for slug in _wanted(spec):
        try:
            path = DataLayout(spec.data_dir).workbook(spec.year, spec.stage, slug)
        except ValueError as exc:
            results.append(RegionResult(slug, INVALID, error=str(exc)))
            continue
        if not path.exists():
            results.append(RegionResult(slug, INVALID, error=f"{t['no_workbook']}: {path}"))
            continue
        job = {
            "data_dir": str(spec.data_dir),
            "year": spec.year,
            "stage": spec.stage,
            "slug": slug,
            "previous": spec.previous,
            "lang": spec.lang,
            "inputs_file": "",
        }
        if spec.notebook == "region_report":
            stagings[slug] = _inside(batch_dir, ".staging", f"{slug}-{uuid.uuid4().hex[:8]}")
            job["inputs_file"] = str(stagings[slug] / "inputs.pickle")
        jobs.append(job)
    cards = {}
    valid: dict[str, dict[str, Any]] = {}
    for checked in _map(executor, check_region, jobs):
        slug = checked["slug"]
        if checked["error"]:
            results.append(RegionResult(slug, INVALID, error=checked["error"]))
            if slug in stagings:
                shutil.rmtree(stagings.pop(slug), ignore_errors=True)
            continue
        cards[slug] = checked["card"]
        valid[slug] = checked
    cohort = build_cohort(spec.data_dir, spec.year, spec.stage, cards)
    cohort_csv = batch_dir / "cohort.csv"
    text = cohort.to_csv(index=False)
    if not cohort_csv.exists() or cohort_csv.read_text(encoding="utf-8") != text:
        write_text_atomic(cohort_csv, text)
    if spec.notebook == "overview":
        return [_overview_task(spec, batch_dir, nb_path, nb_sha, cohort_csv, text)], results, batch_dir
    tasks = []
    for slug, info in valid.items():
        final = _inside(batch_dir, slug)
        inputs = {**info["inputs"], "cohort.csv": hashlib.sha256(text.encode()).hexdigest()}
        params = {**spec.notebook_parameters(), "region": slug, "cohort_file": str(cohort_csv)}
        fingerprint = _fingerprint(inputs, nb_sha, params, spec.formats)
        manifest = final / "manifest.json"
        staging = stagings[slug]
        if not spec.force and manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            have = all((final / f"report.{f}").exists() for f in spec.formats)
            if old.get("status") == OK and old.get("fingerprint") == fingerprint and have:
                results.append(RegionResult(slug, SKIPPED, info["name"], folder=str(final)))
                shutil.rmtree(staging, ignore_errors=True)
                continue
        header = f"{info['name']} · {info['year']} · {stage_name(info['stage'], spec.lang)}"
        if info["stage"] == 1:
            header += " · " + ("SEMENTARA" if spec.lang == "id" else "PROVISIONAL")
        run_params = {**params, "output_dir": str(staging)}
        if info.get("inputs_written"):
            run_params["inputs_file"] = str(staging / "inputs.pickle")
        tasks.append(
            {
                "region": slug,
                "name": info["name"],
                "notebook": str(nb_path),
                "notebook_sha256": nb_sha,
                "parameters": run_params,
                "manifest_parameters": params,
                "staging": str(staging),
                "final": str(final),
                "formats": list(spec.formats),
                "title": f"{info['name']} — {info['year']} {stage_name(info['stage'], spec.lang)}",
                "header": header,
                "inputs": inputs,
                "fingerprint": fingerprint,
                "errors_dir": str(batch_dir / "_errors"),
            }
        )
    return tasks, results, batch_dir


def _overview_task(
    spec: RunSpec, batch_dir: Path, nb_path: Path, nb_sha: str, cohort_csv: Path, cohort_text: str
) -> dict[str, Any]:
    """The single task of an overview batch: ``outputs/<year>/tahap-<stage>/overview[-<category>]/``."""
    from smartcity_eval.common.i18n import stage_name

    category = spec.extra.get("category", "all")
    slug = "overview" if category == "all" else f"overview-{category.lower().replace('&', '-')}"
    inputs = {"cohort.csv": hashlib.sha256(cohort_text.encode()).hexdigest()}
    params = {**spec.notebook_parameters(), "cohort_file": str(cohort_csv)}
    staging = _inside(batch_dir, ".staging", f"{slug}-{uuid.uuid4().hex[:8]}")
    title = (
        "Ikhtisar Nasional" if spec.lang == "id" else "National overview"
    ) + f" · {spec.year} · {stage_name(spec.stage, spec.lang)}"
    return {
        "region": slug,
        "name": title,
        "notebook": str(nb_path),
        "notebook_sha256": nb_sha,
        "parameters": {**params, "output_dir": str(staging)},
        "manifest_parameters": params,
        "staging": str(staging),
        "final": str(_inside(batch_dir, slug)),
        "formats": list(spec.formats),
        "title": title,
        "header": title,
        "inputs": inputs,
        "fingerprint": _fingerprint(inputs, nb_sha, params, spec.formats),
        "errors_dir": str(batch_dir / "_errors"),
    }


def finish_task(task: dict[str, Any], outcome: dict[str, Any], printer: _Printer, lang: str) -> RegionResult:
    """Print the PDF (unless ``outcome`` says it is printed), write the manifest, and move a region's staged
    outputs into place (main process)."""
    staging, final = Path(task["staging"]), Path(task["final"])
    note = ""
    status = FAILED if outcome["error"] else OK
    timings = dict(outcome.get("timings") or {})
    if status == OK and "pdf" in task["formats"] and outcome.get("html"):
        if "pdf_problem" in outcome:  # already printed (see run)
            problem = outcome["pdf_problem"]
        else:
            t0 = time.perf_counter()
            problem = printer.print(Path(outcome["html"]), staging / "report.pdf", task["header"], lang)
            timings["pdf"] = time.perf_counter() - t0
        if problem:
            note = f"{TEXT[lang]['no_pdf']}: {problem}"
    manifest = {
        "region": task["region"],
        "region_name": task["name"],
        "status": status,
        "parameters": task["manifest_parameters"],
        "inputs": task["inputs"],
        "notebook": task["notebook"],
        "notebook_sha256": task["notebook_sha256"],
        "software_version": __version__,
        "python": sys.version.split()[0],
        "formats": task["formats"],
        "fingerprint": task["fingerprint"],
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(outcome.get("duration", 0.0), 3),
        "attempts": outcome["attempts"],
        "error": outcome["error"],
        "note": note,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    if status == OK:
        write_text_atomic(staging / "manifest.json", text)
        names = [f"report.{f}" for f in task["formats"] if f != "pdf" or not note] + ["scores.json", "manifest.json"]
        _commit(staging, final, names)
    else:
        errors = Path(task["errors_dir"])
        errors.mkdir(parents=True, exist_ok=True)
        if (staging / "report.ipynb").exists():
            os.replace(staging / "report.ipynb", errors / f"{task['region']}.ipynb")
        write_text_atomic(errors / f"{task['region']}.json", text)
        shutil.rmtree(staging, ignore_errors=True)
    return RegionResult(
        task["region"],
        status,
        task["name"],
        outcome.get("duration", 0.0),
        outcome["error"],
        note,
        outcome["attempts"],
        str(final) if status == OK else "",
        {k: round(v, 4) for k, v in timings.items()},
        {k: round(v, 1) for k, v in (outcome.get("memory_mb") or {}).items()},
        outcome.get("pid", 0),
    )


#: threads (each with a browser) printing PDFs in the main process while the workers execute notebooks
PRINT_THREADS = 2


def default_workers() -> int:
    """One worker per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run(
    spec: RunSpec, *, progress: bool = True, executor_factory: Callable[[int], cf.Executor] | None = None
) -> BatchResult:
    """Run a batch; never raises for a single region's failure."""
    started = time.perf_counter()
    plan_s = 0.0
    workers = spec.workers or default_workers()
    printer = _Printer(spec.browser)
    prints = _PrintPool(spec.browser, PRINT_THREADS)
    bar = None
    batch_dir: Path | None = None
    results: list[RegionResult] = []
    try:
        if executor_factory is not None:
            executor = executor_factory(workers)
        else:
            import multiprocessing

            from smartcity_eval.batch.kernels import prestart

            executor = cf.ProcessPoolExecutor(
                max_workers=min(workers, max(1, len(_wanted(spec)))),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=prestart,
            )
        with executor:
            t0 = time.perf_counter()
            tasks, results, batch_dir = plan(spec, executor)
            plan_s = time.perf_counter() - t0
            if progress and tasks:
                from tqdm import tqdm

                bar = tqdm(total=len(tasks), unit="region", file=sys.stderr)
            pending: dict[cf.Future[Any], tuple[str, dict[str, Any], dict[str, Any] | None]] = {
                executor.submit(execute_task, task): ("run", task, None) for task in tasks
            }
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    stage, task, outcome = pending.pop(fut)
                    if stage == "run":
                        try:
                            outcome = fut.result()
                        except Exception as exc:  # a worker that crashed outright
                            outcome = {
                                "error": f"{type(exc).__name__}: {exc}",
                                "attempts": 1,
                                "duration": 0.0,
                                "traceback": traceback.format_exc(),
                            }
                        if not outcome["error"] and "pdf" in task["formats"] and outcome.get("html"):
                            job = prints.submit(
                                Path(outcome["html"]), Path(task["staging"]) / "report.pdf", task["header"], spec.lang
                            )
                            pending[job] = ("pdf", task, outcome)
                            continue
                    else:
                        assert outcome is not None
                        try:
                            outcome["pdf_problem"], seconds = fut.result()
                            outcome.setdefault("timings", {})["pdf"] = seconds
                        except Exception as exc:
                            outcome["pdf_problem"] = f"{type(exc).__name__}: {exc}"
                    results.append(finish_task(task, outcome, printer, spec.lang))
                    if bar is not None:
                        bar.update(1)
    finally:
        prints.close()
        printer.close()
        if bar is not None:
            bar.close()
        if batch_dir is not None:
            shutil.rmtree(batch_dir / ".staging", ignore_errors=True)
    assert batch_dir is not None
    order = {slug: i for i, slug in enumerate(sorted(r.region for r in results))}
    results.sort(key=lambda r: order[r.region])
    total_s = time.perf_counter() - started
    batch = BatchResult(results, batch_dir, {"plan": round(plan_s, 3), "total": round(total_s, 3)})
    summary = {
        "year": spec.year,
        "stage": spec.stage,
        "notebook": spec.notebook,
        "software_version": __version__,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "exit_code": batch.exit_code,
        "regions": [asdict(r) for r in results],
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    write_text_atomic(batch_dir / "run-summary.json", text)
    return batch


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
