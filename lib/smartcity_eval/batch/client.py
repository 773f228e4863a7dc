"""The command line's side of the warm report server (:mod:`smartcity_eval.batch.server`).

``smartcity-eval run --region SLUG`` on this machine hands its command line to a report server that keeps a kernel
(forked from a zygote that has the report modules imported) and a browser ready, and prints what the server's run
printed: the assessor who fixes a score and renders the region again waits for the report, not for Python, Jupyter
and Chromium to start. The first such run starts the server, in the background; it stops itself after
:data:`IDLE_SECONDS` without a request (``smartcity-eval server stop`` stops it at once).

A server is only ever asked by the same user, the same Python and the same code: its address is a hash of the
interpreter, this package's files (a change of code starts a new server) and the environment variables the runner
reads, in a folder only the user can open. Whatever goes wrong on the way (no server can start, it dies, it answers
nonsense) the caller runs the command itself: :func:`ask` returns None. Imports only the standard library, so that
asking costs nothing before the answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: set to 0, off, false or no: never ask or start a report server
ENV_SWITCH = "SMARTCITY_EVAL_SERVER"
#: the folder of the servers' sockets, locks and logs (default: $XDG_RUNTIME_DIR or ~/.cache, then smartcity-eval)
DIR_ENV = "SMARTCITY_EVAL_SERVER_DIR"
#: a server stops after this many seconds without a request
IDLE_SECONDS = 15 * 60
#: seconds a new server has to start listening
START_TIMEOUT = 60.0
#: the environment variables that change what a run does (with every SMARTCITY_EVAL_ one): a server serves only
#: callers that agree on them
KEYED_ENV = ("PATH", "HOME", "LANG", "LC_ALL")
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Request:
    """What a caller asks: ``action`` "run" (``argv``, the command line after ``smartcity-eval``, in ``cwd``),
    "status" or "stop"."""

    action: str
    argv: list[str] = field(default_factory=list)
    cwd: str = ""


@dataclass(frozen=True)
class Reply:
    """The server's answer: the command's exit code and what it printed; for "status", what the server is."""

    code: int = 0
    stdout: str = ""
    stderr: str = ""
    status: dict[str, object] = field(default_factory=dict)


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "off", "false", "no")


def server_dir() -> Path:
    """The folder of this user's servers (made, readable by the user alone)."""
    base = os.environ.get(DIR_ENV) or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or os.path.expanduser("~/.cache"), "smartcity-eval"
    )
    folder = Path(base)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def server_key() -> str:
    """Which server fits this process: a hash of the interpreter, every file of the package (name, size, time) and
    :data:`KEYED_ENV` with the project's own variables."""
    digest = hashlib.sha256(os.path.abspath(sys.executable).encode())  # one interpreter, however it was called
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    for name in sorted({*KEYED_ENV, *(n for n in os.environ if n.startswith("SMARTCITY_EVAL_"))} - {DIR_ENV}):
        digest.update(f"{name}={os.environ.get(name, '')}\n".encode())
    return digest.hexdigest()[:16]


def address(key: str | None = None) -> Path:
    """The socket of the server that fits this process (or of ``key``'s)."""
    return server_dir() / f"{key or server_key()}.sock"


def connect(path: Path, timeout: float | None = None) -> socket.socket | None:
    """A connection to the server listening at ``path``, or None when none is."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    sock.settimeout(timeout)
    return sock


def exchange(sock: socket.socket, request: Request) -> Reply | None:
    """Send ``request``, read the reply (one JSON line each); None when the server went away or answered nonsense."""
    try:
        with sock, sock.makefile("rwb") as stream:
            stream.write(json.dumps(asdict(request)).encode() + b"\n")
            stream.flush()
            line = stream.readline()
        return Reply(**json.loads(line)) if line else None
    except (OSError, ValueError, TypeError):
        return None


def start(key: str, idle: float = IDLE_SECONDS) -> subprocess.Popen[bytes]:
    """Start the server of ``key`` in the background: a session of its own (Ctrl-C in this terminal does not stop
    it), its output in ``<key>.log``."""
    code = f"from smartcity_eval.batch.server import main; main({key!r}, {float(idle)!r})"
    log = open(server_dir() / f"{key}.log", "ab")  # noqa: SIM115 - handed to the child
    with log:
        return subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )


def running_or_started(key: str, started: list[bool]) -> socket.socket | None:
    """A connection to ``key``'s server, started (and waited for) when none listens; ``started`` gets True then."""
    path = address(key)
    sock = connect(path)
    if sock is not None:
        return sock
    proc, started[:] = start(key), [True]
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        sock = connect(path)
        if sock is not None or proc.poll() not in (None, 0):
            return sock
        time.sleep(0.02)
    return None


def ask(argv: list[str], announce: str = "") -> int | None:
    """Run ``smartcity-eval ARGV`` on the report server (started when none runs; ``announce`` is printed on stderr
    then) and print what it printed; its exit code, or None when no server could run it (run it yourself)."""
    key, started = server_key(), [False]
    sock = running_or_started(key, started)
    if started[0] and announce:
        print(announce, file=sys.stderr)
    if sock is None:
        return None
    reply = exchange(sock, Request("run", argv, os.getcwd()))
    if reply is None:
        return None
    sys.stdout.write(reply.stdout)
    sys.stderr.write(reply.stderr)
    return reply.code


def tell(action: str) -> Reply | None:
    """Ask the server that fits this process for its "status" or to "stop"; None when none runs."""
    sock = connect(address(), timeout=30)
    return exchange(sock, Request(action)) if sock is not None else None


def stop_all(timeout: float = 60) -> int:
    """Ask every server of this user to stop (those of older code too), and wait until each has stopped its kernels
    and browser (its socket is gone last); how many were running."""
    stopped = 0
    for path in sorted(server_dir().glob("*.sock")):
        sock = connect(path, timeout=30)
        if sock is not None and exchange(sock, Request("stop")) is not None:
            stopped += 1
            deadline = time.monotonic() + timeout
            while path.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
    return stopped
