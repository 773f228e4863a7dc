"""The batch runner and run files: real papermill executions on small workbooks."""

from __future__ import annotations

import concurrent.futures as cf
import json
import pickle
from pathlib import Path

import nbformat
import pytest

from batch_support import REGIONS, edit, make_filled, spec, write_workbooks
from processes import kernel_pids
from smartcity_eval.batch import execute as execute_mod
from smartcity_eval.batch import kernels, runner
from smartcity_eval.batch import params as params_mod
from smartcity_eval.batch.params import ParamsError, build_spec, load_run_file
from smartcity_eval.batch.records import CheckedRegion, Outcome, RegionJob, Task
from smartcity_eval.batch.report_kernel import REPORT_KERNEL
from smartcity_eval.cli import main
from smartcity_eval.results import cohort


@pytest.fixture
def data_dir(tmp_path) -> Path:
    root = write_workbooks(tmp_path / "data")
    path = root / "2024" / "tahap-2" / "kota-padang-panjang.xlsx"
    edit(path, lambda wb: wb["Temuan"].append(["A1", "Kelemahan", "<script>alert('x')</script> belum ada SOP"]))
    return root


def test_unknown_parameter_fails_before_any_kernel(tmp_path, monkeypatch, capsys):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("a kernel was started"))
    run_file = tmp_path / "bad.yaml"
    run_file.write_text("year: 2023\nstage: 2\nregions: all\ncolour: merah\nlang: 3\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_run_file(run_file)
    text = exc.value.message("en")
    assert "unknown parameter 'colour'" in text
    assert "parameter 'lang' is 3; expected str" in text
    assert main(["run", str(run_file)]) == 1
    assert "colour" in capsys.readouterr().err


def test_run_file_missing_and_runner_set_parameters():
    with pytest.raises(ParamsError) as exc:
        build_spec({"year": 2024, "region": "kab-malang", "formats": ["docx"]}, "x.yaml")
    text = exc.value.message("en")
    assert "missing parameter 'stage'" in text
    assert "'region' is set by the runner" in text
    assert "'formats'" in text


def test_run_file_problems_are_indonesian_by_default(tmp_path):
    run_file = tmp_path / "bad.yaml"
    run_file.write_text("year: 2023\nstage: 2\nwarna: merah\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_run_file(run_file)
    assert "parameter 'warna' tidak dikenal" in str(exc.value)


def test_a_missing_data_folder_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["run", "--year", "2024", "--stage", "2", "--data", str(tmp_path / "tidak-ada"), "--output", str(out)]
    assert main(args) == 1
    assert f"folder data {tmp_path / 'tidak-ada'} tidak ada" in capsys.readouterr().err


def test_a_missing_data_folder_writes_nothing(tmp_path):
    out = tmp_path / "out"
    main(["run", "--year", "2024", "--stage", "2", "--data", str(tmp_path / "tidak-ada"), "--output", str(out)])
    assert not out.exists()


def test_a_year_without_a_method_is_blamed_on_the_method(tmp_path, capsys):
    args = ["run", "--year", "1999", "--stage", "2", "--data", str(tmp_path), "--output", str(tmp_path / "out")]
    assert main(args) == 1
    assert "tidak ada berkas metode untuk tahun 1999" in capsys.readouterr().err


def test_a_stage_without_workbooks_is_refused(tmp_path, capsys):
    (tmp_path / "2024" / "tahap-2").mkdir(parents=True)
    assert (
        main(["run", "--year", "2024", "--stage", "2", "--data", str(tmp_path), "--output", str(tmp_path / "o")]) == 1
    )
    assert "tidak ada lembar kerja di" in capsys.readouterr().err


def test_shipped_run_files_are_valid():
    for path in Path(params_mod.ROOT, "params").glob("*.yaml"):
        assert load_run_file(path).year in (2023, 2024)


def test_records_between_processes_pickle(tmp_path):
    records = [
        RegionJob(tmp_path, 2024, 2, "kota-padang-panjang", "auto", "id", tmp_path / "inputs.pickle"),
        CheckedRegion("kota-padang-panjang", inputs={"a.xlsx": "0" * 64, "b.xlsx": None}, inputs_written=True),
        Task("x", tmp_path / "nb.ipynb", {"lang": "id"}, tmp_path / "s", ("html",), "x", preload=REPORT_KERNEL),
        Outcome("boom", "worker", 1, traceback="Traceback ...", html=tmp_path / "report.html"),
    ]
    for record in records:
        assert pickle.loads(pickle.dumps(record)) == record


@pytest.mark.slow
def test_batch_with_one_broken_workbook(data_dir, tmp_path):
    broken = data_dir / "2024" / "tahap-2" / "kota-pariaman.xlsx"
    edit(broken, lambda wb: wb["Skor"].cell(12, 7, 7))
    out = tmp_path / "out"
    batch = runner.run(spec(data_dir, out, formats=("ipynb", "html")), progress=False)
    assert batch.exit_code == 1
    status = {r.region: r.status for r in batch.results}
    assert status == {"kota-padang-panjang": "ok", "kota-payakumbuh": "ok", "kota-pariaman": "invalid"}
    summary = json.loads((out / "2024" / "tahap-2" / "run-summary.json").read_text(encoding="utf-8"))
    bad = next(r for r in summary["regions"] if r["region"] == "kota-pariaman")
    assert "Skor › baris 12, kolom G (A2)" in bad["error"]
    assert "7" in bad["error"]
    assert "kota-pariaman" in runner.summary_table(batch)
    assert not (out / "2024" / "tahap-2" / "kota-pariaman").exists()
    assert "ASUMSI" in summary["notes"][1]  # the 2024 KPPN&IKN weights are assumed: the summary says so
    assert "* Bobot kategori REGULER tahun 2024" in runner.summary_table(batch)

    region = out / "2024" / "tahap-2" / "kota-padang-panjang"
    html = (region / "report.html").read_text(encoding="utf-8")
    assert "<li>&lt;script&gt;alert('x')&lt;/script&gt; belum ada SOP</li>" in html
    assert "<script>alert" not in html
    assert "rr.prepare" not in html
    assert "import " not in html
    assert "In&nbsp;[" not in html
    manifest = json.loads((region / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert manifest["software_version"]
    assert any(k.endswith("kota-padang-panjang.xlsx") and len(v) == 64 for k, v in manifest["inputs"].items())
    scores = json.loads((region / "scores.json").read_text(encoding="utf-8"))
    assert scores["nilai_final"] == 3.0
    assert scores["rank_national"] == 1

    # unchanged inputs: skipped; --force renders again
    again = runner.run(spec(data_dir, out, formats=("ipynb", "html")), progress=False)
    assert {r.region: r.status for r in again.results}["kota-padang-panjang"] == "skipped"
    forced = runner.run(
        spec(data_dir, out, formats=("ipynb", "html"), force=True, regions=["kota-payakumbuh"]), progress=False
    )
    assert [r.status for r in forced.results] == ["ok"]
    assert forced.exit_code == 0


@pytest.mark.slow
def test_notebook_error_leaves_no_half_written_report(data_dir, tmp_path, monkeypatch):
    nb = nbformat.read(params_mod.notebook_path("region_report"), as_version=4)
    nb.cells.insert(6, nbformat.v4.new_code_cell('if region == "kota-payakumbuh":\n    raise RuntimeError("boom")'))
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    nbformat.write(nb, nb_dir / "region_report.ipynb")
    monkeypatch.setenv("SMARTCITY_EVAL_NOTEBOOKS", str(nb_dir))
    out = tmp_path / "out"
    batch = runner.run(
        spec(data_dir, out, formats=("html",), regions=["kota-payakumbuh", "kota-pariaman"]), progress=False
    )
    status = {r.region: (r.status, r.error) for r in batch.results}
    assert status["kota-payakumbuh"] == ("failed", "RuntimeError: boom")
    assert status["kota-pariaman"][0] == "ok"
    assert batch.exit_code == 1
    folder = out / "2024" / "tahap-2"
    assert not (folder / "kota-payakumbuh").exists()
    assert (folder / "_errors" / "kota-payakumbuh.ipynb").exists()
    assert [
        r["attempts"]
        for r in json.loads((folder / "run-summary.json").read_text())["regions"]
        if r["region"] == "kota-payakumbuh"
    ] == [1]  # an error in the notebook's code is not retried
    assert not (folder / ".staging").exists()


@pytest.mark.slow
def test_dead_kernel_is_retried_once(tmp_path, monkeypatch):
    import papermill
    from nbclient.exceptions import DeadKernelError

    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise DeadKernelError("Kernel died")
        nbformat.write(nbformat.v4.new_notebook(), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    task = Task("x", Path("nb.ipynb"), {"lang": "id"}, tmp_path / "s", ("ipynb",), "x")
    result = execute_mod.execute(task)
    assert result.error == ""
    assert result.attempts == 2
    assert len(calls) == 2


@pytest.mark.slow
def test_region_slug_cannot_escape_the_output_folder(data_dir, tmp_path):
    batch = runner.run(spec(data_dir, tmp_path / "out", regions=["../../etc"], formats=("html",)), progress=False)
    assert [r.status for r in batch.results] == ["invalid"]
    assert "slug" in batch.results[0].error


def _crash(*_args):
    raise MemoryError("the worker ran out of memory")


class CrashingWorkers(cf.ThreadPoolExecutor):
    """Workers that check workbooks, but crash outright instead of executing a notebook."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(_crash if fn is execute_mod.execute else fn, *args, **kwargs)


@pytest.mark.slow
def test_a_worker_that_crashes_leaves_its_traceback(data_dir, tmp_path):
    out = tmp_path / "out"
    one = spec(data_dir, out, regions=["kota-payakumbuh"], formats=("html",))
    batch = runner.run(one, progress=False, executor_factory=CrashingWorkers)
    assert [r.status for r in batch.results] == ["failed"]
    assert batch.results[0].error == "MemoryError: the worker ran out of memory"
    folder = out / "2024" / "tahap-2"
    manifest = json.loads((folder / "_errors" / "kota-payakumbuh.json").read_text(encoding="utf-8"))
    assert "MemoryError: the worker ran out of memory" in manifest["traceback"]
    assert "in _crash" in manifest["traceback"]
    summary = json.loads((folder / "run-summary.json").read_text(encoding="utf-8"))
    assert "MemoryError" in summary["regions"][0]["traceback"]
    assert not (folder / "kota-payakumbuh").exists()
    assert not (folder / ".staging").exists()


@pytest.mark.slow
def test_an_edited_earlier_year_renders_the_report_again(data_dir, tmp_path):
    """The trajectory reads every earlier workbook: editing one, even two years back, makes the report stale."""
    name, code, province, scores = REGIONS["kota-padang-panjang"]
    earlier = {}
    for year in (2022, 2023):
        earlier[year] = make_filled(
            data_dir / str(year) / "tahap-2" / "kota-padang-panjang.xlsx",
            year=year,
            region=name,
            region_code=code,
            province=province,
            scores=scores,
        )
    out = tmp_path / "out"
    one = spec(data_dir, out, formats=("ipynb", "html"), regions=["kota-padang-panjang"])
    assert [r.status for r in runner.run(one, progress=False).results] == ["ok"]
    assert [r.status for r in runner.run(one, progress=False).results] == ["skipped"]
    edit(earlier[2022], lambda wb: wb["Skor"].cell(2, 6, 1))
    assert [r.status for r in runner.run(one, progress=False).results] == ["ok"]
    html = (out / "2024" / "tahap-2" / "kota-padang-panjang" / "report.html").read_text(encoding="utf-8")
    assert "2022/tahap-2/kota-padang-panjang.xlsx" in html


@pytest.mark.slow
def test_one_region_starts_no_worker_process_and_no_zygote(data_dir, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("machinery a one-region run does not need")

    monkeypatch.setattr(runner.cf, "ProcessPoolExecutor", refuse)
    monkeypatch.setattr(kernels, "Zygote", refuse)
    one = spec(data_dir, tmp_path / "out", regions=["kota-payakumbuh"], formats=("ipynb", "html"))
    assert [r.status for r in runner.run(one, progress=False).results] == ["ok"]


@pytest.mark.slow
def test_one_region_after_a_batch_scores_no_other_workbook(data_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    runner.run(spec(data_dir, out, formats=("html",)), progress=False)
    edit(data_dir / "2024" / "tahap-2" / "kota-pariaman.xlsx", lambda wb: wb["Skor"].cell(2, 6, 4))
    scored = []
    monkeypatch.setattr(cohort, "_scored", lambda path, *_args: scored.append(path.stem))
    one = spec(data_dir, out, regions=["kota-pariaman"], formats=("html",))
    assert [r.status for r in runner.run(one, progress=False).results] == ["ok"]
    assert scored == []


@pytest.mark.slow
def test_a_one_region_run_of_an_invalid_workbook_leaves_no_kernel(data_dir, tmp_path):
    edit(data_dir / "2024" / "tahap-2" / "kota-pariaman.xlsx", lambda wb: wb["Skor"].cell(12, 7, 7))
    args = ["run", "--year", "2024", "--stage", "2", "--region", "kota-pariaman", "--formats", "html"]
    before = kernel_pids()  # other tests' pools keep kernels ahead in this process
    assert main([*args, "--data", str(data_dir), "--output", str(tmp_path / "out"), "--no-progress"]) == 1
    assert kernel_pids() - before == set()
