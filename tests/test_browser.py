"""The analysts' workspace in a real browser: explore.ipynb in JupyterLab, and the same notebook as the Voilà dashboard.

One JupyterLab and one Voilà server, each on a free port with a token, on a temporary copy of the data, the notebook
and a store of their own; each is stopped with every process it started (kernels too) when its tests are done.
Chromium is driven by Playwright (sync API).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ROOT, SAMPLE
from smartcity_eval.reports.report import CHROMIUM_ARGS, find_browser
from smartcity_eval.results import store

pytestmark = pytest.mark.slow

TOKEN = "smartcity-test-token"
BIN = Path(sys.executable).parent
PICKED = "Kota Padang Panjang"
PICKED_LINE = "Kota Padang Panjang — Sumatera Barat (13.74)"


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_processes(session: int) -> list[int]:
    """Every live process of a session (the server, its kernels, their workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def wait_until_up(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url, timeout=5) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server did not come up: {server.log.read_text()[-2000:]}")


def stop(server: Server) -> None:
    """Stop the server's whole session (kernels included) and check that nothing of it is left."""
    session = server.process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not session_processes(session):
            break
        os.killpg(session, sig)
        deadline = time.monotonic() + 20
        while session_processes(session) and time.monotonic() < deadline:
            time.sleep(0.2)
    server.process.wait(timeout=10)
    assert session_processes(session) == []


def start(command: list[str], url: str, cwd: Path, log: Path, env: dict[str, str]) -> Server:
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, url, log)
    try:
        wait_until_up(server)
    except BaseException:
        stop(server)
        raise
    return server


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    """A copy of the repository's layout: notebooks/explore.ipynb, data/sample, outputs/ with a store."""
    root = tmp_path_factory.mktemp("workspace")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root / "notebooks")
    shutil.copytree(SAMPLE, root / "data" / "sample")
    assert store.ingest(root / "data" / "sample", root / "outputs" / "smartcity.duckdb").ok
    return root


@pytest.fixture(scope="module")
def env(place) -> dict[str, str]:
    folders = {k: place / "jupyter" / k.lower() for k in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **{k: str(v) for k, v in folders.items()}, "JUPYTER_PLATFORM_DIRS": "1"}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_browser(), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab(place, env) -> Iterator[Server]:
    port = free_port()
    command = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    command += [f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={place / 'notebooks'}"]
    command += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    server = start(command, f"http://127.0.0.1:{port}/api/status?token={TOKEN}", place, place / "lab.log", env)
    server.url = f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={TOKEN}"
    yield server
    stop(server)


@pytest.fixture(scope="module")
def dashboard(place, env) -> Iterator[Server]:
    port = free_port()
    command = [str(BIN / "smartcity-eval"), "dashboard", "--no-browser", f"--port={port}", f"--token={TOKEN}"]
    command += ["--db", str(place / "outputs" / "smartcity.duckdb"), "--data", str(place / "data" / "sample")]
    url = f"http://127.0.0.1:{port}/?token={TOKEN}"
    server = start(command, f"http://127.0.0.1:{port}/voila/static/voila.js", place, place / "voila.log", env)
    server.url = url
    yield server
    stop(server)


def external_requests(page) -> list[str]:
    """Collect every request the page makes to anywhere but this computer."""
    found: list[str] = []
    page.on("request", lambda r: found.append(r.url) if r.url.startswith("http") and "127.0.0.1" not in r.url else 0)
    return found


def pick_region_and_check(page) -> None:
    """Pick Kota Padang Panjang: its trajectory appears as an image and its rows replace Kab. Malang's.

    Texts are read once the view is scrolled into sight: JupyterLab does not lay out cells out of sight.
    """
    history = page.locator(".explore-history")
    history.scroll_into_view_if_needed()
    before = history.locator("tbody").first.inner_text()
    page.locator(".explore-pickers select").nth(4).select_option(label=PICKED)
    page.wait_for_function(
        f"() => (document.querySelector('.explore-history')?.textContent || '').includes('{PICKED_LINE}')",
        timeout=60_000,
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.explore-history img').length === 1"
        " && (document.querySelector('.explore-history tbody')?.textContent || '').includes('2,41')",
        timeout=60_000,
    )
    history.scroll_into_view_if_needed()
    after = history.locator("tbody").first.inner_text()
    image = history.locator("img")
    assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn, not a broken image
    assert "Nilai Final per tahun dan tahap: 2022 Tahap II 2,80, 2023 Tahap II 2,41" in image.get_attribute("alt")
    assert "<Figure" not in history.inner_text()
    assert after != before
    assert "2023\tTahap II\tREGULER\tlembar kerja\tpeserta\t3,20\t2,11\t2,59\t2,61\t1,83\t-\t2,41\t-0,39" in after
    assert "Riwayat daerah" in history.inner_text()


def kernel_ready(page) -> None:
    """Wait until the notebook's kernel is idle, accepting JupyterLab's "Select Kernel" dialog if it asks."""
    page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and not page.locator(".jp-Dialog").count():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the notebook's kernel did not start")


def run_all(page) -> None:
    """Run > Run All Cells, then wait until every cell is queued (``[*]``) and then until none is any more.

    A click that JupyterLab swallowed (a menu still opening, a dialog) is tried again, up to three times.
    """
    pending = (
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(e => e.textContent.includes('*'))"
    )
    for attempt in range(3):
        page.keyboard.press("Escape")
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
        try:
            page.wait_for_function(pending, timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.wait_for_function(f"() => !({pending})()", timeout=180_000)


def test_explore_in_jupyterlab(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = external_requests(page)
    page.goto(lab.url)
    kernel_ready(page)
    run_all(page)
    page.wait_for_selector(".explore-history img", timeout=60_000)
    pick_region_and_check(page)
    for _ in range(2):  # every cell re-run, twice: nothing raises
        run_all(page)
    page.wait_for_selector(".explore-history img", timeout=60_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.locator(".explore-pickers select").count() == 5
    assert outside == []
    page.close()


def test_the_dashboard_shows_no_code(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = external_requests(page)
    page.goto(dashboard.url, wait_until="commit")
    page.wait_for_selector(".explore-history img", timeout=180_000)
    pick_region_and_check(page)
    body = page.locator("body").inner_text()
    assert page.locator(".jp-CodeCell .jp-InputArea, .cm-editor, .jp-InputPrompt").count() == 0
    assert "explore.open_workspace" not in body
    assert "ws.national_table()" not in body
    assert "Tabel nasional" in body
    assert "Traceback" not in body
    assert alignments(page) == ["right", "left", "left", "left", "right"]
    assert outside == []
    page.close()


def alignments(page) -> list[str]:
    """How the first five cells of the national table's first row are aligned: No, region, province, category, score."""
    cells = page.locator("table.dataTable").first.locator("tbody tr").first.locator("td")
    return [cells.nth(i).evaluate("td => getComputedStyle(td).textAlign") for i in range(5)]
