"""The results rules (participant, last year, improvement, ranks, ties, order) on their own."""

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from conftest import SAMPLE
from smartcity_eval.results import rules


def frame(rows):
    return pd.DataFrame(rows, columns=["region", "category", "province", "nilai_final", "participant"])


TIED = frame(
    [
        ("Kota B", "REGULER", "Riau", 2.4125, True),  # shown 2,41
        ("Kota A", "REGULER", "Riau", 2.4075, True),  # shown 2,41
        ("Kab. C", "KPPN&IKN", "", 3.01, True),
        ("Kota D", "REGULER", "Riau", 0.0, False),
        ("Kab. E", "REGULER", "Aceh", 2.404999, True),  # shown 2,40
    ]
)


def test_zeros_do_not_take_part():
    assert not rules.participant({"baseline": 0, "output": Decimal("0")})


def test_one_non_zero_dimension_takes_part():
    assert rules.participant({"baseline": 0, "output": Decimal("0.2")})


def test_a_row_with_only_a_final_takes_part_when_it_is_not_zero():
    assert rules.participant({}, Decimal("2.49"))


def test_a_row_with_only_a_zero_final_does_not_take_part():
    assert not rules.participant({}, Decimal("0"))


def test_shown_is_half_up_to_two_decimals():
    assert rules.shown(Fraction(2405, 1000)) == Decimal("2.41")


def test_ties_at_two_decimals_share_the_rank():
    assert rules.add_ranks(TIED)["rank_national"].tolist()[:2] == [2, 2]


def test_the_rank_after_a_tie_skips():
    assert rules.add_ranks(TIED)["rank_national"].tolist()[4] == 4


def test_non_participants_get_no_rank():
    assert rules.add_ranks(TIED)["rank_national"].isna().tolist()[3]


def test_category_ranks_share_ties_too():
    assert rules.add_ranks(TIED)["rank_category"].tolist() == [1, 1, 1, pd.NA, 3]


def test_unknown_province_gets_no_province_rank():
    assert rules.add_ranks(TIED)["rank_province"].isna().tolist() == [False, False, True, True, False]


def test_ties_are_listed_by_name_and_non_participants_last():
    assert rules.ranked(TIED)["region"].tolist() == ["Kab. C", "Kota A", "Kota B", "Kab. E", "Kota D"]


def test_last_year_prefers_the_workbook():
    assert rules.last_year((Fraction(251, 100), True), (Decimal("2.50"), True)) == (Fraction(251, 100), "workbook")


def test_last_year_from_the_table_without_a_workbook():
    assert rules.last_year(None, (Decimal("2.50"), True)) == (Fraction(5, 2), "published")


def test_last_year_of_a_region_that_did_not_take_part_has_no_final():
    assert rules.last_year((Fraction(0), False), (Decimal("2.50"), True)) == (None, "workbook")


def test_improvement_is_exact_before_rounding():
    assert rules.improvement(Fraction(30881, 10500), True, Decimal("2.51")) == Fraction(30881, 10500) - Fraction(
        251, 100
    )


def test_no_improvement_without_last_year():
    assert rules.improvement(Fraction(3), True, None) is None


def test_no_improvement_for_a_region_that_does_not_take_part_this_year():
    assert rules.improvement(Fraction(0), False, Decimal("2.50")) is None


def test_a_published_improvement_of_a_non_participant_is_dropped():
    assert rules.published_improvement(Decimal("0.37"), False) is None


# ----------------------------------------------------------------------------------------------- last year as shown


def test_last_years_figure_shown_is_the_published_one():
    assert rules.last_year_shown(Fraction(434729, 173600), Fraction(251, 100)) == Decimal("2.51")


def test_last_years_figure_without_a_published_one_is_the_workbooks():
    assert rules.last_year_shown(Fraction(434729, 173600), None) == Decimal("2.50")


def test_malang_2023_shows_last_years_published_2_51():
    from smartcity_eval.results.sources import previous_result

    assert previous_result(SAMPLE, 2023, "kab-malang").shown == Decimal("2.51")


def test_malang_2023_improvement_is_computed_before_rounding():
    from smartcity_eval.reports import region_report as rr

    assert rr.prepare("kab-malang", 2023, 2, SAMPLE).card.improvement_rounded == Decimal("0.44")


def test_a_group_of_two_is_not_comparable():
    assert not rules.comparable(2)


def test_a_group_of_three_is_comparable():
    assert rules.comparable(3)
