"""Everything a region's report shows, prepared once and rendered section by section as HTML.

The report notebook stays thin: it calls :func:`prepare` with its parameters, then displays the sections.
Every piece of text that comes from a workbook is escaped (:func:`html.escape`) on its way into the HTML.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML

from smartcity_eval.common import i18n, spares
from smartcity_eval.common.i18n import check_lang, format_number, format_percent, stage_name
from smartcity_eval.common.numbers import round_half_up, to_fraction
from smartcity_eval.common.tables import sha256
from smartcity_eval.inputs.issuer import Issuer, read_issuer
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard
from smartcity_eval.reports import charts, document
from smartcity_eval.reports.html import figure_html, grouped_table
from smartcity_eval.reports.html import table as html_table
from smartcity_eval.results import region_inputs, rules
from smartcity_eval.results.cohort import DIMS, build_cohort, category_median, read_cohort
from smartcity_eval.results.sources import Previous, document_fingerprint, existing

T = i18n.section("report")
D = i18n.section("document")


#: one chart of a report: the chart function, its positional and keyword arguments, and the caption under it
ChartSpec = tuple[Callable[..., charts.Chart], tuple[Any, ...], dict[str, Any], str]


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
    issuer: Issuer | None = None
    #: the charts a spare process is drawing meanwhile, by name (:func:`draw_ahead`)
    ahead: dict[str, spares.Pending] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def points_table(self) -> pd.DataFrame:
        """The items whose rise to 3 lifts Nilai Final most (:func:`uplift_table`), for the section and its chart."""
        return uplift_table(self)

    @functools.cached_property
    def chart_specs(self) -> dict[str, ChartSpec]:
        """Every chart of the report by name, in the order of the page (:func:`chart_specs`)."""
        return chart_specs(self)

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
    issuer_file: str = "",
) -> RegionReport:
    """Load, validate and score one region, with last year's result and its cohort.

    ``inputs_file`` is the region's workbooks already validated and scored by the batch runner
    (:mod:`smartcity_eval.results.region_inputs`); without it, or when it is for other parameters, they are read here.
    ``issuer_file`` names who issues the report (:mod:`smartcity_eval.inputs.issuer`); without it the report is a draft.
    """
    check_lang(lang)
    issuer = load_issuer(issuer_file, lang)
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
    report = RegionReport(
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
        {**got.inputs, **({str(Path(issuer_file)): sha256(Path(issuer_file))} if issuer else {})},
        issuer,
    )
    draw_ahead(report)
    return report


class IssuerError(ValueError):
    """The issuer file has problems; the message lists every one, located, in the report's language."""


def load_issuer(path: str, lang: str) -> Issuer | None:
    """The issuer of ``path`` (None for "" — a draft); raises :class:`IssuerError` listing every problem."""
    if not path:
        return None
    issuer, problems = read_issuer(path)
    if problems:
        raise IssuerError("\n".join(p.format(lang) for p in problems))
    return issuer


# ----------------------------------------------------------------------------------------------- helpers


def _banner(r: RegionReport) -> str:
    return f'<div class="provisional-banner">{escape(r.t("provisional"))}</div>' if r.card.stage == 1 else ""


def _section(r: RegionReport, title: str, body: str, cls: str = "") -> HTML:
    """A section; ``cls="part"`` starts it on a new page (appendices), other sections flow on. (A Tahap I report
    says it is provisional on its cover, in its summary and in the running header of every page.)"""
    return HTML(f'<section class="{cls}"><h2>{escape(title)}</h2>{body}</section>')


@dataclass(frozen=True)
class Rank:
    """A region's rank in a group: ``rank`` None when it has none or the group is too small to compare."""

    rank: int | None
    n: int  # participants in the group
    tied: int  # participants sharing the rank (1 when alone)


def rank_of(r: RegionReport, col: str) -> Rank:
    """This region's ``rank_national`` or ``rank_category`` among the participants evaluated this year."""
    part = r.cohort[r.cohort["participant"].astype(bool)]
    if col == "rank_category":
        part = part[part["category"] == r.card.category]
    row = r.row
    value = None if row is None or rules.missing(row[col]) else int(row[col])
    if value is None or not rules.comparable(len(part)):
        return Rank(None, len(part), 0)
    return Rank(value, len(part), int((part[col] == value).sum()))


def _rank_tile(r: RegionReport, col: str) -> tuple[str, str]:
    rank = rank_of(r, col)
    if rank.rank is None:
        return "-", D(r.lang, "not_comparable", minimum=rules.MIN_GROUP)
    return f"{rank.rank} {r.t('of')} {rank.n}", D(r.lang, "among", n=rank.n)


def median_shown(r: RegionReport) -> bool:
    """Whether the category median is shown: only over a comparable group."""
    part = r.cohort[r.cohort["participant"].astype(bool)]
    return rules.comparable(int((part["category"] == r.card.category).sum()))


def weighted_shown_sum(r: RegionReport) -> Decimal:
    """The weighted sum of the dimension scores as shown (two decimals), shown itself with two decimals."""
    total = sum(r.card.profile.fraction(k) * to_fraction(round_half_up(v)) for k, v in r.card.dimensions.items())
    return round_half_up(total)


# ----------------------------------------------------------------------------------------------- sections


def summary(r: RegionReport) -> HTML:
    """One-glance summary: Nilai Final, improvement, ranks among the regions evaluated, realisation, dimensions."""
    c, t = r.card, r.t
    med = median_shown(r)
    prev_txt = (
        f"{t('vs')} {r.num(r.previous.shown)} ({c.year - 1})" if r.previous.shown is not None else t("no_previous")
    )
    nat, cat = _rank_tile(r, "rank_national"), _rank_tile(r, "rank_category")
    tiles = [
        (t("final"), r.num(c.nilai_final), f"{t('median')}: {r.num(r.median.get('nilai_final'))}" if med else ""),
        (t("improvement"), r.num(c.improvement, signed=True), prev_txt),
        (t("rank_national"), *nat),
        (t("rank_category"), cat[0], f"{c.category}: {cat[1]}"),
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
    body = f'{_banner(r)}<div class="tiles">{tiles_html}</div>{_dimension_summary(r, med)}{_summary_notes(r, med)}'
    return _section(r, t("summary"), body)


def _dimension_summary(r: RegionReport, med: bool) -> str:
    c, t = r.card, r.t
    note = "¹" if weighted_shown_sum(r) != c.nilai_final_rounded else ""
    rows = [
        [
            escape(r.methodology.dimension(k).name(r.lang)),
            f"{c.profile.weights.get(k, 0)}%",
            r.num(v),
            *([r.num(r.median.get(k)) if pd.notna(r.median.get(k)) else "-"] if med else []),
        ]
        for k, v in c.dimensions.items()
    ]
    final = [f"<strong>{escape(t('final'))}</strong>", "100%", f"<strong>{r.num(c.nilai_final)}</strong>{note}"]
    rows.append([*final, *([r.num(r.median.get("nilai_final"))] if med else [])])
    headers = [t("dimension"), t("weight"), t("score"), *([t("median")] if med else [])]
    return html_table(headers, rows, {1, 2, 3})


def _summary_notes(r: RegionReport, med: bool) -> str:
    notes = []
    if weighted_shown_sum(r) != r.card.nilai_final_rounded:
        notes.append("¹ " + D(r.lang, "rounding_note", sum=r.num(weighted_shown_sum(r))))
    if not med or rank_of(r, "rank_national").rank is None or rank_of(r, "rank_category").rank is None:
        notes.append(D(r.lang, "small_group", minimum=rules.MIN_GROUP))
    if r.stage1 is not None:
        d = r.card.nilai_final - r.stage1.nilai_final
        notes.append(
            f"{r.t('stage1to2')}: {r.num(r.stage1.nilai_final)} → {r.num(r.card.nilai_final)} ({r.num(d, signed=True)})"
        )
    return "".join(f'<p class="note">{escape(n)}</p>' for n in notes)


def method(r: RegionReport) -> HTML:
    """The weights used and where they are defined (caveats go to the technical appendix)."""
    t, prof = r.t, r.card.profile
    rows = []
    for dim in r.methodology.dimensions_for(r.card.category):
        items = [it for it in dim.items if it.applies_to(r.card.category)]
        elements = list(dict.fromkeys(it.element for it in items))
        rows.append(
            [escape(dim.name(r.lang)), f"{prof.weights.get(dim.key, 0)}%", escape(", ".join(elements)), str(len(items))]
        )
    source = prof.source or D(r.lang, "method_file", year=prof.year, file=f"method/years/{prof.year}.yaml")
    used = D(r.lang, "weights_used", category=prof.category, year=prof.year, source=source)
    body = (
        f"<p>{escape(t('method_text'))}</p>"
        + html_table([t("dimension"), t("weight"), t("elements"), t("items")], rows, {1, 3})
        + f"<p>{escape(used)}</p>"
    )
    return _section(r, t("method"), body)


def _dimension_charts(r: RegionReport) -> dict[str, ChartSpec]:
    """The radar against last year (when drawn) and the bars against the category median (when comparable)."""
    t, c = r.t, r.card
    cur = pd.Series({k: float(v) for k, v in c.dimensions.items()})
    prev = None
    if r.previous.dimensions is not None:
        prev = pd.Series({k: float(v) for k, v in r.previous.dimensions.items()})
        prev = prev if prev.notna().any() else None
    labels = (str(c.year), str(c.year - 1))
    med = r.median.reindex(cur.index).astype(float) if len(r.median) and median_shown(r) else None
    med = med if med is not None and med.notna().any() else None
    style = _chart_style(r)
    radar = t("radar") if prev is not None else t("radar_alone")
    return {
        "radar": (charts.radar, (cur, prev), {**style, "labels": labels}, radar),
        "bars": (charts.dimension_bars, (cur, med), style, t("bars") if med is not None else t("bars_alone")),
    }


def _realisation_charts(r: RegionReport) -> dict[str, ChartSpec]:
    """Programme realisation per pillar and action-plan realisation per category, where any is planned."""
    parts: dict[str, ChartSpec] = {}
    for kind, table, caption in (
        ("programme", r.card.programmes, r.t("prog_chart")),
        ("action_plan", r.card.action_plan, r.t("ap_chart")),
    ):
        data = table.drop(index="overall")
        data = data[data["planned"] > 0]
        if len(data):
            data = data.assign(percent=data["percent"].map(float))
            parts[kind] = (charts.realisation_bars, (data,), {**_chart_style(r), "kind": kind}, caption)
    return parts


def _chart_style(r: RegionReport) -> dict[str, Any]:
    """What every chart of the report is drawn with: its language and the methodology year that names its labels."""
    return {"lang": r.lang, "year": r.card.year}


def drawn(chart: Callable[..., charts.Chart], args: tuple[Any, ...], kwargs: dict[str, Any], caption: str) -> str:
    """One chart drawn and embedded with its caption (a spare process may draw it: see :func:`draw_ahead`)."""
    return figure_html(chart(*args, **kwargs), caption)


def chart_specs(r: RegionReport) -> dict[str, ChartSpec]:
    """Every chart of the report by name, in the order of the page (a report keeps them: ``r.chart_specs``)."""
    specs = {**_dimension_charts(r), **_realisation_charts(r)}
    style = _chart_style(r)
    if len(r.history) >= 2:
        specs["trajectory"] = (charts.trajectory, (r.history,), style, r.t("trajectory"))
    if not r.points_table.empty:
        specs["uplift"] = (charts.uplift_bars, (r.points_table,), style, r.t("points"))
    return specs


#: the charts a kernel with a spare process hands it as soon as the report is prepared, drawn while the kernel
#: writes the sections before them; the kernel draws the first two itself when it comes to them
AHEAD = ("programme", "action_plan", "trajectory", "uplift")


def draw_ahead(r: RegionReport) -> None:
    """Give the :data:`AHEAD` charts to the kernel's spare process, if it has one (the report server's and the
    preview's kernels do: :mod:`smartcity_eval.common.spares`); the page is the same either way."""
    if spares.count():
        specs = r.chart_specs
        for name in AHEAD:
            if name in specs and (pending := spares.submit(drawn, specs[name])) is not None:
                r.ahead[name] = pending


def _figure(r: RegionReport, name: str) -> str:
    """The chart ``name`` embedded: the spare's drawing when it drew it, else drawn now."""
    pending = r.ahead.pop(name, None)
    return pending.result() if pending is not None else drawn(*r.chart_specs[name])


def charts_section(r: RegionReport) -> HTML:
    """Radar against last year, bars against the category median, realisation charts, the trajectory."""
    figures = [_figure(r, name) for name in r.chart_specs if name != "uplift"]
    return _section(r, r.t("charts"), "".join(figures))


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
    table = r.points_table
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
        + _figure(r, "uplift")
        + html_table([t("item"), t("dimension"), t("question"), t("score"), t("gain")], rows, {3, 4}, "points")
    )
    return _section(r, t("points"), body)


def split_stem(questions: list[str]) -> tuple[str, list[str]]:
    """A question stem every question shares (up to an opening quote) and the rest of each; ("", questions) if
    there is none. The 54 impact-survey questions ask about 54 statements with one stem, stated once."""
    if len(questions) < 2:
        return "", questions
    stems = {m.group(1) for q in questions if (m := QUOTED.match(q))}
    if len(stems) != 1 or not all(QUOTED.match(q) for q in questions):
        return "", questions
    stem = stems.pop()
    return stem.strip(), [q[len(stem) :].strip() for q in questions]


#: a question made of a stem and a quoted statement: 'Berapa rata-rata skor … terhadap pernyataan "…"?'
QUOTED = re.compile(r"^(.*?)[\"“‘'].+[\"”’']\s*\??\s*$", re.DOTALL)


def _scores(r: RegionReport, item_id: str, last: bool) -> list[str]:
    """An item's score, and last year's score and the change where last year's workbook is known."""
    value = r.card.items.get(item_id)
    cells = [r.num(value) if value is not None else f"<em>{escape(r.t('not_scored'))}</em>"]
    if last:
        before = r.previous.card.items.get(item_id) if r.previous.card is not None else None
        change = None if before is None or value is None else value - before
        cells += [
            r.num(before) if before is not None else "-",
            r.num(change, signed=True) if change is not None else "-",
        ]
    return cells


def _code(item_id: str) -> str:
    """An item code (OC-GOV-03) that never breaks across lines."""
    return f'<span class="code">{escape(item_id)}</span>'


def _item_rows(r: RegionReport, items: pd.DataFrame, questions: list[str], survey: bool, last: bool) -> list[list[str]]:
    """Rows of a dimension table: element, code, indicator, question; a survey's rows are pillar, sub-dimension,
    code and "aspect: statement"."""
    rows = []
    for (item_id, it), question in zip(items.iterrows(), questions, strict=True):
        if survey:
            sub, _, aspect = str(it.indicator).partition(" — ")
            text = [escape(it.element), escape(sub), _code(item_id), f"<em>{escape(aspect)}</em>: {escape(question)}"]
        else:
            text = [escape(it.element), _code(item_id), f"<strong>{escape(it.indicator)}</strong> — {escape(question)}"]
        rows.append(text + _scores(r, item_id, last))
    return rows


def dimension_table(r: RegionReport, dim: mth.Dimension, bank: pd.DataFrame) -> HTML:
    """One evaluation dimension: each item's code, question and score, last year's where known, and the mean. A
    survey whose questions share one stem (the impact survey) states the stem once, items grouped by pillar and
    sub-dimension."""
    t, last = r.t, r.previous.card is not None
    items = bank[bank["dimension"] == dim.key]
    stem, questions = split_stem(items["question"].tolist())
    survey = bool(stem)
    headers = (
        [t("pillar"), D(r.lang, "sub_dimension"), t("item"), D(r.lang, "statement")]
        if survey
        else [t("element"), t("item"), D(r.lang, "indicator_question")]
    )
    width = len(headers)
    headers += [t("score"), *([str(r.card.year - 1), D(r.lang, "change")] if last else [])]
    rows = _item_rows(r, items, questions, survey, last)
    mean = f"<strong>{r.num(r.card.dimensions.get(dim.key))}</strong>"
    rows.append([*[""] * (width - 1), f"<strong>{escape(t('mean'))}</strong>", mean, *(["", ""] if last else [])])
    lead = f'<p class="stem">{escape(D(r.lang, "stem", stem=stem))}</p>' if survey else ""
    nums = set(range(width, len(headers)))
    table = grouped_table(headers, rows, 2 if survey else 1, nums, "items survey" if survey else "items plain")
    return _section(r, dim.name(r.lang), lead + table)


def dimension_tables(r: RegionReport) -> list[HTML]:
    """:func:`dimension_table` of every evaluation dimension of the region's category."""
    bank = r.methodology.question_bank(r.card.category, r.lang)
    return [dimension_table(r, dim, bank) for dim in r.methodology.dimensions_for(r.card.category)]


def findings(r: RegionReport) -> HTML:
    """Strengths, weaknesses and recommendations per assessor; a block continued on the next page repeats its
    assessor (a table header repeats on every page it spans)."""
    t, a = r.t, r.assessment
    blocks = []
    for code, person in a.assessors.iterrows():
        mine = a.findings[a.findings["assessor"] == code]
        rows = ""
        for kind in ("kekuatan", "kelemahan", "rekomendasi"):
            texts = mine.loc[mine["kind"] == kind, "text"].tolist()
            if texts:
                items = "".join(f"<li>{escape(x)}</li>" for x in texts)
                rows += f'<tr><td><p class="kind">{escape(t(kind))}</p><ul>{items}</ul></td></tr>'
        rows = rows or f"<tr><td><em>{escape(t('none'))}</em></td></tr>"
        affiliation = f"— {escape(person['affiliation'])} ({escape(code)})"
        who = f'{escape(person["name"])} <span class="affiliation">{affiliation}</span>'
        blocks.append(f'<table class="assessor"><thead><tr><th>{who}</th></tr></thead><tbody>{rows}</tbody></table>')
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
    body += f"<h3>{escape(t('prog_list'))}</h3>" + grouped_table(
        [t("pillar"), t("prog_list"), t("agency"), t("quick_win"), t("status")], rows, 1, set(), "programmes"
    )
    return _section(r, f"{t('appendix')} A — {t('prog_list')}", body, "part")


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


def _input_row(r: RegionReport, path: str) -> list[str]:
    """What an input is and where it lies: in the data folder, in the package (method files), or its name."""
    data_dir = Path(r.params.get("data_dir") or ".").resolve()
    p = Path(path).resolve()
    place = p.relative_to(data_dir).as_posix() if p.is_relative_to(data_dir) else p.name
    if (m := WORKBOOK_PLACE.search(place)) is not None:
        label = D(r.lang, "input_workbook", year=m["year"], stage=stage_name(int(m["stage"]), r.lang))
    elif (m := PUBLISHED_PLACE.search(place)) is not None:
        label = D(r.lang, "input_published", year=m["year"], stage=stage_name(int(m["stage"]), r.lang))
    elif p.parent == mth.get(r.card.year).path.parent:
        label = D(r.lang, "input_method", year=p.stem)
        place = f"{D(r.lang, 'method_package')}: method/years/{p.name}"
    elif r.params.get("issuer_file") and p == Path(r.params["issuer_file"]).resolve():
        label = D(r.lang, "input_issuer")
    else:
        label = D(r.lang, "input_other")
    return [escape(label), f"<code>{escape(place)}</code>"]


WORKBOOK_PLACE = re.compile(r"^(?P<year>\d{4})/tahap-(?P<stage>[12])/[^/]+\.xlsx$")
PUBLISHED_PLACE = re.compile(r"^published/national-(?P<year>\d{4})-tahap-(?P<stage>[12])\.csv$")


def provenance(r: RegionReport) -> HTML:
    """Appendix: the inputs by their place in the data folder, the document fingerprint, when and with what it was
    made. Full hashes and parameters stay in the batch's manifest.json."""
    rows = [_input_row(r, p) for p, _ in existing(r.inputs)]
    body = (
        html_table([D(r.lang, "input"), D(r.lang, "place")], rows)
        + f'<p><strong>{escape(D(r.lang, "fingerprint"))}: <span class="fingerprint">'
        f"{escape(document_fingerprint(r.inputs))}</span></strong></p>"
        + f'<p class="note">{escape(D(r.lang, "fingerprint_text"))}</p>'
        + f"<p>{escape(document.generated(r.lang))}</p>"
    )
    return _section(r, f"{r.t('appendix')} C — {r.t('provenance_title')}", body)


def technical_notes(r: RegionReport) -> list[str]:
    """The caveats a reader of the figures may need: fitted or assumed weights, last year's published figure
    against the recomputed one, figures computed from published (rounded) tables."""
    prof, prev = r.card.profile, r.previous
    notes = []
    if prof.provenance != "official":
        caveat = r.t(prof.provenance)
        notes.append(
            D(
                r.lang,
                "weights_caveat",
                category=prof.category,
                year=prof.year,
                provenance=caveat,
                note=prof.note(r.lang),
            )
        )
    if prev.differs and r.card.improvement is not None:
        notes.append(_previous_note(r))
    if prev.source == rules.PUBLISHED or (r.cohort["source"] == rules.PUBLISHED).any():
        notes.append(D(r.lang, "published_inputs"))
    return notes


def _previous_note(r: RegionReport) -> str:
    """Why last year's figure shown (the published one) differs from the one recomputed from its workbook."""
    prev, c = r.previous, r.card
    figures = {"shown": r.num(prev.shown), "recomputed": r.num(prev.final), "exact": r.num(prev.final, 4)}
    figures |= {"final_exact": r.num(c.nilai_final, 4), "improvement": r.num(c.improvement, signed=True)}
    return D(r.lang, "previous_published", last_year=c.year - 1, region=c.region, **figures)


def technical(r: RegionReport) -> HTML:
    """Appendix: technical notes (:func:`technical_notes`)."""
    notes = technical_notes(r) or [D(r.lang, "no_notes")]
    body = "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"
    return _section(r, f"{r.t('appendix')} D — {D(r.lang, 'technical')}", body)


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
