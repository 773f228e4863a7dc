"""One test per kind of bad workbook, and the template -> fill -> validate -> score round trip."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from smartcity_eval.cli import main
from smartcity_eval.inputs.validation import Expect, load, validate
from smartcity_eval.inputs.workbook import write_template
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.scoring import score_assessment
from workbooks import edit, make_filled


def codes(result) -> list[str]:
    return [p.code for p in result.errors]


@pytest.fixture
def filled(tmp_path) -> Path:
    return make_filled(tmp_path / "kota-padang-panjang.xlsx")


def test_template_is_ready_to_fill(tmp_path):
    path = write_template(tmp_path / "t.xlsx", year=2023, stage=2, category="KPPN&IKN", region="Kab. Malang")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Petunjuk",
        "Profil",
        "Asesor",
        "Skor",
        "Survei_Dampak",
        "Program",
        "Rencana_Aksi",
        "Temuan",
    ]
    ws = wb["Skor"]
    assert ws.max_row - 1 == 117
    assert ws["A2"].value == "BL-01"
    assert ws.freeze_panes == "F2"
    rules = {(dv.type, str(dv.sqref)) for dv in ws.data_validations.dataValidation}
    assert ("whole", "F2:J118") in rules
    assert any(dv.type == "list" for dv in wb["Program"].data_validations.dataValidation)
    assert wb["Profil"]["B7"].value == 2023
    assert wb["Profil"]["B5"].value == "KPPN&IKN"
    assert "Lembar Kerja Penilaian" in wb["Petunjuk"]["A1"].value
    assert wb["Skor"].column_dimensions["E"].width >= 60


def test_round_trip_template_fill_validate_score(filled):
    result = validate(filled)
    assert result.ok, result.summary()
    card = score_assessment(result.assessment, mth.get(2023))
    # every item has scores 3,2,3,4 -> 3.0 everywhere -> Nilai Final 3.00
    assert card.nilai_final_rounded == Decimal("3.00")
    assert card.programmes.at["overall", "percent"] == Decimal("66.67")
    assert card.action_plan.at["kebijakan_kelembagaan", "percent"] == Decimal("92.86")
    assert card.action_plan.at["infrastruktur", "percent"] == Decimal("91.67")
    assert list(result.assessment.findings["kind"]) == ["kekuatan", "rekomendasi"]


def test_input_is_never_written(filled):
    before = hashlib.sha256(filled.read_bytes()).hexdigest(), filled.stat().st_mtime_ns
    validate(filled)
    load(filled)
    assert (hashlib.sha256(filled.read_bytes()).hexdigest(), filled.stat().st_mtime_ns) == before


def test_score_of_7_names_sheet_row_and_column_and_cli_exits_1(filled, capsys):
    edit(filled, lambda wb: wb["Skor"].cell(12, 7, 7))
    result = validate(filled)
    [problem] = result.errors
    assert (problem.code, problem.sheet, problem.row, problem.column, problem.header, problem.value) == (
        "score_range",
        "Skor",
        12,
        "G",
        "A2",
        7,
    )
    assert main(["validate", str(filled)]) == 1
    out = capsys.readouterr().out
    assert "Skor › baris 12, kolom G (A2)" in out
    assert "nilai: 7" in out
    assert "0–4" in out


def test_not_an_xlsx(tmp_path):
    bad = tmp_path / "laporan.xlsx"
    bad.write_text("bukan excel", encoding="utf-8")
    assert codes(validate(bad)) == ["unreadable"]
    corrupt = tmp_path / "rusak.xlsx"
    import zipfile

    with zipfile.ZipFile(corrupt, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert codes(validate(corrupt)) == ["unreadable"]
    [missing] = validate(tmp_path / "missing.xlsx").errors
    assert missing.code == "unreadable"
    assert missing.format() == (
        "GALAT: missing.xlsx: berkas tidak dapat dibaca (berkas tidak ditemukan); "
        "seharusnya: berkas .xlsx hasil `smartcity-eval template`"
    )
    assert missing.format("en") == (
        "ERROR: missing.xlsx: the file cannot be read (file not found); "
        "expected: an .xlsx file made by `smartcity-eval template`"
    )
    assert "not an xlsx workbook (not a zip container)" in validate(bad).errors[0].format("en")


def test_missing_sheet_and_missing_column(filled):
    def damage(wb):
        del wb["Temuan"]
        wb["Program"].cell(1, 6, "Keadaan")

    result = validate(edit(filled, damage))
    assert sorted(codes(result)) == ["missing_column", "missing_sheet"]
    col = next(p for p in result.errors if p.code == "missing_column")
    assert (col.sheet, col.header) == ("Program", "Status")


def test_non_integer_and_text_scores(filled):
    edit(filled, lambda wb: (wb["Skor"].cell(3, 6, 2.5), wb["Skor"].cell(4, 8, "tiga"), wb["Skor"].cell(5, 9, -1)))
    result = validate(filled)
    got = {(p.code, p.row, p.header, p.value) for p in result.errors}
    assert got == {("score_type", 3, "A1", 2.5), ("score_type", 4, "A3", "tiga"), ("score_range", 5, "A4", -1)}


def test_unknown_and_duplicate_item_ids(filled):
    edit(filled, lambda wb: (wb["Skor"].cell(3, 1, "BL-99"), wb["Skor"].cell(6, 1, "BL-01")))
    got = {(p.code, p.row, p.value) for p in validate(filled).errors}
    assert got == {("unknown_item", 3, "BL-99"), ("duplicate_item", 6, "BL-01")}


def test_dimension_with_no_scored_item(filled):
    def clear(wb):
        ws = wb["Skor"]
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 2).value == "quick_win":
                for c in range(6, 11):
                    ws.cell(r, c).value = None

    result = validate(edit(filled, clear))
    assert codes(result) == ["dimension_unscored"]
    assert "dimensi Quick Wins — program percepatan tidak punya" in result.errors[0].format()
    assert "dimension Quick Wins — accelerated programmes has no scored item" in result.errors[0].format("en")
    assert result.errors[0].format("en").endswith("expected: at least one scored item")


def test_year_without_methodology_and_category_without_profile(tmp_path):
    a = make_filled(tmp_path / "a.xlsx")
    edit(a, lambda wb: wb["Profil"].cell(7, 2, 2019))
    assert codes(validate(a)) == ["no_year"]
    b = make_filled(tmp_path / "b.xlsx")
    edit(b, lambda wb: wb["Profil"].cell(5, 2, "KPPN"))
    [problem] = validate(b).errors
    assert (problem.code, problem.value) == ("profile_value", "KPPN")


def test_empty_panel(filled):
    def empty(wb):
        ws = wb["Asesor"]
        for r in range(2, 7):
            ws.cell(r, 2).value = ws.cell(r, 3).value = None

    result = validate(edit(filled, empty))
    assert "empty_panel" in codes(result)
    assert "score_column_unknown" in codes(result)  # scores of assessors nobody declared
    unknown = next(p for p in result.errors if p.code == "score_column_unknown")
    assert unknown.format().endswith("seharusnya: salah satu dari: -")
    assert unknown.to_dict("en")["expected"] == "one of: -"


def test_profile_contradicting_the_place_and_the_run(tmp_path):
    path = make_filled(
        tmp_path / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"
        if (tmp_path / "2024" / "tahap-2").mkdir(parents=True) is None
        else None
    )
    result = validate(path)
    [problem] = result.errors
    assert (problem.code, problem.value) == ("contradicts_place", 2023)
    elsewhere = make_filled(tmp_path / "kota-padang-panjang.xlsx")
    assert codes(validate(elsewhere, Expect(year=2023, stage=1))) == ["contradicts_run"]
    assert validate(elsewhere, Expect(year=2023, stage=2, region="kota-padang-panjang")).ok


def test_warnings_do_not_fail(tmp_path, capsys):
    def partial(wb):
        wb["Skor"].cell(2, 9).value = None
        wb["Temuan"].append(["A3", "Kelemahan", None])

    filled = edit(make_filled(tmp_path / "kota-padang-panjang.xlsx", scores=(3, 2, 3, 3)), partial)  # no dispute
    result = validate(filled)
    assert result.ok
    assert {p.code for p in result.warnings} == {"partial_panel", "blank_finding"}
    assert main(["validate", str(filled), "--lang", "en"]) == 0
    assert "WARNING" in capsys.readouterr().out


def test_all_problems_at_once_in_english(filled, capsys):
    edit(
        filled,
        lambda wb: (
            wb["Skor"].cell(3, 6, 9),
            wb["Program"].cell(2, 6, "Selesai"),
            wb["Rencana_Aksi"].cell(2, 4, 20),
            wb["Temuan"].cell(2, 1, "A9"),
        ),
    )
    result = validate(filled)
    assert sorted(codes(result)) == ["choice", "done_gt_planned", "finding_assessor", "score_range"]
    assert main(["validate", str(filled), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "row 3, column F (A1): score out of range — value: 9; expected: a whole number 0–4" in out
    assert "expected: Berjalan, Belum berjalan, Terhenti" in out


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from smartcity_eval.inputs.workbook import write_assessment

    good = validate(make_filled(tmp_path / "kota-padang-panjang.xlsx")).assessment
    good.findings.loc[0, "text"] = '=HYPERLINK("http://x")'
    good.programmes.loc[0, "name"] = "=1+1"
    path = write_assessment(good, tmp_path / "out" / "kota-padang-panjang.xlsx")
    wb = load_workbook(path)
    assert wb["Temuan"]["C2"].data_type == "s"
    assert wb["Program"]["C2"].value == "=1+1"
    again = validate(path)
    assert again.ok
    assert again.assessment.findings.loc[0, "text"] == '=HYPERLINK("http://x")'


def test_every_problem_reads_in_both_languages(filled):
    def damage(wb):
        profile = wb["Profil"]
        profile.cell(3, 2, "1374x"), profile.cell(5, 2, "KPPN"), profile.cell(8, 2, 3)
        scores = wb["Skor"]
        scores.cell(3, 6, 9), scores.cell(4, 6, "x")
        wb["Asesor"].cell(3, 1, "A1")
        wb["Program"].cell(2, 1, "Smart Nothing"), wb["Program"].cell(3, 5, "Mungkin")
        wb["Rencana_Aksi"].cell(2, 3, -1)
        wb["Temuan"].cell(2, 2, "Pujian")

    result = validate(edit(filled, damage))
    assert len(result.problems) >= 10
    for lang in ("id", "en"):
        lines = result.summary(lang).splitlines()
        assert len(lines) == len(result.problems)
        assert all(line.strip() for line in lines)
    english = result.summary("en")
    assert "expected: 1 or 2 (Tahap I / Tahap II)" in english
    assert "expected: two digits, a dot, two digits (e.g. 13.74)" in english
    assert "expected: REGULER or KPPN&IKN" in english
    assert "expected: a unique code A1–A5" in english
    assert "expected: a whole number 0–4, or empty" in english
    assert "expected: Ya or Tidak" in english
    assert "expected: a whole number ≥ 0" in english
    assert "expected: one of: A1, A3, A4" in english
    assert " atau " not in english
    assert "seharusnya" not in english
    indonesian = result.summary()
    assert "seharusnya: 1 atau 2 (Tahap I / Tahap II)" in indonesian
    assert "seharusnya: kode unik A1–A5" in indonesian


def test_a_problem_names_only_keys_of_the_catalogues():
    from smartcity_eval.inputs.validation import ERROR, Problem

    assert Problem(ERROR, "score_range", "f.xlsx", expected="score_range").expected_text("en") == "a whole number 0–4"
    with pytest.raises(KeyError, match="validation.no_such_code"):
        Problem(ERROR, "no_such_code", "f.xlsx")
    with pytest.raises(KeyError, match="expected.bilangan bulat"):
        Problem(ERROR, "score_range", "f.xlsx", expected="bilangan bulat 0–4")


# ---- a workbook unchanged since it was last checked is not read again (the report server, the preview)


def settled(path: Path) -> Path:
    """``path`` with its modification time a minute back, as a workbook nobody is editing."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 60_000_000_000))
    return path


def counted_reads(monkeypatch) -> list[Path]:
    from smartcity_eval.inputs import validation

    reads: list[Path] = []
    read = validation.read_sheets
    monkeypatch.setattr(validation, "read_sheets", lambda path: reads.append(path) or read(path))
    return reads


def test_an_unchanged_workbook_is_read_once(filled, monkeypatch):
    reads = counted_reads(monkeypatch)
    settled(filled)
    validate(filled)
    validate(filled)
    assert len(reads) == 1


def test_a_saved_workbook_is_checked_again(filled, monkeypatch):
    settled(filled)
    assert validate(filled).ok
    settled(edit(filled, lambda wb: wb["Skor"].cell(12, 7, 7)))
    assert codes(validate(filled)) == ["score_range"]


def test_a_workbook_saved_just_now_is_read_every_time(filled, monkeypatch):
    reads = counted_reads(monkeypatch)
    validate(filled)
    validate(filled)
    assert len(reads) == 2


def header_column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_a_value_outside_a_list_names_its_sheet_row_and_column(filled):
    def outside(wb):
        for sheet, header in (("Program", "Pilar"), ("Rencana_Aksi", "Kategori"), ("Temuan", "Jenis")):
            wb[sheet].cell(2, header_column(wb[sheet], header), "lainnya")

    edit(filled, outside)
    located = {(p.sheet, p.row, p.header) for p in validate(filled).errors if p.code == "choice"}
    assert located == {("Program", 2, "Pilar"), ("Rencana_Aksi", 2, "Kategori"), ("Temuan", 2, "Jenis")}
