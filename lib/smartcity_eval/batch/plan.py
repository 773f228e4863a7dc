"""Planning a batch in the main process: which regions, their workbooks checked and scored (in the workers), the
cohort, and per report its fingerprint, whether it is unchanged (skipped) and else its task.

The plan of the region_report notebook has one report per valid region; the overview's has one report.
A report is skipped when its last manifest is good and fingerprints the same inputs (every file the report
reads, the cohort), notebook, software, parameters and formats, and its files are there (unless ``force``).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import functools
import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartcity_eval import __version__
from smartcity_eval.batch.check import check_region, failed
from smartcity_eval.batch.guard import batch_folder, inside
from smartcity_eval.batch.params import RunSpec, notebook_path, wanted
from smartcity_eval.batch.records import (
    INVALID,
    OK,
    SKIPPED,
    STALE,
    CheckedRegion,
    RegionJob,
    RegionResult,
    ReportPlan,
    Task,
)
from smartcity_eval.batch.report_kernel import REPORT_KERNEL
from smartcity_eval.common.i18n import stage_name, text
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.common.tables import sha256, write_text_atomic
from smartcity_eval.reports.document import running_header
from smartcity_eval.results import cohort


@dataclass(frozen=True)
class Plan:
    """The reports to run, the results already known (invalid, skipped), and the batch's folder."""

    reports: list[ReportPlan]
    known: list[RegionResult]
    folder: Path
    disputes: dict[str, int] = field(default_factory=dict)  # region -> disputed items not moderated yet


@dataclass(frozen=True)
class Batch:
    """What every report of a batch shares: the spec, its folder, the notebook and the cohort file."""

    spec: RunSpec
    folder: Path
    notebook: Path
    notebook_sha256: str
    cohort_csv: Path
    cohort_sha256: str
    staging: Path


def plan(spec: RunSpec, executor: cf.Executor | None = None, staging: Path | None = None) -> Plan:
    """Validate the batch's workbooks (by :func:`check_region`, on ``executor`` when given), write the cohort, and
    list the reports to run, staged under ``staging`` (the batch's own; by default a new one under ``.staging``).
    The old report of a region found invalid is kept, its manifest marked no longer current (:func:`mark_stale`)."""
    folder, nb_path = batch_folder(spec), notebook_path(spec.notebook)
    staging = staging or folder / ".staging" / uuid.uuid4().hex[:8]
    jobs, known = region_jobs(spec, folder, staging)
    checked = check_all(list(jobs.values()), executor)
    for region in (c for c in checked if c.error):
        known.append(RegionResult(region.slug, INVALID, error=region.error))
        _drop_staging(jobs[region.slug])
    for result in known:
        mark_stale(folder, result, spec.lang)
    valid = [c for c in checked if not c.error]
    batch = _batch(spec, folder, nb_path, write_cohort(spec, folder, valid), staging)
    disputes = {c.slug: c.disputes for c in valid}
    if spec.notebook == "overview":
        return Plan([overview_report(batch)], known, folder, disputes)
    reports = []
    for region in valid:
        report = region_report(batch, region, jobs[region.slug])
        if not spec.force and is_current(report):
            known.append(RegionResult(region.slug, SKIPPED, region.name, folder=str(report.final)))
            shutil.rmtree(report.task.staging, ignore_errors=True)
        else:
            reports.append(report)
    return Plan(reports, known, folder, disputes)


def region_jobs(spec: RunSpec, folder: Path, staging: Path) -> tuple[dict[str, RegionJob], list[RegionResult]]:
    """A job per wanted region whose workbook is there (by slug), and the others as invalid results."""
    jobs, invalid = {}, []
    for slug in wanted(spec):
        try:
            path = DataLayout(spec.data_dir).workbook(spec.year, spec.stage, slug)
        except ValueError as exc:
            invalid.append(RegionResult(slug, INVALID, error=str(exc)))
            continue
        if not path.exists():
            invalid.append(RegionResult(slug, INVALID, error=f"{text('runner.no_workbook', spec.lang)}: {path}"))
            continue
        jobs[slug] = _job(spec, staging, slug)
    return jobs, invalid


def _job(spec: RunSpec, staging: Path, slug: str) -> RegionJob:
    """A region's job; for the region report, its inputs go to a new folder of its own in the batch's staging."""
    inputs_file = None
    if spec.notebook == "region_report":
        inputs_file = _new_staging(staging, slug) / "inputs.pickle"
    return RegionJob(spec.data_dir, spec.year, spec.stage, slug, spec.previous, spec.lang, inputs_file)


def _new_staging(staging: Path, slug: str) -> Path:
    return inside(staging, f"{slug}-{uuid.uuid4().hex[:8]}")


def _drop_staging(job: RegionJob) -> None:
    if job.inputs_file is not None:
        shutil.rmtree(job.inputs_file.parent, ignore_errors=True)


def check_all(jobs: list[RegionJob], executor: cf.Executor | None) -> list[CheckedRegion]:
    """:func:`check_region` of every job, on ``executor`` when given; a job that raises gives its error."""
    if executor is None:
        return [_checked(job, functools.partial(check_region, job)) for job in jobs]
    futures = [executor.submit(check_region, job) for job in jobs]
    return [_checked(job, fut.result) for job, fut in zip(jobs, futures, strict=True)]


def _checked(job: RegionJob, result: Callable[[], CheckedRegion]) -> CheckedRegion:
    try:
        return result()
    except Exception as exc:
        return failed(job, exc)


def write_cohort(spec: RunSpec, folder: Path, valid: list[CheckedRegion]) -> str:
    """Write ``cohort.csv`` (only when it changed) from the valid regions' cards and, for the other workbooks, the
    last cohort's rows whose inputs are unchanged (:func:`~smartcity_eval.results.cohort.update_cohort`); returns
    its text."""
    given = {c.slug: cohort.Scored(c.card, cohort.row_key(c.inputs, spec.previous)) for c in valid}
    path = folder / "cohort.csv"
    return cohort.write_cohort(cohort.update_cohort(spec.data_dir, spec.year, spec.stage, given, path), path)


def _batch(spec: RunSpec, folder: Path, nb_path: Path, cohort_text: str, staging: Path) -> Batch:
    cohort_sha = hashlib.sha256(cohort_text.encode()).hexdigest()
    return Batch(spec, folder, nb_path, sha256(nb_path), folder / "cohort.csv", cohort_sha, staging)


def mark_stale(folder: Path, result: RegionResult, lang: str) -> None:
    """When the invalid region of ``result`` has a good report in ``folder``, keep it but mark its manifest no longer
    current (status ``stale``, with the reason and since when), and say so in ``result``."""
    path = folder / result.region / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(manifest, dict) or manifest.get("status") not in (OK, STALE):
        return
    since = manifest.get("stale_since") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest.update(status=STALE, stale_reason=result.error, stale_since=since)
    write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2))
    result.stale, result.note = True, text("runner.stale", lang)


def fingerprint(inputs: dict[str, Any], notebook_sha: str, parameters: dict[str, Any], formats: Iterable[str]) -> str:
    """What a report depends on, as one hash: its inputs, notebook, the software, parameters and formats."""
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


def is_current(report: ReportPlan) -> bool:
    """Whether the report in place is good, has every format, and has the same fingerprint."""
    manifest = report.final / "manifest.json"
    if not manifest.exists():
        return False
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    have = all((report.final / f"report.{f}").exists() for f in report.task.formats)
    return old.get("status") == OK and old.get("fingerprint") == report.fingerprint and have


def region_report(batch: Batch, region: CheckedRegion, job: RegionJob) -> ReportPlan:
    """A region's report: ``outputs/<year>/tahap-<stage>/<region>/``, staged in its job's staging folder."""
    spec, lang = batch.spec, batch.spec.lang
    assert job.inputs_file is not None
    staging = job.inputs_file.parent
    params = {**spec.notebook_parameters(), "region": region.slug, "cohort_file": str(batch.cohort_csv)}
    run_params = {**params, "output_dir": str(staging)}
    if region.inputs_written:
        run_params["inputs_file"] = str(staging / "inputs.pickle")
    when = f"{region.year} {stage_name(region.stage, lang)}"
    issuer = spec.extra.get("issuer_file") or ""
    header = running_header(region.name, region.year, region.stage, lang, issued=bool(issuer))
    task = _task(batch, region.slug, run_params, staging, f"{region.name} — {when}")
    inputs = {**region.inputs, **({issuer: sha256(Path(issuer))} if issuer else {}), "cohort.csv": batch.cohort_sha256}
    return _report(batch, task, region.name, header, params, inputs)


def overview_report(batch: Batch) -> ReportPlan:
    """The single report of an overview batch: ``outputs/<year>/tahap-<stage>/overview[-<category>]/``."""
    spec = batch.spec
    category = spec.extra.get("category", "all")
    slug = "overview" if category == "all" else f"overview-{category.lower().replace('&', '-')}"
    params = {**spec.notebook_parameters(), "cohort_file": str(batch.cohort_csv)}
    staging = _new_staging(batch.staging, slug)
    title = f"{text('runner.overview', spec.lang)} · {spec.year} · {stage_name(spec.stage, spec.lang)}"
    task = _task(batch, slug, {**params, "output_dir": str(staging)}, staging, title)
    return _report(batch, task, title, title, params, {"cohort.csv": batch.cohort_sha256})


def _task(batch: Batch, slug: str, parameters: dict[str, Any], staging: Path, title: str) -> Task:
    formats = tuple(batch.spec.formats)
    return Task(slug, batch.notebook, parameters, staging, formats, title, preload=REPORT_KERNEL)


def _report(
    batch: Batch, task: Task, name: str, header: str, params: dict[str, Any], inputs: dict[str, str | None]
) -> ReportPlan:
    return ReportPlan(
        task=task,
        name=name,
        header=header,
        final=inside(batch.folder, task.region),
        errors_dir=batch.folder / "_errors",
        parameters=params,
        inputs=inputs,
        notebook_sha256=batch.notebook_sha256,
        fingerprint=fingerprint(inputs, batch.notebook_sha256, params, batch.spec.formats),
    )
