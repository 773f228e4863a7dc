"""The national overview on the sample data: the whole published 2023 table plus the sample's workbooks.

2023 Tahap II: 130 regions of the published table (``data/reference/national_2023_full.csv``), of which Kab. Malang,
Kota Padang Panjang and Kab. Pelalawan come from workbooks, plus Kota Batam, Kota Pariaman and Kota Payakumbuh known
only from workbooks: 133 participants; Kota Pekalongan did not take part.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import statistics

import pytest

from conftest import SAMPLE
from smartcity_eval.common.layout import DataLayout
from smartcity_eval.reports import overview as ov
from smartcity_eval.results import rules
from smartcity_eval.results.cohort import build_cohort, read_cohort
from smartcity_eval.results.national import TableError


@pytest.fixture(scope="module")
def o2023() -> ov.Overview:
    return ov.prepare(2023, 2, SAMPLE)


@pytest.fixture(scope="module")
def o2024() -> ov.Overview:
    return ov.prepare(2024, 2, SAMPLE)


def cells(html: str, region: str) -> list[str]:
    """The cells of the first table row naming ``region``, tags stripped."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html) if f"<td>{region}</td>" in r)
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def with_participants(o: ov.Overview, n: int) -> ov.Overview:
    """The overview of the first ``n`` participants only."""
    return dataclasses.replace(o, cohort=o.participants.head(n).reset_index(drop=True))


# ----------------------------------------------------------------------------------------------- the cohort


def test_2023_has_133_participants(o2023):
    assert len(o2023.participants) == 133


def test_2023_sets_the_non_participant_apart(o2023):
    assert o2023.cohort.loc[~o2023.cohort["participant"], "region"].tolist() == ["Kota Pekalongan"]


def test_every_2023_participant_has_a_province(o2023):
    assert o2023.participants["province"].map(bool).all()


def test_every_2023_participant_has_a_province_rank(o2023):
    assert o2023.participants["rank_province"].notna().all()


@pytest.mark.parametrize(
    ("region", "source", "code", "province"),
    [
        ("Kab. Wonogiri", "published", "33.12", "Jawa Tengah"),
        ("Kab. Klaten", "published", "33.10", "Jawa Tengah"),
        ("Kab. Malang", "workbook", "35.07", "Jawa Timur"),
        ("Kota Batam", "workbook", "21.71", "Kepulauan Riau"),
    ],
)
def test_rows_carry_the_register_code_and_province(o2023, region, source, code, province):
    row = o2023.cohort.set_index("region").loc[region]
    assert (row["source"], row["region_code"], row["province"]) == (source, code, province)


#: Sumatera Barat 2023, counted by hand: Kab. Padang Pariaman 3.20, Kota Padang 3.07, Kab. Solok 2.82 (published);
#: Kota Padang Panjang 2.41, Kota Payakumbuh 2.32, Kota Pariaman 2.02 (workbooks)
SUMATERA_BARAT = {
    "Kab. Padang Pariaman": 1,
    "Kota Padang": 2,
    "Kab. Solok": 3,
    "Kota Padang Panjang": 4,
    "Kota Payakumbuh": 5,
    "Kota Pariaman": 6,
}


def test_province_ranks_mix_published_rows_and_workbooks(o2023):
    p = o2023.participants
    sumbar = p[p["province"] == "Sumatera Barat"]
    assert dict(zip(sumbar["region"], sumbar["rank_province"], strict=True)) == SUMATERA_BARAT


def test_the_cohort_csv_keeps_codes_as_text(o2023, tmp_path):
    path = tmp_path / "cohort.csv"
    o2023.cohort.to_csv(path, index=False)
    assert read_cohort(path).set_index("region").at["Kab. Klaten", "region_code"] == "33.10"


def test_a_published_name_the_register_does_not_know_stops_the_cohort(tmp_path):
    layout = DataLayout(tmp_path)
    layout.published(2023, 2).parent.mkdir(parents=True)
    shutil.copy(DataLayout(SAMPLE).published(2023, 2), layout.published(2023, 2))
    with layout.published(2023, 2).open("a", encoding="utf-8") as fh:
        fh.write(",Kota Nowhere,REGULER,3,3,3,3,3,,3.00,-\n")
    with pytest.raises(TableError, match=r"national-2023-tahap-2\.csv › baris 133, kolom \(kab_kota\)"):
        build_cohort(tmp_path, 2023, 2)


# ----------------------------------------------------------------------------------------------- the results table


def test_results_table_speaks_like_the_region_reports(o2023):
    html = ov.results_table(o2023).data
    heads = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", html)
    assert heads[:3] == ["No", "Kab/Kota", "Provinsi"]
    assert heads[-5:] == ["Nilai Final", "Indeks Peningkatan", "Kategori", "Peringkat kategori", "Peringkat provinsi"]


def test_results_table_does_not_say_tingkat_improvement(o2023):
    assert "Tingkat Improvement" not in ov.results_table(o2023).data


def test_results_table_row_of_a_workbook_region(o2023):
    row = cells(ov.results_table(o2023).data, "Kota Padang Panjang")
    # national rank 100, Sumatera Barat, Nilai Final 2,41, -0,39, REGULER 62nd, 4th in its province
    assert row[:3] + row[-5:] == ["100", "Kota Padang Panjang", "Sumatera Barat", "2,41", "-0,39", "REGULER", "62", "4"]


def test_results_table_row_of_a_published_region(o2023):
    row = cells(ov.results_table(o2023).data, "Kab. Wonogiri")
    assert row[:3] + row[-5:] == ["10", "Kab. Wonogiri", "Jawa Tengah", "3,52", "+0,22", "KPPN&amp;IKN", "7", "4"]


def test_results_table_lists_non_participants_apart(o2023):
    assert "Kota Pekalongan" in ov.results_table(o2023).data.split("Tidak mengikuti evaluasi")[1]


def test_results_table_in_english(o2023):
    html = ov.results_table(dataclasses.replace(o2023, lang="en")).data
    assert "<th>Province</th>" in html


# ----------------------------------------------------------------------------------------------- the ranking


def test_a_large_cohort_shows_the_top_and_bottom_ten(o2023):
    html = ov.top_bottom(o2023).data
    top, bottom = html.split("10 peringkat terbawah")
    assert top.count("<tr>") == 1 + 10


def test_the_bottom_ten_starts_with_the_last_participant(o2023):
    bottom = ov.top_bottom(o2023).data.split("10 peringkat terbawah")[1]
    assert cells(bottom, "Kab. Raja Ampat")[0] == "133"


def test_a_tie_at_the_edge_of_the_top_ten_stays_whole(o2023):
    cohort = o2023.participants.copy()
    cohort.loc[10, "rank_national"] = 10  # the eleventh shares rank 10
    html = ov.top_bottom(dataclasses.replace(o2023, cohort=cohort)).data
    assert html.split("10 peringkat terbawah")[0].count("<tr>") == 1 + 11


@pytest.mark.parametrize("n", [6, 20])
def test_at_most_twenty_participants_are_one_ranked_list(o2023, n):
    html = ov.top_bottom(with_participants(o2023, n)).data
    assert (html.count("<tr>"), "teratas" in html) == (1 + n, False)


def test_twenty_one_participants_are_a_top_and_bottom_ten(o2023):
    html = ov.top_bottom(with_participants(o2023, 21)).data
    assert html.count("<tr>") == 2 * (1 + 10)


def test_the_2024_sample_is_one_list_naming_each_region_once(o2024):
    html = ov.top_bottom(o2024).data
    assert [html.count(f"<td>{r}</td>") for r in o2024.participants["region"]] == [1] * 6


# ----------------------------------------------------------------------------------------------- movers


def test_movers_rise_first_toba(o2023):
    ups = ov.movers(o2023).data.split("Penurunan terbesar")[0]
    assert cells(ups, "Kab. Toba")[-1] == "+0,89"


def test_movers_risers_only_rose(o2023):
    ups = ov.movers(o2023).data.split("Penurunan terbesar")[0]
    assert "-0," not in ups


def test_movers_fall_medan_then_lamongan(o2023):
    downs = ov.movers(o2023).data.split("Penurunan terbesar")[1]
    assert downs.index("Kota Medan") < downs.index("Kab. Lamongan")


def test_movers_fallers_only_fell(o2023):
    downs = ov.movers(o2023).data.split("Penurunan terbesar")[1]
    assert "+0," not in downs


# ----------------------------------------------------------------------------------------------- narrative


def test_narrative_counts_participants_per_category(o2023):
    text = " ".join(ov.narrative_text(o2023))
    assert "133 kabupaten/kota mengikuti evaluasi: 58 kategori KPPN&IKN dan 75 kategori REGULER." in text


def test_narrative_median_is_the_median_of_the_table(o2023):
    median = statistics.median(o2023.participants["nilai_final"])  # the 67th of 133 finals
    assert f"Median Nilai Final adalah {str(rules.shown(median)).replace('.', ',')} " in " ".join(
        ov.narrative_text(o2023)
    )


def test_narrative_median_is_2_93_with_each_category(o2023):
    assert "Median Nilai Final adalah 2,93 (KPPN&IKN 2,74 dan REGULER 2,96)." in ov.narrative_text(o2023)


def test_narrative_names_the_top_region(o2023):
    assert "Nilai Final tertinggi diraih Kota Surakarta, kategori KPPN&IKN (3,84)." in ov.narrative_text(o2023)


def test_narrative_names_the_top_of_the_other_category(o2023):
    assert "Di kategori REGULER, Nilai Final tertinggi diraih Kota Bandung (3,83)." in ov.narrative_text(o2023)


def test_narrative_names_the_largest_movers(o2023):
    text = ov.narrative_text(o2023)
    assert text[-2:] == [
        "Peningkatan terbesar dibanding tahun lalu dicapai Kab. Toba (+0,89).",
        "Penurunan terbesar dialami Kota Medan (-0,99).",
    ]


def test_narrative_names_tied_leaders_together(o2023):
    cohort = o2023.cohort.copy()
    cohort.loc[cohort["region"] == "Kota Bandung", "nilai_final"] = 3.84
    tied = dataclasses.replace(o2023, cohort=rules.ranked(cohort))
    assert "Nilai Final tertinggi diraih Kota Bandung dan Kota Surakarta (3,84)." in ov.narrative_text(tied)


def test_narrative_names_tied_movers_together():
    # KPPN&IKN 2023: Kab. Karanganyar and Kab. Lombok Tengah both fell by 0.70 (published)
    kppn = ov.prepare(2023, 2, SAMPLE, category="KPPN&IKN")
    assert "Penurunan terbesar dialami Kab. Karanganyar dan Kab. Lombok Tengah (-0,70)." in ov.narrative_text(kppn)


def test_narrative_gives_no_median_of_a_category_too_small_to_compare(o2024):
    # 2024 sample: one KPPN&IKN participant (Kab. Malang), five REGULER
    assert "Median Nilai Final adalah 2,51." in ov.narrative_text(o2024)


def test_narrative_of_two_participants_compares_nothing():
    # 2024 Tahap I sample: Kab. Malang and Kota Padang Panjang; no median, top or mover over two regions
    assert ov.narrative_text(ov.prepare(2024, 1, SAMPLE)) == [
        "Pada evaluasi 2024 Tahap I, 2 kabupaten/kota mengikuti evaluasi: 1 kategori KPPN&IKN dan 1 kategori REGULER."
    ]


def test_narrative_in_english(o2023):
    english = dataclasses.replace(o2023, lang="en")
    assert "The median Nilai Final is 2.93 (KPPN&IKN 2.74 and REGULER 2.96)." in ov.narrative_text(english)


def test_narrative_html_escapes_once(o2023):
    html = ov.narrative(o2023).data
    assert "KPPN&amp;IKN" in html
    assert "&amp;amp;" not in html


def test_an_empty_cohort_says_nobody_took_part(o2023):
    empty = dataclasses.replace(o2023, cohort=o2023.cohort.iloc[0:0])
    assert ov.narrative_text(empty) == ["Pada evaluasi 2023 Tahap II tidak ada kabupaten/kota yang mengikuti evaluasi."]


# ----------------------------------------------------------------------------------------------- the rest


def test_key_figures_name_the_scope_in_the_report_language(o2023):
    assert o2023.key_figures().splitlines()[0] == "2023 Tahap II — semua kategori: 133 peserta"


def test_cover_says_the_data_is_a_mix(o2023):
    assert "gabungan" in ov.cover(o2023).data


def test_one_category(o2023):
    regular = ov.prepare(2023, 2, SAMPLE, category="REGULER")
    assert set(regular.participants["category"]) == {"REGULER"}
