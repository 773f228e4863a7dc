"""The worker side of planning: check and score one region's workbook, and save what its report needs."""

from __future__ import annotations

from smartcity_eval.batch.records import CheckedRegion, RegionJob
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.inputs.validation import Expect, validate
from smartcity_eval.method.moderation import open_disputes
from smartcity_eval.results import rules
from smartcity_eval.results.sources import previous_result, report_inputs


def check_region(job: RegionJob) -> CheckedRegion:
    """Validate and score one region's workbook; save its report inputs. Runs in a worker process.

    Returns the workbook's problems, or its score card with the region's name and stage and the report's inputs
    (written to ``job.inputs_file`` when given, else only listed).
    """
    from smartcity_eval.results import region_inputs

    path = DataLayout(job.data_dir).workbook(job.year, job.stage, job.slug)
    check = validate(path, Expect(year=job.year, stage=job.stage, region=job.slug))
    if check.assessment is None:
        return CheckedRegion(job.slug, error="\n".join(p.format(job.lang) for p in check.errors))
    prev = previous_result(job.data_dir, job.year, job.slug, job.previous)
    card = rules.score(check.assessment, prev.final)
    if job.inputs_file is not None:
        got = region_inputs.gather(
            job.slug, job.year, job.stage, job.data_dir, job.previous, assessment=check.assessment, prev=prev, card=card
        )
        region_inputs.write(got, job.inputs_file)
        inputs = got.inputs
    else:
        inputs = report_inputs(job.data_dir, job.slug, job.year, job.stage, job.previous)
    p, written = check.assessment.profile, job.inputs_file is not None
    disputes = len(open_disputes(check.assessment))
    return CheckedRegion(job.slug, "", card, p.region, p.year, p.stage, inputs, written, disputes)


def failed(job: RegionJob, exc: BaseException) -> CheckedRegion:
    """The check of a job whose worker raised ``exc``."""
    return CheckedRegion(job.slug, error=f"{type(exc).__name__}: {exc}")
