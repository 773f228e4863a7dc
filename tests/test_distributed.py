"""A small batch through a Dask LocalCluster gives the same outputs as a local run."""

from __future__ import annotations

import json

import nbformat
import pytest

from batch_support import REGIONS, spec, write_workbooks
from smartcity_eval.batch import runner
from smartcity_eval.batch.distributed import run_distributed


def _key_figures(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dask_local_cluster_equals_local_run(tmp_path):
    from distributed import LocalCluster

    data = write_workbooks(tmp_path / "data", list(REGIONS)[:2])
    local = runner.run(spec(data, tmp_path / "local", formats=("ipynb", "html")), progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_distributed(
            spec(data, tmp_path / "dask", formats=("ipynb", "html")), cluster.scheduler_address, progress=False
        )
    assert local.exit_code == 0
    assert remote.exit_code == 0
    assert [(r.region, r.status) for r in local.results] == [(r.region, r.status) for r in remote.results]
    for slug in list(REGIONS)[:2]:
        a = tmp_path / "local" / "2024" / "tahap-2" / slug
        b = tmp_path / "dask" / "2024" / "tahap-2" / slug
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        assert json.loads((a / "scores.json").read_text()) == json.loads((b / "scores.json").read_text())
        assert _key_figures(a / "report.ipynb") == _key_figures(b / "report.ipynb")
        assert _key_figures(a / "report.ipynb") != ""
        ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
        assert ma["status"] == "ok"
        assert mb["status"] == "ok"
        assert ma["notebook_sha256"] == mb["notebook_sha256"]
