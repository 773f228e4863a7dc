"""The national overview: a narrative of the year, the cohort's results table in the letter's layout with provinces
and ranks, distributions, movers.

Built from the same cohort table as the region reports (:func:`smartcity_eval.results.cohort.build_cohort`), so every
rank agrees; works from workbooks, published tables or a mix, and says which. Terms shared with the region reports
(Nilai Final, Indeks Peningkatan, Kategori, Provinsi, ranks) are the ``report`` section's; every figure of the
narrative is computed from the cohort.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML

from smartcity_eval import __version__
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import check_lang, format_number, stage_name
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import charts
from smartcity_eval.reports.html import figure_html
from smartcity_eval.reports.html import table as html_table
from smartcity_eval.results import rules
from smartcity_eval.results.cohort import DIMS, build_cohort, category_median, read_cohort

CATEGORIES = ("all", *mth.CATEGORIES)
T = i18n.section("overview")
R = i18n.section("report")


@dataclass
class Overview:
    """The cohort of one year and stage, optionally one category."""

    year: int
    stage: int
    category: str
    lang: str
    cohort: pd.DataFrame
    methodology: mth.Methodology

    @property
    def t(self) -> i18n.Messages:
        """This report's messages: ``self.t("table")``."""
        return T[self.lang]

    @property
    def r(self) -> i18n.Messages:
        """The terms shared with the region reports: ``self.r("improvement")``."""
        return R[self.lang]

    @property
    def participants(self) -> pd.DataFrame:
        return self.cohort[self.cohort["participant"].astype(bool)]

    def num(self, value: Any, signed: bool = False) -> str:
        if value is None or pd.isna(value):
            return "-"
        return format_number(value, 2, self.lang, signed=signed)

    def key_figures(self) -> str:
        """Counts, medians and the top region as text (compared by nbval)."""
        p = self.participants
        scope = self.t("all") if self.category == "all" else self.category
        head = f"{self.year} {stage_name(self.stage, self.lang)} — {scope}"
        lines = [f"{head}: {len(p)} {self.t('participants')}"]
        for cat, grp in p.groupby("category"):
            lines.append(f"{cat}: n={len(grp)}, {self.t('median')} {self.num(grp['nilai_final'].median())}")
        if len(p):
            top = p.iloc[0]
            lines.append(f"1. {top['region']} {self.num(top['nilai_final'])}")
        return "\n".join(lines)


def prepare(
    year: int, stage: int, data_dir: str | Path, category: str = "all", lang: str = "id", cohort_file: str = ""
) -> Overview:
    """The cohort of ``year``/``stage`` (optionally one category), ranked."""
    check_lang(lang)
    if category not in CATEGORIES:
        raise ValueError(f"category={category!r}; expected one of {', '.join(CATEGORIES)}")
    cohort = read_cohort(Path(cohort_file)) if cohort_file else build_cohort(Path(data_dir), year, stage)
    cohort = rules.order_rows(cohort)
    if category != "all":
        cohort = cohort[cohort["category"] == category].reset_index(drop=True)
    return Overview(year, stage, category, lang, cohort, mth.get(year))


def _dim_label(o: Overview, key: str) -> str:
    return o.methodology.dimension(key).short(o.lang) if key in {d.key for d in o.methodology.dimensions} else key


def cover(o: Overview) -> HTML:
    """Title, scope, data sources."""
    t = o.t
    sources = sorted(set(o.cohort["source"]))
    src = (
        t("mix") + " (" + ", ".join(t(s) for s in sources) + ")"
        if len(sources) > 1
        else ", ".join(t(s) for s in sources) or "-"
    )
    counts = o.cohort.groupby("source").size().to_dict()
    detail = ", ".join(f"{t(k)}: {v}" for k, v in counts.items())
    return HTML(
        f'<div class="cover"><p class="cover-kicker">{escape(t("title"))}</p>'
        f"<h1>{o.year} · {escape(stage_name(o.stage, o.lang))}</h1>"
        f'<p class="cover-sub">{escape(t("all") if o.category == "all" else o.category)}</p>'
        f'<p class="cover-meta">{escape(t("sources"))}: {escape(src)} — {escape(detail)}<br/>'
        f"{escape(t('generated'))}: {dt.date.today().isoformat()} · smartcity-eval {escape(__version__)}</p>"
        + (f"<p>{escape(t('rounded'))}</p>" if "published" in sources else "")
        + "</div>"
    )


def _rank(value: Any) -> str:
    """A rank as shown: the number, or nothing."""
    return "" if pd.isna(value) else str(int(value))


def results_table(o: Overview) -> HTML:
    """The letter's layout with provinces: No (national rank), Kab/Kota, Provinsi, dimensions, Nilai Final, Indeks
    Peningkatan, Kategori, category and province ranks; non-participants apart."""
    r = o.r
    dims = [d for d in DIMS if o.cohort[d].notna().any()]
    labels = [r("no"), r("region"), r("province"), *[_dim_label(o, d) for d in dims], r("final"), r("improvement")]
    headers = [escape(h) for h in (*labels, r("category"), r("rank_category"), o.t("rank_province"))]
    rows = [
        [
            _rank(x.rank_national),
            escape(x.region),
            escape(x.province or "-"),
            *[o.num(getattr(x, d)) if pd.notna(getattr(x, d)) else "" for d in dims],
            f"<strong>{o.num(x.nilai_final)}</strong>",
            o.num(x.improvement, signed=True),
            escape(x.category),
            _rank(x.rank_category),
            _rank(x.rank_province),
        ]
        for x in o.participants.itertuples()
    ]
    numeric = set(range(3, len(labels))) | {len(labels) + 1, len(labels) + 2}
    body = html_table(headers, rows, numeric, "national overview")
    non = o.cohort[~o.cohort["participant"].astype(bool)]
    body += f"<h3>{escape(r('nonparticipants'))}</h3>"
    body += (
        ("<ul>" + "".join(f"<li>{escape(x.region)} ({escape(x.category)})</li>" for x in non.itertuples()) + "</ul>")
        if len(non)
        else f"<p>{escape(r('none'))}</p>"
    )
    return HTML(f"<h2>{escape(o.t('table'))}</h2>{body}")


def distribution(o: Overview) -> HTML:
    """Nilai Final per category: box plot and summary statistics."""
    t, p = o.t, o.participants
    stats = [
        [
            escape(cat),
            str(len(g)),
            o.num(g["nilai_final"].median()),
            o.num(g["nilai_final"].mean()),
            o.num(g["nilai_final"].min()),
            o.num(g["nilai_final"].max()),
        ]
        for cat, g in p.groupby("category")
    ]
    body = figure_html(charts.distribution(p[["region", "category", "nilai_final"]], lang=o.lang), t("distribution"))
    body += html_table(
        [t("category"), t("n"), t("median"), t("mean"), t("min"), t("max")],
        stats,
        {1, 2, 3, 4, 5},
    )
    return HTML(f"<h2>{escape(t('distribution'))}</h2>{body}")


def heatmap(o: Overview) -> HTML:
    """Regions × dimensions."""
    p = o.participants
    dims = [d for d in DIMS if p[d].notna().any()]
    table = p.set_index("region")[dims]
    return HTML(
        f"<h2>{escape(o.t('heatmap'))}</h2>"
        + figure_html(charts.heatmap(table, lang=o.lang, year=o.year), o.t("heatmap_cap"))
    )


def movers(o: Overview, n: int = 5) -> HTML:
    """Biggest improvers and decliners on last year: only regions that rose, and only regions that fell."""
    t, r = o.t, o.r
    p = o.participants.dropna(subset=["improvement"])
    parts = []
    ups = p[p["improvement"] > 0].nlargest(n, "improvement")
    downs = p[p["improvement"] < 0].nsmallest(n, "improvement")
    headers = [escape(h) for h in (r("region"), r("province"), r("category"), r("final"), r("improvement"))]
    for title, frame in ((t("improvers"), ups), (t("decliners"), downs)):
        rows = [
            [
                escape(x.region),
                escape(x.province or "-"),
                escape(x.category),
                o.num(x.nilai_final),
                o.num(x.improvement, signed=True),
            ]
            for x in frame.itertuples()
        ]
        table = html_table(headers, rows, {3, 4}) if rows else f"<p>{escape(r('none'))}</p>"
        parts.append(f"<h3>{escape(title)}</h3>{table}")
    return HTML(f"<h2>{escape(t('movers'))}</h2>" + "".join(parts))


def together(o: Overview) -> HTML:
    """Correlation of the dimension scores among participants."""
    p = o.participants
    dims = [d for d in DIMS if p[d].notna().sum() >= 3]
    corr = p[dims].astype(float).corr()
    rows = [[escape(_dim_label(o, a)), *[o.num(corr.at[a, b]) for b in dims]] for a in dims]
    return HTML(
        f"<h2>{escape(o.t('together'))}</h2><p>{escape(o.t('together_text'))}</p>"
        + html_table(["", *[escape(_dim_label(o, d)) for d in dims]], rows, set(range(1, len(dims) + 1)))
    )


def _ranked_rows(o: Overview, frame: pd.DataFrame) -> str:
    """A ranked list: national rank, region, province, category, Nilai Final."""
    r = o.r
    headers = [escape(h) for h in (r("no"), r("region"), r("province"), r("category"), r("final"))]
    rows = [
        [
            _rank(x.rank_national),
            escape(x.region),
            escape(x.province or "-"),
            escape(x.category),
            o.num(x.nilai_final),
        ]
        for x in frame.itertuples()
    ]
    return html_table(headers, rows, {0, 4})


def top_bottom(o: Overview, n: int = 10) -> HTML:
    """The ranking: every participant in one list when there are at most ``2 n`` of them (the top and the bottom
    ``n`` would show everyone, some twice), else the top and the bottom ``n`` ranks (a tie at the edge stays whole)."""
    t, p = o.t, o.participants
    if len(p) <= 2 * n:
        return HTML(f"<h2>{escape(t('ranking'))}</h2><p>{escape(t('ranked', n=len(p)))}</p>" + _ranked_rows(o, p))
    rank = p["rank_national"].astype(int)
    top, bottom = p[rank <= n], p[rank >= rank.iloc[-n]].iloc[::-1]
    parts = [
        f"<h3>{escape(t('top', n=n))}</h3>{_ranked_rows(o, top)}",
        f"<h3>{escape(t('bottom', n=n))}</h3>{_ranked_rows(o, bottom)}",
    ]
    return HTML(f"<h2>{escape(t('ranking'))}</h2>" + "".join(parts))


# ----------------------------------------------------------------------------------------------- narrative


def _names(o: Overview, regions: list[str]) -> str:
    """``Kota A``, ``Kota A dan Kota B``, ``Kota A, Kota B dan Kota C``."""
    if len(regions) < 2:
        return "".join(regions)
    return f"{', '.join(regions[:-1])} {o.t('and')} {regions[-1]}"


def _leaders(o: Overview, frame: pd.DataFrame, column: str, value: Any) -> str:
    """The regions of ``frame`` whose ``column`` shows as ``value`` (ties named together), in the table's order."""
    shown = rules.shown(value)
    return _names(o, [x.region for x in frame.itertuples() if rules.shown(getattr(x, column)) == shown])


def _took_part(o: Overview) -> list[str]:
    """Who took part, per category, and how many did not."""
    p, t = o.participants, o.t
    stage = stage_name(o.stage, o.lang)
    if p.empty:
        return [t("nobody", year=o.year, stage=stage)]
    counts = [t("in_category", n=len(g), category=cat) for cat, g in p.groupby("category")]
    out = [t("took_part", year=o.year, stage=stage, n=len(p), categories=_names(o, counts))]
    absent = int((~o.cohort["participant"].astype(bool)).sum())
    return out + ([t("absent", n=absent)] if absent else [])


def _medians(o: Overview) -> list[str]:
    """The median Nilai Final, and each category's, over groups large enough to compare (:func:`rules.comparable`)."""
    p, t = o.participants, o.t
    if not rules.comparable(len(p)):
        return []
    overall = o.num(category_median(o.cohort)["nilai_final"])
    by = [t("median_of", category=c, median=o.num(category_median(o.cohort, c)["nilai_final"])) for c in _cats(o)]
    if len(by) < 2:
        return [t("median_text", median=overall)]
    return [t("median_by", median=overall, categories=_names(o, by))]


def _cats(o: Overview) -> list[str]:
    """The categories of at least :data:`rules.MIN_GROUP` participants: those a median or a top is named for."""
    counts = o.participants["category"].value_counts()
    return sorted(c for c, n in counts.items() if rules.comparable(int(n)))


def _top(o: Overview) -> str:
    """The national top, its category named when the leaders share one and the cohort has several."""
    p = o.participants
    best = p.iloc[0]["nilai_final"]
    names, final = _leaders(o, p, "nilai_final", best), o.num(best)
    categories = set(p.loc[p["nilai_final"].map(rules.shown) == rules.shown(best), "category"])
    if len(categories) == 1 and p["category"].nunique() > 1:
        return o.t("top_region_in", regions=names, final=final, category=categories.pop())
    return o.t("top_region", regions=names, final=final)


def _tops(o: Overview) -> list[str]:
    """The national top, then the top of each category (large enough to compare) whose best is below it; nothing
    when the participants are too few to compare (:func:`rules.comparable`)."""
    p = o.participants
    if not rules.comparable(len(p)):
        return []
    out = [_top(o)]
    for cat in _cats(o):
        members = p[p["category"] == cat]
        first = members.iloc[0]["nilai_final"]
        if rules.shown(first) != rules.shown(p.iloc[0]["nilai_final"]):
            names = _leaders(o, members, "nilai_final", first)
            out.append(o.t("top_category", category=cat, regions=names, final=o.num(first)))
    return out


def _extreme(o: Overview, frame: pd.DataFrame, value: Any) -> dict[str, str]:
    """The regions of ``frame`` whose improvement shows as ``value``, and that value signed."""
    return {"regions": _leaders(o, frame, "improvement", value), "value": o.num(value, signed=True)}


def _moved(o: Overview) -> list[str]:
    """The largest rise and the largest fall on last year (ties named together), among enough participants."""
    p, t = o.participants.dropna(subset=["improvement"]), o.t
    if not rules.comparable(len(o.participants)):
        return []
    ups, downs = p[p["improvement"] > 0], p[p["improvement"] < 0]
    rose = [t("rose", **_extreme(o, ups, ups["improvement"].max()))] if len(ups) else []
    fell = [t("fell", **_extreme(o, downs, downs["improvement"].min()))] if len(downs) else []
    return rose + fell


def narrative_text(o: Overview) -> list[str]:
    """The year in sentences, every figure from the cohort: participants per category, median Nilai Final, the top
    region(s) (ties named together) nationally and per category, the largest rise and fall."""
    return [*_took_part(o), *_medians(o), *_tops(o), *_moved(o)]


def narrative(o: Overview) -> HTML:
    """:func:`narrative_text` as the overview's opening summary."""
    return HTML(f"<h2>{escape(o.r('summary'))}</h2><p>{escape(' '.join(narrative_text(o)))}</p>")
