"""Run a batch on a Dask distributed cluster: the same runner, with Dask workers executing the notebooks.

Workers execute each region's notebook and export HTML into the staging folder under the output folder, so
data and outputs must be on storage shared by the client and every worker (same paths). The client prints
the PDFs, writes manifests and commits outputs exactly as a local run does; failure isolation and kernel
retries are the same because the same task function (:func:`smartcity_eval.batch.execute.execute`) runs.
"""

from __future__ import annotations

import concurrent.futures as cf

from smartcity_eval.batch.params import RunSpec
from smartcity_eval.batch.runner import BatchResult, run


def run_distributed(spec: RunSpec, address: str, *, progress: bool = True) -> BatchResult:
    """Run ``spec`` on the Dask scheduler at ``address`` (e.g. ``tcp://10.0.0.5:8786``)."""
    from distributed import Client

    with Client(address, timeout="30s") as client:

        def factory(_workers: int) -> cf.Executor:
            return client.get_executor(pure=False)

        return run(spec, progress=progress, executor_factory=factory)
