"""What a report notebook's kernel starts with: the report modules imported, and their first-use costs paid.

The batch gives :data:`REPORT_KERNEL` to its warm kernels (:mod:`smartcity_eval.batch.kernels`), which know no
report module themselves. :func:`warm_up` runs once per worker, in the kernels' zygote, before any kernel forks.
"""

from __future__ import annotations

from smartcity_eval.batch.kernels import Preload

#: the kernel of both report notebooks (region_report and overview): their modules, and the warm-up below
REPORT_KERNEL = Preload(
    modules=("smartcity_eval.reports.region_report", "smartcity_eval.reports.panel", "smartcity_eval.reports.overview"),
    warm_up="smartcity_eval.batch.report_kernel:warm_up",
)


def warm_up() -> None:
    """First-use costs every kernel would pay (font loading, text layout, PNG encoding) on made-up numbers."""
    import pandas as pd

    from smartcity_eval.reports import charts
    from smartcity_eval.reports.html import figure_html

    scores = pd.Series({"baseline": 1.0, "output": 2.0, "outcome": 3.0, "impact": 2.5, "quick_win": 1.5})
    figure_html(charts.dimension_bars(scores), "warm-up")
