"""Appendix E of a region report: the assessor panel — who sat on it, how far they agreed, what they settled.

Agreement per evaluation dimension is said in words ("tinggi", "sedang", "rendah": the bands of
:mod:`smartcity_eval.results.agreement`, a project convention stated under the table) with Krippendorff's alpha
beside them; the moderated items show every assessor's score, the panel mean the agreed score replaced, and the
reason. Every text from the workbook (names, affiliations, reasons) is escaped on its way into the HTML.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape

import pandas as pd
from IPython.display import HTML

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import format_number, format_percent
from smartcity_eval.method.moderation import DISPUTE_SPREAD, agreed_scores, open_disputes, spreads
from smartcity_eval.reports.html import table
from smartcity_eval.reports.region_report import RegionReport
from smartcity_eval.results.agreement import (
    OVERALL,
    PLACES,
    Agreement,
    agreements,
    band_word,
    bands_text,
    reason_text,
)

T = i18n.section("panel")
R = i18n.section("report")

#: the letter of this appendix: the one after the technical notes (D)
LETTER = "E"


def panel_appendix(r: RegionReport) -> HTML:
    """Appendix E: the panel's composition, its agreement per dimension, and the items it moderated."""
    title = f"{R(r.lang, 'appendix')} {LETTER} — {T(r.lang, 'title')}"
    body = composition(r) + agreement(r) + moderated(r)
    return HTML(f'<section class=""><h2>{escape(title)}</h2>{body}</section>')


def composition(r: RegionReport) -> str:
    """Who sat on the panel: code, name and affiliation of each assessor."""
    t, panel = T[r.lang], r.assessment.assessors
    rows = [[escape(c), escape(p["name"]), escape(p["affiliation"])] for c, p in panel.iterrows()]
    return f"<h3>{escape(t('composition'))}</h3>" + table([t("code"), t("name"), t("affiliation")], rows, cls="panel")


def agreement(r: RegionReport) -> str:
    """Agreement per dimension and overall: the level in words, alpha, items; the convention and the share of items
    whose assessors were at most a point apart."""
    t, lang = T[r.lang], r.lang
    rows, overall = [], None
    for a in agreements(r.assessment, r.methodology):
        level = escape(band_word(a.rounded, lang) + (f" ({reason_text(a.reason, lang)})" if a.reason else ""))
        name = t("overall") if a.dimension == OVERALL else r.methodology.dimension(a.dimension).name(lang)
        cells = [escape(name), level, format_number(a.rounded, PLACES, lang), str(a.items)]
        rows.append([f"<strong>{c}</strong>" for c in cells] if a.dimension == OVERALL else cells)
        overall = a if a.dimension == OVERALL else overall
    head = [t("dimension"), t("level"), "α", t("items")]
    summary = " ".join(x for x in (_overall_sentence(r, overall), _close_sentence(r)) if x)
    note = f"{t('agreement_text')} {t('bands_note', bands=bands_text(lang))}"
    paragraphs = (f"<p>{escape(summary)}</p>" if summary else "") + f'<p class="note">{escape(note)}</p>'
    return f"<h3>{escape(t('agreement'))}</h3>" + table(head, rows, {2, 3}, "panel") + paragraphs


def _overall_sentence(r: RegionReport, overall: Agreement | None) -> str:
    """ "Overall, the panel's agreement is high (α = 0.912, 111 items)." — empty when alpha is not computable."""
    if overall is None or overall.rounded is None:
        return ""
    alpha = format_number(overall.rounded, PLACES, r.lang)
    return T(r.lang, "agreement_overall", level=band_word(overall.rounded, r.lang), alpha=alpha, items=overall.items)


def _close_sentence(r: RegionReport) -> str:
    """How many items the assessors scored at most one point apart."""
    spread = spreads(r.assessment.scores)
    if not len(spread):
        return ""
    close = int((spread <= 1).sum())
    share = format_percent(Fraction(100 * close, len(spread)), 0, r.lang)
    return T(r.lang, "close", n=close, total=len(spread), share=share)


def moderated(r: RegionReport) -> str:
    """The items the panel settled: every assessor's score, the panel mean, the agreed score and the reason; then
    the disputed items still open."""
    t, a = T[r.lang], r.assessment
    codes = list(a.scores.columns)
    rows = [_moderated_row(r, item, int(score), codes) for item, score in agreed_scores(a.moderation).items()]
    head = [t("item"), *codes, t("panel_mean"), t("agreed_score"), t("reason")]
    nums = set(range(1, len(codes) + 3))
    body = table(head, rows, nums, "panel moderated") if rows else f"<p>{escape(t('no_moderation'))}</p>"
    still = open_disputes(a)
    tail = f"<p>{escape(t('open_items', n=len(still), items=', '.join(still)))}</p>" if still else ""
    lead = f"<p>{escape(t('moderated_text', spread=DISPUTE_SPREAD))}</p>"
    return f"<h3>{escape(t('moderated'))}</h3>" + lead + body + tail


def _moderated_row(r: RegionReport, item: str, score: int, codes: list[str]) -> list[str]:
    """One moderated item: its code, each assessor's score ("-": not scored), their mean, the agreed score, the
    reason."""
    given = r.assessment.scores.loc[item] if item in r.assessment.scores.index else pd.Series(dtype="Int64")
    scored = given.dropna()
    mean = Fraction(int(scored.sum()), len(scored)) if len(scored) else None
    cells = ["-" if pd.isna(given.get(code)) else str(int(given[code])) for code in codes]
    reason = escape(r.assessment.moderation.at[item, "reason"])
    code = f'<span class="code">{escape(item)}</span>'
    return [code, *cells, format_number(mean, 2, r.lang), f"<strong>{score}</strong>", reason]
