"""The executive summary: sentences from the computed results for a region that rose, one that fell, a first-time
participant and a Tahap I report; ranks only over groups large enough to compare."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import SAMPLE
from smartcity_eval.reports import executive
from smartcity_eval.reports import region_report as rr
from smartcity_eval.results.sources import Previous


@pytest.fixture(scope="module")
def malang() -> rr.RegionReport:
    return rr.prepare("kab-malang", 2023, 2, SAMPLE)


@pytest.fixture(scope="module")
def padang_panjang_2023() -> rr.RegionReport:
    return rr.prepare("kota-padang-panjang", 2023, 2, SAMPLE)


def test_a_region_that_rose_is_compared_with_last_years_published_figure(malang):
    assert executive.final_sentence(malang) == (
        "Kab. Malang memperoleh Nilai Final 2,94 pada evaluasi 2023 Tahap II, naik 0,44 dari 2,51 pada 2022."
    )


def test_a_region_that_fell_says_so(padang_panjang_2023):
    assert "turun 0,39 dari" in executive.final_sentence(padang_panjang_2023)


def test_a_first_time_participant_has_no_improvement(malang):
    first = dataclasses.replace(
        malang, previous=Previous(None, None, None), card=dataclasses.replace(malang.card, improvement=None)
    )
    assert "Tidak ada Nilai Final 2022 sebagai pembanding" in executive.final_sentence(first)


def test_a_tahap_1_summary_says_it_is_provisional():
    report = rr.prepare("kota-padang-panjang", 2024, 1, SAMPLE)
    assert "Hasil Tahap I ini bersifat sementara" in executive.executive_summary(report).data


def test_ranks_among_the_regions_evaluated_this_year(malang):
    assert "di antara seluruh 133 daerah yang dievaluasi tahun ini" in executive.rank_sentence(malang)


def test_a_small_category_gets_no_rank():
    report = rr.prepare("kab-malang", 2024, 2, SAMPLE)  # the only KPPN&IKN region of the 2024 sample
    assert "Peringkat kategori KPPN&IKN tidak ditampilkan karena hanya 1 daerah" in executive.rank_sentence(report)


def test_strongest_and_weakest_dimension(malang):
    assert executive.dimension_sentence(malang) == (
        "Dimensi terkuat adalah Baseline — kondisi awal (3,60); yang terlemah Output — keluaran (2,29)."
    )


def test_three_actions_come_from_the_points_table(malang):
    top = rr.uplift_table(malang, limit=3)
    assert [a.split(" — ")[0] for a in executive.actions(malang)] == top["item_id"].tolist()


def test_realisation_of_programmes_and_action_plan():
    report = rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)
    assert executive.realisation_sentence(report) == (
        "Realisasi program mencapai 70,73% (87 dari 123 program) dan realisasi rencana aksi 94,46% (256 dari 271)."
    )


def test_an_english_summary_is_english(malang):
    english = rr.prepare("kab-malang", 2023, 2, SAMPLE, lang="en")
    assert executive.final_sentence(english).endswith("up 0.44 from 2.51 in 2022.")
