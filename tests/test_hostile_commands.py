"""Hostile files and killed processes through the real command line: a workbook with a cell at ``XFD1048576`` in a
``run`` and an ``ingest`` (the others still rendered or loaded, memory small), ``kill -9`` of ``ingest`` (no process
left), and bad published tables and workbooks refused by ``national`` and ``validate`` with a located Indonesian
message and exit 1."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processes import alive, descendants_once
from published_rows import HEADER, MALANG, PADANG
from smartcity_eval.cli import main
from smartcity_eval.inputs.synth import synthesize
from smartcity_eval.inputs.workbook import OLE_MAGIC
from smartcity_eval.results import store
from workbooks import edit, make_filled

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CLI = str(Path(sys.executable).with_name("smartcity-eval"))

#: the far cell's region: a slug the sample folder does not hold
FAR = "kota-solok"
#: what the user reads of it (validate, run and ingest say it alike)
FAR_MESSAGE = f"GALAT: {FAR}.xlsx: berkas tidak dapat dibaca (lembar Temuan menjangkau sel A1:XFD1048576"
#: peak resident memory allowed of a command and its children, in KB (as ``ru_maxrss``)
PEAK_KB = 500_000

#: runs argv[3:] and writes the largest resident memory of it and the children it waited for (KB) to argv[1];
#: a wrapper of its own, so that what earlier tests started does not count
MEASURED = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[2:]).returncode; "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def measured(args: list[str], peak_file: Path) -> tuple[subprocess.CompletedProcess, int]:
    """``smartcity-eval args`` in a subprocess, and its peak memory (with its children's) in KB."""
    proc = subprocess.run(
        [sys.executable, "-c", MEASURED, str(peak_file), CLI, *args], cwd=ROOT, capture_output=True, text=True
    )
    return proc, int(peak_file.read_text())


def with_far_cell(data: Path) -> Path:
    """``data`` (a copy of the sample folder) with a 2024 Tahap II workbook whose Temuan sheet holds a cell at
    ``XFD1048576`` (as tests/test_limits.py builds it)."""
    path = make_filled(
        data / "2024" / "tahap-2" / f"{FAR}.xlsx",
        year=2024,
        region="Kota Solok",
        region_code="13.72",
        province="Sumatera Barat",
    )
    edit(path, lambda wb: wb["Temuan"].cell(row=1048576, column=16384, value="x"))
    return data


def sample_copy(root: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, root / "data"))


# ------------------------------------------------------------------------------------------------ run


GOOD_REGIONS = sorted(p.stem for p in (SAMPLE / "2024" / "tahap-2").glob("*.xlsx"))


@pytest.fixture(scope="module")
def far_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, int, Path]:
    """``run`` of the sample's 2024 Tahap II with the far-cell workbook: the process, its peak memory (KB) and the
    batch's folder."""
    root = tmp_path_factory.mktemp("far-run")
    data, out = with_far_cell(sample_copy(root)), root / "out"
    args = ["run", "--year", "2024", "--stage", "2", "--data", str(data), "--output", str(out)]
    proc, peak = measured([*args, "--formats", "ipynb", "--workers", "2", "--no-progress"], root / "peak")
    return proc, peak, out / "2024" / "tahap-2"


def region_summary(folder: Path) -> dict[str, dict]:
    summary = json.loads((folder / "run-summary.json").read_text(encoding="utf-8"))
    return {r["region"]: r for r in summary["regions"]}


@pytest.mark.slow
def test_a_run_with_the_far_cell_exits_1(far_run):
    proc, _, _ = far_run
    assert proc.returncode == 1, proc.stderr


@pytest.mark.slow
def test_a_run_with_the_far_cell_renders_every_other_region(far_run):
    _, _, folder = far_run
    statuses = {
        slug: json.loads((folder / slug / "manifest.json").read_text(encoding="utf-8"))["status"]
        for slug in GOOD_REGIONS
    }
    assert statuses == dict.fromkeys(GOOD_REGIONS, "ok")


@pytest.mark.slow
def test_a_run_with_the_far_cell_writes_every_others_notebook(far_run):
    _, _, folder = far_run
    assert [slug for slug in GOOD_REGIONS if not (folder / slug / "report.ipynb").is_file()] == []


@pytest.mark.slow
def test_a_run_with_the_far_cell_marks_only_that_region_invalid(far_run):
    _, _, folder = far_run
    statuses = {slug: r["status"] for slug, r in region_summary(folder).items()}
    assert statuses == {**dict.fromkeys(GOOD_REGIONS, "ok"), FAR: "invalid"}


@pytest.mark.slow
def test_a_run_with_the_far_cell_names_it_in_the_summary(far_run):
    _, _, folder = far_run
    assert region_summary(folder)[FAR]["error"].startswith(FAR_MESSAGE)


@pytest.mark.slow
def test_a_run_with_the_far_cell_stays_small_in_memory(far_run):
    _, peak, _ = far_run
    assert peak < PEAK_KB


# ------------------------------------------------------------------------------------------------ ingest


@pytest.fixture(scope="module")
def far_ingest(tmp_path_factory) -> tuple[subprocess.CompletedProcess, int, Path, Path]:
    """``ingest`` of the whole sample folder with the far-cell workbook (18 files: built by worker processes): the
    process, its peak memory (KB), the data folder and the store."""
    root = tmp_path_factory.mktemp("far-ingest")
    data, db = with_far_cell(sample_copy(root)), root / "s.duckdb"
    proc, peak = measured(["ingest", str(data), "--db", str(db)], root / "peak")
    return proc, peak, data, db


def query(db: Path, sql: str) -> list[tuple]:
    con = store.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def good_files(data: Path) -> set[str]:
    """The paths (as the store keeps them) of every workbook and published table of ``data`` but the far cell's."""
    files = [*data.glob("[0-9]*/tahap-*/*.xlsx"), *data.glob("published/*.csv")]
    return {p.resolve().as_posix() for p in files if p.stem != FAR}


def test_an_ingest_with_the_far_cell_exits_1(far_ingest):
    proc, _, _, _ = far_ingest
    assert proc.returncode == 1, proc.stderr


def test_an_ingest_with_the_far_cell_loads_every_other_file(far_ingest):
    _, _, data, db = far_ingest
    assert {path for (path,) in query(db, "SELECT path FROM files")} == good_files(data)


def test_an_ingest_with_the_far_cell_stores_every_other_workbooks_evaluation(far_ingest):
    _, _, data, db = far_ingest
    sources = {path for (path,) in query(db, "SELECT source_file FROM evaluations WHERE source_file LIKE '%.xlsx'")}
    assert sources == {p for p in good_files(data) if p.endswith(".xlsx")}


def test_an_ingest_with_the_far_cell_stores_nothing_of_it(far_ingest):
    _, _, _, db = far_ingest
    evaluation = store.evaluation_id(FAR, 2024, 2, "workbook")
    assert query(db, f"SELECT count(*) FROM evaluations WHERE evaluation_id = '{evaluation}'") == [(0,)]


def test_an_ingest_with_the_far_cell_locates_it_in_indonesian(far_ingest):
    proc, _, _, _ = far_ingest
    assert f"[GALAT] 2024/tahap-2/{FAR}.xlsx\n    {FAR_MESSAGE}" in proc.stdout


def test_an_ingest_with_the_far_cell_stays_small_in_memory(far_ingest):
    _, peak, _, _ = far_ingest
    assert peak < PEAK_KB


# ------------------------------------------------------------------------------------------------ kill -9 of ingest


@pytest.mark.slow
def test_kill_9_of_ingest_leaves_no_process_behind(tmp_path):
    data = tmp_path / "data"
    synthesize(40, 2024, 2, 3, data, previous=False, workers=2)
    proc = subprocess.Popen(
        [CLI, "ingest", str(data), "--db", str(tmp_path / "s.duckdb")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children = descendants_once(proc, "spawn_main", 2)
    assert len(children) >= 3  # two workers and the resource tracker
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    assert alive(children) == []


# ------------------------------------------------------------------------------------------------ national


TABLE = "national-2023-tahap-2.csv › "

#: case -> (the file's bytes, a located fragment of what ``national`` says)
PUBLISHED = {
    "nan": (
        HEADER + MALANG.replace("3.41", "NaN"),
        TABLE + "baris 2, kolom (outcome): bukan angka — nilai: 'NaN'",
    ),
    "infinity": (
        HEADER + MALANG.replace("2.94", "Infinity"),
        TABLE + "baris 2, kolom (nilai_final): bukan angka — nilai: 'Infinity'",
    ),
    "improvement": (
        HEADER + MALANG.replace("0.44", "123.456"),
        TABLE
        + "baris 2, kolom (improvement): skor di luar rentang — nilai: '123.456'; seharusnya: angka antara -4 dan 4",
    ),
    "short-row": (
        HEADER + MALANG + "2,Kota Padang Panjang,REGULER,3.2,2.1\n",
        TABLE + "baris 3: jumlah kolom baris ini tidak sama dengan baris judul",
    ),
    "unclosed-quote": (
        HEADER + MALANG + '2,"Kota Padang Panjang,REGULER,3.2,2.1,2.5,2.4,2.0,,2.41,-0.39\n',
        TABLE + "baris 3: tanda kutip dibuka tetapi tidak pernah ditutup",
    ),
    "latin-1": (
        (HEADER + MALANG + PADANG.replace("Kota Padang Panjang", "Kota Padang Panjang é")).encode("latin-1"),
        TABLE + "baris 3: berkas bukan teks UTF-8 (byte tidak dikenal di baris ini) — nilai: '0xE9'",
    ),
}


@pytest.mark.parametrize(("content", "fragment"), list(PUBLISHED.values()), ids=list(PUBLISHED))
def test_national_refuses_a_bad_published_table_with_a_located_message(tmp_path, capsys, content, fragment):
    path, out = tmp_path / "national-2023-tahap-2.csv", tmp_path / "out.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    code = main(["national", "--year", "2023", str(path), "-o", str(out)])
    assert code == 1
    assert f"GALAT: {fragment}" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------------------------------------ validate


def password_protected(path: Path) -> None:
    path.write_bytes(OLE_MAGIC + b"\0" * 504)


BOOK = "GALAT: kota-padang-panjang.xlsx"

#: case -> (what is done to a filled workbook, a located fragment of what ``validate`` says)
WORKBOOKS = {
    "formula-score": (
        lambda path: edit(path, lambda wb: wb["Skor"].cell(row=2, column=7, value="=4")),
        BOOK + " › Skor › baris 2, kolom G (A2): rumus di sel skor; nilai yang tampil tidak dipakai — nilai: '=4'",
    ),
    "date-score": (
        lambda path: edit(path, lambda wb: wb["Skor"].cell(row=2, column=6, value=dt.date(1900, 1, 3))),
        BOOK + " › Skor › baris 2, kolom F (A1): skor bukan bilangan bulat — nilai: '1900-01-03'",
    ),
    "password": (password_protected, BOOK + ": berkas tidak dapat dibaca (workbook dilindungi kata sandi"),
    "renamed-column": (
        lambda path: edit(path, lambda wb: wb["Asesor"].cell(row=1, column=1, value="Kode asesor")),
        BOOK + " › Asesor › baris 1, kolom (Kode): kolom tidak ada di baris judul",
    ),
}


@pytest.fixture
def workbook(tmp_path) -> Path:
    return make_filled(tmp_path / "2024" / "tahap-2" / "kota-padang-panjang.xlsx", year=2024)


@pytest.mark.parametrize(("spoil", "fragment"), list(WORKBOOKS.values()), ids=list(WORKBOOKS))
def test_validate_refuses_a_bad_workbook_with_a_located_message(workbook, capsys, spoil, fragment):
    spoil(workbook)
    code = main(["validate", str(workbook)])
    assert code == 1
    assert fragment in capsys.readouterr().out


def test_validate_gives_one_error_for_a_renamed_column(workbook, capsys):
    spoil, _ = WORKBOOKS["renamed-column"]
    spoil(workbook)
    main(["validate", str(workbook)])
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("GALAT")] == [
        BOOK + " › Asesor › baris 1, kolom (Kode): kolom tidak ada di baris judul; seharusnya: Kode, Nama, Afiliasi"
    ]
