"""One region, side by side: ``smartcity-eval run --region`` against the plain route; then the live preview's time
from a saved workbook to the new figure in the open page.

Usage: .venv/bin/python benchmarks/bench_region.py [--runs 5] [--saves 5] [--region kota-padang-panjang]
       [--year 2024] [--stage 2] [--skip-preview]

On a copy of ``data/sample`` in a temporary folder, after one batch of the whole year (the assessor's case: the
batch ran, a score is fixed, that region is rendered again; the cohort comes from the batch's ``cohort.csv``):

* the plain route, as a user without this project's runner would render one region: the ``papermill`` CLI on
  ``notebooks/region_report.ipynb``, ``jupyter nbconvert --to html --no-input``, ``chromium --print-to-pdf``;
* ``smartcity-eval run --year Y --stage S --region SLUG --force``: handed to the warm report server (a server
  folder of the benchmark's own; the first run, which starts the server, is timed apart);
* the same with ``--no-server``: rendered in the command's own process.

Before every timed run the region's workbook is saved with a score changed (untimed), as the assessor would. Each
route runs once untimed (file cache, the server), then ``--runs`` times, interleaved, so that a busy machine slows
all alike. Prints the machine, its load and the date, each run's wall and CPU seconds (of the command's processes;
the server's own CPU is not among them: its CPU seconds per run are printed apart), the medians, the ratios, and
the served run's breakdown (planning, execution, HTML, PDF) from its run summary.

Then ``smartcity-eval preview`` serves the region on a free port; a headless Chromium opens the page, and the
workbook's scores are saved ``--saves`` times with openpyxl: each time, the seconds from the save to the new Nilai
Final in the page (the project's scoring says which figure to expect), and the server's own render time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import plain_way
from bench_startup import print_header

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
BIN = Path(sys.executable).parent
#: the limits of issue 13: one region in at most 4 s, at least 5x the plain route; a save shown within 1.5 s
RUN_LIMIT, RATIO_LIMIT, SAVE_LIMIT = 4.0, 5.0, 1.5
#: the summary's Nilai Final tile in the report
NILAI_FINAL = '.tile:has(.tile-label:text-is("Nilai Final")) .tile-value'
#: the sample workbook's OP-02 row in the Skor sheet; columns F-J hold the five assessors' scores
ROW, FIRST_SCORE_COLUMN, ASSESSORS = 9, 6, 5


def timed(action) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child processes) of ``action()``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    action()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli(*args: str) -> None:
    subprocess.run([str(BIN / "smartcity-eval"), *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def run_command(args: argparse.Namespace, data: Path, out: Path, *extra: str) -> list[str]:
    return [
        "run",
        *("--year", str(args.year), "--stage", str(args.stage), "--region", args.region, "--force"),
        *("--data", str(data), "--output", str(out), "--no-progress", *extra),
    ]


def side_by_side(args: argparse.Namespace, data: Path, root: Path) -> None:
    """The plain route, ``run`` through the server and ``run --no-server``, interleaved, with medians and ratios."""
    os.environ["SMARTCITY_EVAL_SERVER_DIR"] = str(root / "servers")
    out, workbook = root / "run", data / str(args.year) / f"tahap-{args.stage}" / f"{args.region}.xlsx"
    t0 = time.perf_counter()
    cli("run", "--year", str(args.year), "--stage", str(args.stage), "--data", str(data), "--output", str(out))
    print(f"the batch of every region before (untimed in the comparison): {time.perf_counter() - t0:.1f} s")
    served = f"smartcity-eval run --region {args.region} --force"
    routes = {
        "plain route (papermill, nbconvert, chromium CLIs)": lambda: plain_way(
            data, root / "plain", [args.region], args.year, args.stage
        ),
        served: lambda: cli(*run_command(args, data, out)),
        "  the same, --no-server (in its own process)": lambda: cli(*run_command(args, data, out, "--no-server")),
    }
    first = timed(routes[served])[0]
    print(f"{served}, the first (starts the report server): {first:.2f} s")
    for action in routes.values():  # untimed: the file cache
        action()
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in routes}
    server_cpu = []
    for _ in range(args.runs):
        for label, action in routes.items():
            flip_scores(workbook)
            before = server_cpu_seconds()
            samples[label].append(timed(action))
            if label == served:
                server_cpu.append(server_cpu_seconds() - before)
    print_routes(samples, statistics.median(server_cpu))
    print_breakdown(out / str(args.year) / f"tahap-{args.stage}" / "run-summary.json")
    subprocess.run([str(BIN / "smartcity-eval"), "server", "stop"], check=True, stdout=subprocess.DEVNULL)


def server_cpu_seconds() -> float:
    """CPU seconds of the report server and every process under it (kernels, zygote, browser) so far."""
    import psutil

    from smartcity_eval.batch import client

    reply = client.tell("status")  # the server this process's commands are handed to (same code and settings)
    if reply is None:
        return 0.0
    server = psutil.Process(int(reply.status["pid"]))
    total = 0.0
    for p in [server, *server.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            pass
    return total


def print_routes(samples: dict[str, list[tuple[float, float]]], server_cpu: float) -> None:
    width = max(map(len, samples)) + 2
    print(f"\n{'route':<{width}}{'median s':>9}{'CPU s':>8}  each run (wall s)")
    medians = []
    for label, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        medians.append(wall)
        print(f"{label:<{width}}{wall:9.2f}{cpu:8.2f}  " + ", ".join(f"{w:.2f}" for w, _ in values))
    print(f"(the report server's own CPU seconds per served run, median: {server_cpu:.2f})")
    plain, run, own = medians
    ratio = plain / run
    met = verdict(ratio >= RATIO_LIMIT)
    print(f"\nspeed-up (plain / run, medians): {ratio:.1f}x  (at least {RATIO_LIMIT:.0f}x: {met})")
    print(f"speed-up without the server (plain / run --no-server): {plain / own:.1f}x")
    print(f"run, median: {run:.2f} s  (at most {RUN_LIMIT:.0f} s: {verdict(run <= RUN_LIMIT)})")


def verdict(ok: bool) -> str:
    return "ok" if ok else "NOT MET"


def print_breakdown(summary_path: Path) -> None:
    """``run``'s last run as its summary has it: seconds per step of the region."""
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    region = summary["regions"][0]
    steps = ", ".join(f"{k} {v:.2f}" for k, v in region["timings"].items())
    print(f"run's last run, seconds per step (its summary): {steps}; peak MB: {region['memory_mb']}")


# ------------------------------------------------------------------------------------------------ the preview


def shown_final(workbook: Path) -> str:
    from smartcity_eval.common.i18n import format_number
    from smartcity_eval.inputs.validation import load
    from smartcity_eval.results import rules

    return format_number(rules.score(load(workbook)).nilai_final, 2, "id")


def flip_scores(workbook: Path) -> None:
    """Save ``workbook`` with OP-02's five scores turned from 3 to 2 or back: every save changes Nilai Final."""
    from openpyxl import load_workbook

    wb = load_workbook(workbook)
    sheet = wb["Skor"]
    score = 2 if sheet.cell(ROW, FIRST_SCORE_COLUMN).value == 3 else 3
    for column in range(FIRST_SCORE_COLUMN, FIRST_SCORE_COLUMN + ASSESSORS):
        sheet.cell(ROW, column, score)
    wb.save(workbook)


def start_preview(args: argparse.Namespace, data: Path, out: Path) -> tuple[subprocess.Popen[str], str]:
    command = [str(BIN / "smartcity-eval"), "preview", "--year", str(args.year), "--stage", str(args.stage)]
    command += ["--region", args.region, "--data", str(data), "--output", str(out), "--port", "0"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    url = proc.stdout.readline().split(": ", 1)[1].strip()
    return proc, url


def preview(args: argparse.Namespace, data: Path, out: Path) -> None:
    """Seconds from each save to the new Nilai Final in the open page."""
    from playwright.sync_api import expect, sync_playwright

    from smartcity_eval.reports.report import find_browser

    workbook = data / str(args.year) / f"tahap-{args.stage}" / f"{args.region}.xlsx"
    proc, url = start_preview(args, data, out)
    seconds = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=find_browser())
            page = browser.new_page()
            page.goto(url)
            final = page.frame_locator("#report").locator(NILAI_FINAL)
            expect(final).to_have_text(shown_final(workbook), timeout=120_000)
            for _ in range(args.saves):
                time.sleep(1.0)  # the assessor looks at the page, then saves again
                flip_scores(workbook)
                saved = time.perf_counter()
                expect(final).to_have_text(shown_final(workbook), timeout=30_000)
                seconds.append(time.perf_counter() - saved)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        log, _ = proc.communicate(timeout=60)
    renders = [line for line in log.splitlines() if line.startswith("[")][1:]
    print(f"\npreview: {args.saves} saves of {workbook.name} (openpyxl), seconds until the page shows the new figure:")
    print("  " + ", ".join(f"{s:.2f}" for s in seconds))
    median = statistics.median(seconds)
    print(
        f"  median {median:.2f} s, max {max(seconds):.2f} s  (at most {SAVE_LIMIT} s: {verdict(median <= SAVE_LIMIT)})"
    )
    print("  the server's renders: " + "; ".join(line.split("] ", 1)[1] for line in renders))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--region", default="kota-padang-panjang")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--stage", type=int, default=2, choices=(1, 2))
    parser.add_argument("--skip-preview", action="store_true")
    args = parser.parse_args()
    print_header(args.runs)
    print(f"region: {args.region}, {args.year} tahap {args.stage}\n")
    root = Path(tempfile.mkdtemp(prefix="bench-region-"))
    try:
        data = shutil.copytree(SAMPLE, root / "data")
        side_by_side(args, data, root)
        if not args.skip_preview:
            preview(args, data, root / "run")
        print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
