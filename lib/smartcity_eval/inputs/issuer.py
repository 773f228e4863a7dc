"""Who issues the reports: the issuer file a run file names (``issuer_file``), read and checked.

The issuer file is YAML: the issuing body and unit, an optional logo, the signatory (name, title, employee
number), the place and date of issue, and a letter-number pattern. Every problem is reported at once, located by
file and key (:class:`~smartcity_eval.inputs.validation.Problem`); a report without an issuer is a draft.

.. code-block:: yaml

    body: Kementerian Komunikasi dan Digital Republik Indonesia
    unit: Direktorat Jenderal Ekosistem Digital
    logo: logo.svg                 # optional; relative to this file; .svg, .png or .jpg
    signatory:
      name: Dr. Nama Penandatangan
      title: Direktur Tata Kelola
      employee_number: "197001012000031001"
    place: Jakarta
    date: 2024-12-16
    letter_number: "B-{code}/DJED/AI.01.04/{month_roman}/{year}"
"""

from __future__ import annotations

import base64
import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from smartcity_eval.inputs.validation import ERROR, Problem

#: keys of an issuer file: (key, required)
TEXT_KEYS = (("body", True), ("unit", False), ("place", True), ("letter_number", True))
SIGNATORY_KEYS = (("name", True), ("title", True), ("employee_number", False))
#: what a letter-number pattern may contain
PLACEHOLDERS = ("year", "stage", "code", "slug", "month", "month_roman")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
LOGO_MAX_BYTES = 1_000_000
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    employee_number: str = ""


@dataclass(frozen=True)
class Issuer:
    """The body that issues a report and the person who signs it."""

    body: str
    unit: str
    place: str
    date: dt.date
    letter_number: str
    signatory: Signatory
    logo: str = ""  # a data: URI, or "" for none

    def number(self, *, year: int, stage: int, code: str, slug: str) -> str:
        """The letter number of one region's report, from the pattern."""
        month = self.date.month
        return self.letter_number.format(
            year=year, stage=stage, code=code, slug=slug, month=f"{month:02d}", month_roman=ROMAN[month - 1]
        )


def read_issuer(path: str | Path) -> tuple[Issuer | None, list[Problem]]:
    """The issuer of ``path``, or None with every problem found."""
    path = Path(path)
    data, problems = _load(path)
    if data is None:
        return None, problems
    problems += _check_texts(path, data, TEXT_KEYS, "")
    signatory = data.get("signatory")
    if not isinstance(signatory, dict):
        problems.append(
            Problem(ERROR, "issuer_missing", str(path), key="signatory", value=signatory, expected="issuer_signatory")
        )
        signatory = {}
    else:
        problems += _check_texts(path, signatory, SIGNATORY_KEYS, "signatory.")
    date = _date(path, data.get("date"), problems)
    problems += _check_pattern(path, data.get("letter_number"))
    logo = _logo(path, data.get("logo"), problems)
    if problems:
        return None, problems
    sign = Signatory(**{k: str(signatory.get(k) or "").strip() for k, _ in SIGNATORY_KEYS})
    texts = {k: str(data.get(k) or "").strip() for k, _ in TEXT_KEYS}
    return Issuer(**texts, date=date, signatory=sign, logo=logo), []


def _load(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 -- BaseLoader builds only str, list and dict: every value as typed
    except OSError as exc:
        return None, [Problem(ERROR, "unreadable", str(path), params=(("detail", exc.strerror or str(exc)),))]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(ERROR, "unreadable", str(path), params=(("detail", str(exc).splitlines()[0]),))]
    if not isinstance(data, dict):
        return None, [Problem(ERROR, "issuer_not_mapping", str(path), value=type(data).__name__)]
    return data, []


def _check_texts(path: Path, data: dict[str, Any], keys: tuple[tuple[str, bool], ...], prefix: str) -> list[Problem]:
    problems = []
    for key, required in keys:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(
                Problem(ERROR, "issuer_text", str(path), key=prefix + key, value=value, expected="issuer_text")
            )
        elif required and not str(value or "").strip():
            problems.append(
                Problem(ERROR, "issuer_missing", str(path), key=prefix + key, value=value, expected="issuer_text")
            )
    return problems


def _date(path: Path, value: Any, problems: list[Problem]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(ERROR, "issuer_date", str(path), key="date", value=value, expected="iso_date"))
        return dt.date.min


def _check_pattern(path: Path, pattern: Any) -> list[Problem]:
    if not isinstance(pattern, str) or not pattern.strip():
        return []  # reported by _check_texts
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        names = {"{"}
    unknown = sorted(names - set(PLACEHOLDERS))
    if not unknown:
        return []
    choices = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    return [
        Problem(
            ERROR,
            "issuer_placeholder",
            str(path),
            key="letter_number",
            value=pattern,
            expected="one_of",
            params=(("choices", choices),),
        )
    ]


def _logo(path: Path, name: Any, problems: list[Problem]) -> str:
    """The logo as a data: URI (the report fetches nothing); "" when there is none."""
    if not name:
        return ""
    logo = path.parent / str(name)
    kind = LOGO_TYPES.get(logo.suffix.lower())
    choices = ", ".join(LOGO_TYPES)
    if kind is None:
        problems.append(
            Problem(
                ERROR,
                "issuer_logo_type",
                str(path),
                key="logo",
                value=name,
                expected="one_of",
                params=(("choices", choices),),
            )
        )
    elif not logo.is_file():
        problems.append(
            Problem(
                ERROR,
                "issuer_logo_missing",
                str(path),
                key="logo",
                value=name,
                expected="issuer_logo",
                params=(("folder", str(path.parent)),),
            )
        )
    elif logo.stat().st_size > LOGO_MAX_BYTES:
        problems.append(
            Problem(
                ERROR, "issuer_logo_size", str(path), key="logo", value=logo.stat().st_size, expected="issuer_logo_size"
            )
        )
    else:
        return f"data:{kind};base64,{base64.b64encode(logo.read_bytes()).decode()}"
    return ""
