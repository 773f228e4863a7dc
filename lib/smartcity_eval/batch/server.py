"""The warm report server: one region's report again, without starting Python, Jupyter and Chromium again.

``smartcity-eval run --region SLUG`` on this machine asks it (:mod:`smartcity_eval.batch.client`); the first such
run starts it. It keeps what a one-report run would otherwise start and stop each time (:class:`Warm`): a thread
whose kernel pool forks kernels from a zygote that has the report modules imported, one kernel ready ahead, with
the HTML exporter made; and a print pool whose browser is open. Each request is the command line of one ``run``,
run by :func:`smartcity_eval.cli.main` in the caller's folder with those parts (every rule of a run — lock,
staging, skip when unchanged, summary — is the runner's, unchanged), one request at a time; what it printed goes
back to the caller. A fresh kernel still runs every report. The server listens on a Unix socket only its user can
open, and stops after its idle time, on ``smartcity-eval server stop`` or on SIGTERM, stopping its kernels and
browser; it never answers a caller of other code (the socket's name is the code's hash).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import json
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from smartcity_eval.batch import client
from smartcity_eval.batch.client import Reply, Request
from smartcity_eval.batch.notebooks import notebooks_dir
from smartcity_eval.batch.params import RunSpec, notebook_path, wanted
from smartcity_eval.batch.printing import PrintPool
from smartcity_eval.batch.runner import Machinery
from smartcity_eval.batch.single import WarmNotebooks
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES

T = i18n.section("server")
HELP = "show or stop the warm report server that one-region runs use"
#: the exit code of a request the server could not run (the caller then runs it itself)
NOT_SERVED = -1


class Warm:
    """What the server keeps between runs: a thread whose kernel pool forks kernels from a zygote with the report
    modules imported, one started ahead, and a print pool with its browser open."""

    def __init__(self) -> None:
        self.notebooks = WarmNotebooks(DEFAULT_LANG)
        self.prints = PrintPool(None, 1)
        self.prints.warm(DEFAULT_LANG)

    def parts(self, spec: RunSpec) -> Machinery | None:
        """The warm parts when ``spec`` is a report of one region on this machine with the project's notebooks and
        browser; None for anything else (the runner starts its own)."""
        fits = spec.scheduler is None and spec.browser is None and len(wanted(spec)) == 1
        if not fits or notebook_path(spec.notebook).parent != notebooks_dir():
            return None
        return Machinery(None, self.notebooks, self.prints)

    def close(self) -> None:
        """Stop the kernels (with their zygote) and the browser."""
        self.notebooks.shutdown()
        self.prints.close()


# ------------------------------------------------------------------------------------------------ the server


def main(key: str, idle: float = client.IDLE_SECONDS) -> None:
    """The server of ``key`` (see :func:`smartcity_eval.batch.client.server_key`): listen, serve until idle for
    ``idle`` seconds or told to stop. Leaves at once when another server of ``key`` runs."""
    path = client.address(key)
    with exclusive(path.with_suffix(".lock")) as mine:
        if not mine:
            return
        signal.signal(signal.SIGTERM, _leave)
        with listening(path) as listener:
            warm = Warm()
            try:
                serve(listener, warm, idle)
            finally:
                warm.close()


def _leave(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[bool]:
    """Whether this process holds ``lock`` (an advisory lock, let go when the process ends however it ends)."""
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


@contextlib.contextmanager
def listening(path: Path) -> Iterator[socket.socket]:
    """A Unix socket at ``path`` (a stale one replaced) that only this user can open; removed at the end."""
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        old = os.umask(0o177)
        try:
            listener.bind(str(path))
        finally:
            os.umask(old)
        listener.listen(16)
        yield listener
    finally:
        listener.close()
        path.unlink(missing_ok=True)


def serve(listener: socket.socket, warm: Warm, idle: float) -> None:
    """Answer one request after another until none came for ``idle`` seconds or one said stop."""
    listener.settimeout(idle)
    status = {"pid": os.getpid(), "since": time.time(), "idle": idle, "runs": 0}
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return
        with conn:
            conn.settimeout(None)
            request = receive(conn)
            reply = answer(request, warm, status)
            with contextlib.suppress(OSError):  # the caller may have gone (Ctrl-C): the run is done all the same
                conn.sendall(json.dumps(asdict(reply)).encode() + b"\n")
        if request is not None and request.action == "stop":
            return


def receive(conn: socket.socket) -> Request | None:
    """The request on ``conn``; None when it is not one."""
    try:
        with conn.makefile("rb") as stream:
            return Request(**json.loads(stream.readline()))
    except (OSError, ValueError, TypeError):
        return None


def answer(request: Request | None, warm: Warm, status: dict[str, Any]) -> Reply:
    if request is None:
        return Reply(code=NOT_SERVED)
    if request.action == "run":
        status["runs"] += 1
        return run(request, warm)
    return Reply(status=dict(status))


def run(request: Request, warm: Warm) -> Reply:
    """``smartcity-eval ARGV`` in the caller's folder, with the warm parts, without a progress bar; what it printed.
    A failure of the server's own (not of the run) is :data:`NOT_SERVED`, its traceback in the server's log."""
    from smartcity_eval import cli

    out, err = io.StringIO(), io.StringIO()
    try:
        os.chdir(request.cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main([*request.argv, "--no-progress"], warm=warm)
    except SystemExit as exc:  # argparse: the caller parsed the same line, so this is not expected
        return Reply(code=exc.code if isinstance(exc.code, int) else 2, stdout=out.getvalue(), stderr=err.getvalue())
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return Reply(code=NOT_SERVED)
    return Reply(code=code, stdout=out.getvalue(), stderr=err.getvalue())


# ------------------------------------------------------------------------------------------------ the command


def add_parser(sub: Any) -> None:
    p = sub.add_parser("server", help=HELP)
    p.add_argument("action", choices=("status", "stop"), help="status: is one running; stop: stop every one")
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG)
    p.set_defaults(func=cmd_server)


def cmd_server(args: argparse.Namespace) -> int:
    t = T[args.lang]
    if args.action == "stop":
        print(t("stopped", count=client.stop_all()))
        return 0
    reply = client.tell("status")
    if reply is None:
        print(t("none"))
        return 0
    info = reply.status
    since = time.strftime("%H:%M", time.localtime(float(info["since"])))  # type: ignore[arg-type]
    minutes = int(float(info["idle"]) // 60)  # type: ignore[arg-type]
    print(t("running", pid=info["pid"], since=since, runs=info["runs"], minutes=minutes))
    return 0
