"""Workbooks as assessors really fill them: formulas, date formats, passwords, renamed columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from smartcity_eval.inputs.validation import validate
from smartcity_eval.inputs.workbook import OLE_MAGIC
from workbooks import edit, make_filled


@pytest.fixture
def workbook(tmp_path) -> Path:
    return make_filled(tmp_path / "2024" / "tahap-2" / "kota-padang-panjang.xlsx", year=2024)


def messages(path: Path, severity: str = "error") -> list[str]:
    return [p.format("id") for p in validate(path).problems if p.severity == severity]


def test_a_formula_typed_as_a_score_is_an_error_saying_to_type_the_number(workbook):
    edit(workbook, lambda wb: wb["Skor"].cell(row=2, column=7, value="=4"))
    assert messages(workbook) == [
        f"GALAT: {workbook.name} › Skor › baris 2, kolom G (A2): rumus di sel skor; nilai yang tampil tidak dipakai "
        "— nilai: '=4'; seharusnya: ketik angkanya sendiri (bilangan bulat 0–4), bukan rumus"
    ]


def test_an_average_formula_with_a_cached_value_is_not_taken_as_a_score(workbook):
    edit(workbook, lambda wb: wb["Skor"].cell(row=3, column=8, value="=AVERAGE(F3:G3)"))
    assert "'=AVERAGE(F3:G3)'" in messages(workbook)[0]


def test_a_hyperlink_formula_in_a_text_field_is_flagged_not_dropped(workbook):
    edit(workbook, lambda wb: wb["Asesor"].cell(row=2, column=3, value='=HYPERLINK("https://unand.ac.id","Unand")'))
    (warning,) = [m for m in messages(workbook, "warning") if "rumus" in m]
    assert warning.startswith(f"PERINGATAN: {workbook.name} › Asesor › baris 2, kolom C (Afiliasi): rumus di sel isian")


def test_a_date_formatted_score_is_shown_as_a_date_not_as_python(workbook):
    edit(workbook, lambda wb: wb["Skor"].cell(row=2, column=6, value=dt.date(1900, 1, 3)))
    (error,) = messages(workbook)
    assert "nilai: '1900-01-03'" in error


def test_a_password_protected_workbook_says_so(workbook):
    workbook.write_bytes(OLE_MAGIC + b"\0" * 504)
    (error,) = messages(workbook)
    assert "dilindungi kata sandi" in error


def test_a_renamed_assessor_column_is_one_error_not_thirty(workbook):
    edit(workbook, lambda wb: wb["Asesor"].cell(row=1, column=1, value="Kode asesor"))
    assert len(messages(workbook)) == 1
