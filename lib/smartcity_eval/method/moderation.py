"""The panel's moderation as rules over an assessment: which items are disputed, and which the panel settled.

Each assessor scores alone; an item is *disputed* when its assessors' scores differ by :data:`DISPUTE_SPREAD`
points or more. The panel settles a disputed item by recording an agreed score (0-4) and a reason (the
workbook's ``Moderasi`` sheet); scoring then takes the agreed score in place of the panel mean
(:func:`smartcity_eval.method.scoring.item_values`) and the assessors' own scores stay as they were. An item
whose value comes from the impact survey is never disputed: its panel scores are not used.
"""

from __future__ import annotations

import pandas as pd

from smartcity_eval.method.assessment import Assessment

#: assessors' scores of one item this many points apart or more make it disputed
DISPUTE_SPREAD = 2


def spreads(scores: pd.DataFrame) -> pd.Series:
    """Highest minus lowest score of every item scored by two assessors or more (ints, in the scores' order)."""
    paired = scores[scores.notna().sum(axis=1) >= 2]
    values = [int(hi) - int(lo) for hi, lo in zip(paired.max(axis=1), paired.min(axis=1), strict=True)]
    return pd.Series(values, index=paired.index, dtype="int64", name="spread")


def disputed(scores: pd.DataFrame, survey: pd.Series | None = None) -> pd.Series:
    """The spread of each disputed item (:data:`DISPUTE_SPREAD` or more); items with a survey average left out."""
    spread = spreads(scores)
    spread = spread[spread >= DISPUTE_SPREAD]
    if survey is not None:
        spread = spread[~spread.index.isin(survey.dropna().index)]
    return spread


def agreed_scores(moderation: pd.DataFrame) -> pd.Series:
    """The agreed score of every settled item (ints); items still waiting for the panel left out."""
    agreed = moderation["agreed"].dropna()
    return pd.Series([int(v) for v in agreed], index=agreed.index, dtype="int64", name="agreed")


def open_disputes(assessment: Assessment) -> list[str]:
    """The disputed items of ``assessment`` that have no agreed score yet, in the scores' order."""
    settled = agreed_scores(assessment.moderation).index
    return [item for item in disputed(assessment.scores, assessment.survey).index if item not in settled]
