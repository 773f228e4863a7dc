"""One set of inputs through every path that shows a result: every path gives the same ranks, improvements, order.

The data mix workbooks and published tables; three regions tie at 2,14 (their exact or recomputed finals differ in
the third and fourth decimals); one region does not take part this year, one did not take part last year.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pandas as pd
import pytest

from conftest import SAMPLE
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.inputs.validation import load
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import overview as ov
from smartcity_eval.reports import region_report as rr
from smartcity_eval.results import export, national, rules, store
from smartcity_eval.results.cohort import build_cohort
from smartcity_eval.results.sources import previous_result

HEADER = "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement\n"
PUBLISHED_2023 = HEADER + (
    ",Kab. Pelalawan,REGULER,0,0,0,0,0,,0,\n"  # did not take part last year
    ",Kota Batam,REGULER,3.52,2.80,3.12,2.95,2.88,,3.02,\n"
    ",Kota Tegal,REGULER,,,,,,,2.00,\n"
)
PUBLISHED_2024 = HEADER + (
    "1,Kab. Agam,KPPN&IKN,3.00,3.00,3.00,3.00,3.00,3.00,3.00,0.50\n"
    "2,Kota Batam,REGULER,3.00,3.00,3.00,3.00,3.00,,3.00,0.10\n"  # its workbook wins
    "3,Kota Tegal,REGULER,2.14,2.14,2.14,2.14,2.15,,2.14,0.14\n"  # recomputed 2.142
    "4,Kab. Sijunjung,REGULER,0,0,0,0,0,,0,0.20\n"  # does not take part this year
)
#: by hand: Batam 3.0817 (workbook) - 3.02 (2023 table); Pariaman 2.1423 - 2.0157 (2023 workbook); Pelalawan 2.1415
#: with no 2023 result; Tegal 2.142 and Agam 3.00 as published; Sijunjung takes no part
EXPECTED = [
    ("Kota Batam", 1, "0.06"),
    ("Kab. Agam", 2, "0.50"),
    ("Kab. Pelalawan", 3, None),
    ("Kota Pariaman", 3, "0.13"),
    ("Kota Tegal", 3, "0.14"),
    ("Kab. Sijunjung", None, None),
]
PARTICIPANTS = [e for e in EXPECTED if e[1] is not None]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("cross") / "data"
    layout, sample = DataLayout(root), DataLayout(SAMPLE)
    for year, slug in ((2024, "kota-pariaman"), (2024, "kab-pelalawan"), (2024, "kota-batam"), (2023, "kota-pariaman")):
        layout.workbook(year, 2, slug).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample.workbook(year, 2, slug), layout.workbook(year, 2, slug))
    layout.published(2023, 2).parent.mkdir()
    layout.published(2023, 2).write_text(PUBLISHED_2023, encoding="utf-8")
    layout.published(2024, 2).write_text(PUBLISHED_2024, encoding="utf-8")
    return root


def shown(value) -> str | None:
    return None if rules.missing(value) else str(rules.shown(value))


def rank(value) -> int | None:
    return None if rules.missing(value) else int(value)


def triples(frame: pd.DataFrame, region: str, rank_col: str, improvement: str) -> list[tuple]:
    return [(r[region], rank(r[rank_col]), shown(r[improvement])) for r in frame.to_dict("records")]


def letter_row(card) -> str:
    dims = {k: card.dimensions_rounded().get(k, "") for k in mth.DIMENSION_KEYS}
    imp = "-" if card.improvement_rounded is None else card.improvement_rounded
    return (
        f",{card.region},{card.category},{','.join(str(v) for v in dims.values())},{card.nilai_final_rounded},{imp}\n"
    )


def test_national(data, tmp_path):
    """`national` on the table the letter would print: the published rows and the workbooks' rounded rows."""
    layout = DataLayout(data)
    cards = [rules.score(load(p), previous_result(data, 2024, p.stem).final) for p in layout.workbooks(2024, 2)]
    published = [line for line in PUBLISHED_2024.splitlines(keepends=True)[1:] if "Kota Batam" not in line]
    table = tmp_path / "letter.csv"
    table.write_text(HEADER + "".join(published) + "".join(letter_row(c) for c in cards), encoding="utf-8")
    result = national.recompute(national.read_published(table), 2024)
    assert triples(result, "region", "rank_national", "improvement") == EXPECTED


def test_cohort(data):
    assert triples(build_cohort(data, 2024, 2), "region", "rank_national", "improvement") == EXPECTED


@pytest.fixture(scope="module")
def db(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    assert store.ingest(data, path).ok
    return path


def test_store(db):
    con = store.connect(db)
    try:
        assert triples(store.cohort_table(con, 2024, 2), "region", "rank_national", "improvement") == EXPECTED
    finally:
        con.close()


def test_export(db):
    con = store.connect(db)
    try:
        table = export.national_table(con, 2024, 2)
    finally:
        con.close()
    assert triples(table, "Kab/Kota", "No", "Tingkat Improvement") == EXPECTED


def test_overview(data):
    o = ov.prepare(2024, 2, data, lang="en")
    assert triples(o.participants, "region", "rank_national", "improvement") == PARTICIPANTS


def test_overview_results_table(data):
    html = ov.results_table(ov.prepare(2024, 2, data, lang="en")).data
    assert appendix_rows(html) == PARTICIPANTS


def appendix_rows(html: str) -> list[tuple]:
    """(region, rank, improvement) of each ranked row of a rendered national table."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1]):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        imp = next(c for c in cells[3:] if c == "-" or c.startswith(("+", "-")))
        rows.append((cells[1], int(cells[0]), None if imp == "-" else str(Decimal(imp.lstrip("+")))))
    return rows


def test_region_report_national_appendix(data):
    report = rr.prepare("kota-pariaman", 2024, 2, data, lang="en")
    assert appendix_rows(rr.national_table(report).data) == PARTICIPANTS


@pytest.mark.parametrize(
    ("slug", "expected"), [("kota-pariaman", "3 of 5"), ("kab-pelalawan", "3 of 5"), ("kota-batam", "1 of 5")]
)
def test_region_report_summary_rank(data, slug, expected):
    html = rr.summary(rr.prepare(slug, 2024, 2, data, lang="en")).data
    assert f'<div class="tile-value">{expected}</div>' in html


@pytest.mark.parametrize(
    ("slug", "expected"), [("kota-pariaman", "+0.13"), ("kab-pelalawan", "-"), ("kota-batam", "+0.06")]
)
def test_region_report_summary_improvement(data, slug, expected):
    text = rr.prepare(slug, 2024, 2, data, lang="en").key_figures()
    assert f"Improvement index: {expected}\n" in text
