"""Warm kernels: every notebook gets a fresh process, already holding the imports, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from processes import kernel_pids
from smartcity_eval.batch import kernels
from smartcity_eval.batch.params import notebooks_dir
from smartcity_eval.batch.records import Task
from smartcity_eval.batch.report_kernel import REPORT_KERNEL


def _run(pool: kernels.KernelPool, km: kernels.PooledKernelManager, code: str) -> tuple[dict, str]:
    kc = km.client()
    out: list[str] = []

    async def go() -> dict:
        await kc.wait_for_ready(timeout=30)
        return await kc.execute_interactive(
            code,
            timeout=30,
            output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None,
        )

    return pool.loop.run_until_complete(go()), "".join(out)


def test_kernel_machinery_names_no_report_module():
    assert "smartcity_eval.reports" not in Path(kernels.__file__).read_text(encoding="utf-8")


def test_preload_import_code():
    assert kernels.Preload(("a.b", "c")).import_code() == "import a.b, c"
    assert kernels.NO_PRELOAD.import_code() == ""


@pytest.mark.slow
@pytest.mark.parametrize("fork", [True, False], ids=["zygote", "ordinary-launch"])
def test_each_acquire_is_a_fresh_warm_kernel(fork):
    pool = kernels.KernelPool(fork=fork, preload=REPORT_KERNEL)
    try:
        first = pool.acquire("python3", notebooks_dir())
        code = (
            "import os, sys\nleak = 'A'\n"
            "print(os.getpid(), os.getcwd(), 'smartcity_eval.reports.overview' in sys.modules)"
        )
        reply, text = _run(pool, first, code)
        assert reply["content"]["status"] == "ok"
        assert reply["content"]["execution_count"] == 1
        pid, cwd, warm = text.split()
        assert cwd == str(notebooks_dir())
        assert warm == "True"
        pool.release(first)
        second = pool.acquire("python3", notebooks_dir())
        reply, text = _run(pool, second, "import os\nprint(os.getpid(), 'leak' in globals())")
        assert reply["content"]["execution_count"] == 1  # the warm-up left no trace in the history
        assert text.split()[1] == "False"
        assert text.split()[0] != pid
        assert pool.mode == ("fork" if fork else "spawn")
        pool.release(second)
    finally:
        pool.close()


@pytest.mark.slow
def test_a_kernel_that_dies_is_replaced_by_a_fresh_one(tmp_path):
    """A real kernel death (SIGKILL mid-notebook) is retried once, in another fresh kernel from the pool."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from smartcity_eval.batch.execute import execute

    nb = new_notebook(
        cells=[
            new_code_cell('output_dir = ""', metadata={"tags": ["parameters"]}),
            new_code_cell(
                "import os, pathlib, signal\nmarker = pathlib.Path(output_dir) / 'died-once'\n"
                "if not marker.exists():\n    marker.touch()\n    os.kill(os.getpid(), signal.SIGKILL)\n"
                "print('second kernel', os.getpid())"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
    )
    path = tmp_path / "dies.ipynb"
    nbformat.write(nb, path)
    staging = tmp_path / "staging"
    task = Task("x", path, {"output_dir": str(staging)}, staging, ("ipynb",), "x", start_timeout=30)
    result = execute(task)
    assert result.error == ""
    assert result.attempts == 2
    out = nbformat.read(staging / "report.ipynb", as_version=4)
    assert "second kernel" in out.cells[-1].outputs[0]["text"]


@pytest.mark.slow
def test_one_notebooks_kernel_is_started_ahead_alone_and_stopped():
    """A thread that runs one notebook: its kernel starts before it is asked for, no spare follows, none is left."""
    import concurrent.futures as cf

    def use_it() -> tuple[int, int, str]:
        kernels.start_one(kernels.NO_PRELOAD, "python3", notebooks_dir())
        pool = kernels.pool(kernels.NO_PRELOAD)
        km = pool.acquire("python3", notebooks_dir())
        started, mode = pool.started, pool.mode
        pool.release(km)
        kernels.close_pool()
        return started, len(pool.waiting), mode

    before = kernel_pids()  # kernels other tests' pools keep ahead in this process
    with cf.ThreadPoolExecutor(max_workers=1) as thread:
        started, waiting, mode = thread.submit(use_it).result()
    assert (started, waiting, mode) == (1, 0, "spawn")
    assert kernel_pids() - before == set()
