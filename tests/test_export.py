"""The national-table export: the letter's layout in xlsx and CSV, written atomically, formulas neutralised."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from smartcity_eval.common.i18n import format_date
from smartcity_eval.common.tables import neutralise_frame, sha256, write_csv
from smartcity_eval.results import export, store

#: formula-like spellings of real regions: a published table names regions of the register, which ignores punctuation
EVIL = ["=Kota Padang", "+Kota Solok", "-Kab. Agam", "@Kota Bukittinggi"]
#: the results letter's columns, which the Indonesian export keeps first and in order
LETTER = [
    "No",
    "Kab/Kota",
    "Baseline",
    "Output",
    "Outcome",
    "Impact",
    "Quick Wins",
    "Program Kolaborasi",
    "Nilai Final",
    "Tingkat Improvement",
    "Ket",
]
HEADER = "no,kab_kota,ket,baseline,output,outcome,impact,quick_wins,kolaborasi,nilai_final,improvement"


@pytest.fixture(scope="module")
def db(tmp_path_factory, national_csv) -> Path:
    """A store holding the 2023 sample table plus regions whose names look like formulas."""
    root = tmp_path_factory.mktemp("export")
    published = root / "data" / "published"
    published.mkdir(parents=True)
    shutil.copy(national_csv, published / "national-2023-tahap-2.csv")
    with (published / "national-2024-tahap-1.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER.split(","))
        for i, name in enumerate(EVIL, start=1):
            writer.writerow([i, name, "REGULER", 2, 2, 2, 2, 2, "", f"{2 + i / 100:.2f}", "-0.10"])
    path = root / "s.duckdb"
    assert store.ingest(root / "data", path).ok
    return path


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    export.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_xlsx_holds_the_national_table(db, tmp_path, capsys):
    out = tmp_path / "nasional.xlsx"
    assert run(["export", "--year", "2023", "--stage", "2", "--format", "xlsx", "--db", str(db), "-o", str(out)]) == 0
    assert "9 baris ditulis" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["nasional.xlsx"]  # no temporary file left behind
    wb = load_workbook(out)
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == export.HEADERS
    assert export.HEADERS[:11] == LETTER
    assert all(ws.cell(1, c).font.b for c in range(1, len(export.HEADERS) + 1))
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].width >= 30
    assert rows[1] == (
        1,
        "Kota Surakarta",
        4,
        3.89,
        3.76,
        3.99,
        3.88,
        3.33,
        3.84,
        0.04,
        "KPPN&IKN",
        "Jawa Tengah",
        1,
        1,
        1,
    )
    assert rows[3][:2] == (3, "Kab. Malang")
    assert rows[3][8:10] == (2.94, 0.44)
    assert rows[4][11:] == ("Sumatera Barat", 4, 2, 1)  # Kota Padang Panjang: national, REGULER, province ranks
    assert rows[2][7] is None  # Kota Jambi (REGULER) has no Program Kolaborasi
    assert rows[7][:2] == (7, "Kab. Kutai Barat")
    assert rows[7][9] is None  # no improvement: an empty cell ...
    assert ws.cell(8, 10).number_format == '0.00;-0.00;0.00;"-"'  # ... that the number format shows as "-"
    assert rows[-1][:2] == (None, "Kota Pekalongan")
    assert rows[-1][8:10] == (0, None)  # non-participant last, with no improvement ...
    assert rows[-1][12:] == (None, None, None)  # ... and no rank
    for c in (*range(3, 11), 13, 14, 15):
        assert ws.cell(2, c).data_type == "n"
    for c in range(3, 10):
        assert ws.cell(2, c).number_format == "0.00"
    assert wb.sheetnames == ["2023 Tahap II", "Keterangan"]


def test_an_exported_xlsx_averages_in_pandas(db, tmp_path):
    out = tmp_path / "nasional.xlsx"
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out)]) == 0
    table = pd.read_excel(out, engine="openpyxl")
    improvement = table["Tingkat Improvement"]
    assert improvement.dtype == "float64"
    assert improvement.count() == 7  # Kab. Kutai Barat (no 2022 figure) and Kota Pekalongan have none
    assert improvement.mean() == pytest.approx((0.04 + 0.37 + 0.44 - 0.39 + 0.89 - 0.46 - 0.10) / 7)
    assert table["Peringkat Nasional"].max() == 8


def test_the_metadata_sheet_says_where_the_table_comes_from(db, tmp_path):
    out = tmp_path / "nasional.xlsx"
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out)]) == 0
    about = {r[0]: r[1:] for r in load_workbook(out)["Keterangan"].iter_rows(values_only=True) if r[0]}
    assert about["Tahun evaluasi"][0] == 2023
    assert about["Tahap"][0] == "Tahap II"
    assert about["Metodologi (tahun dan sumber)"][0].startswith("2023 (")
    assert about["Tanggal ekspor"][0] == format_date(dt.date.today(), "id")
    assert about["Berkas sumber"][:3] == ("Jenis", "sha256", "Dimuat")
    source = db.parent / "data" / "published" / "national-2023-tahap-2.csv"
    assert about[source.resolve().as_posix()][:2] == ("published", sha256(source))


def test_english_headers_and_sheets(db, tmp_path):
    out = tmp_path / "national.xlsx"
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out), "--lang", "en"]) == 0
    wb = load_workbook(out)
    headers = [c.value for c in wb.active[1]]
    assert headers[:3] == ["No", "Regency/City", "Baseline"]
    assert headers[9:] == ["Improvement", "Category", "Province", "National Rank", "Category Rank", "Province Rank"]
    assert wb.sheetnames == ["2023 Stage II", "About"]
    assert wb["About"]["A4"].value == "Category"


def test_csv_for_indonesian_excel(db, tmp_path):
    out = tmp_path / "nasional.csv"
    argv = ["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out), "--csv-dialect", "id"]
    assert run(argv) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads the file as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(export.HEADERS)
    assert lines[4] == "4;Kota Padang Panjang;3,20;2,11;2,59;2,61;1,83;;2,41;-0,39;REGULER;Sumatera Barat;4;2;1"
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert table["Tingkat Improvement"].mean() == pytest.approx(0.79 / 7)


def test_order_by_name_and_category(db):
    con = store.connect(db)
    try:
        by_name = export.national_table(con, 2023, 2, order="name")
        reguler = export.national_table(con, 2023, 2, category="REGULER")
    finally:
        con.close()
    names = list(by_name["Kab/Kota"])
    assert names[:-1] == sorted(names[:-1])
    assert names[-1] == "Kota Pekalongan"
    assert list(by_name["No"][:-1]) == list(range(1, 9))
    assert pd.isna(by_name["No"].iloc[-1])
    assert list(reguler["Kab/Kota"]) == ["Kota Jambi", "Kota Padang Panjang", "Kab. Pelalawan", "Kota Pekalongan"]
    assert set(reguler["Ket"]) == {"REGULER"}
    assert reguler["Program Kolaborasi"].isna().all()


def test_formula_like_names_stay_text_in_xlsx(db, tmp_path):
    out = tmp_path / "evil.xlsx"
    assert run(["export", "--year", "2024", "--stage", "1", "--db", str(db), "-o", str(out)]) == 0
    ws = load_workbook(out).active
    cells = {ws.cell(r, 2).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert set(cells) == {"'" + name for name in EVIL}
    for value, cell in cells.items():
        assert cell.data_type == "s"
        assert not value.startswith(("=", "+", "-", "@"))
    # the numbers of the same rows are still numbers
    assert ws.cell(2, 9).data_type == "n"
    assert ws.cell(2, 10).value == -0.1


def test_formula_like_names_stay_text_in_csv(db, tmp_path, capsys):
    out = tmp_path / "evil.csv"
    assert (
        run(
            [
                "export",
                "--year",
                "2024",
                "--stage",
                "1",
                "--format",
                "csv",
                "--db",
                str(db),
                "-o",
                str(out),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    assert "4 rows written" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["Regency/City"] for r in rows} == {"'" + name for name in EVIL}
    assert rows[0]["No"] == "1"
    assert rows[0]["Final Score (Nilai Final)"] == "2.04"
    assert rows[0]["Improvement"] == "-0.10"
    assert rows[0]["Collaboration Programme"] == ""
    assert rows[0]["Category"] == "REGULER"


def test_csv_layout(db, tmp_path):
    out = tmp_path / "nasional.csv"
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(export.HEADERS)
    assert lines[1] == "1,Kota Surakarta,4.00,3.89,3.76,3.99,3.88,3.33,3.84,0.04,KPPN&IKN,Jawa Tengah,1,1,1"
    assert lines[-1] == ",Kota Pekalongan,0.00,0.00,0.00,0.00,0.00,,0.00,,REGULER,Jawa Tengah,,,"


def test_write_csv_neutralises_pandas_string_columns(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "ok", "-0.5", "-"], "n": [1, 2, 3, 4]})  # default (str) dtype
    assert list(neutralise_frame(frame)["name"]) == ["'=1+1", "ok", "-0.5", "-"]
    out = write_csv(frame, tmp_path / "t.csv")
    assert out.read_text(encoding="utf-8").splitlines()[1] == "'=1+1,1"


def test_nothing_to_export(db, tmp_path, capsys):
    out = tmp_path / "none.xlsx"
    assert run(["export", "--year", "2021", "--stage", "2", "--db", str(db), "-o", str(out), "--lang", "en"]) == 1
    assert "no 2021 Stage II evaluations" in capsys.readouterr().err
    assert not out.exists()
    assert (
        run(["export", "--year", "2023", "--stage", "2", "--db", str(tmp_path / "missing.duckdb"), "-o", str(out)]) == 1
    )
    assert "belum ada; jalankan `smartcity-eval ingest`" in capsys.readouterr().err
    assert not out.exists()
    missing = ["--db", str(tmp_path / "missing.duckdb"), "-o", str(out), "--lang", "en"]
    assert run(["export", "--year", "2023", "--stage", "2", *missing]) == 1
    assert "does not exist; run `smartcity-eval ingest` first" in capsys.readouterr().err
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(tmp_path / "x.txt")]) == 1
    assert "--format" in capsys.readouterr().err
