"""The report's sections, built in-process from the sample data (the notebook only calls these)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import SAMPLE
from smartcity_eval import overview as ov
from smartcity_eval import region_report as rr
from smartcity_eval.numbers import round_half_up


@pytest.fixture(scope="module")
def malang() -> rr.RegionReport:
    return rr.prepare("kab-malang", 2023, 2, SAMPLE)


def test_key_figures_of_the_published_cases(malang):
    text = malang.key_figures()
    assert "Nilai Final: 2,94" in text and "Indeks Peningkatan: +0,44" in text
    assert "Baseline: 3,60" in text and "Kolaborasi: 2,53" in text
    pp24 = rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)
    assert "Realisasi program: 70,73%" in pp24.key_figures()
    assert "Realisasi rencana aksi: 94,46%" in pp24.key_figures()
    pp23 = rr.prepare("kota-padang-panjang", 2023, 2, SAMPLE)
    assert "Nilai Final: 2,41" in pp23.key_figures() and "Indeks Peningkatan: -0,39" in pp23.key_figures()
    assert pp23.previous.source == "published"  # 2022 comes from the published table, not a workbook


def test_previous_year_from_the_workbook_is_exact(malang):
    assert malang.previous.source == "workbook"
    assert round_half_up(malang.previous.final) == Decimal("2.50")


def test_summary_has_ranks_and_median(malang):
    html = rr.summary(malang).data
    assert "2,94" in html and "+0,44" in html
    assert "4 dari 11" in html  # national rank among the 11 participants of the 2023 sample cohort
    assert "Median kategori" in html


def test_method_names_the_weight_provenance():
    assumed = rr.prepare("kab-malang", 2024, 2, SAMPLE)
    html = rr.method(assumed).data
    assert "ASUMSI" in html and 'class="assumption"' in html
    english = rr.prepare("kab-malang", 2023, 2, SAMPLE, lang="en")
    assert "official (published by the ministry)" in rr.method(english).data


def test_english_report_uses_decimal_points():
    report = rr.prepare("kab-malang", 2023, 2, SAMPLE, lang="en")
    assert "Nilai Final (final index): 2.94" in report.key_figures()
    assert "Strengths" in rr.findings(report).data and "Kekuatan" not in rr.findings(report).data


def test_tahap_1_is_provisional_in_every_section():
    report = rr.prepare("kota-padang-panjang", 2024, 1, SAMPLE)
    sections = [rr.summary(report), rr.method(report), rr.points(report), rr.findings(report),
                *rr.dimension_tables(report), rr.national_table(report), rr.provenance(report)]
    assert all("SEMENTARA" in s.data for s in sections)
    assert "SEMENTARA" not in rr.summary(rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)).data


def test_where_the_points_are(malang):
    table = rr.uplift_table(malang)
    top = table.iloc[0]
    # OP-06 and OP-07 score 1.00 in 2023: raising one of the 7 output items to 3 adds 20% x 2 / 7
    assert top["dimension"] == "output" and top["score"] == 1.0
    assert top["gain_exact"] == Fraction(20, 100) * 2 / 7
    assert (table["score"] < 3).all() and table["gain"].is_monotonic_decreasing


def test_dimension_tables_list_every_item_with_the_mean(malang):
    tables = rr.dimension_tables(malang)
    assert len(tables) == 6
    outcome = tables[2].data
    assert outcome.count("<tr>") == 33 + 2  # header, 33 items, the mean row
    assert "<strong>3,41</strong>" in outcome


def test_provenance_lists_inputs_with_sha256(malang):
    html = rr.provenance(malang).data
    assert "kab-malang.xlsx" in html and len(re.findall(r"<code>[0-9a-f]{64}</code>", html)) == 2


def test_national_appendix_sets_non_participants_apart(malang):
    html = rr.national_table(malang).data
    assert "Tidak mengikuti evaluasi" in html and "Kota Pekalongan" in html
    assert html.index("Kota Surakarta") < html.index("Kab. Malang")


def test_overview_ranks_every_region_of_sample_and_published_table():
    o = ov.prepare(2023, 2, SAMPLE)
    p = o.participants
    assert len(p) == 11 and p.iloc[0]["region"] == "Kota Surakarta"
    assert set(o.cohort["source"]) == {"workbook", "published"}
    assert {"Kota Payakumbuh", "Kota Batam", "Kota Pariaman", "Kab. Toba"} <= set(p["region"])
    html = ov.results_table(o).data
    assert "Kota Pekalongan" in html.split("Tidak mengikuti evaluasi")[1]
    assert "campuran" not in ov.cover(o).data and "gabungan" in ov.cover(o).data
    regular = ov.prepare(2023, 2, SAMPLE, category="REGULER")
    assert set(regular.participants["category"]) == {"REGULER"}


def test_summary_escapes_workbook_text_exactly_once(malang):
    html = rr.summary(malang).data
    assert "KPPN&amp;IKN" in html and "&amp;amp;" not in html
