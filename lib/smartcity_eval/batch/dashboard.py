"""The no-code dashboard: ``notebooks/explore.ipynb`` served by Voilà, without its code (``smartcity-eval dashboard``).

The notebook is copied into a temporary folder with the chosen parameters injected (language, store, data folder,
as papermill does for reports), and Voilà serves that copy with the ``smartcity`` template (Voilà's lab template
without links to a CDN: nothing is fetched from the internet), bound to 127.0.0.1 unless told otherwise. Every
visitor gets a kernel of their own; the pickers work as in JupyterLab.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from smartcity_eval.batch.notebooks import notebooks_dir
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES
from smartcity_eval.common.layout import DEFAULT_DATA_DIR, DEFAULT_DB
from smartcity_eval.reports.report import TEMPLATES_DIR

NOTEBOOK = "explore.ipynb"
#: a ``JUPYTER_PATH`` entry holding ``voila/templates/smartcity``
JUPYTER_DIR = TEMPLATES_DIR / "jupyter"
TEMPLATE = "smartcity"
DEFAULT_IP = "127.0.0.1"
DEFAULT_PORT = 8866


def parameterised(notebook: Path, folder: Path, parameters: dict[str, Any]) -> Path:
    """A copy of ``notebook`` in ``folder`` with ``parameters`` injected after its parameters cell."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
    target = folder / notebook.name
    nbformat.write(nb, target)
    return target


def voila_command(notebook: Path, *, ip: str, port: int, token: str, open_browser: bool) -> list[str]:
    """The Voilà command line serving ``notebook`` with the dashboard template."""
    command = [sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}", f"--Voila.ip={ip}"]
    command += [f"--port={port}", f"--token={token}", "--VoilaConfiguration.show_tracebacks=False"]
    return command + ([] if open_browser else ["--no-browser"])


def voila_env() -> dict[str, str]:
    """The environment for Voilà: ours, with the dashboard template's folder first on ``JUPYTER_PATH``."""
    paths = [str(JUPYTER_DIR), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {**os.environ, "JUPYTER_PATH": os.pathsep.join(paths)}


def _stop(signum: int, _frame: Any) -> None:
    """SIGTERM ends the command as Ctrl+C does: Voilà is stopped and the temporary copy removed."""
    raise SystemExit(128 + signum)


def serve(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted (Ctrl+C or SIGTERM); Voilà's exit code."""
    parameters = {"lang": args.lang, "db": str(Path(args.db).resolve()), "data_dir": str(Path(args.data).resolve())}
    signal.signal(signal.SIGTERM, _stop)
    with tempfile.TemporaryDirectory(prefix="smartcity-dashboard-") as folder:
        notebook = parameterised(notebooks_dir() / NOTEBOOK, Path(folder), parameters)
        command = voila_command(notebook, ip=args.ip, port=args.port, token=args.token, open_browser=args.browser)
        process = subprocess.Popen(command, cwd=folder, env=voila_env())
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 130
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def add_parser(subparsers: Any) -> None:
    """Register ``dashboard`` on the CLI's subparsers."""
    p = subparsers.add_parser("dashboard", help="serve the explore notebook as a dashboard without code (Voilà)")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of the dashboard (default: id)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"evaluation store (default: {DEFAULT_DB})")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help=f"data folder (default: {DEFAULT_DATA_DIR})")
    p.add_argument("--ip", default=DEFAULT_IP, help=f"address to listen on (default: {DEFAULT_IP}, this computer only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    p.add_argument("--token", default="", help="a token visitors must give in the address (default: none)")
    p.add_argument("--no-browser", dest="browser", action="store_false", help="do not open a browser")
    p.set_defaults(func=serve)
