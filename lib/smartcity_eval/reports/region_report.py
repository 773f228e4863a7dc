"""Everything a region's report shows, prepared once and rendered section by section as HTML.

The report notebook stays thin: it calls :func:`prepare` with its parameters, then displays the sections.
Every piece of text that comes from a workbook is escaped (:func:`html.escape`) on its way into the HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML

from smartcity_eval import __version__
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import check_lang, format_number, format_percent, stage_name
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard
from smartcity_eval.reports import charts
from smartcity_eval.reports.html import figure_html
from smartcity_eval.reports.html import table as html_table
from smartcity_eval.results import region_inputs, rules
from smartcity_eval.results.cohort import DIMS, build_cohort, category_median, read_cohort
from smartcity_eval.results.sources import Previous, existing

T = i18n.section("report")


@dataclass
class RegionReport:
    """A region's scores with everything they are compared with."""

    lang: str
    params: dict[str, Any]
    methodology: mth.Methodology
    assessment: Assessment
    card: ScoreCard
    previous: Previous
    cohort: pd.DataFrame
    median: pd.Series
    stage1: ScoreCard | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: dict[str, str | None] = field(default_factory=dict)

    @property
    def t(self) -> i18n.Messages:
        """This report's messages: ``self.t("final")``."""
        return T[self.lang]

    def num(self, value: Any, decimals: int = 2, signed: bool = False) -> str:
        return format_number(value, decimals, self.lang, signed=signed)

    @property
    def row(self) -> pd.Series | None:
        match = self.cohort[self.cohort["slug"] == self.params["region"]]
        return None if match.empty else match.iloc[0]

    def key_figures(self) -> str:
        """The report's key numbers as plain text (compared by nbval)."""
        c, t = self.card, self.t
        lines = [f"{c.region} — {c.year} {stage_name(c.stage, self.lang)} ({c.category})"]
        lines += [f"{self.methodology.dimension(k).short(self.lang)}: {self.num(v)}" for k, v in c.dimensions.items()]
        lines.append(f"{t('final')}: {self.num(c.nilai_final)}")
        lines.append(f"{t('improvement')}: {self.num(c.improvement, signed=True)}")
        for label, table in ((t("programmes"), c.programmes), (t("action_plan"), c.action_plan)):
            if table.at["overall", "planned"]:
                lines.append(f"{label}: {format_percent(table.at['overall', 'percent'], 2, self.lang)}")
        return "\n".join(lines)


def prepare(
    region: str,
    year: int,
    stage: int,
    data_dir: str | Path,
    lang: str = "id",
    previous: str = "auto",
    cohort_file: str = "",
    inputs_file: str = "",
) -> RegionReport:
    """Load, validate and score one region, with last year's result and its cohort.

    ``inputs_file`` is the region's workbooks already validated and scored by the batch runner
    (:mod:`smartcity_eval.results.region_inputs`); without it, or when it is for other parameters, they are read here.
    """
    check_lang(lang)
    data_dir = Path(data_dir)
    got = region_inputs.read(inputs_file, region, year, stage, data_dir, previous) if inputs_file else None
    if got is None:
        got = region_inputs.gather(region, year, stage, data_dir, previous)
    cohort = rules.order_rows(read_cohort(Path(cohort_file)) if cohort_file else build_cohort(data_dir, year, stage))
    params = {
        "region": region,
        "year": year,
        "stage": stage,
        "data_dir": str(data_dir),
        "lang": lang,
        "previous": previous,
        "cohort_file": cohort_file,
    }
    return RegionReport(
        lang,
        params,
        mth.get(year),
        got.assessment,
        got.card,
        got.previous,
        cohort,
        category_median(cohort, got.card.category),
        got.stage1,
        got.history,
        got.inputs,
    )


# ----------------------------------------------------------------------------------------------- helpers


def _banner(r: RegionReport) -> str:
    return f'<div class="provisional-banner">{escape(r.t("provisional"))}</div>' if r.card.stage == 1 else ""


def _section(r: RegionReport, title: str, body: str) -> HTML:
    return HTML(f"<h2>{escape(title)}</h2>{_banner(r)}{body}")


def _rank_text(r: RegionReport, col: str, group: pd.DataFrame) -> str:
    row = r.row
    value = None if row is None else row[col]
    n = int(group["participant"].astype(bool).sum())
    return "-" if value is None or pd.isna(value) else f"{int(value)} {r.t('of')} {n}"


# ----------------------------------------------------------------------------------------------- sections


def cover(r: RegionReport) -> HTML:
    """Title page: region, province, year, stage, category, generation date."""
    p, t = r.assessment.profile, r.t
    today = dt.date.today().isoformat()
    return HTML(
        f'<div class="cover"><p class="cover-kicker">{escape(t("title"))}</p>'
        f"<h1>{escape(p.region)}</h1>"
        f'<p class="cover-sub">{escape(t("province"))} {escape(p.province)}</p>'
        f'<p class="cover-sub">{p.year} · {escape(stage_name(p.stage, r.lang))}</p>'
        f'<p class="cover-meta">{escape(t("category"))}: {escape(p.category)}'
        + (f" · {escape(t('cohort'))}: {escape(p.cohort)}" if p.cohort else "")
        + f"<br/>{escape(t('generated'))}: {today} · smartcity-eval {escape(__version__)}</p>"
        + _banner(r)
        + "</div>"
    )


def summary(r: RegionReport) -> HTML:
    """One-glance summary: Nilai Final, improvement, ranks, category median, realisation."""
    c, t = r.card, r.t
    cohort = r.cohort
    same_cat = cohort[cohort["category"] == c.category]
    prev_txt = (
        f"{t('vs')} {r.num(r.previous.final)} ({c.year - 1}, {t(r.previous.source)})"
        if r.previous.final is not None
        else t("no_previous")
    )
    tiles = [
        (t("final"), r.num(c.nilai_final), f"{t('median')}: {r.num(r.median.get('nilai_final'))}"),
        (t("improvement"), r.num(c.improvement, signed=True), prev_txt),
        (t("rank_national"), _rank_text(r, "rank_national", cohort), ""),
        (t("rank_category"), _rank_text(r, "rank_category", same_cat), c.category),
    ]
    for label, table in ((t("programmes"), c.programmes), (t("action_plan"), c.action_plan)):
        if table.at["overall", "planned"]:
            o = table.loc["overall"]
            tiles.append((label, format_percent(o.percent, 2, r.lang), f"{o.done}/{o.planned}"))
    tiles_html = "".join(
        f'<div class="tile"><div class="tile-label">{escape(a)}</div>'
        f'<div class="tile-value">{escape(b)}</div><div class="tile-note">{escape(n)}</div></div>'
        for a, b, n in tiles
    )
    rows = [
        [
            escape(r.methodology.dimension(k).name(r.lang)),
            f"{c.profile.weights.get(k, 0)}%",
            r.num(v),
            r.num(r.median.get(k)) if pd.notna(r.median.get(k)) else "-",
        ]
        for k, v in c.dimensions.items()
    ]
    rows.append(
        [
            f"<strong>{escape(t('final'))}</strong>",
            "100%",
            f"<strong>{r.num(c.nilai_final)}</strong>",
            r.num(r.median.get("nilai_final")),
        ]
    )
    table = html_table([t("dimension"), t("weight"), t("score"), t("median")], rows, {1, 2, 3})
    extra = ""
    if r.stage1 is not None:
        d = r.card.nilai_final - r.stage1.nilai_final
        extra = (
            f"<p><strong>{escape(t('stage1to2'))}:</strong> {r.num(r.stage1.nilai_final)} → "
            f"{r.num(c.nilai_final)} ({r.num(d, signed=True)})</p>"
        )
    return _section(r, t("summary"), f'<div class="tiles">{tiles_html}</div>{table}{extra}')


def method(r: RegionReport) -> HTML:
    """The weight profile used, with its provenance."""
    t, prof = r.t, r.card.profile
    rows = []
    for dim in r.methodology.dimensions_for(r.card.category):
        items = [it for it in dim.items if it.applies_to(r.card.category)]
        elements = list(dict.fromkeys(it.element for it in items))
        rows.append(
            [
                escape(dim.name(r.lang)),
                f"{prof.weights.get(dim.key, 0)}%",
                escape(", ".join(elements[:6]) + (" …" if len(elements) > 6 else "")),
                str(len(items)),
            ]
        )
    note = prof.note(r.lang)
    warn = ' class="assumption"' if prof.provenance != "official" else ""
    body = (
        f"<p>{escape(t('method_text'))}</p>"
        + html_table([t("dimension"), t("weight"), t("elements"), t("items")], rows, {1, 3})
        + f"<p{warn}><strong>{escape(t('provenance'))} ({prof.year}, {escape(prof.category)}):</strong> "
        f"{escape(t(prof.provenance))}. {escape(note)}</p>"
    )
    if r.previous.source == "published":
        body += f"<p>{escape(t('improvement'))}: {escape(t('rounded'))}.</p>"
    return _section(r, t("method"), body)


def charts_section(r: RegionReport) -> HTML:
    """Radar against last year, bars against the category median, realisation charts."""
    t, c = r.t, r.card
    cur = pd.Series({k: float(v) for k, v in c.dimensions.items()})
    prev = None
    if r.previous.dimensions is not None:
        prev = pd.Series({k: float(v) for k, v in r.previous.dimensions.items()})
    parts = [
        figure_html(
            charts.radar(cur, prev, lang=r.lang, year=c.year, labels=(str(c.year), str(c.year - 1))), t("radar")
        )
    ]
    med = r.median.reindex(cur.index) if len(r.median) else None
    parts.append(figure_html(charts.dimension_bars(cur, med, lang=r.lang, year=c.year), t("bars")))
    for kind, table, caption in (
        ("programme", c.programmes, t("prog_chart")),
        ("action_plan", c.action_plan, t("ap_chart")),
    ):
        data = table.drop(index="overall")
        data = data[data["planned"] > 0]
        if len(data):
            data = data.assign(percent=data["percent"].map(float))
            parts.append(figure_html(charts.realisation_bars(data, kind=kind, lang=r.lang, year=c.year), caption))
    if len(r.history) >= 2:
        parts.append(figure_html(charts.trajectory(r.history, lang=r.lang, year=c.year), t("trajectory")))
    return _section(r, t("charts"), "".join(parts))


def uplift_table(r: RegionReport, limit: int = 10, target: int = 3) -> pd.DataFrame:
    """Lowest-scoring items and the Nilai Final gain if each rose to ``target``."""
    bank = r.methodology.question_bank(r.card.category, r.lang)
    counts = bank.loc[bank.index.isin(r.card.items.index), "dimension"].value_counts()
    rows = []
    for item_id, value in r.card.items.items():
        if value >= target or item_id not in bank.index:
            continue
        dim = bank.at[item_id, "dimension"]
        gain = r.card.profile.fraction(dim) * (Fraction(target) - value) / int(counts[dim])
        rows.append(
            {
                "item_id": item_id,
                "dimension": dim,
                "label": bank.at[item_id, "indicator"],
                "question": bank.at[item_id, "question"],
                "score": float(value),
                "gain_exact": gain,
                "gain": float(gain),
            }
        )
    frame = pd.DataFrame(rows, columns=["item_id", "dimension", "label", "question", "score", "gain_exact", "gain"])
    return frame.sort_values(["gain", "score"], ascending=[False, True], kind="stable").head(limit)


def points(r: RegionReport) -> HTML:
    """ "Where the points are": the items whose rise to 3 lifts Nilai Final most."""
    t = r.t
    table = uplift_table(r)
    if table.empty:
        return _section(r, t("points"), f"<p>{escape(t('none'))}</p>")
    rows = [
        [
            escape(x.item_id),
            escape(r.methodology.dimension(x.dimension).short(r.lang)),
            escape(x.question),
            r.num(x.score),
            r.num(x.gain_exact, 3, signed=True),
        ]
        for x in table.itertuples()
    ]
    body = (
        f"<p>{escape(t('points_text'))}</p>"
        + figure_html(charts.uplift_bars(table, lang=r.lang), t("points"))
        + html_table([t("item"), t("dimension"), t("question"), t("score"), t("gain")], rows, {3, 4}, "points")
    )
    return _section(r, t("points"), body)


def dimension_tables(r: RegionReport) -> list[HTML]:
    """One table per evaluation dimension: every item's question and value, and the mean."""
    t = r.t
    bank = r.methodology.question_bank(r.card.category, r.lang)
    out = []
    for dim in r.methodology.dimensions_for(r.card.category):
        items = bank[bank["dimension"] == dim.key]
        rows = []
        for n, (item_id, it) in enumerate(items.iterrows(), start=1):
            value = r.card.items.get(item_id)
            shown = r.num(value) if value is not None else f"<em>{escape(t('not_scored'))}</em>"
            rows.append([str(n), escape(it.element), escape(it.indicator), escape(it.question), shown])
        mean = r.card.dimensions.get(dim.key)
        rows.append(
            [
                "",
                "",
                "",
                f"<strong>{escape(t('mean'))}</strong>",
                f"<strong>{r.num(mean) if mean is not None else '-'}</strong>",
            ]
        )
        out.append(
            _section(
                r,
                dim.name(r.lang),
                html_table([t("no"), t("element"), t("indicator"), t("question"), t("score")], rows, {0, 4}, "items"),
            )
        )
    return out


def findings(r: RegionReport) -> HTML:
    """Strengths, weaknesses and recommendations per assessor, with names and affiliations."""
    t, a = r.t, r.assessment
    blocks = []
    for code, person in a.assessors.iterrows():
        mine = a.findings[a.findings["assessor"] == code]
        lists = ""
        for kind in ("kekuatan", "kelemahan", "rekomendasi"):
            texts = mine.loc[mine["kind"] == kind, "text"].tolist()
            if texts:
                lists += f"<h4>{escape(t(kind))}</h4><ul>" + "".join(f"<li>{escape(x)}</li>" for x in texts) + "</ul>"
        if not lists:
            lists = f"<p><em>{escape(t('none'))}</em></p>"
        blocks.append(
            f'<div class="assessor"><h3>{escape(person["name"])}</h3>'
            f'<p class="affiliation">{escape(person["affiliation"])} ({escape(code)})</p>{lists}</div>'
        )
    return _section(r, t("findings"), "".join(blocks))


def programme_list(r: RegionReport) -> HTML:
    """Appendix: the region's programmes by pillar with status."""
    t, progs = r.t, r.assessment.programmes
    names = {p.key: p.name for p in r.methodology.pillars}
    order = {k: i for i, k in enumerate(mth.PILLAR_KEYS)}
    progs = progs.assign(_o=progs["pillar"].map(order)).sort_values("_o", kind="stable")
    rows = [
        [
            escape(names.get(p.pillar, p.pillar)),
            escape(p.name),
            escape(p.agency),
            escape(t("yes")) if p.quick_win else "",
            escape(t.get(p.status, p.status)),
        ]
        for p in progs.itertuples()
    ]
    ap = r.card.action_plan
    labels = {c.key: (c.name_en if r.lang == "en" else c.name_id) for c in r.methodology.action_plan_categories}
    ap_rows = [
        [
            escape(labels.get(k, t("overall") if k == "overall" else k)),
            str(x.planned),
            str(x.done),
            format_percent(x.percent, 2, r.lang),
        ]
        for k, x in ap.iterrows()
    ]
    body = ""
    if ap_rows and ap.at["overall", "planned"]:
        body += f"<h3>{escape(t('action_plan'))}</h3>" + html_table(
            [t("category"), t("planned"), t("done"), t("realisation")], ap_rows, {1, 2, 3}
        )
    body += f"<h3>{escape(t('prog_list'))}</h3>" + html_table(
        [t("pillar"), t("prog_list"), t("agency"), t("quick_win"), t("status")], rows, set(), "items"
    )
    return _section(r, f"{t('appendix')} A — {t('prog_list')}", body)


#: up to this many participants (or non-participants) the appendix lists them all; beyond, an excerpt
FULL_TABLE_LIMIT = 25


def national_excerpt(
    participants: pd.DataFrame, slug: str, top: int = 10, around: int = 5, full_limit: int = FULL_TABLE_LIMIT
) -> list[pd.DataFrame]:
    """The rows of the national table a region's report shows, as runs of consecutive ranks.

    ``participants`` is sorted by national rank. Up to ``full_limit`` rows the whole table is one run; beyond,
    the ``top`` first rows and the ``around`` rows either side of ``slug`` (one run when they touch, else two).
    The report stays a few pages long whether the cohort has 11 regions or 514.
    """
    n = len(participants)
    if n <= full_limit:
        return [participants]
    keep = np.zeros(n, dtype=bool)
    keep[:top] = True
    hits = np.flatnonzero(participants["slug"].to_numpy() == slug)
    if len(hits):
        keep[max(hits[0] - around, 0) : hits[0] + around + 1] = True
    rows = np.flatnonzero(keep)
    return [participants.iloc[run] for run in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)]


def national_table(r: RegionReport, top: int = 10, around: int = 5) -> HTML:
    """Appendix: the region's place in the national table, participants ranked, non-participants apart.

    Small cohorts are shown whole; a large one as an excerpt (:func:`national_excerpt`) that points to the
    national overview report for the full table.
    """
    t = r.t
    dims = [d for d in DIMS if d in r.cohort.columns]
    headers = [
        t("no"),
        t("region"),
        *[
            r.methodology.dimension(d).short(r.lang) if d in {x.key for x in r.methodology.dimensions} else d
            for d in dims
        ],
        t("final"),
        t("improvement"),
        t("category"),
    ]
    part = r.cohort[r.cohort["participant"].astype(bool)]  # in the cohort's order (rules.order_rows)
    runs = national_excerpt(part, r.params["region"], top, around)
    rows = []
    for k, run in enumerate(runs):
        if k:
            rows.append(["…", "…", *[""] * (len(headers) - 2)])
        for x in run.itertuples():
            name = escape(x.region)
            if x.slug == r.params["region"]:
                name = f"<strong>{name}</strong>"
            rows.append(
                [
                    str(x.rank_national),
                    name,
                    *[r.num(getattr(x, d)) if pd.notna(getattr(x, d)) else "" for d in dims],
                    r.num(x.nilai_final),
                    r.num(x.improvement if pd.notna(x.improvement) else None, signed=True),
                    escape(x.category),
                ]
            )
    body = html_table(headers, rows, set(range(2, 2 + len(dims) + 2)), "national")
    if sum(map(len, runs)) < len(part):
        note = t("excerpt", top=top, around=around, region=r.assessment.profile.region, n=len(part))
        body += f"<p>{escape(note)}</p>"
    non = r.cohort[~r.cohort["participant"].astype(bool)]
    if len(non) > FULL_TABLE_LIMIT:
        body += f"<h3>{escape(t('nonparticipants'))}</h3><p>{escape(t('more_nonparticipants', n=len(non)))}</p>"
    elif len(non):
        body += (
            f"<h3>{escape(t('nonparticipants'))}</h3><ul>"
            + "".join(f"<li>{escape(x.region)} ({escape(x.category)})</li>" for x in non.itertuples())
            + "</ul>"
        )
    sources = sorted(set(r.cohort["source"]))
    body += f"<p>{escape(t('source'))}: {escape(', '.join(t(s) for s in sources))}.</p>"
    return _section(r, f"{t('appendix')} B — {t('national')} {r.card.year}", body)


def provenance(r: RegionReport) -> HTML:
    """Appendix: input files with sha256, software version, weight profile, parameters."""
    t = r.t
    data_dir = Path(r.params.get("data_dir") or ".").resolve()

    def shown(path: str) -> str:  # inside the data folder: its path there (2023/tahap-2/x.xlsx), else the name
        p = Path(path).resolve()
        return p.relative_to(data_dir).as_posix() if p.is_relative_to(data_dir) else p.name

    files = html_table([t("file"), "sha256"], [[escape(shown(p)), f"<code>{h}</code>"] for p, h in existing(r.inputs)])
    prof = r.card.profile
    weights = ", ".join(f"{r.methodology.dimension(k).short(r.lang)} {w}%" for k, w in prof.weights.items() if w)
    params = html_table([t("parameters"), ""], [[escape(k), escape(str(v))] for k, v in r.params.items()])
    body = (
        files + f"<p>{escape(t('software'))}: smartcity-eval {escape(__version__)}, Python "
        f"{escape(platform.python_version())}, pandas {escape(pd.__version__)}</p>"
        f"<p>{escape(t('weight'))} ({prof.year}, {escape(prof.category)}): {escape(weights)} — "
        f"{escape(t(prof.provenance))}</p>" + params
    )
    return _section(r, f"{t('appendix')} C — {t('provenance_title')}", body)


def save_scores(r: RegionReport, output_dir: str | Path) -> Path | None:
    """Write ``scores.json`` (the score card, rounded) into ``output_dir``; nothing when it is empty."""
    if not output_dir:
        return None
    from smartcity_eval.common.tables import write_text_atomic

    data = r.card.to_dict()
    data["rank_national"] = None if r.row is None or pd.isna(r.row["rank_national"]) else int(r.row["rank_national"])
    data["rank_category"] = None if r.row is None or pd.isna(r.row["rank_category"]) else int(r.row["rank_category"])
    data["previous_source"] = r.previous.source
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path = Path(output_dir) / "scores.json"
    return write_text_atomic(path, text)
