"""The batch runner: one papermill execution per region, in parallel, with atomic outputs and a manifest.

Per region, in a worker process: execute the notebook into a staging folder (a kernel that dies or does not
start is retried once; an error in the notebook's own code is not), export HTML. In the main process, as
results arrive: print the PDF with one browser for the whole batch, write the manifest, and move the files
into ``outputs/<year>/tahap-<stage>/<region>/`` (each by an atomic rename). A failing region leaves no
half-written report; its executed notebook goes to ``_errors/``. Regions whose inputs, notebook and software
are unchanged since their last good report are skipped unless ``force``.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from . import methodology as mth
from .cohort import build_cohort, previous_result, published_path, sha256, workbook_dir, workbook_path
from .params import RunSpec, notebook_path
from .scoring import score_assessment
from .tables import write_atomic
from .validation import Expect, validate

OK, SKIPPED, INVALID, FAILED = "ok", "skipped", "invalid", "failed"
TEXT = {
    "id": {"region": "Daerah", "status": "Status", "seconds": "Detik", "note": "Keterangan", "done": "selesai",
           "outputs": "Hasil di", "no_pdf": "PDF tidak dibuat", "no_workbook": "lembar kerja tidak ditemukan",
           OK: "berhasil", SKIPPED: "dilewati (tidak berubah)", INVALID: "tidak valid", FAILED: "gagal"},
    "en": {"region": "Region", "status": "Status", "seconds": "Seconds", "note": "Note", "done": "done",
           "outputs": "Outputs in", "no_pdf": "PDF not produced", "no_workbook": "workbook not found",
           OK: "ok", SKIPPED: "skipped (unchanged)", INVALID: "invalid", FAILED: "failed"},
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


@dataclass
class BatchResult:
    """Every region's result and the batch's folder."""

    results: list[RegionResult] = field(default_factory=list)
    folder: Path | None = None

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


def execute_task(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one region's notebook into ``task['staging']`` and export HTML. Runs in a worker process."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .report import notebook_to_html, write_text_atomic

    staging = Path(task["staging"])
    staging.mkdir(parents=True, exist_ok=True)
    out_nb = staging / "report.ipynb"
    start = time.perf_counter()
    attempts, error, kind = 0, "", ""
    for attempt in (1, 2):
        attempts = attempt
        try:
            papermill.execute_notebook(
                task["notebook"], str(out_nb), parameters=task["parameters"], kernel_name=task.get("kernel", "python3"),
                cwd=str(Path(task["notebook"]).parent), progress_bar=False, start_timeout=task.get("start_timeout", 60))
            error = ""
            break
        except PapermillExecutionError as exc:
            error, kind = f"{exc.ename}: {exc.evalue}", "notebook"
            break
        except Exception as exc:  # kernel trouble is retried once, anything else reported
            error, kind = f"{type(exc).__name__}: {exc}", "kernel" if _is_kernel_failure(exc) else "runner"
            if kind != "kernel":
                break
    result = {"region": task["region"], "staging": str(staging), "attempts": attempts, "error": error,
              "error_kind": kind, "html": None}
    if not error and "html" in task["formats"] or not error and "pdf" in task["formats"]:
        try:
            html = notebook_to_html(out_nb, title=task["title"], lang=task["parameters"].get("lang", "id"))
            write_text_atomic(staging / "report.html", html)
            result["html"] = str(staging / "report.html")
        except Exception as exc:
            result["error"], result["error_kind"] = f"HTML: {type(exc).__name__}: {exc}", "runner"
    result["duration"] = time.perf_counter() - start
    return result


# ------------------------------------------------------------------------------------------- main side


def _fingerprint(inputs: dict[str, str], notebook_sha: str, parameters: dict[str, Any], formats: Iterable[str]) -> str:
    blob = json.dumps({"inputs": inputs, "notebook": notebook_sha, "version": __version__,
                       "parameters": parameters, "formats": sorted(formats)}, sort_keys=True, default=str)
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
        from .report import BrowserUnavailable, PdfPrinter

        try:
            if self.printer is None:
                self.printer = PdfPrinter(browser=self.browser).__enter__()
            self.printer.print_pdf(html, pdf, header=header, lang=lang)
            return ""
        except BrowserUnavailable as exc:
            self.unavailable = str(exc).splitlines()[0]
            print(f"PDF: {exc}", file=sys.stderr)
            return self.unavailable

    def close(self) -> None:
        if self.printer is not None:
            self.printer.__exit__(None, None, None)


def plan(spec: RunSpec) -> tuple[list[dict[str, Any]], list[RegionResult], Path]:
    """Validate the batch's workbooks, build the cohort, and list the regions to execute.

    Returns (tasks, results already known: invalid / skipped, batch folder).
    """
    from .i18n import stage_name

    out_root = spec.output_dir.resolve()
    batch_dir = _inside(out_root, str(spec.year), f"tahap-{spec.stage}")
    batch_dir.mkdir(parents=True, exist_ok=True)
    nb_path = notebook_path(spec.notebook)
    nb_sha = sha256(nb_path)
    folder = workbook_dir(spec.data_dir, spec.year, spec.stage)
    found = sorted(p.stem for p in folder.glob("*.xlsx"))
    wanted = spec.regions if spec.regions is not None else found
    t = TEXT[spec.lang]
    results: list[RegionResult] = []
    cards = {}
    valid: dict[str, Any] = {}
    for slug in wanted:
        try:
            path = workbook_path(spec.data_dir, spec.year, spec.stage, slug)
        except ValueError as exc:
            results.append(RegionResult(slug, INVALID, error=str(exc)))
            continue
        if not path.exists():
            results.append(RegionResult(slug, INVALID, error=f"{t['no_workbook']}: {path}"))
            continue
        check = validate(path, Expect(year=spec.year, stage=spec.stage, region=slug))
        if check.assessment is None:
            results.append(RegionResult(slug, INVALID, error="\n".join(p.format(spec.lang) for p in check.errors)))
            continue
        prev = previous_result(spec.data_dir, spec.year, slug, spec.previous)
        cards[slug] = score_assessment(check.assessment, mth.get(spec.year), prev.final)
        valid[slug] = (check.assessment, prev, path)
    cohort = build_cohort(spec.data_dir, spec.year, spec.stage, cards)
    cohort_csv = batch_dir / "cohort.csv"
    text = cohort.to_csv(index=False)
    if not cohort_csv.exists() or cohort_csv.read_text(encoding="utf-8") != text:
        write_atomic(cohort_csv, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if spec.notebook == "overview":
        return [_overview_task(spec, batch_dir, nb_path, nb_sha, cohort_csv, text)], results, batch_dir
    tasks = []
    for slug, (assessment, prev, path) in valid.items():
        final = _inside(batch_dir, slug)
        inputs = {str(path): sha256(path), "cohort.csv": hashlib.sha256(text.encode()).hexdigest()}
        for extra in (prev.path, workbook_path(spec.data_dir, spec.year, 1, slug) if spec.stage == 2 else None,
                      published_path(spec.data_dir, spec.year, spec.stage)):
            if extra is not None and Path(extra).exists():
                inputs[str(extra)] = sha256(Path(extra))
        params = {**spec.notebook_parameters(), "region": slug, "cohort_file": str(cohort_csv)}
        fingerprint = _fingerprint(inputs, nb_sha, params, spec.formats)
        manifest = final / "manifest.json"
        if not spec.force and manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            have = all((final / f"report.{f}").exists() for f in spec.formats)
            if old.get("status") == OK and old.get("fingerprint") == fingerprint and have:
                results.append(RegionResult(slug, SKIPPED, assessment.profile.region, folder=str(final)))
                continue
        p = assessment.profile
        header = f"{p.region} · {p.year} · {stage_name(p.stage, spec.lang)}"
        if p.stage == 1:
            header += " · " + ("SEMENTARA" if spec.lang == "id" else "PROVISIONAL")
        staging = _inside(batch_dir, ".staging", f"{slug}-{uuid.uuid4().hex[:8]}")
        tasks.append({"region": slug, "name": p.region, "notebook": str(nb_path), "notebook_sha256": nb_sha,
                      "parameters": {**params, "output_dir": str(staging)}, "manifest_parameters": params,
                      "staging": str(staging), "final": str(final), "formats": list(spec.formats),
                      "title": f"{p.region} — {p.year} {stage_name(p.stage, spec.lang)}", "header": header,
                      "inputs": inputs, "fingerprint": fingerprint, "errors_dir": str(batch_dir / "_errors")})
    return tasks, results, batch_dir


def _overview_task(spec: RunSpec, batch_dir: Path, nb_path: Path, nb_sha: str, cohort_csv: Path,
                   cohort_text: str) -> dict[str, Any]:
    """The single task of an overview batch: ``outputs/<year>/tahap-<stage>/overview[-<category>]/``."""
    from .i18n import stage_name

    category = spec.extra.get("category", "all")
    slug = "overview" if category == "all" else f"overview-{category.lower().replace('&', '-')}"
    inputs = {"cohort.csv": hashlib.sha256(cohort_text.encode()).hexdigest()}
    params = {**spec.notebook_parameters(), "cohort_file": str(cohort_csv)}
    staging = _inside(batch_dir, ".staging", f"{slug}-{uuid.uuid4().hex[:8]}")
    title = ("Ikhtisar Nasional" if spec.lang == "id" else "National overview") + \
        f" · {spec.year} · {stage_name(spec.stage, spec.lang)}"
    return {"region": slug, "name": title, "notebook": str(nb_path), "notebook_sha256": nb_sha,
            "parameters": {**params, "output_dir": str(staging)}, "manifest_parameters": params,
            "staging": str(staging), "final": str(_inside(batch_dir, slug)), "formats": list(spec.formats),
            "title": title, "header": title, "inputs": inputs,
            "fingerprint": _fingerprint(inputs, nb_sha, params, spec.formats),
            "errors_dir": str(batch_dir / "_errors")}


def finish_task(task: dict[str, Any], outcome: dict[str, Any], printer: _Printer, lang: str) -> RegionResult:
    """Print the PDF, write the manifest, and move a region's staged outputs into place (main process)."""
    staging, final = Path(task["staging"]), Path(task["final"])
    note = ""
    status = FAILED if outcome["error"] else OK
    if status == OK and "pdf" in task["formats"] and outcome.get("html"):
        problem = printer.print(Path(outcome["html"]), staging / "report.pdf", task["header"], lang)
        if problem:
            note = f"{TEXT[lang]['no_pdf']}: {problem}"
    manifest = {
        "region": task["region"], "region_name": task["name"], "status": status,
        "parameters": task["manifest_parameters"], "inputs": task["inputs"], "notebook": task["notebook"],
        "notebook_sha256": task["notebook_sha256"], "software_version": __version__,
        "python": sys.version.split()[0], "formats": task["formats"], "fingerprint": task["fingerprint"],
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(outcome.get("duration", 0.0), 3), "attempts": outcome["attempts"],
        "error": outcome["error"], "note": note,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    if status == OK:
        write_atomic(staging / "manifest.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        names = [f"report.{f}" for f in task["formats"] if f != "pdf" or not note] + ["scores.json", "manifest.json"]
        _commit(staging, final, names)
    else:
        errors = Path(task["errors_dir"])
        errors.mkdir(parents=True, exist_ok=True)
        if (staging / "report.ipynb").exists():
            os.replace(staging / "report.ipynb", errors / f"{task['region']}.ipynb")
        write_atomic(errors / f"{task['region']}.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        shutil.rmtree(staging, ignore_errors=True)
    return RegionResult(task["region"], status, task["name"], outcome.get("duration", 0.0), outcome["error"], note,
                        outcome["attempts"], str(final) if status == OK else "")


def default_workers() -> int:
    """One worker per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run(spec: RunSpec, *, progress: bool = True,
        executor_factory: Callable[[int], cf.Executor] | None = None) -> BatchResult:
    """Run a batch; never raises for a single region's failure."""
    tasks, results, batch_dir = plan(spec)
    workers = spec.workers or default_workers()
    printer = _Printer(spec.browser)
    bar = None
    if progress and tasks:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="region", file=sys.stderr)
    try:
        if executor_factory is not None:
            executor = executor_factory(workers)
        else:
            import multiprocessing

            executor = cf.ProcessPoolExecutor(max_workers=min(workers, max(1, len(tasks))),
                                              mp_context=multiprocessing.get_context("spawn"))
        with executor:
            futures = {executor.submit(execute_task, task): task for task in tasks}
            for fut in cf.as_completed(futures):
                task = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # a worker that crashed outright
                    outcome = {"error": f"{type(exc).__name__}: {exc}", "attempts": 1, "duration": 0.0,
                               "traceback": traceback.format_exc()}
                results.append(finish_task(task, outcome, printer, spec.lang))
                if bar is not None:
                    bar.update(1)
    finally:
        printer.close()
        if bar is not None:
            bar.close()
        shutil.rmtree(batch_dir / ".staging", ignore_errors=True)
    order = {slug: i for i, slug in enumerate(sorted(r.region for r in results))}
    results.sort(key=lambda r: order[r.region])
    batch = BatchResult(results, batch_dir)
    summary = {"year": spec.year, "stage": spec.stage, "notebook": spec.notebook, "software_version": __version__,
               "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "exit_code": batch.exit_code, "regions": [asdict(r) for r in results]}
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    write_atomic(batch_dir / "run-summary.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return batch


def summary_table(batch: BatchResult, lang: str = "id") -> str:
    """The final summary as a plain-text table."""
    t = TEXT[lang]
    rows = [(r.region, t[r.status], f"{r.duration:.1f}", (r.error or r.note).replace("\n", "\n" + " " * 52))
            for r in batch.results]
    width = max([len(t["region"])] + [len(r[0]) for r in rows]) + 2
    lines = [f"{t['region']:<{width}}{t['status']:<26}{t['seconds']:>7}  {t['note']}"]
    lines += [f"{a:<{width}}{b:<26}{c:>7}  {d}" for a, b, c, d in rows]
    if batch.folder is not None:
        lines.append(f"\n{t['outputs']}: {batch.folder}")
    return "\n".join(lines)
