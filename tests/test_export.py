"""The national-table export: the letter's layout in xlsx and CSV, written atomically, formulas neutralised."""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from smartcity_eval.common.tables import neutralise_frame, write_csv
from smartcity_eval.results import export, store

#: formula-like spellings of real regions: a published table names regions of the register, which ignores punctuation
EVIL = ["=Kota Padang", "+Kota Solok", "-Kab. Agam", "@Kota Bukittinggi"]
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
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == export.HEADERS
    assert all(ws.cell(1, c).font.b for c in range(1, len(export.HEADERS) + 1))
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 30
    assert rows[1] == (1, "Kota Surakarta", 4, 3.89, 3.76, 3.99, 3.88, 3.33, 3.84, 0.04, "KPPN&IKN")
    assert rows[3][:2] == (3, "Kab. Malang")
    assert rows[3][8:10] == (2.94, 0.44)
    assert rows[2][7] is None  # Kota Jambi (REGULER) has no Program Kolaborasi
    assert rows[7][:2] == (7, "Kab. Kutai Barat")
    assert rows[7][9] == "-"
    assert rows[-1][:2] == (None, "Kota Pekalongan")
    assert rows[-1][8:10] == (0, "-")  # non-participant last
    for c in range(3, 11):
        cell = ws.cell(2, c)
        assert cell.data_type == "n"
        assert cell.number_format == "0.00"


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
    assert {r["Kab/Kota"] for r in rows} == {"'" + name for name in EVIL}
    assert rows[0]["No"] == "1"
    assert rows[0]["Nilai Final"] == "2.04"
    assert rows[0]["Tingkat Improvement"] == "-0.10"
    assert rows[0]["Program Kolaborasi"] == ""
    assert rows[0]["Ket"] == "REGULER"


def test_csv_layout(db, tmp_path):
    out = tmp_path / "nasional.csv"
    assert run(["export", "--year", "2023", "--stage", "2", "--db", str(db), "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(export.HEADERS)
    assert lines[1] == "1,Kota Surakarta,4.00,3.89,3.76,3.99,3.88,3.33,3.84,0.04,KPPN&IKN"
    assert lines[-1] == ",Kota Pekalongan,0.00,0.00,0.00,0.00,0.00,,0.00,-,REGULER"


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
