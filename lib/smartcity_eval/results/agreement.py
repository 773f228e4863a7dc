"""How far a panel's assessors agree, and what the panel has to moderate.

Agreement is Krippendorff's alpha on the interval scale (the ``krippendorff`` library), per evaluation dimension
and over every item, on the assessors' own scores (an agreed score does not change it). Alpha needs two assessors,
an item scored by two of them, and scores that are not all the same; otherwise it is "not computable", with the
reason. In words (a project convention, after Krippendorff's own thresholds): **tinggi** (high) from 0.800,
**sedang** (moderate) from 0.667, **rendah** (low) below. ``smartcity-eval moderate`` prints alpha, the disputed
items (:mod:`smartcity_eval.method.moderation`) and the items the panel settled, and writes the moderation copy.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES, format_number, stage_name
from smartcity_eval.common.numbers import round_half_up
from smartcity_eval.inputs.panel import PanelError, moderation_copy
from smartcity_eval.inputs.validation import WorkbookError, load
from smartcity_eval.inputs.workbook import scores_text
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.moderation import DISPUTE_SPREAD, agreed_scores, disputed

T = i18n.section("panel")

OVERALL = "overall"
#: lower bounds of the bands "tinggi" and "sedang" (below: "rendah"); a project convention
HIGH, MODERATE = Decimal("0.800"), Decimal("0.667")
#: alpha is shown and written with this many decimals
PLACES = 3


@dataclass(frozen=True)
class Agreement:
    """Alpha of one dimension (or ``overall``): None with a ``reason`` (a key of the catalogue's ``panel`` section:
    ``one_assessor``, ``no_pairs``, ``constant``) when not computable; ``items``: items scored by two assessors or
    more; ``assessors``: assessors who scored any of them."""

    dimension: str
    alpha: float | None
    items: int
    assessors: int
    reason: str | None = None

    @property
    def rounded(self) -> Decimal | None:
        """Alpha rounded half-up to :data:`PLACES` decimals."""
        return None if self.alpha is None else round_half_up(self.alpha, PLACES)


def agreement(scores: pd.DataFrame, dimension: str = OVERALL) -> Agreement:
    """Krippendorff's alpha (interval) of ``scores`` (items x assessors, NA = not scored)."""
    paired = scores[scores.notna().sum(axis=1) >= 2]
    assessors = int(scores.notna().any().sum())
    data = paired.T.to_numpy(dtype=float, na_value=np.nan)
    if assessors < 2:
        return Agreement(dimension, None, len(paired), assessors, "one_assessor")
    if not len(paired):
        return Agreement(dimension, None, 0, assessors, "no_pairs")
    if len(np.unique(data[~np.isnan(data)])) < 2:
        return Agreement(dimension, None, len(paired), assessors, "constant")
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    return Agreement(dimension, alpha, len(paired), assessors)


def agreements(assessment: Assessment, methodology: mth.Methodology) -> list[Agreement]:
    """Alpha of every evaluation dimension of the assessment's category, then :data:`OVERALL` (items of the
    question bank only)."""
    bank = methodology.question_bank(assessment.profile.category)
    scores = assessment.scores[assessment.scores.index.isin(bank.index)]
    dims = bank["dimension"].reindex(scores.index)
    keys = [d.key for d in methodology.dimensions_for(assessment.profile.category)]
    return [agreement(scores[dims == key], key) for key in keys] + [agreement(scores)]


def band(alpha: Decimal | None) -> str | None:
    """``high``, ``moderate`` or ``low`` for a rounded alpha (None when not computable)."""
    if alpha is None:
        return None
    return "high" if alpha >= HIGH else "moderate" if alpha >= MODERATE else "low"


def band_word(alpha: Decimal | None, lang: str = DEFAULT_LANG) -> str:
    """Agreement in words: "tinggi", "sedang", "rendah" ("not computable" without alpha)."""
    kind = band(alpha)
    if kind == "high":
        return T(lang, "high")
    if kind == "moderate":
        return T(lang, "moderate")
    return T(lang, "low") if kind == "low" else T(lang, "not_computable")


def bands_text(lang: str = DEFAULT_LANG) -> str:
    """The convention behind the words, e.g. "tinggi: α ≥ 0,800; sedang: 0,667 ≤ α < 0,800; rendah: α < 0,667"."""
    return T(lang, "bands", high=format_number(HIGH, PLACES, lang), moderate=format_number(MODERATE, PLACES, lang))


def reason_text(reason: str | None, lang: str = DEFAULT_LANG) -> str:
    """Why alpha is not computable, in words."""
    if reason == "one_assessor":
        return T(lang, "one_assessor")
    if reason == "no_pairs":
        return T(lang, "no_pairs")
    return T(lang, "constant") if reason == "constant" else ""


# ----------------------------------------------------------------------------------------------- the moderation


def disputed_items(assessment: Assessment, methodology: mth.Methodology) -> list[dict[str, Any]]:
    """Each disputed item with its dimension, every assessor's score (None: not scored) and the spread."""
    bank = methodology.question_bank(assessment.profile.category)
    return [
        {
            "item": item,
            "dimension": bank.at[item, "dimension"] if item in bank.index else None,
            "scores": {code: None if pd.isna(v) else int(v) for code, v in assessment.scores.loc[item].items()},
            "spread": int(spread),
        }
        for item, spread in disputed(assessment.scores, assessment.survey).items()
    ]


def moderated_items(assessment: Assessment) -> list[dict[str, Any]]:
    """Each item the panel settled: its agreed score and the reason."""
    agreed = agreed_scores(assessment.moderation)
    return [
        {"item": item, "agreed": int(score), "reason": str(assessment.moderation.at[item, "reason"])}
        for item, score in agreed.items()
    ]


def moderation_report(assessment: Assessment, methodology: mth.Methodology) -> dict[str, Any]:
    """``alpha`` (dimension -> number or None, and ``overall``), ``disputed`` and ``moderated``: what
    ``moderate --format json`` prints."""
    alphas = {a.dimension: None if a.rounded is None else float(a.rounded) for a in agreements(assessment, methodology)}
    return {
        "alpha": alphas,
        "disputed": disputed_items(assessment, methodology),
        "moderated": moderated_items(assessment),
    }


# ----------------------------------------------------------------------------------------------- command line


def _alpha_lines(assessment: Assessment, methodology: mth.Methodology, lang: str) -> list[str]:
    """The agreement table: dimension, alpha, items, assessors, the band or why not computable."""
    t = T[lang]
    header = f"{t('dimension'):<24}{t('alpha'):>7}{t('items'):>7}{t('assessors'):>8}  {t('level')}"
    lines = [t("agreement_title"), header]
    for a in agreements(assessment, methodology):
        name = t("overall") if a.dimension == OVERALL else methodology.dimension(a.dimension).short(lang)
        level = band_word(a.rounded, lang) + (f": {reason_text(a.reason, lang)}" if a.reason else "")
        alpha = format_number(a.rounded, PLACES, lang)
        lines.append(f"{name:<24}{alpha:>7}{a.items:>7}{a.assessors:>8}  {level}")
    return [*lines, t("bands_note", bands=bands_text(lang))]


def _dispute_lines(assessment: Assessment, methodology: mth.Methodology, lang: str) -> list[str]:
    """The disputed items, each with every assessor's score, the spread and the panel's agreed score if any."""
    t, agreed = T[lang], agreed_scores(assessment.moderation)
    items = disputed_items(assessment, methodology)
    lines = [t("disputed_title", spread=DISPUTE_SPREAD, n=len(items))]
    width = max([len(d["item"]) for d in items], default=0) + 2
    for d in items:
        dim = methodology.dimension(d["dimension"]).short(lang) if d["dimension"] else "-"
        given = scores_text(pd.Series(d["scores"], dtype="Int64"))
        if d["item"] in agreed.index:
            reason = assessment.moderation.at[d["item"], "reason"]
            settled = t("agreed", score=int(agreed[d["item"]]), reason=reason)
        else:
            settled = t("open")
        lines.append(f"{d['item']:<{width}}{dim:<14}{given}  {t('spread', spread=d['spread'])}  {settled}")
    return lines


def moderation_table(assessment: Assessment, methodology: mth.Methodology, lang: str = DEFAULT_LANG) -> str:
    """What ``moderate`` prints by default: the panel, the agreement table and the disputed items."""
    p, panel = assessment.profile, assessment.assessors
    stage = stage_name(p.stage, lang)
    head = T(lang, "panel_line", region=p.region, year=p.year, stage=stage, n=len(panel), codes=", ".join(panel.index))
    sections = [[head], _alpha_lines(assessment, methodology, lang), _dispute_lines(assessment, methodology, lang)]
    return "\n\n".join("\n".join(lines) for lines in sections)


def cmd_moderate(args: argparse.Namespace) -> int:
    """``smartcity-eval moderate``: agreement and disputed items of a panel workbook; ``-o`` writes the copy."""
    try:
        assessment = load(args.file)
        if args.output is not None:
            moderation_copy(args.file, args.output)
    except WorkbookError as exc:
        print(exc.result.summary(args.lang), file=sys.stderr)
        return 1
    except PanelError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    methodology = mth.get(assessment.profile.year)
    if args.format == "json":
        print(json.dumps(moderation_report(assessment, methodology), ensure_ascii=False, indent=2))
    else:
        print(moderation_table(assessment, methodology, args.lang))
    if args.output is not None:
        print(T(args.lang, "copy_written", path=args.output), file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``smartcity-eval moderate PANEL.xlsx [--format table|json] [-o COPY.xlsx]``."""
    p = subparsers.add_parser("moderate", help="show a panel's agreement and disputed items; write a moderation copy")
    p.add_argument("file", type=Path, help="the panel workbook (smartcity-eval merge)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("-o", "--output", type=Path, help="write a copy with a Moderasi sheet listing the disputed items")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")
    p.set_defaults(func=cmd_moderate)
