"""The rules of the results, decided once: who takes part, last year's final, improvement, ranks, ties, row order.

Every path that shows a result calls these functions: ``smartcity-eval national``, the cohort of a batch
(:mod:`~smartcity_eval.results.cohort`), the store (:mod:`~smartcity_eval.results.store`), the export, the national
overview and every region report. None of them re-implements any part of them. Pure functions, no files.

- **Participant**: a region with a non-zero score in any evaluation dimension; a published row that gives only a
  Nilai Final takes part when that final is non-zero. Non-participants are never ranked nor averaged.
- **Last year's final**: last year's Tahap II workbook of the region when there is one (exact), else its row in
  last year's published table (two decimals); none when that region did not take part.
- **Last year's figure as shown**: last year's published final where the region has one (the figure of its own
  letter), else the workbook's, two decimals; the improvement still uses the exact final above.
- **Improvement** (Indeks Peningkatan): this year's Nilai Final minus last year's, before rounding; none ("-") when
  either year did not take part.
- **Ranks**: competition ranks ("1, 2, 2, 4") on the Nilai Final as published and shown (two decimals, half-up),
  nationally, per category and per province; ties share a rank; regions of unknown province get no province rank.
- **Row order**: participants by national rank, ties by name; then non-participants by name.
- **Comparable groups**: a rank or a median over fewer than :data:`MIN_GROUP` participants is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from smartcity_eval.common.numbers import round_half_up, to_fraction
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard, score_assessment
from smartcity_eval.method.scoring import improvement as difference

RANKS = {"rank_national": None, "rank_category": "category", "rank_province": "province"}
WORKBOOK, PUBLISHED = "workbook", "published"
#: the fewest participants a rank or a median is shown over
MIN_GROUP = 3


def missing(value: Any) -> bool:
    """None, NA or NaN: no value."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def participant(dimensions: Mapping[str, Any] | pd.Series | None, final: Any = None) -> bool:
    """Whether a region took part: a non-zero dimension score, or (with no dimension scores) a non-zero final."""
    values = [v for v in (dict(dimensions) if dimensions is not None else {}).values() if not missing(v)]
    if values:
        return any(to_fraction(v) != 0 for v in values)
    return not missing(final) and to_fraction(final) != 0


def shown(value: Any) -> Decimal | None:
    """A score as published and shown: two decimals, half-up (None when there is none)."""
    return None if missing(value) else round_half_up(value)


def last_year(
    workbook: tuple[Any, bool] | None, published: tuple[Any, bool] | None
) -> tuple[Fraction | None, str | None]:
    """Last year's Nilai Final and its source, from ``(final, took_part)`` of the workbook and the published row.

    The workbook wins when there is one; a region that did not take part last year has no final.
    """
    for source, found in ((WORKBOOK, workbook), (PUBLISHED, published)):
        if found is not None:
            final, took_part = found
            return (to_fraction(final), source) if took_part and not missing(final) else (None, source)
    return None, None


def last_year_shown(final: Any, published: Any) -> Decimal | None:
    """Last year's Nilai Final as a report shows it: the published figure where there is one, else ``final``."""
    return shown(published) if not missing(published) else shown(final)


def comparable(participants: int) -> bool:
    """Whether a group of ``participants`` is large enough to show a rank or a median over it."""
    return participants >= MIN_GROUP


def improvement(current: Any, takes_part: bool, previous: Any) -> Fraction | None:
    """Indeks Peningkatan, exact; None ("-") when this year's region did not take part or there is no last year."""
    if not takes_part or missing(previous) or missing(current):
        return None
    return difference(current, previous)


def score(assessment: Assessment, previous_final: Any = None) -> ScoreCard:
    """Score an assessment with its year's method, its improvement by :func:`improvement`."""
    card = score_assessment(assessment, mth.get(assessment.profile.year))
    previous = None if missing(previous_final) else to_fraction(previous_final)
    card.previous_final = previous
    card.improvement = improvement(card.nilai_final, participant(card.dimensions), previous)
    return card


def published_improvement(value: Any, takes_part: bool) -> Any:
    """A published row's improvement as published; none for a region that did not take part."""
    return None if not takes_part or missing(value) else value


def ranks(finals: pd.Series, participants: pd.Series) -> pd.Series:
    """Competition ranks on the shown Nilai Final (1 = best; ties share, the next rank skips); non-participants
    and rows without a final get none."""
    basis = [
        float(shown(v)) if bool(p) and not missing(v) else float("nan")
        for v, p in zip(finals.tolist(), participants.tolist(), strict=True)
    ]
    return pd.Series(basis, index=finals.index, dtype="float64").rank(method="min", ascending=False).astype("Int64")


def add_ranks(frame: pd.DataFrame, final: str = "nilai_final") -> pd.DataFrame:
    """``rank_national``, ``rank_category`` and ``rank_province`` over the whole frame (``participant``, ``category``
    and ``province`` columns; an empty or missing province gets no province rank)."""
    out = frame.copy()
    part = out["participant"].fillna(False).astype(bool)
    for column, by in RANKS.items():
        out[column] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        if by is None:
            out[column] = ranks(out[final], part)
            continue
        known = out[by].map(lambda v: not missing(v) and str(v) != "").astype(bool)
        for _, idx in out.loc[known].groupby(by).groups.items():
            out.loc[idx, column] = ranks(out.loc[idx, final], part.loc[idx])
    return out


def order_rows(frame: pd.DataFrame, region: str = "region") -> pd.DataFrame:
    """Participants by national rank, ties by name; then non-participants by name."""
    key = frame.assign(
        _np=~frame["participant"].fillna(False).astype(bool),
        _rank=frame["rank_national"].astype("Float64"),
        _name=frame[region].astype(str).str.casefold(),
    )
    order = key.sort_values(["_np", "_rank", "_name"], na_position="last", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def ranked(frame: pd.DataFrame, final: str = "nilai_final", region: str = "region") -> pd.DataFrame:
    """:func:`add_ranks` then :func:`order_rows`: the table every path shows."""
    return order_rows(add_ranks(frame, final), region)
