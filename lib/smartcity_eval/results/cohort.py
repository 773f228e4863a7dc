"""The cohort a region is compared with: every region of a year and stage, from workbooks and published tables.

Computed once per batch (``build_cohort``) and handed to each region's report as a CSV, so a report never
re-reads every other region's workbook. Participants, improvements, ranks and row order follow
:mod:`smartcity_eval.results.rules`. Every row's Kemendagri code and province are the register's
(:mod:`smartcity_eval.inputs.register`): a workbook's by its validated code, a published row's by its name
(:func:`smartcity_eval.results.national.read_published`), so province ranks group every region of a province.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common.layout import DataLayout
from smartcity_eval.inputs import register
from smartcity_eval.inputs.validation import Expect, validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import slugify
from smartcity_eval.method.scoring import ScoreCard
from smartcity_eval.results import rules
from smartcity_eval.results.national import read_published
from smartcity_eval.results.sources import previous_result

DIMS = list(mth.DIMENSION_KEYS)
COLUMNS = [
    "slug",
    "region",
    "region_code",
    "province",
    "category",
    "source",
    "file",
    *DIMS,
    "nilai_final",
    "improvement",
    "participant",
]


def card_row(card: ScoreCard, source: str, path: Path | None = None) -> dict[str, Any]:
    """One cohort row from a score card; code and province as the register writes them."""
    registered = register.lookup(card.region_code)
    row: dict[str, Any] = {
        "slug": slugify(card.region),
        "region": card.region,
        "region_code": card.region_code if registered is None else registered.code,
        "province": card.province if registered is None else registered.province,
        "category": card.category,
        "source": source,
        "file": str(path or ""),
    }
    row.update({k: (float(card.dimensions[k]) if k in card.dimensions else None) for k in DIMS})
    row["nilai_final"] = float(card.nilai_final)
    row["improvement"] = None if card.improvement is None else float(card.improvement)
    row["participant"] = rules.participant(card.dimensions)
    return row


def published_row(rec: dict[str, Any], path: Path) -> dict[str, Any]:
    """One cohort row from a published table's row (with the register's code and province)."""
    dims = {k: rec[k] for k in DIMS if not rules.missing(rec[k])}
    takes_part = rules.participant(dims, rec["nilai_final"])
    row: dict[str, Any] = {
        "slug": slugify(rec["region"]),
        "region": rec["region"],
        "region_code": rec["region_code"],
        "province": rec["province"],
        "category": rec["category"],
        "source": rules.PUBLISHED,
        "file": str(path),
    }
    row.update({k: (float(dims[k]) if k in dims else None) for k in DIMS})
    row["nilai_final"] = None if rules.missing(rec["nilai_final"]) else float(rec["nilai_final"])
    imp = rules.published_improvement(rec["improvement"], takes_part)
    row["improvement"] = None if imp is None else float(imp)
    row["participant"] = takes_part
    return row


def _scored(path: Path, year: int, stage: int, data_dir: Path) -> ScoreCard | None:
    result = validate(path, Expect(year=year, stage=stage))
    if result.assessment is None:
        return None
    return rules.score(result.assessment, previous_result(data_dir, year, path.stem).final)


def build_cohort(data_dir: Path, year: int, stage: int, cards: dict[str, ScoreCard] | None = None) -> pd.DataFrame:
    """Every region of ``year``/``stage``: scored workbooks first, published rows for the others; ranked and in
    the order of :func:`rules.ranked`.

    Workbooks with errors are left out (the batch reports them). ``cards`` may hold cards already scored.
    """
    layout = DataLayout(Path(data_dir))
    rows: dict[str, dict[str, Any]] = {}
    for path in layout.workbooks(year, stage):
        card = (cards or {}).get(path.stem) or _scored(path, year, stage, Path(data_dir))
        if card is not None:
            rows[path.stem] = card_row(card, rules.WORKBOOK, path)
    table = layout.published(year, stage)
    if table.exists():
        for rec in read_published(table).to_dict("records"):
            rows.setdefault(slugify(rec["region"]), published_row(rec, table))
    return rules.ranked(pd.DataFrame(list(rows.values()), columns=COLUMNS))


def read_cohort(path: Path) -> pd.DataFrame:
    """Read a cohort CSV written by the batch."""
    frame = pd.read_csv(path, keep_default_na=True, dtype={"region_code": str, "province": str, "file": str})
    frame["province"] = frame["province"].fillna("")
    for col in rules.RANKS:
        frame[col] = frame[col].astype("Int64")
    frame["participant"] = frame["participant"].astype(bool)
    return frame


def category_median(cohort: pd.DataFrame, category: str | None = None) -> pd.Series:
    """Median of each dimension and of Nilai Final among the category's participants (every participant when
    ``category`` is None)."""
    members = cohort[cohort["participant"].astype(bool)]
    if category is not None:
        members = members[members["category"] == category]
    return members[[*DIMS, "nilai_final"]].median(numeric_only=True)
