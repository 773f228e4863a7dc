"""CSV files from outside (published results tables), read as untrusted: encoding, separator, quotes and the number
of fields of every row are checked before any value is looked at, each problem located by file and line.

Indonesian-locale Excel saves "CSV" with semicolons and decimal commas; both separators are recognised from the
header line, and :attr:`CsvRows.decimal_comma` says which convention the numbers follow.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from smartcity_eval.inputs.validation import ERROR, Problem

SEPARATORS = (",", ";", "\t")
#: the largest published table we accept (514 regions need about 60 KB)
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class CsvRows:
    """The header and the rows (with their line numbers) of a CSV file."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    separator: str

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers are written with a decimal comma (a semicolon-separated file)."""
        return self.separator == ";"


def read_rows(path: Path) -> tuple[CsvRows | None, list[Problem]]:
    """The rows of ``path``, or None with every problem of its encoding, quoting and row lengths."""
    text, problems = _text(path)
    if text is None:
        return None, problems
    lines = text.splitlines()
    separator = _separator(lines[0] if lines else "")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True))
    except csv.Error as exc:
        return None, [_unclosed(path, text, exc)]
    header = [h.strip() for h in (records[0] if records else [])]
    rows, problems = [], []
    for line, record in enumerate(records[1:], start=2):
        if not any(v.strip() for v in record):
            continue
        if len(record) != len(header):
            problems.append(_fields(path, line, record, len(header), separator))
            continue
        rows.append((line, dict(zip(header, record, strict=True))))
    return CsvRows(header, rows, separator), problems


def _text(path: Path) -> tuple[str | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(ERROR, "unreadable", path.name, params=(("detail", exc.strerror or str(exc)),))]
    if len(data) > MAX_BYTES:
        return None, [Problem(ERROR, "csv_size", path.name, value=len(data), expected="csv_size")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = f"0x{data[exc.start]:02X}"
        return None, [Problem(ERROR, "csv_encoding", path.name, row=line, value=byte, expected="utf8")]


def _separator(header: str) -> str:
    """The separator of the header line: the one of :data:`SEPARATORS` it holds most of."""
    return max(SEPARATORS, key=header.count)


def _unclosed(path: Path, text: str, exc: csv.Error) -> Problem:
    """A quote opened and never closed: located at the line where the quoted field starts."""
    line = 1
    for number, row in enumerate(text.splitlines(), start=1):
        if row.count('"') % 2:
            line = number
            break
    return Problem(ERROR, "csv_quote", path.name, row=line, value=str(exc), expected="csv_quote")


def _fields(path: Path, line: int, record: list[str], expected: int, separator: str) -> Problem:
    shown = separator.join(record)
    params = (("n", expected), ("separator", {";": "';'", "\t": "tab"}.get(separator, "','")))
    return Problem(ERROR, "csv_fields", path.name, row=line, value=shown, expected="csv_fields", params=params)
