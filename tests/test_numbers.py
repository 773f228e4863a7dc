from decimal import Decimal
from fractions import Fraction

import pytest

from smartcity_eval.common.i18n import format_number, format_percent
from smartcity_eval.common.numbers import percent, round_half_up, to_fraction


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.475, "3.48"),
        (2.405, "2.41"),
        ("2.405", "2.41"),
        (Decimal("2.445"), "2.45"),
        (0.125, "0.13"),
        (-0.125, "-0.13"),
        (Fraction(2505, 1000), "2.51"),
        (2.5042, "2.50"),
        (Fraction(43640, 100000), "0.44"),
        (1.005, "1.01"),
        (2.675, "2.68"),
    ],
)
def test_round_half_up(value, expected):
    assert str(round_half_up(value)) == expected


def test_pythons_round_would_get_these_wrong():
    # the reason the project never uses round(): banker's rounding on binary floats
    assert round(2.675, 2) == 2.67
    assert round(0.125, 2) == 0.12
    assert round_half_up(2.675) == Decimal("2.68")
    assert round_half_up(0.125) == Decimal("0.13")


def test_to_fraction_of_floats_uses_shortest_repr():
    assert to_fraction(2.8) == Fraction(14, 5)
    assert to_fraction("2,8") == Fraction(14, 5)
    import numpy as np

    assert to_fraction(np.float64(2.8)) == Fraction(14, 5)
    assert to_fraction(np.int64(3)) == 3
    with pytest.raises(TypeError):
        to_fraction(True)


def test_percent():
    assert percent(87, 123) == Decimal("70.73")
    assert percent(105, 108) == Decimal("97.22")
    assert percent(6, 7) == Decimal("85.71")
    assert percent(0, 0) is None


def test_format_number_decimal_comma():
    assert format_number(2.94) == "2,94"
    assert format_number(2.94, lang="en") == "2.94"
    assert format_number(Fraction(4364, 10000), signed=True) == "+0,44"
    assert format_number(-0.39) == "-0,39"
    assert format_number(None) == "-"
    assert format_number(1234.5, 1) == "1.234,5"
    assert format_percent(Decimal("70.73")) == "70,73%"
