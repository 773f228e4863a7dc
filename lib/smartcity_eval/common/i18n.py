"""What users read: Indonesian by default, English available; numbers with the decimal comma in Indonesian."""

from __future__ import annotations

from decimal import Decimal

from smartcity_eval.common.numbers import Number, round_half_up

LANGUAGES = ("id", "en")
DEFAULT_LANG = "id"


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def format_number(
    value: Number | None, decimals: int = 2, lang: str = DEFAULT_LANG, *, signed: bool = False, missing: str = "-"
) -> str:
    """Format a number half-up with ``decimals`` places: ``2,94`` in Indonesian, ``2.94`` in English."""
    if value is None:
        return missing
    if isinstance(value, float) and value != value:  # NaN
        return missing
    rounded: Decimal = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    text = f"{rounded:,.{decimals}f}"
    if signed and rounded > 0:
        text = "+" + text
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value: Number | None, decimals: int = 2, lang: str = DEFAULT_LANG) -> str:
    """``70,73%`` / ``70.73%``; ``-`` when missing."""
    if value is None:
        return "-"
    return format_number(value, decimals, lang) + "%"


STAGE_NAMES = {
    "id": {1: "Tahap I", 2: "Tahap II"},
    "en": {1: "Stage I", 2: "Stage II"},
}


def stage_name(stage: int, lang: str = DEFAULT_LANG) -> str:
    """``Tahap II`` / ``Stage II``."""
    return STAGE_NAMES[lang].get(int(stage), str(stage))


def pick(mapping: dict[str, str], lang: str = DEFAULT_LANG) -> str:
    """Pick the text for ``lang`` from ``{"id": ..., "en": ...}``, falling back to Indonesian."""
    return mapping.get(lang) or mapping[DEFAULT_LANG]
