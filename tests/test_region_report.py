"""The report's sections, built in-process from the sample data (the notebook only calls these)."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from conftest import SAMPLE
from smartcity_eval.common.numbers import round_half_up
from smartcity_eval.reports import region_report as rr


@pytest.fixture(scope="module")
def malang() -> rr.RegionReport:
    return rr.prepare("kab-malang", 2023, 2, SAMPLE)


def test_key_figures_of_the_published_cases(malang):
    text = malang.key_figures()
    assert "Nilai Final: 2,94" in text
    assert "Indeks Peningkatan: +0,44" in text
    assert "Baseline: 3,60" in text
    assert "Kolaborasi: 2,53" in text
    pp24 = rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)
    assert "Realisasi program: 70,73%" in pp24.key_figures()
    assert "Realisasi rencana aksi: 94,46%" in pp24.key_figures()
    pp23 = rr.prepare("kota-padang-panjang", 2023, 2, SAMPLE)
    assert "Nilai Final: 2,41" in pp23.key_figures()
    assert "Indeks Peningkatan: -0,39" in pp23.key_figures()
    assert pp23.previous.source == "published"  # 2022 comes from the published table, not a workbook


def test_previous_year_from_the_workbook_is_exact(malang):
    assert malang.previous.source == "workbook"
    assert round_half_up(malang.previous.final) == Decimal("2.50")


def test_summary_has_ranks_and_median(malang):
    html = rr.summary(malang).data
    assert "2,94" in html
    assert "+0,44" in html
    assert "65 dari 133" in html  # national rank among the 133 participants of 2023 (published table + workbooks)
    assert "Median kategori" in html


def test_method_states_the_weights_and_where_they_are_defined(malang):
    html = rr.method(malang).data
    assert "B-1384/DJAI/AI.01.04/12/2023" in html  # the official 2023 profile names its letter


def test_method_of_a_fitted_profile_names_the_method_file():
    html = rr.method(rr.prepare("kab-malang", 2024, 2, SAMPLE)).data
    assert "method/years/2024.yaml" in html


def test_method_page_carries_no_caveat():
    html = rr.method(rr.prepare("kab-malang", 2024, 2, SAMPLE)).data
    assert "ASUMSI" not in html


def test_caveats_of_assumed_weights_go_to_the_technical_appendix():
    html = rr.technical(rr.prepare("kab-malang", 2024, 2, SAMPLE)).data
    assert "ASUMSI" in html


def test_method_lists_every_element_without_ellipsis():
    html = rr.method(rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)).data
    assert "Smart Environment, Rencana Aksi" in html  # the Outcome list's seventh element


def test_english_report_uses_decimal_points():
    report = rr.prepare("kab-malang", 2023, 2, SAMPLE, lang="en")
    assert "Nilai Final (final index): 2.94" in report.key_figures()
    assert "Strengths" in rr.findings(report).data
    assert "Kekuatan" not in rr.findings(report).data


def test_tahap_1_summary_says_provisional():
    report = rr.prepare("kota-padang-panjang", 2024, 1, SAMPLE)
    assert "SEMENTARA" in rr.summary(report).data


def test_tahap_2_summary_is_not_provisional():
    assert "SEMENTARA" not in rr.summary(rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)).data


def test_where_the_points_are(malang):
    table = rr.uplift_table(malang)
    top = table.iloc[0]
    # OP-06 and OP-07 score 1.00 in 2023: raising one of the 7 output items to 3 adds 20% x 2 / 7
    assert top["dimension"] == "output"
    assert top["score"] == 1.0
    assert top["gain_exact"] == Fraction(20, 100) * 2 / 7
    assert (table["score"] < 3).all()
    assert table["gain"].is_monotonic_decreasing


def test_dimension_tables_list_every_item_with_the_mean(malang):
    tables = rr.dimension_tables(malang)
    assert len(tables) == 6
    outcome = tables[2].data
    assert outcome.count("<tr") == 33 + 2  # header, 33 items, the mean row
    assert "<strong>3,41</strong>" in outcome


def test_dimension_tables_name_items_by_code(malang):
    assert '<span class="code">OC-GOV-03</span>' in rr.dimension_tables(malang)[2].data


def test_dimension_tables_give_last_years_score_and_change(malang):
    outcome = rr.dimension_tables(malang)[2].data
    assert '<th class="num">2022</th>' in outcome
    assert '<th class="num">Selisih</th>' in outcome


def test_impact_survey_states_its_question_stem_once():
    impact = rr.dimension_tables(rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE))[3].data
    assert impact.count("50 pengguna layanan") == 1


PROVENANCE_MALANG_2023 = [  # the workbook, last year's (trajectory and last year's final), both tables, the method
    "2023/tahap-2/kab-malang.xlsx",
    "2022/tahap-2/kab-malang.xlsx",
    "published/national-2023-tahap-2.csv",
    "published/national-2022-tahap-2.csv",
    "2023.yaml",
    "2022.yaml",
]


def test_provenance_lists_every_input_in_order(malang):
    html = rr.provenance(malang).data
    places = [p.split("/years/")[-1] for p in re.findall(r"<td><code>(?:[^<:]+: )?([^<]+)</code>", html)]
    assert places == PROVENANCE_MALANG_2023


def test_provenance_shows_no_hash_and_no_absolute_path(malang):
    html = rr.provenance(malang).data
    assert re.search(r"[0-9a-f]{64}|/root/|/home/|/tmp/", html) is None


def test_provenance_gives_a_short_document_fingerprint(malang):
    assert re.search(
        r'<span class="fingerprint">[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}</span>', rr.provenance(malang).data
    )


def test_national_appendix_sets_non_participants_apart(malang):
    html = rr.national_table(malang).data
    assert "Tidak mengikuti evaluasi" in html
    assert "Kota Pekalongan" in html
    assert html.index("Kota Surakarta") < html.index("Kab. Malang")


def test_summary_escapes_workbook_text_exactly_once(malang):
    html = rr.summary(malang).data
    assert "KPPN&amp;IKN" in html
    assert "&amp;amp;" not in html


def _ranked(n: int) -> pd.DataFrame:
    return pd.DataFrame({"slug": [f"kab-{i:03d}" for i in range(1, n + 1)], "rank_national": range(1, n + 1)})


def test_national_excerpt_keeps_small_cohorts_whole():
    table = _ranked(25)
    runs = rr.national_excerpt(table, "kab-020")
    assert len(runs) == 1
    assert runs[0]["rank_national"].tolist() == list(range(1, 26))


def test_national_excerpt_is_the_top_ten_and_five_either_side():
    table = _ranked(514)
    middle = rr.national_excerpt(table, "kab-300")
    assert [run["rank_national"].tolist() for run in middle] == [list(range(1, 11)), list(range(295, 306))]
    near_top = rr.national_excerpt(table, "kab-013")  # 8..18 touches 1..10: one run
    assert [run["rank_national"].tolist() for run in near_top] == [list(range(1, 19))]
    last = rr.national_excerpt(table, "kab-514")
    assert last[1]["rank_national"].tolist() == list(range(509, 515))
    assert [len(run) for run in rr.national_excerpt(table, "not-a-participant")] == [10]


def test_national_appendix_of_a_large_cohort_is_an_excerpt(malang):
    base = malang.cohort[malang.cohort["participant"].astype(bool)]
    copies = []
    for k in range(4):  # 4 x 133 = 532 participants; Kab. Malang keeps its slug in copy 2 only
        c = base.copy()
        c["slug"] = [s if k == 2 else f"{s}-{k}" for s in c["slug"]]
        c["region"] = [r if k == 2 else f"{r} {k}" for r in c["region"]]
        copies.append(c)
    big = pd.concat(copies).sort_values("nilai_final", ascending=False, kind="stable")
    big["rank_national"] = range(1, len(big) + 1)
    big = pd.concat([big, malang.cohort[~malang.cohort["participant"].astype(bool)]])
    report = dataclasses.replace(malang, cohort=big)
    html = rr.national_table(report).data
    rank = int(big.loc[big["slug"] == "kab-malang", "rank_national"].iloc[0])
    assert html.count("<tr>") == 1 + 10 + 1 + 11  # header, top ten, the gap, five either side of Kab. Malang
    assert f"<td>{rank}</td><td><strong>Kab. Malang</strong></td>" in html
    assert "Tabel lengkap 532 peserta" in html
    assert "Kota Pekalongan" in html


def test_charts_are_vector_images_with_text_and_the_same_bytes_each_time(malang):
    import base64

    html = rr.charts_section(malang).data
    assert html == rr.charts_section(malang).data  # no date, fixed ids: reproducible reports
    images = [base64.b64decode(b).decode() for b in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    assert len(images) == html.count("<img") >= 4
    assert "image/png" not in html
    radar = images[0]
    assert radar.lstrip().startswith("<?xml")
    assert "<svg" in radar
    # labels stay text (searchable in the PDF): Malang's 2023 Baseline 3,60 and its 2022 Baseline 1,40
    assert re.search(r"<text[^>]*>3,60</text>", radar)
    assert re.search(r"<text[^>]*>1,40</text>", radar)


def test_provenance_names_each_input_in_the_reports_language(malang):
    html = rr.provenance(malang).data
    assert "Lembar kerja 2022 Tahap II" in html


def test_provenance_of_an_english_report_is_english():
    html = rr.provenance(rr.prepare("kab-malang", 2023, 2, SAMPLE, lang="en")).data
    assert "Workbook 2022 Stage II" in html


def test_points_table_keeps_item_ids_whole(malang):
    assert '<table class="points">' in rr.points(malang).data


def test_explore_history_chart_is_displayed_as_an_image(tmp_path):
    from smartcity_eval.reports import explore
    from smartcity_eval.results import store

    db = tmp_path / "s.duckdb"
    store.ingest(SAMPLE, db)
    con = store.connect(db)
    try:
        chart = explore.history_figure(con, "kab-malang")
    finally:
        con.close()
    assert "data:image/svg+xml;base64," in chart.data


def test_trajectory_shows_last_years_published_final(malang):
    last = malang.history[(malang.history["year"] == 2022) & (malang.history["stage"] == 2)]
    assert last["nilai_final"].tolist() == [2.51]


def test_no_category_median_drawn_for_a_group_of_one():
    report = rr.prepare("kab-malang", 2024, 2, SAMPLE)  # the only KPPN&IKN region of the 2024 sample
    bars_caption = rr.charts_section(report).data.split("<figcaption>")[2].split("</figcaption>")[0]
    assert bars_caption == "Nilai dimensi (skala 0–4)"
