"""A kernel's spare processes (common/spares.py): the same results, the later calls made elsewhere, failures and
deaths handled, nothing outliving the kernel; and the warm kernels that get one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from conftest import ROOT, SAMPLE
from smartcity_eval.batch import kernels
from smartcity_eval.batch.records import KERNEL
from smartcity_eval.common import spares


def run_python(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (spares fork it); the JSON it printed last."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_without_spares_nothing_is_taken():
    assert spares.submit(divmod, (7, 2)) is None


def test_a_spare_makes_the_call_and_answers_in_order():
    found = run_python(
        """
        import json, os
        from smartcity_eval.common import spares
        spares.start(1)
        calls = [spares.submit(divmod, (n, 4)) for n in (9, 10, 11)]
        where = spares.submit(os.getpid, ())
        print(json.dumps({"me": os.getpid(), "there": where.result(), "values": [c.result() for c in calls]}))
        """
    )
    assert found["values"] == [[2, 1], [2, 2], [2, 3]]
    assert found["there"] != found["me"]


def test_the_spare_is_a_child_of_the_kernel():
    found = run_python(
        """
        import json, os, psutil
        from smartcity_eval.common import spares
        spares.start(1)
        spare = spares.submit(os.getpid, ()).result()
        print(json.dumps({"parent": psutil.Process(spare).ppid(), "me": os.getpid()}))
        """
    )
    assert found["parent"] == found["me"]


def test_a_call_the_spare_fails_is_made_again_here():
    found = run_python(
        """
        import json, os
        from smartcity_eval.common import spares

        def only_at_home(home):
            if os.getpid() != home:
                raise ValueError("not here")
            return "made at home"

        spares.start(1)
        print(json.dumps([spares.submit(only_at_home, (os.getpid(),)).result() for _ in range(2)]))
        """
    )
    assert found == ["made at home", "made at home"]


def test_a_dead_spare_leaves_its_calls_here_and_is_dropped():
    found = run_python(
        """
        import json, os, signal, time
        from smartcity_eval.common import spares
        spares.start(1)
        first, second = spares.submit(os.getpid, ()), spares.submit(divmod, (9, 4))
        os.kill(first.result(), signal.SIGKILL)
        time.sleep(0.2)
        later = spares.submit(os.getpid, ())
        print(json.dumps({"here": later is None or later.result() == os.getpid(), "left": spares.count(),
                          "answered": second.result()}))
        """
    )
    assert found == {"here": True, "left": 0, "answered": [2, 1]}


def test_the_spare_dies_with_its_kernel():
    code = """
        import os, sys, time
        from smartcity_eval.common import spares
        spares.start(1)
        print(spares.submit(os.getpid, ()).result(), flush=True)
        time.sleep(60)
        """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    spare = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while psutil.pid_exists(spare) and psutil.Process(spare).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the spare outlived its kernel"
        time.sleep(0.05)


def test_the_charts_drawn_with_a_spare_are_the_ones_drawn_without():
    found = run_python(
        f"""
        import json
        from smartcity_eval.common import spares
        from smartcity_eval.reports import region_report as rr
        def page(report):
            return rr.charts_section(report).data + rr.points(report).data

        alone = page(rr.prepare("kota-padang-panjang", 2024, 2, {str(SAMPLE)!r}))
        spares.start(1)
        report = rr.prepare("kota-padang-panjang", 2024, 2, {str(SAMPLE)!r})
        ahead = sorted(report.ahead)
        print(json.dumps({{"same": page(report) == alone, "charts": alone.count("<figure"), "ahead": ahead}}))
        """
    )
    assert found == {"same": True, "charts": 6, "ahead": ["action_plan", "programme", "trajectory", "uplift"]}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="spares come with forked kernels")
def test_a_pooled_kernel_comes_with_the_spares_its_pool_asks_for():
    pool = kernels.KernelPool(ahead=0, spares=1)
    try:
        km = pool.acquire(KERNEL, ROOT)
        kernel = psutil.Process(pool.kernel_pid(km))
        children = [p for p in kernel.children() if p.status() != psutil.STATUS_ZOMBIE]
        pool.release(km)
    finally:
        pool.close()
    assert len(children) == 1


def test_a_kernel_without_spares_draws_every_chart_itself():
    from smartcity_eval.reports import region_report as rr

    assert rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE).ahead == {}
