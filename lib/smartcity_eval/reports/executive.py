"""The executive summary of a region's report: sentences written from the computed results, no typed figure.

Nilai Final and its change on last year, the ranks among the regions evaluated this year (only over groups large
enough to compare, :func:`smartcity_eval.results.rules.comparable`), the strongest and weakest dimension,
programme and action-plan realisation, and the three actions that add most to the Nilai Final.
"""

from __future__ import annotations

from html import escape

from IPython.display import HTML

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import format_percent, stage_name
from smartcity_eval.reports.region_report import Rank, RegionReport, rank_of, uplift_table
from smartcity_eval.results import rules

D = i18n.section("document")


def final_sentence(r: RegionReport) -> str:
    """Nilai Final and its change on last year's figure (or why there is none)."""
    c, t = r.card, D[r.lang]
    common = {"region": c.region, "final": r.num(c.nilai_final), "year": c.year, "last_year": c.year - 1}
    common["stage"] = stage_name(c.stage, r.lang)
    if c.improvement is None or r.previous.shown is None:
        return t("final_first", **common)
    change = rules.shown(c.improvement)
    common |= {"change": r.num(abs(change)), "previous": r.num(r.previous.shown)}
    if change > 0:
        return t("final_rose", **common)
    return t("final_fell", **common) if change < 0 else t("final_same", **common)


def _rank(r: RegionReport, rank: Rank) -> str:
    shown = str(rank.rank)
    return D(r.lang, "tied", rank=shown, others=rank.tied - 1) if rank.tied > 1 else shown


def rank_sentence(r: RegionReport) -> str:
    """The ranks among the regions evaluated this year, nationally and in the category, where comparable."""
    nat, cat = rank_of(r, "rank_national"), rank_of(r, "rank_category")
    values = {"region": r.card.region, "category": r.card.category, "minimum": rules.MIN_GROUP}
    values |= {"n_national": nat.n, "n_category": cat.n}
    if nat.rank is None:
        return D(r.lang, "rank_none", **values)
    values["rank_national"] = _rank(r, nat)
    if cat.rank is None:
        return D(r.lang, "rank_national_only", **values)
    return D(r.lang, "rank_both", rank_category=_rank(r, cat), **values)


def dimension_sentence(r: RegionReport) -> str:
    """The strongest and the weakest evaluation dimension (first in the method's order on ties)."""
    dims = r.card.dimensions
    best, worst = max(dims.index, key=lambda k: dims[k]), min(dims.index, key=lambda k: dims[k])
    name = {k: r.methodology.dimension(k).name(r.lang) for k in (best, worst)}
    return D(r.lang, "dimensions", best=name[best], best_score=r.num(dims[best]), worst=name[worst],
             worst_score=r.num(dims[worst]))  # fmt: skip


def realisation_sentence(r: RegionReport) -> str:
    """Programme and (where planned) action-plan realisation ("" when no programme is planned)."""
    prog, ap = r.card.programmes.loc["overall"], r.card.action_plan.loc["overall"]
    if not prog.planned:
        return ""
    values = {"programmes": format_percent(prog.percent, 2, r.lang), "done": prog.done, "planned": prog.planned}
    if not ap.planned:
        return D(r.lang, "realisation", **values)
    percent = format_percent(ap.percent, 2, r.lang)
    return D(r.lang, "realisation_both", action_plan=percent, ap_done=ap.done, ap_planned=ap.planned, **values)


def actions(r: RegionReport, n: int = 3) -> list[str]:
    """The ``n`` items whose rise to 3 adds most to the Nilai Final, as sentences (from the points table)."""
    table = uplift_table(r, limit=n)
    return [
        D(
            r.lang,
            "action",
            item=x.item_id,
            question=x.question,
            score=r.num(x.score),
            gain=r.num(x.gain_exact, 3, signed=True),
        )  # fmt: skip
        for x in table.itertuples()
    ]


def executive_summary(r: RegionReport) -> HTML:
    """The executive summary page."""
    t = D[r.lang]
    lines = [final_sentence(r), rank_sentence(r), dimension_sentence(r), realisation_sentence(r)]
    if r.card.stage == 1:
        lines.insert(1, t("stage1_note"))
    paragraphs = "".join(f"<p>{escape(x)}</p>" for x in lines if x)
    todo = actions(r)
    steps = (
        f"<p>{escape(t('actions'))}</p><ol>" + "".join(f"<li>{escape(x)}</li>" for x in todo) + "</ol>"
        if todo
        else f"<p>{escape(t('no_actions'))}</p>"
    )
    return HTML(f'<div class="part executive"><h2>{escape(t("executive"))}</h2>{paragraphs}{steps}</div>')
