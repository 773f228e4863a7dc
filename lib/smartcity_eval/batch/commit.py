"""Finishing a report in the main process: its manifest, and its staged files moved into place (each by an atomic
rename), or, when it failed, its executed notebook and manifest moved to ``_errors/``.

A failing report leaves no half-written report in place; its manifest in ``_errors/`` carries the error and,
for an error of the runner's own or a worker that crashed, the traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from smartcity_eval import __version__
from smartcity_eval.batch.records import FAILED, OK, Outcome, Printed, RegionResult, ReportPlan
from smartcity_eval.common import i18n
from smartcity_eval.common.tables import write_text_atomic


def finish(report: ReportPlan, outcome: Outcome, printed: Printed | None, lang: str) -> RegionResult:
    """Write the manifest and move the report's staged outputs into place, or into ``_errors/`` when it failed.

    ``printed``: the PDF printed from the outcome's HTML (None when no PDF was printed)."""
    status = FAILED if outcome.error else OK
    problem = printed.problem if printed is not None and status == OK else ""
    note = f"{i18n.text('runner.no_pdf', lang)}: {problem}" if problem else ""
    text = json.dumps(manifest(report, outcome, status, note), ensure_ascii=False, indent=2)
    if status == OK:
        write_text_atomic(report.task.staging / "manifest.json", text)
        names = [f"report.{f}" for f in report.task.formats if f != "pdf" or not note]
        commit(report.task.staging, report.final, [*names, "scores.json", "manifest.json"])
    else:
        keep_failure(report, text)
    return region_result(report, outcome, printed, status, note)


def region_result(
    report: ReportPlan, outcome: Outcome, printed: Printed | None, status: str, note: str
) -> RegionResult:
    """The result of a finished report: the outcome's error and figures, and where the report went."""
    pdf = {"pdf": printed.seconds} if printed is not None and printed.seconds is not None else {}
    return RegionResult(
        region=report.region,
        status=status,
        name=report.name,
        duration=outcome.duration,
        error=outcome.error,
        note=note,
        attempts=outcome.attempts,
        folder=str(report.final) if status == OK else "",
        timings={k: round(v, 4) for k, v in {**outcome.timings, **pdf}.items()},
        memory_mb={k: round(v, 1) for k, v in outcome.memory_mb.items()},
        worker_pid=outcome.pid,
        traceback=outcome.traceback,
    )


def manifest(report: ReportPlan, outcome: Outcome, status: str, note: str) -> dict[str, Any]:
    """What ``manifest.json`` records of a report: what it was made from, by what, when, and how it went."""
    data = {
        "region": report.region,
        "region_name": report.name,
        "status": status,
        "parameters": report.parameters,
        "inputs": report.inputs,
        "notebook": str(report.task.notebook),
        "notebook_sha256": report.notebook_sha256,
        "software_version": __version__,
        "python": sys.version.split()[0],
        "formats": list(report.task.formats),
        "fingerprint": report.fingerprint,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(outcome.duration, 3),
        "attempts": outcome.attempts,
        "error": outcome.error,
        "note": note,
    }
    if status == FAILED:
        data["traceback"] = outcome.traceback
    return data


def commit(staging: Path, final: Path, names: Iterable[str]) -> None:
    """Move the staged files into ``final`` one atomic rename each, then drop the staging folder."""
    final.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = staging / name
        if src.exists():
            os.replace(src, final / name)
    shutil.rmtree(staging, ignore_errors=True)


def keep_failure(report: ReportPlan, manifest_text: str) -> None:
    """Move a failed report's executed notebook to ``_errors/<region>.ipynb``, write its manifest next to it as
    ``<region>.json``, and drop the staging folder."""
    errors, staging = report.errors_dir, report.task.staging
    errors.mkdir(parents=True, exist_ok=True)
    if (staging / "report.ipynb").exists():
        os.replace(staging / "report.ipynb", errors / f"{report.region}.ipynb")
    write_text_atomic(errors / f"{report.region}.json", manifest_text)
    shutil.rmtree(staging, ignore_errors=True)
