"""A region's inputs, read, validated and scored once: its workbook, last year's result, Tahap I, its history.

The batch runner reads every workbook anyway to build the cohort; it keeps what a region's report needs in a
:class:`RegionInputs` and hands it to the report's kernel as a file (``inputs_file``), so the notebook does not
parse and score the same workbooks again. Without that file :func:`gather` does the same work in the notebook.
Either way the numbers come from the same functions.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common.layout import DataLayout
from smartcity_eval.inputs.validation import Expect, load
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard, score_assessment
from smartcity_eval.results import rules
from smartcity_eval.results.sources import Previous, previous_result, report_inputs, trajectory

#: bumped when the file layout changes; an older file is ignored and the workbooks are read again
FORMAT = 2


@dataclass
class RegionInputs:
    """Everything a region's report takes from workbooks (the cohort comes separately)."""

    key: dict[str, Any]
    assessment: Assessment
    card: ScoreCard
    previous: Previous
    stage1: ScoreCard | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: every file the report depends on: path -> sha256, or None for a place with no file (see sources.report_inputs)
    inputs: dict[str, str | None] = field(default_factory=dict)


def _key(region: str, year: int, stage: int, data_dir: str | Path, previous: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "region": region,
        "year": int(year),
        "stage": int(stage),
        "data_dir": str(Path(data_dir).resolve()),
        "previous": previous,
    }


def gather(
    region: str,
    year: int,
    stage: int,
    data_dir: str | Path,
    previous: str = "auto",
    *,
    assessment: Assessment | None = None,
    prev: Previous | None = None,
    card: ScoreCard | None = None,
) -> RegionInputs:
    """Load, validate and score ``region`` with last year's result, Tahap I, its history and its input files.

    ``assessment`` (validated with the same expectations), ``prev`` and ``card`` (``assessment`` scored against
    ``prev``) may be passed when already at hand.
    Raises :class:`~smartcity_eval.inputs.validation.WorkbookError` when the region's workbook has errors.
    """
    data_dir = Path(data_dir)
    if assessment is None:
        path = DataLayout(data_dir).workbook(year, stage, region)
        assessment = load(path, Expect(year=year, stage=stage, region=region))
    if prev is None:
        prev = previous_result(data_dir, year, region, previous)
    if card is None:
        card = rules.score(assessment, prev.final)
    known: dict[tuple[int, int], ScoreCard | None] = {(year, stage): card}
    if prev.card is not None:
        known[(year - 1, 2)] = prev.card
    stage1 = _stage1(data_dir, region, year, prev) if stage == 2 else None
    if stage == 2:
        known[(year, 1)] = stage1
    return RegionInputs(
        _key(region, year, stage, data_dir, previous),
        assessment,
        card,
        prev,
        stage1,
        history(data_dir, region, year, stage, known, {(year - 1, 2): prev.shown} if prev.published else None),
        report_inputs(data_dir, region, year, stage, previous),
    )


def _stage1(data_dir: Path, region: str, year: int, prev: Previous) -> ScoreCard | None:
    """This year's Tahap I card, when its workbook exists and is valid."""
    path = DataLayout(data_dir).workbook(year, 1, region)
    if not path.exists():
        return None
    try:
        return rules.score(load(path), prev.final)
    except ValueError:
        return None


def history(
    data_dir: Path,
    region: str,
    year: int,
    stage: int,
    known: dict[tuple[int, int], ScoreCard | None] | None = None,
    shown: dict[tuple[int, int], Any] | None = None,
) -> pd.DataFrame:
    """Nilai Final of the region in every year/stage of its :func:`~smartcity_eval.results.sources.trajectory`.

    ``known`` holds cards already scored (``None``: that workbook has errors); their Nilai Final and dimension
    scores do not depend on last year's result, so they stand for a fresh scoring. ``shown`` gives the final a
    report shows where it is not the workbook's (last year's published figure, :func:`rules.last_year_shown`).
    """
    shown = shown or {}
    rows = []
    for y, s, path in trajectory(data_dir, region, year, stage):
        if known is not None and (y, s) in known:
            card = known[(y, s)]
        else:
            try:
                card = score_assessment(load(path), mth.get(y))
            except ValueError:
                card = None
        if card is not None:
            rows.append(
                {
                    "year": y,
                    "stage": s,
                    "nilai_final": float(shown.get((y, s), card.nilai_final)),
                    **{k: float(v) for k, v in card.dimensions.items()},
                }
            )
    return pd.DataFrame(rows)


def write(inputs: RegionInputs, path: str | Path) -> Path:
    """Save ``inputs`` for the report's kernel (atomically)."""
    from smartcity_eval.common.tables import write_bytes_atomic

    data = pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)
    return write_bytes_atomic(Path(path), data)


def read(
    path: str | Path, region: str, year: int, stage: int, data_dir: str | Path, previous: str = "auto"
) -> RegionInputs | None:
    """The inputs saved by :func:`write` when they are for exactly this region and these parameters, else None.

    Only files the batch runner wrote into its own staging folder are read (they are pickles).
    """
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    inputs = pickle.loads(data)  # noqa: S301 - written by the runner for this very kernel
    if not isinstance(inputs, RegionInputs) or inputs.key != _key(region, year, stage, data_dir, previous):
        return None
    return inputs
