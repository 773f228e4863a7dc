"""The warm report server: one-region runs through it give what a run in its own process gives, and it leaves nothing
behind. Each test here has a server folder of its own (``SMARTCITY_EVAL_SERVER_DIR``) and stops its server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from batch_support import edit, write_workbooks
from processes import alive
from smartcity_eval.batch import client

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).with_name("smartcity-eval"))]
REGION = "kota-pariaman"
STARTED = "Server laporan dimulai"


class Caller:
    """Runs ``smartcity-eval`` as the user would, with the server on and its folder in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, client.ENV_SWITCH: "1", client.DIR_ENV: str(folder)}

    def __call__(self, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], env=self.env, cwd=cwd, capture_output=True, text=True, timeout=300)

    def run(self, data: Path, out: Path, *extra: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        args = ["run", "--year", "2024", "--stage", "2", "--region", REGION, "--data", str(data), "--output", str(out)]
        return self(*args, "--force", "--no-progress", *extra, cwd=cwd)

    def server(self) -> psutil.Process:
        """The running server's process (from its status)."""
        status = self("server", "status").stdout
        return psutil.Process(int(status.split("pid ")[1].split(",")[0]))


def scores(out: Path) -> dict:
    return json.loads((out / "2024" / "tahap-2" / REGION / "scores.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two runs of one region through a server (the first starts it), one in its own process, and the server."""
    root = tmp_path_factory.mktemp("served")
    data = write_workbooks(root / "data")
    call = Caller(root / "servers")
    first, second = call.run(data, root / "out"), call.run(data, root / "out")
    local = call.run(data, root / "local", "--no-server")
    yield call, root, first, second, local
    call("server", "stop")


@pytest.mark.slow
def test_the_first_run_starts_the_server_and_says_so(served):
    _, _, first, _, _ = served
    assert STARTED in first.stderr


@pytest.mark.slow
def test_the_second_run_is_served_by_it_without_a_word(served):
    call, _, _, second, _ = served
    assert (second.returncode, STARTED in second.stderr) == (0, False)


@pytest.mark.slow
def test_the_server_counts_both_runs(served):
    call, _, _, _, _ = served
    assert "2 laporan" in call("server", "status").stdout


@pytest.mark.slow
def test_a_served_report_has_the_scores_of_one_rendered_in_its_own_process(served):
    _, root, _, _, _ = served
    assert scores(root / "out") == scores(root / "local")


@pytest.mark.slow
def test_a_served_report_is_printed(served):
    _, root, _, _, _ = served
    assert (root / "out" / "2024" / "tahap-2" / REGION / "report.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow
def test_a_served_run_prints_the_summary_table_of_its_own_process(served):
    _, _, _, second, local = served
    assert second.stdout.splitlines()[-1] == local.stdout.splitlines()[-1].replace("/local/", "/out/")


@pytest.mark.slow
def test_relative_folders_are_read_from_the_callers_folder(served):
    call, root, _, _, _ = served
    call.run(Path("data"), Path("relative"), cwd=root)
    assert scores(root / "relative") == scores(root / "local")


@pytest.mark.slow
def test_a_served_invalid_workbook_gets_the_same_located_problem_and_exit_code(served, tmp_path):
    call, _, _, _, _ = served
    data = write_workbooks(tmp_path / "data", [REGION])
    edit(data / "2024" / "tahap-2" / f"{REGION}.xlsx", lambda wb: wb["Skor"].cell(12, 7, 7))
    there, here = call.run(data, tmp_path / "a"), call.run(data, tmp_path / "b", "--no-server")
    assert (there.returncode, there.stdout.replace("/a/", "/b/")) == (here.returncode, here.stdout)


@pytest.mark.slow
def test_stop_stops_the_server_its_kernels_and_browser(tmp_path):
    call = Caller(tmp_path / "servers")
    data = write_workbooks(tmp_path / "data", [REGION])
    call.run(data, tmp_path / "out")
    server = call.server()
    started = set(server.children(recursive=True))
    assert call("server", "stop").stdout.strip() == "1 server laporan dihentikan."
    psutil.wait_procs([server, *started], timeout=30)
    assert alive({server, *started}) == []


@pytest.mark.slow
def test_stop_removes_its_socket(tmp_path):
    call = Caller(tmp_path / "servers")
    call.run(write_workbooks(tmp_path / "data", [REGION]), tmp_path / "out")
    call("server", "stop")
    assert list((tmp_path / "servers").glob("*.sock")) == []


@pytest.mark.slow
def test_an_idle_server_stops_by_itself(tmp_path, monkeypatch):
    monkeypatch.setenv(client.DIR_ENV, str(tmp_path))
    key = client.server_key()
    proc = client.start(key, idle=1)
    assert proc.wait(timeout=120) == 0


def test_no_server_is_reported_when_none_runs(tmp_path):
    assert Caller(tmp_path)("server", "status").stdout.strip() == "Tidak ada server laporan yang berjalan."


def test_the_key_changes_with_the_projects_environment(monkeypatch):
    before = client.server_key()
    monkeypatch.setenv("SMARTCITY_EVAL_CHROMIUM", "/elsewhere/chromium")
    assert client.server_key() != before


def test_the_key_stays_for_the_same_code_and_environment():
    assert client.server_key() == client.server_key()


def test_a_server_that_answers_nonsense_leaves_the_run_to_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv(client.DIR_ENV, str(tmp_path))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(client.address()))
    listener.listen(1)

    def nonsense() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"not json\n")

    threading.Thread(target=nonsense, daemon=True).start()
    assert client.ask(["run", "--year", "2024"]) is None
    listener.close()


def test_the_servers_folder_is_the_users_alone(tmp_path, monkeypatch):
    monkeypatch.setenv(client.DIR_ENV, str(tmp_path / "servers"))
    assert client.server_dir().stat().st_mode & 0o777 == 0o700


def test_asking_imports_nothing_of_the_machinery():
    heavy = ("pandas", "papermill", "nbformat", "matplotlib", "playwright", "openpyxl")
    check = f"import sys, smartcity_eval.batch.client; print([m for m in {heavy!r} if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True).stdout.strip() == "[]"
