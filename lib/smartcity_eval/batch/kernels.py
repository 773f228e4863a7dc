"""Fresh kernels, started ahead of need with the heavy imports already done.

Every region's notebook runs in its own kernel process, which is killed as soon as the notebook is done, so
nothing one region computes can reach another region's report. What is shared is only what every fresh kernel
would do anyway: importing ipykernel and the modules the caller names in a :class:`Preload` (the notebooks' own
imports), and the first-use costs its warm-up function pays once.

A :class:`KernelPool` (one per worker process and thread, see :func:`pool`) keeps ``ahead`` kernels started and
answering while the current notebook runs. Kernels come from a *zygote*: a Python process that imports those
modules once, calls the warm-up, and then forks a new kernel per request, so a kernel costs a fork and ipykernel's
own set-up (about 0.1 s) instead of a Python start-up and two seconds of imports. The zygote never runs notebook
code; each forked kernel starts from the same pristine state. Where fork is not available, or the zygote fails,
kernels are launched the ordinary way (:class:`~jupyter_client.provisioning.LocalProvisioner`) and the imports
are run silently (no execution count, no history) before the kernel is handed out.

Kernels talk over local IPC sockets in a private temporary folder (``transport="ipc"``), and are shut down
with ``now=True``: their state is thrown away, so there is nothing to wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_event_loop

from smartcity_eval.common import processes, spares

#: modules the zygote imports for every kernel: what ipykernel loads when it starts
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.history",
    "IPython.display",
)
#: set to 0 to start every kernel cold (papermill's own kernel start)
ENV_SWITCH = "SMARTCITY_EVAL_WARM_KERNELS"
#: nbclient starts kernels with an in-memory history; kernels started here get the same argument
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@dataclass(frozen=True)
class Preload:
    """What the caller's kernels start with: ``modules`` imported, and ``warm_up`` (``"package.module:function"``,
    optional) called once in the zygote after the imports to pay first-use costs every kernel would pay."""

    modules: tuple[str, ...] = ()
    warm_up: str = ""

    def import_code(self) -> str:
        """The code a kernel started the ordinary way runs, silently, before it is handed out ("" for none)."""
        return f"import {', '.join(self.modules)}" if self.modules else ""


#: kernels with nothing beyond what ipykernel loads
NO_PRELOAD = Preload()


def call(path: str) -> None:
    """Call the function named ``"package.module:function"`` (nothing for "")."""
    if path:
        module, _, name = path.partition(":")
        getattr(importlib.import_module(module), name)()


def enabled() -> bool:
    """Whether warm kernels are used (``SMARTCITY_EVAL_WARM_KERNELS`` is not 0/false/no)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


# ------------------------------------------------------------------------------------------------ zygote side


def _reap(_signum: int, _frame: Any) -> None:
    """SIGCHLD: collect every finished kernel so that none lingers as a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(request: dict[str, Any], reply_fd: int, zygote_pid: int) -> int:
    """In the forked child: become an ipykernel with the requested arguments, folder and environment."""
    os.setsid()  # own process group, like jupyter_client's launcher (start_new_session=True)
    processes.die_with_parent(zygote_pid)  # killed when the zygote goes, however it goes
    for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.close(reply_fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # the kernel exits when the zygote does (ipykernel's parent poller watches this pid)
    os.environ["JPY_PARENT_PID"] = str(zygote_pid)
    spares.start(request.get("spares", 0))  # before ipykernel starts its threads
    import ipykernel_launcher
    from ipykernel import kernelapp

    args = [*request["args"], f"--IPKernelApp.parent_handle={zygote_pid}"]
    sys.argv = [ipykernel_launcher.__file__, *request["args"]]
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    kernelapp.launch_new_instance(argv=args)
    return 0


def zygote_main(reply_fd: int, modules: list[str], warm_up: str = "", parent: int | None = None) -> None:
    """The zygote: import ``modules``, call ``warm_up``, then fork one kernel per request line read from stdin.
    ``parent``: the pid of the process that started it (gone already: the zygote leaves at once)."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # what ipykernel sets before any notebook import
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules notice, zygote only
    # Ctrl-C in a terminal reaches the whole process group: the zygote is stopped by its owner (stdin closed), and
    # the kernels it forks get the usual handler back (_child)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    processes.watch_parent(parent)  # gone within a second of its worker, even one killed outright
    for name in modules:
        importlib.import_module(name)
    call(warm_up)
    gc.collect()
    gc.freeze()  # the kernels' collector leaves the imported modules' pages shared with the zygote
    signal.signal(signal.SIGCHLD, _reap)
    reply = os.fdopen(reply_fd, "w", buffering=1)
    try:
        reply.write("ready\n")
    except BrokenPipeError:  # its owner went while it was importing
        os._exit(0)
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(request, reply_fd, os.getppid())
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
            except BaseException:  # noqa: BLE001 - the child must never return into the zygote's loop
                import traceback

                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        reply.write(f"{pid}\n")


class Zygote:
    """A running zygote process (see :func:`zygote_main`); :meth:`fork` asks it for a new kernel process."""

    def __init__(self, preload: Preload = NO_PRELOAD, timeout: float = 120) -> None:
        read_fd, write_fd = os.pipe()
        modules = [*KERNEL_MODULES, *preload.modules]
        code = (
            "from smartcity_eval.batch.kernels import zygote_main; "
            f"zygote_main({write_fd}, {modules!r}, {preload.warm_up!r}, {os.getpid()})"
        )
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code], stdin=subprocess.PIPE, pass_fds=(write_fd,), text=True, bufsize=1
            )
        finally:
            os.close(write_fd)
        self._reply = os.fdopen(read_fd, "r", buffering=1)
        self._lock = threading.Lock()
        self._timeout = timeout
        self._ready = False

    def wait_ready(self) -> None:
        """Block until the zygote has done its imports (it starts in the background)."""
        if not self._ready:
            if self._readline(self._timeout) != "ready":
                self.close()
                raise RuntimeError("the kernel zygote did not start")
            self._ready = True

    def _readline(self, timeout: float) -> str:
        ready, _, _ = select.select([self._reply], [], [], timeout)
        return self._reply.readline().strip() if ready else ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, args: list[str], cwd: str, env: dict[str, str], timeout: float = 30, spares: int = 0) -> int:
        """Fork a kernel that runs ``ipykernel_launcher ARGS`` in ``cwd`` with ``env`` and ``spares`` spare processes
        (:mod:`smartcity_eval.common.spares`); returns its pid."""
        with self._lock:
            self.wait_ready()
            if not self.alive() or self.proc.stdin is None:
                raise RuntimeError("the kernel zygote is not running")
            self.proc.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env, "spares": spares}) + "\n")
            self.proc.stdin.flush()
            answer = self._readline(timeout)
        if not answer.isdigit():
            raise RuntimeError(f"the kernel zygote did not fork a kernel ({answer!r})")
        return int(answer)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reply.close()


# ------------------------------------------------------------------------------------------------ manager side


class ForkedProcess:
    """The part of :class:`subprocess.Popen` a provisioner uses, for a kernel forked by the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                state = "" if _exists(self.pid) else "X"
            if state in ("Z", "X"):
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ZygoteProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Launches ipykernel kernels by forking them from a :class:`Zygote`; other kernels the ordinary way."""

    zygote: Zygote | None = None
    spares = 0

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        zygote = self.zygote
        if zygote is None or cmd[1:3] != ["-m", "ipykernel_launcher"]:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        pid = zygote.fork(cmd[3:], cwd, env, spares=self.spares)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]
        self.pid, self.pgid, self.cwd = pid, pid, cwd
        return self.connection_info


class ReadyClient(AsyncKernelClient):  # type: ignore[misc]
    """A kernel client whose readiness was already checked by the pool: ``wait_for_ready`` returns at once."""

    checked = False

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        if not self.checked:  # already started by the pool
            super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        if not self.checked:
            await super().wait_for_ready(timeout=timeout)


class PooledKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel manager whose first :meth:`client` is the one the pool used to check the kernel answers."""

    ready_client: ReadyClient | None = None
    clients: list[AsyncKernelClient]

    def client(self, **kwargs: Any) -> AsyncKernelClient:
        if self.ready_client is not None:
            kc, self.ready_client = self.ready_client, None
            return kc
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc


class KernelPool:
    """Fresh kernels for one worker (process and thread), ``ahead`` of them started before they are needed, each
    holding what ``preload`` names; a kernel forked from the zygote comes with ``spares`` spare processes."""

    def __init__(
        self,
        ahead: int = 1,
        fork: bool | None = None,
        startup_timeout: float = 60,
        preload: Preload = NO_PRELOAD,
        spares: int = 0,
    ) -> None:
        self.ahead, self.spares = ahead, spares
        self.preload = preload
        self.startup_timeout = startup_timeout
        self.fork = (hasattr(os, "fork") and sys.platform != "win32") if fork is None else fork
        self.zygote: Zygote | None = None
        self.tmp = tempfile.mkdtemp(prefix="sck-")
        self.loop = ensure_event_loop()
        self.waiting: list[tuple[tuple[str, str], asyncio.Task[PooledKernelManager]]] = []
        self.stopping: list[asyncio.Task[None]] = []
        self.started = 0
        self.mode = "fork" if self.fork else "spawn"

    # ---- starting

    def _zygote(self, wait: bool = True) -> Zygote | None:
        """The running zygote (started, or restarted, when needed); None when kernels are launched normally."""
        if not self.fork:
            return None
        try:
            if self.zygote is None or not self.zygote.alive():
                self.zygote = Zygote(self.preload)
            if wait:
                self.zygote.wait_ready()
        except Exception as exc:  # no fork here after all: launch kernels the ordinary way
            print(
                f"warm kernels: zygote unavailable ({type(exc).__name__}: {exc}); starting kernels normally",
                file=sys.stderr,
            )
            if self.zygote is not None:
                with contextlib.suppress(Exception):
                    self.zygote.close()
            self.fork, self.zygote, self.mode = False, None, "spawn"
        return self.zygote

    async def _start(self, kernel_name: str, cwd: str) -> PooledKernelManager:
        """Start one kernel, wait until it answers, and (ordinary launch) run the imports in it."""
        self.started += 1
        name = f"k{self.started}-{uuid.uuid4().hex[:6]}"
        km = PooledKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            ip=os.path.join(self.tmp, name),
            connection_file=os.path.join(self.tmp, f"{name}.json"),
            client_class="smartcity_eval.batch.kernels.ReadyClient",
        )
        km.clients = []
        km.kernel_id = str(uuid.uuid4())
        zygote = self._zygote()
        km.provisioner = ZygoteProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
        km.provisioner.zygote, km.provisioner.spares = zygote, self.spares
        try:
            await km.start_kernel(cwd=cwd, extra_arguments=list(KERNEL_ARGS))
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=self.startup_timeout)
            if zygote is None:  # ordinary launch: do the imports now, silently
                await self._import_preload(kc)
            kc.checked = True
            km.ready_client = kc
            return km
        except BaseException:
            await _stop(km)
            raise

    async def _import_preload(self, kc: ReadyClient) -> None:
        code = self.preload.import_code()
        if not code:
            return
        reply = await kc.execute_interactive(
            code, silent=True, store_history=False, timeout=self.startup_timeout, output_hook=lambda _m: None
        )
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"warm-up failed in kernel: {reply['content'].get('evalue', '')}")

    def _launch(self, kernel_name: str, cwd: str) -> None:
        self.waiting.append(((kernel_name, cwd), self.loop.create_task(self._start(kernel_name, cwd))))

    def acquire(self, kernel_name: str, cwd: str | Path) -> PooledKernelManager:
        """A fresh started kernel in ``cwd`` that answers; starts the next one before returning."""
        key = (kernel_name, str(cwd))
        km = None
        while self.waiting and km is None:
            wanted, task = self.waiting.pop(0)
            if wanted != key:
                self._discard(task)
                continue
            try:
                km = self.loop.run_until_complete(task)
            except Exception:  # noqa: S112 - a prestarted kernel that failed: try a fresh one
                continue
            if not self.loop.run_until_complete(km.is_alive()):
                self.release(km)
                km = None
        if km is None:
            km = self.loop.run_until_complete(self._start(*key))
        while len(self.waiting) < self.ahead:
            self._launch(*key)
        return km

    def _discard(self, task: asyncio.Task[PooledKernelManager]) -> None:
        try:
            km = self.loop.run_until_complete(task)
        except (Exception, asyncio.CancelledError):  # it did not start, or its start was cancelled (abort)
            return
        _kill_now(km)
        self.loop.run_until_complete(_stop(km))

    def abort(self) -> None:
        """From another thread: cancel the starts of the kernels not handed out yet (a kernel whose start is
        cancelled is killed), so that :meth:`close` need not wait for them to boot."""
        for _, task in list(self.waiting):
            self.loop.call_soon_threadsafe(task.cancel)

    def prestart(self) -> None:
        """Start the zygote in the background (no waiting for its imports); nothing when kernels are not forked."""
        self._zygote(wait=False)

    def warm(self, kernel_name: str, cwd: str | Path, meanwhile: Callable[[], object] | None = None) -> None:
        """Have ``ahead`` kernels (at least one) for ``cwd`` started and answering before :meth:`acquire` asks:
        for a thread that runs one notebook at a time, while it has nothing else to do. ``meanwhile`` is called on
        this thread once the kernels are launched, while they boot (its errors are ignored)."""
        key = (kernel_name, str(cwd))
        while sum(wanted == key for wanted, _ in self.waiting) < max(self.ahead, 1):
            self._launch(*key)
        if meanwhile is not None:
            self.loop.call_soon(_quietly, meanwhile)
        self.loop.run_until_complete(asyncio.gather(*(task for _, task in self.waiting), return_exceptions=True))

    # ---- stopping

    def kernel_pid(self, km: PooledKernelManager) -> int | None:
        return getattr(km.provisioner, "pid", None) if km.provisioner is not None else None

    def zygote_pid(self) -> int | None:
        return self.zygote.proc.pid if self.zygote is not None else None

    def release(self, km: PooledKernelManager) -> None:
        """Kill a kernel at once; its connection and socket files are removed in the background."""
        _kill_now(km)
        self.stopping = [t for t in self.stopping if not t.done()]
        self.stopping.append(self.loop.create_task(_stop(km)))

    def close(self) -> None:
        """Stop every waiting kernel and the zygote."""
        if not self.loop.is_closed():
            for _, task in self.waiting:
                with contextlib.suppress(Exception):
                    self._discard(task)
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(asyncio.gather(*self.stopping, return_exceptions=True))
        self.waiting.clear()
        self.stopping.clear()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def _quietly(action: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):
        action()


def _kill_now(km: PooledKernelManager) -> None:
    """SIGKILL the kernel's process group (its state is thrown away anyway)."""
    provisioner = km.provisioner
    pid = getattr(provisioner, "pid", None) if provisioner is not None else None
    if pid:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


async def _stop(km: PooledKernelManager) -> None:
    for kc in [km.ready_client, *getattr(km, "clients", [])]:
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.stop_channels()
    km.ready_client = None
    with contextlib.suppress(Exception):
        if km.has_kernel:
            await km.shutdown_kernel(now=True)  # kills the process, then removes connection and socket files
            return
    with contextlib.suppress(Exception):
        await km.cleanup_resources()


def peak_rss_mb(pid: int | None = None) -> float | None:
    """A process's resident-set high-water mark in MB (Linux ``VmHWM``), or None where unknown."""
    try:
        status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


_local = threading.local()


def prestart(preload: Preload = NO_PRELOAD) -> None:
    """Create this thread's pool for ``preload`` and start its zygote in the background (a worker process's
    initializer: give ``preload`` in ``initargs``)."""
    if enabled():
        p = pool(preload)
        with contextlib.suppress(Exception):
            p.prestart()


def pool(preload: Preload = NO_PRELOAD, ahead: int = 1, fork: bool | None = None, spares: int = 0) -> KernelPool:
    """This thread's kernel pool for ``preload`` (created on first use, with ``ahead``, ``fork`` and ``spares``, or
    when another ``preload`` is asked for; closed when the process exits)."""
    current = getattr(_local, "pool", None)
    if current is not None and current.preload != preload:
        current.close()
        current = None
    if current is None:
        current = _local.pool = KernelPool(ahead=ahead, fork=fork, preload=preload, spares=spares)
        _register_close(current)
    return current


def find_spec(kernel_name: str) -> None:
    """Look up the kernel's spec, which imports IPython (jupyter_client's kernel folders): call it before a thread
    that starts kernels starts, on the thread that goes on importing, so that two threads never import IPython at
    once (its modules import each other, and a second thread can be handed one half-made)."""
    KernelSpecManager().get_kernel_spec(kernel_name)


def start_one(
    preload: Preload, kernel_name: str, cwd: str | Path, meanwhile: Callable[[], object] | None = None
) -> None:
    """For a thread that will run a single notebook: its pool, with no zygote and no spare kernel, and its one
    kernel started now, the ordinary way, with ``preload`` imported (nothing when warm kernels are off; a kernel
    that fails to start here is started again when the notebook asks for it); ``meanwhile`` runs while it boots."""
    if enabled():
        with contextlib.suppress(Exception):
            pool(preload, ahead=0, fork=False).warm(kernel_name, cwd, meanwhile)


def close_pool() -> None:
    """Stop this thread's pool: its waiting kernels and its zygote."""
    current = getattr(_local, "pool", None)
    if current is not None:
        _local.pool = None
        current.close()


def _register_close(p: KernelPool) -> None:
    import atexit

    atexit.register(p.close)
    try:  # worker processes of multiprocessing leave through os._exit: run the close there too
        from multiprocessing import util

        util.Finalize(p, p.close, exitpriority=10)
    except Exception:  # noqa: S110 - atexit alone is enough elsewhere
        pass
