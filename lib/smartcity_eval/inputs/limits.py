"""Limits on an untrusted xlsx file, checked before any reader builds its sheets in memory.

An xlsx file is a zip archive of XML parts. A 31 KB file whose one cell sits at ``XFD1048576`` makes a reader
allocate every row and column up to it (hundreds of GB); a 439 KB file can unpack to 400 MB of text. So, before
the workbook is parsed: every part's unpacked size and compression ratio, every sheet's declared and actual extent
(rows × columns) and every cell's text length are checked, streaming and within a fixed budget; a breach raises
:class:`~smartcity_eval.inputs.workbook.UnreadableWorkbook` naming the part, sheet and cell.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from defusedxml.ElementTree import iterparse  # no DTDs, no entities: XXE and billion laughs refused

from smartcity_eval.inputs.workbook import UnreadableWorkbook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True)
class Limits:
    """What an assessment workbook may hold (the template's sheets use a few hundred rows and under 20 columns)."""

    part_bytes: int = 50_000_000  # one unpacked XML part
    ratio: int = 100  # unpacked / packed, for parts above 1 MB
    rows: int = 20_000
    columns: int = 200
    cell_chars: int = 32_767  # Excel's own limit on a cell's text


LIMITS = Limits()


#: sheet name -> cell reference (``G12``) -> the formula in that cell (``=AVERAGE(G2:I2)``)
Formulas = dict[str, dict[str, str]]


def check_xlsx(path: Path, limits: Limits = LIMITS) -> Formulas:
    """Raise :class:`UnreadableWorkbook` at the first part, sheet or cell of ``path`` beyond ``limits``; return
    the formulas found on the way (a reader sees only their cached values, validation flags them)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            _check_size(info, limits)
        long_strings = _long_shared_strings(archive, limits)
        return {sheet: _check_sheet(archive, part, sheet, long_strings, limits) for sheet, part in _sheets(archive)}


def _check_size(info: zipfile.ZipInfo, limits: Limits) -> None:
    mb = f"{info.file_size / 1e6:.0f}"
    if info.file_size > limits.part_bytes:
        raise UnreadableWorkbook("part_size", part=info.filename, size=mb, limit=f"{limits.part_bytes / 1e6:.0f}")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1_000_000 and ratio > limits.ratio:
        raise UnreadableWorkbook("part_ratio", part=info.filename, size=mb, ratio=f"{ratio:.0f}", limit=limits.ratio)


class _Bounded:
    """A zip part's stream that stops with an error past ``limit`` bytes (a part's declared size may lie)."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self.stream, self.name, self.limit, self.read_bytes = stream, name, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size >= 0 else self.limit + 1)
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            mb = f"{self.limit / 1e6:.0f}"
            raise UnreadableWorkbook("part_size", part=self.name, size=f"> {mb}", limit=mb)
        return data


#: elements cleared once read (a row with its cells, a shared string): memory stays bounded by one of them
CLEARED = {f"{MAIN}row", f"{MAIN}si"}


def _elements(archive: zipfile.ZipFile, part: str, limits: Limits) -> Iterator[object]:
    """The elements of an XML part as they end, streamed and bounded; rows and shared strings cleared after use."""
    with archive.open(part) as raw:
        for _, element in iterparse(_Bounded(raw, part, limits.part_bytes)):  # type: ignore[arg-type]
            yield element
            if element.tag in CLEARED:
                element.clear()


def _long_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> dict[str, int]:
    """Index -> length of every shared string longer than a cell may be."""
    if "xl/sharedStrings.xml" not in archive.namelist():
        return {}
    long, index, length = {}, 0, 0
    for element in _elements(archive, "xl/sharedStrings.xml", limits):
        if element.tag == f"{MAIN}t":  # type: ignore[attr-defined]
            length += len(element.text or "")  # type: ignore[attr-defined]
        elif element.tag == f"{MAIN}si":  # type: ignore[attr-defined]
            if length > limits.cell_chars:
                long[str(index)] = length
            index, length = index + 1, 0
    return long


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part) of every worksheet, from the workbook part and its relationships."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []
    with archive.open("xl/_rels/workbook.xml.rels") as fh:
        targets = {e.get("Id"): e.get("Target", "") for _, e in iterparse(fh) if e.tag == f"{PKG_REL}Relationship"}
    with archive.open("xl/workbook.xml") as fh:
        sheets = [(e.get("name", ""), e.get(f"{REL}id")) for _, e in iterparse(fh) if e.tag == f"{MAIN}sheet"]
    parts = []
    for name, rid in sheets:
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in names:
            parts.append((name, part))
    return parts


def _extent(ref: str) -> tuple[int, int]:
    """(row, column) of a cell reference such as ``XFD1048576``; (0, 0) when it is not one."""
    match = CELL.match(ref.split(":")[-1].upper())
    if match is None:
        return 0, 0
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _check_sheet(
    archive: zipfile.ZipFile, part: str, sheet: str, long_strings: dict[str, int], limits: Limits
) -> dict[str, str]:
    """The declared extent, every cell's place and every cell's text of one worksheet; its formulas by cell."""
    formulas: dict[str, str] = {}
    for element in _elements(archive, part, limits):
        tag = element.tag  # type: ignore[attr-defined]
        if tag == f"{MAIN}dimension":
            _check_extent(sheet, element.get("ref", ""), limits)  # type: ignore[attr-defined]
        elif tag == f"{MAIN}c":
            ref = element.get("r", "")  # type: ignore[attr-defined]
            _check_extent(sheet, ref, limits)
            _check_text(sheet, ref, element, long_strings, limits)
            formula = element.find(f"{MAIN}f")  # type: ignore[attr-defined]
            if formula is not None:
                formulas[ref] = "=" + (formula.text or "…")
    return formulas


def _check_extent(sheet: str, ref: str, limits: Limits) -> None:
    rows, columns = _extent(ref)
    if rows > limits.rows or columns > limits.columns:
        raise UnreadableWorkbook("sheet_extent", sheet=sheet, cell=ref, rows=limits.rows, columns=limits.columns)


def _check_text(sheet: str, ref: str, cell: object, long_strings: dict[str, int], limits: Limits) -> None:
    value = cell.find(f"{MAIN}v")  # type: ignore[attr-defined]
    text = cell.find(f"{MAIN}is")  # type: ignore[attr-defined]
    length = 0
    if cell.get("t") == "s" and value is not None:  # type: ignore[attr-defined]
        length = long_strings.get((value.text or "").strip(), 0)
    elif text is not None:
        length = sum(len(t.text or "") for t in text.iter(f"{MAIN}t"))
    elif value is not None:
        length = len(value.text or "")
    if length > limits.cell_chars:
        raise UnreadableWorkbook("cell_text", sheet=sheet, cell=ref, length=length, limit=limits.cell_chars)
