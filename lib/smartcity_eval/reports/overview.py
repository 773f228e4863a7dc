"""The national overview: the cohort's results table in the letter's layout, ranks, distributions, movers.

Built from the same cohort table as the region reports (:func:`smartcity_eval.results.cohort.build_cohort`), so every
rank agrees; works from workbooks, published tables or a mix, and says which.
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
from smartcity_eval.results.cohort import DIMS, build_cohort, read_cohort

CATEGORIES = ("all", *mth.CATEGORIES)
T = i18n.section("overview")


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
        """This report's messages: ``self.t("final")``."""
        return T[self.lang]

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
        head = f"{self.year} {stage_name(self.stage, self.lang)} — {self.category}"
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


def results_table(o: Overview) -> HTML:
    """The letter's layout: No, Kab/Kota, dimensions, Nilai Final, improvement, Ket; non-participants apart."""
    t = o.t
    dims = [d for d in DIMS if o.cohort[d].notna().any()]
    provinces = bool(o.participants["rank_province"].notna().any())
    headers = [
        t("no"),
        t("region"),
        *[_dim_label(o, d) for d in dims],
        t("final"),
        t("improvement"),
        t("category"),
        t("rank_cat"),
    ] + ([t("rank_prov")] if provinces else [])
    rows = [
        [
            str(x.rank_national),
            escape(x.region),
            *[o.num(getattr(x, d)) if pd.notna(getattr(x, d)) else "" for d in dims],
            f"<strong>{o.num(x.nilai_final)}</strong>",
            o.num(x.improvement, signed=True),
            escape(x.category),
            str(x.rank_category),
        ]
        + (["" if pd.isna(x.rank_province) else str(x.rank_province)] if provinces else [])
        for x in o.participants.itertuples()
    ]
    body = html_table(
        headers, rows, set(range(2, 2 + len(dims) + 2)) | set(range(len(dims) + 5, len(headers))), "national"
    )
    non = o.cohort[~o.cohort["participant"].astype(bool)]
    body += f"<h3>{escape(t('nonparticipants'))}</h3>"
    body += (
        ("<ul>" + "".join(f"<li>{escape(x.region)} ({escape(x.category)})</li>" for x in non.itertuples()) + "</ul>")
        if len(non)
        else f"<p>{escape(t('none'))}</p>"
    )
    return HTML(f"<h2>{escape(t('table'))}</h2>{body}")


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
    t = o.t
    p = o.participants.dropna(subset=["improvement"])
    parts = []
    ups = p[p["improvement"] > 0].nlargest(n, "improvement")
    downs = p[p["improvement"] < 0].nsmallest(n, "improvement")
    for title, frame in ((t("improvers"), ups), (t("decliners"), downs)):
        rows = [
            [escape(x.region), escape(x.category), o.num(x.nilai_final), o.num(x.improvement, signed=True)]
            for x in frame.itertuples()
        ]
        parts.append(
            f"<h3>{escape(title)}</h3>"
            + (
                html_table([t("region"), t("category"), t("final"), t("improvement")], rows, {2, 3})
                if rows
                else f"<p>{escape(t('none'))}</p>"
            )
        )
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


def top_bottom(o: Overview, n: int = 10) -> HTML:
    """The top and bottom ``n`` regions."""
    t, p = o.t, o.participants
    parts = []
    for title, frame in ((t("top"), p.head(n)), (t("bottom"), p.tail(n).iloc[::-1])):
        rows = [
            [str(x.rank_national), escape(x.region), escape(x.category), o.num(x.nilai_final)]
            for x in frame.itertuples()
        ]
        parts.append(
            f"<h3>{escape(title)}</h3>" + html_table([t("no"), t("region"), t("category"), t("final")], rows, {0, 3})
        )
    return HTML(f"<h2>{escape(t('top'))} / {escape(t('bottom').lower())}</h2>" + "".join(parts))
