"""Scores of the method: pure functions over pandas objects (no files, no printing).

Item value = panel mean (or the panel's agreed score, or survey average) -> dimension score = mean of its
items -> Nilai Final = sum of weight x dimension score -> Indeks Peningkatan = this year's Nilai Final - last
year's, before rounding. All arithmetic is exact (:class:`fractions.Fraction`); rounding is half-up to 2 decimals at the
edge (:func:`smartcity_eval.common.numbers.round_half_up`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from smartcity_eval.common.numbers import percent, round_half_up, to_fraction
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.methodology import DIMENSION_KEYS, PILLAR_KEYS, Methodology, WeightProfile
from smartcity_eval.method.moderation import agreed_scores


def item_values(scores: pd.DataFrame, survey: pd.Series | None = None, agreed: pd.Series | None = None) -> pd.Series:
    """Each item's value: the mean of the assessors' integer scores, the panel's agreed score, or its survey average.

    ``scores`` has one row per item and one column per assessor (NA = not scored). An ``agreed`` score (the
    panel's moderation, :mod:`smartcity_eval.method.moderation`) replaces the mean of that item; a survey average
    replaces both. Items with none of these are left out. Values are exact Fractions.
    """
    values: dict[Any, Fraction] = {}
    totals = scores.sum(axis=1, skipna=True).tolist()
    counts = scores.notna().sum(axis=1).tolist()
    for item_id, total, count in zip(scores.index, totals, counts, strict=True):
        if count:
            values[item_id] = Fraction(int(total), int(count))
    for item_id, score in (agreed if agreed is not None else pd.Series(dtype="int64")).items():
        values[item_id] = Fraction(int(score))
    if survey is not None:
        for item_id, avg in survey.items():
            if not pd.isna(avg):
                values[item_id] = to_fraction(avg)
    order = [i for i in scores.index if i in values] + [i for i in values if i not in scores.index]
    return pd.Series([values[i] for i in order], index=pd.Index(order, name="item_id"), dtype=object, name="value")


def dimension_scores(values: pd.Series, bank: pd.DataFrame) -> pd.Series:
    """Mean of the item values of each dimension, in canonical dimension order (exact Fractions).

    ``bank`` maps item ids (index) to a ``dimension`` column, e.g. ``Methodology.question_bank(category)``.
    Items outside the bank are ignored; a dimension with no valued item is left out.
    """
    dims = bank["dimension"].reindex(values.index)
    out: dict[str, Fraction] = {}
    for key in DIMENSION_KEYS:
        members = [v for v, d in zip(values.tolist(), dims.tolist(), strict=True) if d == key]
        if members:
            out[key] = sum(members, Fraction(0)) / len(members)
    return pd.Series(out, dtype=object, name="score")


def nilai_final(dimensions: pd.Series | Mapping[str, Any], profile: WeightProfile) -> Fraction:
    """Weighted sum of the dimension scores with the year/category profile (exact).

    A dimension with a weight but no score counts as 0, as in the published tables.
    """
    dims = dict(dimensions.items()) if isinstance(dimensions, pd.Series) else dict(dimensions)
    total = Fraction(0)
    for key, weight in profile.weights.items():
        value = dims.get(key)
        if weight and value is not None and not (isinstance(value, float) and value != value):
            total += Fraction(weight, 100) * to_fraction(value)
    return total


def improvement(current: Any, previous: Any) -> Fraction | None:
    """Indeks Peningkatan: ``current - previous`` before rounding; None ("-") without a previous value."""
    if current is None or previous is None:
        return None
    return to_fraction(current) - to_fraction(previous)


def realisation(
    table: pd.DataFrame, by: str, done: str, planned: str, order: Iterable[str] | None = None
) -> pd.DataFrame:
    """``done / planned`` in percent (2 decimals, half-up) per ``by`` group, with an ``overall`` row.

    Returns columns ``planned``, ``done``, ``percent`` (Decimal or None when nothing was planned).
    """
    grouped = table.groupby(by, sort=False)[[planned, done]].sum()
    keys = [k for k in (order or []) if k in grouped.index] + [k for k in grouped.index if k not in (order or [])]
    rows = {k: (int(grouped.at[k, planned]), int(grouped.at[k, done])) for k in keys}
    rows["overall"] = (int(table[planned].sum()), int(table[done].sum()))
    return pd.DataFrame(
        [{"planned": p, "done": d, "percent": percent(d, p)} for p, d in rows.values()],
        index=pd.Index(list(rows), name=by),
    )


def programme_realisation(programmes: pd.DataFrame) -> pd.DataFrame:
    """Programmes running / planned per pillar (canonical order) and overall."""
    table = programmes.assign(_planned=1, _done=(programmes["status"] == "berjalan").astype(int))
    return realisation(table, "pillar", "_done", "_planned", PILLAR_KEYS)


def action_plan_realisation(activities: pd.DataFrame, order: Iterable[str] | None = None) -> pd.DataFrame:
    """Action-plan activities carried out / planned per category and overall."""
    return realisation(activities, "category", "done", "planned", order)


@dataclass
class ScoreCard:
    """All scores of one assessment."""

    region: str
    region_code: str
    province: str
    year: int
    stage: int
    category: str
    profile: WeightProfile
    items: pd.Series
    dimensions: pd.Series
    nilai_final: Fraction
    previous_final: Fraction | None
    improvement: Fraction | None
    programmes: pd.DataFrame
    action_plan: pd.DataFrame

    @property
    def nilai_final_rounded(self) -> Decimal:
        return round_half_up(self.nilai_final)

    @property
    def improvement_rounded(self) -> Decimal | None:
        return None if self.improvement is None else round_half_up(self.improvement)

    def dimensions_rounded(self) -> dict[str, Decimal]:
        return {k: round_half_up(v) for k, v in self.dimensions.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: rounded numbers (floats with 2 decimals), percentages per group."""

        def pct(table: pd.DataFrame) -> dict[str, Any]:
            return {
                str(k): {
                    "planned": int(r.planned),
                    "done": int(r.done),
                    "percent": None if r.percent is None else float(r.percent),
                }
                for k, r in table.iterrows()
            }

        return {
            "region": self.region,
            "region_code": self.region_code,
            "province": self.province,
            "year": self.year,
            "stage": self.stage,
            "category": self.category,
            "weights": dict(self.profile.weights),
            "weights_provenance": self.profile.provenance,
            "dimensions": {k: float(v) for k, v in self.dimensions_rounded().items()},
            "nilai_final": float(self.nilai_final_rounded),
            "nilai_final_unrounded": float(self.nilai_final),
            "previous_nilai_final": None if self.previous_final is None else float(self.previous_final),
            "improvement": None if self.improvement_rounded is None else float(self.improvement_rounded),
            "programme_realisation": pct(self.programmes),
            "action_plan_realisation": pct(self.action_plan),
            "items": {str(k): float(v) for k, v in self.items.items()},
        }


def score_assessment(assessment: Assessment, methodology: Methodology) -> ScoreCard:
    """Score one assessment with its year's methodology.

    Its improvement needs last year's result, which the results layer decides
    (:func:`smartcity_eval.results.rules.score`); here it is None.
    """
    prof = assessment.profile
    profile = methodology.profile(prof.category)
    bank = methodology.question_bank(prof.category)
    values = item_values(assessment.scores, assessment.survey, agreed_scores(assessment.moderation))
    values = values[values.index.isin(bank.index)]
    dims = dimension_scores(values, bank)
    final = nilai_final(dims, profile)
    ap_order = [c.key for c in methodology.action_plan_categories]
    return ScoreCard(
        region=prof.region,
        region_code=prof.region_code,
        province=prof.province,
        year=prof.year,
        stage=prof.stage,
        category=prof.category,
        profile=profile,
        items=values,
        dimensions=dims,
        nilai_final=final,
        previous_final=None,
        improvement=None,
        programmes=programme_realisation(assessment.programmes),
        action_plan=action_plan_realisation(assessment.action_plan, ap_order),
    )
