"""Spare processes a kernel hands part of its pure work to, so that one report can use two cores.

A kernel forked from its zygote is single-threaded until ipykernel starts; :func:`start` forks its spares at that
moment (a fork of a single-threaded process is sound; the kernel's own threads come after). A spare is a copy of
the kernel-to-be with every report module imported; it dies with the kernel (parent-death signal) and runs one
call at a time, sent over a socket pair as a pickle. :func:`map_calls` sends the later calls to the spares and
makes the first ones itself. Without spares (a kernel of the batch, where every core already runs a notebook, or
one started the ordinary way) every call is made in the kernel; the results are the same either way. A spare
that fails or is gone leaves its calls to the kernel, which then meets any error itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
from collections.abc import Callable, Sequence
from typing import Any

from smartcity_eval.common import processes


class _Spare:
    """The kernel's end of one spare: the socket, and one reader for its answers (they may arrive together)."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.answers = conn, conn.makefile("rb")

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
        try:
            self.conn.sendall(pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except OSError:
            return False

    def receive(self) -> tuple[bool, Any]:
        """(True, value) for an answered call; (False, None) when the spare failed it or is gone (then dropped)."""
        try:
            return pickle.load(self.answers)  # noqa: S301 - from the spare this process forked
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            _drop(self)
            return False, None

    def close(self) -> None:
        self.answers.close()
        self.conn.close()


_spares: list[_Spare] = []


def start(count: int) -> None:
    """Fork ``count`` spares of this process (call while it is single-threaded)."""
    for _ in range(count):
        mine, theirs = socket.socketpair()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            mine.close()
            for other in _spares:
                other.close()
            _serve(theirs, parent)
        theirs.close()
        _spares.append(_Spare(mine))


def count() -> int:
    """How many spares this process has."""
    return len(_spares)


def _serve(conn: socket.socket, parent: int) -> None:
    """A spare's life: answer one call after another until the kernel is gone."""
    processes.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt of the kernel's process group is the kernel's
    code = 0
    try:
        with conn.makefile("rb") as calls, conn.makefile("wb") as answers:
            while True:
                fn, args = pickle.load(calls)  # noqa: S301 - from the kernel that forked this spare
                try:
                    answer = (True, fn(*args))
                except Exception:  # the kernel makes the call again and meets the error itself
                    answer = (False, None)
                pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
                answers.flush()
    except (EOFError, OSError):
        pass
    except BaseException:  # noqa: BLE001 - a spare never returns into the kernel's code
        code = 1
    os._exit(code)


def map_calls(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
    """``[fn(*args) for args in calls]``, this process making the first calls while its spares make the rest (in
    even runs, the last ones each); ``fn`` (at a module's top level) and the arguments must pickle."""
    spares = list(_spares)
    own = -(-len(calls) // (len(spares) + 1))  # this process's share, rounded up: it needs no pickling
    each = -(-(len(calls) - own) // max(len(spares), 1))
    given = {i: spares[(i - own) // each] for i in range(own, len(calls))}
    given = {i: spare for i, spare in given.items() if spare.send(fn, calls[i]) or _drop(spare)}
    results = {i: fn(*args) for i, args in enumerate(calls) if i not in given}
    for i, spare in given.items():  # a spare's answers come in the order its calls went
        done, value = spare.receive()
        results[i] = value if done else fn(*calls[i])
    return [results[i] for i in range(len(calls))]


def _drop(spare: _Spare) -> bool:
    """Forget a spare that is gone (false: its call is made here)."""
    if spare in _spares:
        _spares.remove(spare)
        spare.close()
    return False
