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

from smartcity_eval.inputs.validation import Expect, load
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard, score_assessment
from smartcity_eval.results.cohort import Previous, previous_result, sha256, workbook_dir, workbook_path

#: bumped when the file layout changes; an older file is ignored and the workbooks are read again
FORMAT = 1


@dataclass
class RegionInputs:
    """Everything a region's report takes from workbooks (the cohort comes separately)."""

    key: dict[str, Any]
    assessment: Assessment
    card: ScoreCard
    previous: Previous
    stage1: ScoreCard | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: list[tuple[str, str]] = field(default_factory=list)


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
    """Load, validate and score ``region`` with last year's result, Tahap I and its history.

    ``assessment`` (validated with the same expectations), ``prev`` and ``card`` (``assessment`` scored against
    ``prev``) may be passed when already at hand.
    Raises :class:`~smartcity_eval.inputs.validation.WorkbookError` when the region's workbook has errors.
    """
    data_dir = Path(data_dir)
    path = workbook_path(data_dir, year, stage, region)
    if assessment is None:
        assessment = load(path, Expect(year=year, stage=stage, region=region))
    methodology = mth.get(year)
    if prev is None:
        prev = previous_result(data_dir, year, region, previous)
    if card is None:
        card = score_assessment(assessment, methodology, prev.final)
    inputs = [(str(path), sha256(path))]
    if prev.path is not None:
        inputs.append((str(prev.path), sha256(prev.path)))
    known: dict[tuple[int, int], ScoreCard | None] = {(year, stage): card}
    if prev.card is not None:
        known[(year - 1, 2)] = prev.card
    stage1 = None
    if stage == 2:
        p1 = workbook_path(data_dir, year, 1, region)
        if p1.exists():
            try:
                stage1 = score_assessment(load(p1), methodology, prev.final)
                inputs.append((str(p1), sha256(p1)))
            except ValueError:
                stage1 = None
            known[(year, 1)] = stage1
    return RegionInputs(
        _key(region, year, stage, data_dir, previous),
        assessment,
        card,
        prev,
        stage1,
        history(data_dir, region, year, stage, known),
        inputs,
    )


def history(
    data_dir: Path, region: str, year: int, stage: int, known: dict[tuple[int, int], ScoreCard | None] | None = None
) -> pd.DataFrame:
    """Nilai Final of the region in every year/stage with a workbook up to this one.

    ``known`` holds cards already scored (``None``: that workbook has errors); their Nilai Final and dimension
    scores do not depend on last year's result, so they stand for a fresh scoring.
    """
    rows = []
    for y in mth.years():
        for s in (1, 2):
            if (y, s) > (year, stage):
                continue
            path = workbook_dir(data_dir, y, s) / f"{region}.xlsx"
            if not path.exists():
                continue
            if known is not None and (y, s) in known:
                card = known[(y, s)]
                if card is None:
                    continue
            else:
                try:
                    card = score_assessment(load(path), mth.get(y))
                except ValueError:
                    continue
            rows.append(
                {
                    "year": y,
                    "stage": s,
                    "nilai_final": float(card.nilai_final),
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
