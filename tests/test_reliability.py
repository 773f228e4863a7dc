"""Batches and processes under stress: a held output folder, two runs at once, Ctrl-C, ``kill -9``, a region that
turns invalid, and formula text in the CSVs the tool writes."""

from __future__ import annotations

import concurrent.futures as cf
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batch_support import edit, make_filled, spec, write_workbooks
from processes import alive, descendants_once
from smartcity_eval.batch import execute as execute_mod
from smartcity_eval.batch import guard, runner
from smartcity_eval.batch.guard import BatchBusy, folder_lock
from smartcity_eval.cli import main
from smartcity_eval.common.tables import neutralise
from smartcity_eval.results import cohort

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).with_name("smartcity-eval"))]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return write_workbooks(tmp_path / "data")


def run_args(data_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "--year", "2024", "--stage", "2", "--data", str(data_dir), "--output", str(out), *extra]


def folder_of(out: Path) -> Path:
    return out / "2024" / "tahap-2"


def summary_of(out: Path) -> dict:
    return json.loads((folder_of(out) / "run-summary.json").read_text(encoding="utf-8"))


class Interrupted(cf.ThreadPoolExecutor):
    """Workers that check workbooks; asking for a notebook is where the user presses Ctrl-C (or ``error`` raises)."""

    error: BaseException = KeyboardInterrupt()

    def submit(self, fn, /, *args, **kwargs):
        if fn is execute_mod.execute:
            raise self.error
        return super().submit(fn, *args, **kwargs)


class Aborted(Interrupted):
    error = RuntimeError("disk on fire")


# ------------------------------------------------------------------------------------------------ the lock


def test_a_held_folder_is_refused_naming_its_holder(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(guard, "LOCK_WAIT_S", 0.3)
    out = tmp_path / "out"
    folder_of(out).mkdir(parents=True)
    with folder_lock(folder_of(out)):
        code = main(run_args(data_dir, out))
    err = capsys.readouterr().err
    assert code == 1
    assert f"sedang dipakai batch lain (pid {os.getpid()} di " in err


def test_a_refused_batch_writes_nothing(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "LOCK_WAIT_S", 0.3)
    out = tmp_path / "out"
    folder_of(out).mkdir(parents=True)
    with folder_lock(folder_of(out)):
        main(run_args(data_dir, out))
    assert sorted(p.name for p in folder_of(out).iterdir()) == [".lock"]


def test_the_refusal_is_in_english_on_request(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    with folder_lock(folder), pytest.raises(BatchBusy) as exc, folder_lock(folder, wait=0.2):
        pass
    assert "is in use by another batch" in exc.value.message("en")


def test_the_lock_is_free_again_after_a_batch(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    with folder_lock(folder) as first:
        pass
    with folder_lock(folder, wait=0) as second:
        assert second != first


def test_the_lock_file_names_pid_host_and_start(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    with folder_lock(folder):
        named = guard.holder(folder / ".lock")
    assert named["pid"] == str(os.getpid())
    assert named["started"][:4].isdigit()


# ------------------------------------------------------------------------------------------------ how a batch ends


def test_ctrl_c_still_writes_the_summary_saying_cancelled(data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        runner.run(spec(data_dir, out, formats=("html",)), progress=False, executor_factory=Interrupted)
    summary = summary_of(out)
    assert summary["ended"] == "dibatalkan"
    assert summary["unfinished"] == ["kota-padang-panjang", "kota-pariaman", "kota-payakumbuh"]
    assert summary["exit_code"] == 130
    assert capsys.readouterr().err.strip().splitlines() == [
        f"Dibatalkan (Ctrl-C); laporan yang sudah selesai tersimpan, ringkasan di {folder_of(out)}/run-summary.json"
    ]


def test_an_abort_replaces_the_last_summary(data_dir, tmp_path):
    out = tmp_path / "out"
    folder_of(out).mkdir(parents=True)
    (folder_of(out) / "run-summary.json").write_text('{"ended": "selesai", "old": true}', encoding="utf-8")
    with pytest.raises(RuntimeError):
        runner.run(spec(data_dir, out, formats=("html",)), progress=False, executor_factory=Aborted)
    summary = summary_of(out)
    assert (summary["ended"], summary["error"]) == ("gagal", "RuntimeError: disk on fire")
    assert "old" not in summary


def test_a_cut_short_batch_leaves_no_staging(data_dir, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        runner.run(spec(data_dir, out, formats=("html",)), progress=False, executor_factory=Interrupted)
    assert not (folder_of(out) / ".staging").exists()


def test_a_batch_leaves_another_batchs_staging_alone(data_dir, tmp_path):
    out = tmp_path / "out"
    other = folder_of(out) / ".staging" / "another-batch" / "kota-batam-1234"
    other.mkdir(parents=True)
    with pytest.raises(KeyboardInterrupt):
        runner.run(spec(data_dir, out, formats=("html",)), progress=False, executor_factory=Interrupted)
    assert sorted(p.name for p in (folder_of(out) / ".staging").iterdir()) == ["another-batch"]


# ------------------------------------------------------------------------------------------------ stale reports


def good_report(folder: Path, slug: str) -> None:
    """A report of ``slug`` as a good batch left it."""
    (folder / slug).mkdir(parents=True)
    (folder / slug / "report.html").write_text("<p>lama</p>", encoding="utf-8")
    (folder / slug / "manifest.json").write_text(json.dumps({"region": slug, "status": "ok"}), encoding="utf-8")


def test_a_region_that_turns_invalid_keeps_its_report_marked_stale(data_dir, tmp_path):
    out = tmp_path / "out"
    good_report(folder_of(out), "kota-pariaman")
    edit(data_dir / "2024" / "tahap-2" / "kota-pariaman.xlsx", lambda wb: wb["Skor"].cell(12, 7, 7))
    one = spec(data_dir, out, regions=["kota-pariaman"], formats=("html",))
    batch = runner.run(one, progress=False, executor_factory=cf.ThreadPoolExecutor)
    manifest = json.loads((folder_of(out) / "kota-pariaman" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "stale"
    assert "Skor › baris 12, kolom G" in manifest["stale_reason"]
    assert (folder_of(out) / "kota-pariaman" / "report.html").read_text(encoding="utf-8") == "<p>lama</p>"
    assert summary_of(out)["stale"] == ["kota-pariaman"]
    assert "laporan lama tidak berlaku lagi" in runner.summary_table(batch)


def test_a_region_without_a_report_is_not_marked_stale(data_dir, tmp_path):
    out = tmp_path / "out"
    edit(data_dir / "2024" / "tahap-2" / "kota-pariaman.xlsx", lambda wb: wb["Skor"].cell(12, 7, 7))
    one = spec(data_dir, out, regions=["kota-pariaman"], formats=("html",))
    runner.run(one, progress=False, executor_factory=cf.ThreadPoolExecutor)
    assert summary_of(out)["stale"] == []


# ------------------------------------------------------------------------------------------------ formula text


FORMULA = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def formula_region(data_dir) -> Path:
    make_filled(
        data_dir / "2024" / "tahap-2" / "kota-solok.xlsx",
        year=2024,
        region=FORMULA,
        region_code="13.72",
        province="Sumatera Barat",
    )
    return data_dir


def csv_fields(root: Path) -> list[str]:
    """Every field of every CSV under ``root``."""
    return [f for path in root.rglob("*.csv") for row in csv.reader(path.open(encoding="utf-8")) for f in row]


def test_no_csv_the_batch_writes_holds_raw_formula_text(formula_region, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):  # the cohort is written when the batch is planned
        runner.run(spec(formula_region, out, formats=("html",)), progress=False, executor_factory=Interrupted)
    fields = csv_fields(out)
    assert "Kota Pariaman" in fields
    assert [f for f in fields if neutralise(f) != f] == []


@pytest.fixture
def formula_cohort(data_dir, tmp_path) -> Path:
    """A cohort whose first region is named by a formula, written as the batch writes it."""
    made = cohort.update_cohort(data_dir, 2024, 2)
    made.table.loc[0, "region"] = FORMULA
    path = tmp_path / "cohort.csv"
    cohort.write_cohort(made, path)
    return path


def test_the_cohort_writes_a_formula_name_neutralised(formula_cohort):
    assert "'" + FORMULA in csv_fields(formula_cohort.parent)


def test_the_cohort_writes_no_field_a_spreadsheet_would_run(formula_cohort):
    assert [f for f in csv_fields(formula_cohort.parent) if neutralise(f) != f] == []


def test_the_cohort_reads_back_the_name_as_written(formula_cohort):
    assert FORMULA in set(cohort.read_cohort(formula_cohort)["region"])


def test_the_cohort_reuses_the_row_with_the_name_as_written(formula_cohort):
    rows = cohort.known_rows(formula_cohort)
    assert FORMULA in {row["region"] for _, row in rows.values() if row is not None}


def test_escaping_round_trips_text_that_starts_with_a_quote():
    for value in ["'=1", "''", "=1", "+62 811", "@x", "Kota Batam", "-0.5", "-"]:
        assert cohort.unescape_text(cohort.escape_text(value)) == value


# ------------------------------------------------------------------------------------------------ real processes


def sample_copy(tmp_path: Path) -> Path:
    """A copy of the sample data's 2024 Tahap II (several regions) with the files they refer to."""
    data = tmp_path / "data"
    subprocess.run(["cp", "-r", str(ROOT / "data" / "sample"), str(data)], check=True)
    return data


def start_run(data: Path, out: Path, *extra: str) -> subprocess.Popen:
    args = [*CLI, *run_args(data, out, "--formats", "html", "--no-progress", *extra)]
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


@pytest.mark.slow
def test_kill_9_of_run_leaves_no_process_behind(tmp_path):
    proc = start_run(sample_copy(tmp_path), tmp_path / "out", "--workers", "2")
    children = descendants_once(proc, "zygote_main", 4, interval=0.1)
    assert len(children) >= 4  # workers, zygotes, kernels, the resource tracker
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    assert alive(children) == []


@pytest.mark.slow
def test_ctrl_c_stops_within_two_seconds_with_one_line(tmp_path):
    out = tmp_path / "out"
    proc = start_run(sample_copy(tmp_path), out, "--workers", "2")
    children = descendants_once(proc, "zygote_main", 4, interval=0.1)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 2.0
    assert proc.returncode == 130
    assert err.strip().splitlines() == [
        f"Dibatalkan (Ctrl-C); laporan yang sudah selesai tersimpan, ringkasan di {folder_of(out)}/run-summary.json"
    ]
    time.sleep(3)
    assert alive(children) == []
    assert summary_of(out)["ended"] == "dibatalkan"


@pytest.mark.slow
def test_two_runs_at_once_on_one_folder_both_end_clearly(tmp_path):
    data, out = write_workbooks(tmp_path / "data"), tmp_path / "out"
    runs = [start_run(data, out, "--workers", "1") for _ in range(2)]
    results = sorted((p.wait(timeout=120), p.stderr.read()) for p in runs)
    assert [code for code, _ in results] == [0, 1]
    assert "sedang dipakai batch lain" in results[1][1]
    summary = summary_of(out)
    assert [(r["region"], r["status"]) for r in summary["regions"]] == [
        ("kota-padang-panjang", "ok"),
        ("kota-pariaman", "ok"),
        ("kota-payakumbuh", "ok"),
    ]
    for region in summary["regions"]:
        manifest = json.loads((Path(region["folder"]) / "manifest.json").read_text(encoding="utf-8"))
        assert sorted(p.name for p in Path(region["folder"]).iterdir()) == [
            "manifest.json",
            "report.html",
            "scores.json",
        ]
        assert manifest["status"] == "ok"
    assert not (folder_of(out) / ".staging").exists()
