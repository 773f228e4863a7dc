"""The cohort a region is compared with: every region of a year and stage, from workbooks and published tables.

Computed once per batch (``build_cohort``) and handed to each region's report as a CSV, so a report never
re-reads every other region's workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from smartcity_eval.common.tables import sha256 as sha256  # re-exported for the runner and reports
from smartcity_eval.inputs.validation import Expect, validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import slugify
from smartcity_eval.method.numbers import to_fraction
from smartcity_eval.method.scoring import ScoreCard, is_participant, rank, score_assessment
from smartcity_eval.results.national import read_published, recompute

DIMS = list(mth.DIMENSION_KEYS)


def workbook_dir(data_dir: Path, year: int, stage: int) -> Path:
    """``<data_dir>/<year>/tahap-<stage>``."""
    return Path(data_dir) / str(year) / f"tahap-{stage}"


def workbook_path(data_dir: Path, year: int, stage: int, region: str) -> Path:
    """The workbook of one region; ``region`` must be a slug (no path separators)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", region):
        raise ValueError(f"region {region!r} is not a slug (lower-case letters, digits and '-')")
    return workbook_dir(data_dir, year, stage) / f"{region}.xlsx"


def published_path(data_dir: Path, year: int, stage: int) -> Path:
    """``<data_dir>/published/national-<year>-tahap-<stage>.csv``."""
    return Path(data_dir) / "published" / f"national-{year}-tahap-{stage}.csv"


@dataclass
class Previous:
    """Last year's result of a region: exact final from a workbook, or 2-decimal values from a table."""

    final: Fraction | None
    dimensions: pd.Series | None
    source: str | None  # 'workbook' | 'published' | None
    path: Path | None = None
    card: ScoreCard | None = None  # last year's card when it comes from a workbook


def previous_result(data_dir: Path, year: int, region: str, mode: str = "auto") -> Previous:
    """Last year's Tahap II result of ``region`` (slug): its workbook when there is one, else the published table.

    ``mode`` is ``auto``, ``workbook``, ``published`` or ``none``.
    """
    if mode not in ("auto", "workbook", "published", "none"):
        raise ValueError(f"previous={mode!r}; expected auto, workbook, published or none")
    prev_year = year - 1
    if mode == "none":
        return Previous(None, None, None)
    if mode in ("auto", "workbook") and prev_year in mth.years():
        path = workbook_path(data_dir, prev_year, 2, region)
        if path.exists():
            result = validate(path)
            if result.assessment is not None:
                card = score_assessment(result.assessment, mth.get(prev_year))
                return Previous(card.nilai_final, card.dimensions, "workbook", path, card)
    if mode in ("auto", "published"):
        path = published_path(data_dir, prev_year, 2)
        if path.exists():
            table = read_published(path)
            match = table[table["region"].map(slugify) == region]
            if not match.empty and match.iloc[0]["nilai_final"]:
                row = match.iloc[0]
                dims = pd.Series({k: row[k] for k in DIMS if row[k] is not None}, dtype=object)
                return Previous(to_fraction(row["nilai_final"]), dims if len(dims) else None, "published", path)
    return Previous(None, None, None)


def card_row(card: ScoreCard, source: str, path: Path | None = None) -> dict[str, Any]:
    """One cohort row from a score card."""
    row: dict[str, Any] = {
        "slug": slugify(card.region),
        "region": card.region,
        "province": card.province,
        "category": card.category,
        "source": source,
        "file": str(path or ""),
    }
    row.update({k: (float(card.dimensions[k]) if k in card.dimensions else None) for k in DIMS})
    row["nilai_final"] = float(card.nilai_final)
    row["improvement"] = None if card.improvement is None else float(card.improvement)
    row["participant"] = is_participant(card.dimensions)
    return row


def build_cohort(data_dir: Path, year: int, stage: int, cards: dict[str, ScoreCard] | None = None) -> pd.DataFrame:
    """Every region of ``year``/``stage``: scored workbooks first, published rows for the others; ranked.

    Workbooks with errors are left out (the batch reports them). ``cards`` may hold cards already scored.
    """
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(workbook_dir(data_dir, year, stage).glob("*.xlsx")):
        card = (cards or {}).get(path.stem)
        if card is None:
            result = validate(path, Expect(year=year, stage=stage))
            if result.assessment is None:
                continue
            prev = previous_result(data_dir, year, path.stem)
            card = score_assessment(result.assessment, mth.get(year), prev.final)
        rows[path.stem] = card_row(card, "workbook", path)
    table = published_path(data_dir, year, stage)
    if table.exists():
        published = recompute(read_published(table), year)
        for rec in published.itertuples(index=False):
            slug = slugify(rec.region)
            if slug in rows:
                continue
            row = {
                "slug": slug,
                "region": rec.region,
                "province": "",
                "category": rec.category,
                "source": "published",
                "file": str(table),
            }
            row.update({k: (None if getattr(rec, k) is None else float(getattr(rec, k))) for k in DIMS})
            row["nilai_final"] = float(rec.nilai_final) if rec.nilai_final is not None else 0.0
            row["improvement"] = None if rec.improvement is None else float(rec.improvement)
            row["participant"] = bool(rec.participant)
            rows[slug] = row
    cohort = pd.DataFrame(
        list(rows.values()),
        columns=[
            "slug",
            "region",
            "province",
            "category",
            "source",
            "file",
            *DIMS,
            "nilai_final",
            "improvement",
            "participant",
        ],
    )
    return add_ranks(cohort)


def add_ranks(cohort: pd.DataFrame) -> pd.DataFrame:
    """``rank_national``, ``rank_category`` and ``rank_province`` (ties share; non-participants get none)."""
    out = cohort.copy()
    if out.empty:
        for col in ("rank_national", "rank_category", "rank_province"):
            out[col] = pd.Series(dtype="Int64")
        return out
    part = out["participant"].astype(bool)
    out["rank_national"] = rank(out["nilai_final"], part)
    for col, by in (("rank_category", "category"), ("rank_province", "province")):
        out[col] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        for _, idx in out.groupby(by).groups.items():
            out.loc[idx, col] = rank(out.loc[idx, "nilai_final"], part.loc[idx])
    out.loc[out["province"] == "", "rank_province"] = pd.NA
    return out.sort_values(["participant", "nilai_final"], ascending=[False, False]).reset_index(drop=True)


def read_cohort(path: Path) -> pd.DataFrame:
    """Read a cohort CSV written by :func:`write_cohort`."""
    frame = pd.read_csv(path, keep_default_na=True, dtype={"province": str, "file": str})
    frame["province"] = frame["province"].fillna("")
    for col in ("rank_national", "rank_category", "rank_province"):
        frame[col] = frame[col].astype("Int64")
    frame["participant"] = frame["participant"].astype(bool)
    return frame


def category_median(cohort: pd.DataFrame, category: str) -> pd.Series:
    """Median of each dimension and of Nilai Final among the category's participants."""
    members = cohort[(cohort["category"] == category) & cohort["participant"].astype(bool)]
    return members[[*DIMS, "nilai_final"]].median(numeric_only=True)
