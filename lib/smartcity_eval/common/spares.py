"""Spare processes a kernel hands part of its pure work to, so that one report can use two cores.

A kernel forked from its zygote is single-threaded until ipykernel starts; :func:`start` forks its spares at that
moment (a fork of a single-threaded process is sound; the kernel's own threads come after). A spare is a copy of
the kernel-to-be with every report module imported; it dies with the kernel (parent-death signal) and runs one
call at a time, sent over a socket pair as a pickle: :func:`submit` gives it a call whose result the kernel takes
later (:meth:`Pending.result`). Without spares (a kernel of the batch, where every core already runs a notebook,
or one started the ordinary way) the caller makes every call itself; the results are the same either way. A
spare that fails a call or is gone leaves it to the kernel, which then meets any error itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
from collections.abc import Callable
from typing import Any

from smartcity_eval.common import processes


class _Spare:
    """The kernel's end of one spare: the socket, one reader for its answers, and the calls it has not answered
    yet, oldest first (it answers in order)."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.answers = conn, conn.makefile("rb")
        self.waiting: list[Pending] = []

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
        try:
            self.conn.sendall(pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except OSError:
            return False

    def answer_one(self) -> None:
        """Read the answer to the oldest waiting call; a spare that is gone leaves them all unanswered."""
        try:
            done, value = pickle.load(self.answers)  # noqa: S301 - from the spare this process forked
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            _drop(self)
            for pending in self.waiting:
                pending.settle(False, None)
            self.waiting = []
            return
        self.waiting.pop(0).settle(done, value)

    def close(self) -> None:
        self.answers.close()
        self.conn.close()


class Pending:
    """A call given to a spare; :meth:`result` is its value, the call made here when the spare failed it."""

    def __init__(self, spare: _Spare, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.spare, self.fn, self.args = spare, fn, args
        self.answered, self.done, self.value = False, False, None

    def settle(self, done: bool, value: Any) -> None:
        self.answered, self.done, self.value = True, done, value

    def result(self) -> Any:
        while not self.answered:
            self.spare.answer_one()
        return self.value if self.done else self.fn(*self.args)


_spares: list[_Spare] = []


def submit(fn: Callable[..., Any], args: tuple[Any, ...]) -> Pending | None:
    """Give ``fn(*args)`` to the spare with the fewest calls waiting; None when there is no spare (the caller
    makes the call). ``fn`` (at a module's top level) and the arguments must pickle."""
    while _spares:
        spare = min(_spares, key=lambda s: len(s.waiting))
        if spare.send(fn, args):
            pending = Pending(spare, fn, args)
            spare.waiting.append(pending)
            return pending
        _drop(spare)
    return None


def _drop(spare: _Spare) -> None:
    """Forget a spare that is gone."""
    if spare in _spares:
        _spares.remove(spare)
        spare.close()


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
