"""Exact arithmetic and half-up rounding for scores.

Scores are kept as :class:`fractions.Fraction` so that a panel mean, a dimension mean and the weighted
Nilai Final are exact; they become :class:`decimal.Decimal` only when rounded for display. Python's
``round`` (banker's rounding on binary floats) is never used.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from numbers import Integral, Rational

Number = Fraction | Decimal | int | float | str

_CONTEXT = decimal.Context(prec=50, rounding=ROUND_HALF_UP)


def to_fraction(value: Number) -> Fraction:
    """Convert a value to an exact Fraction; floats go through their shortest repr (2.8 -> 14/5)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a score")
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    if isinstance(value, float):  # also numpy floats, whose repr() is "np.float64(...)"
        return Fraction(Decimal(repr(float(value))))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(Decimal(value.strip().replace(",", ".")))
    return Fraction(Decimal(repr(float(value))))


def to_decimal(value: Number) -> Decimal:
    """Exact (to 50 significant digits) Decimal of a value."""
    frac = to_fraction(value)
    return _CONTEXT.divide(Decimal(frac.numerator), Decimal(frac.denominator))


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round half away from zero to ``places`` decimals: 3.475 -> 3.48, 2.405 -> 2.41, -0.125 -> -0.13."""
    exponent = Decimal(1).scaleb(-places)
    result = to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP, context=_CONTEXT)
    return abs(result) if result == 0 else result  # never "-0.00"


def percent(done: int, planned: int, places: int = 2) -> Decimal | None:
    """``done / planned * 100`` rounded half-up; None when nothing was planned."""
    if planned == 0:
        return None
    return round_half_up(Fraction(done * 100, planned), places)
