"""Untrusted workbooks are checked within limits before they are read: no allocation bomb, no zip bomb."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from smartcity_eval.inputs.limits import Limits, check_xlsx
from smartcity_eval.inputs.validation import validate
from smartcity_eval.inputs.workbook import UnreadableWorkbook
from workbooks import edit, make_filled


@pytest.fixture
def workbook(tmp_path) -> Path:
    return make_filled(tmp_path / "2024" / "tahap-2" / "kota-padang-panjang.xlsx", year=2024)


def test_a_filled_workbook_is_within_limits_and_has_no_formula(workbook):
    assert set(map(len, check_xlsx(workbook).values())) == {0}


def test_a_cell_at_the_last_column_and_row_is_refused(workbook):
    edit(workbook, lambda wb: wb["Temuan"].cell(row=1048576, column=16384, value="x"))
    with pytest.raises(UnreadableWorkbook) as err:
        check_xlsx(workbook)
    assert (
        err.value.message("id") == "lembar Temuan menjangkau sel A1:XFD1048576, di luar batas 20000 baris × 200 kolom"
    )


def test_validate_locates_the_far_cell_instead_of_crashing(workbook):
    edit(workbook, lambda wb: wb["Temuan"].cell(row=1048576, column=16384, value="x"))
    (problem,) = [p for p in validate(workbook).problems if p.severity == "error"]
    assert "XFD1048576" in problem.format("id")


def test_validating_the_far_cell_stays_small_in_memory(workbook):
    edit(workbook, lambda wb: wb["Temuan"].cell(row=1048576, column=16384, value="x"))
    code = (
        "import resource, sys; from smartcity_eval.inputs.validation import validate; validate(sys.argv[1]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    peak_kb = int(
        subprocess.run([sys.executable, "-c", code, str(workbook)], capture_output=True, text=True, check=True).stdout
    )
    assert peak_kb < 500_000


def with_cell_text(path: Path, text: str) -> Path:
    """``path`` with an inline text cell C99 in its Temuan sheet, written into the zip directly (openpyxl would cut
    the text at Excel's limit; a hostile file need not)."""
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    cell = f'<row r="99"><c r="C99" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData>'.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            z.writestr(
                info.filename, data.replace(b"</sheetData>", cell) if info.filename.endswith("sheet8.xml") else data
            )
    return path


def test_a_zip_bomb_of_whitespace_is_refused(workbook):
    with_cell_text(workbook, " " * 3_000_000 + "x")
    with pytest.raises(UnreadableWorkbook, match="bom zip"):
        check_xlsx(workbook)


def test_a_cell_longer_than_excel_allows_is_located(workbook):
    with_cell_text(workbook, "".join(random.Random(7).choices(string.ascii_letters, k=40_000)))
    with pytest.raises(UnreadableWorkbook) as err:
        check_xlsx(workbook)
    assert err.value.message("id") == "lembar Temuan, sel C99: teks 40000 karakter (paling banyak 32767)"


def test_a_part_larger_than_the_limit_is_refused(workbook):
    with pytest.raises(UnreadableWorkbook, match="terlalu besar"):
        check_xlsx(workbook, Limits(part_bytes=10_000))
