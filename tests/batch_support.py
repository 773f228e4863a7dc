"""What the batch tests (runner, kernels, Dask) share: three small regions' workbooks and a run spec for them."""

from __future__ import annotations

from pathlib import Path

from smartcity_eval.batch.params import RunSpec
from workbooks import edit, make_filled

__all__ = ["REGIONS", "edit", "make_filled", "spec", "write_workbooks"]

#: slug -> (name, code, province, scores of the four dimensions)
REGIONS = {
    "kota-padang-panjang": ("Kota Padang Panjang", "13.74", "Sumatera Barat", (3, 2, 3, 4)),
    "kota-payakumbuh": ("Kota Payakumbuh", "13.76", "Sumatera Barat", (2, 2, 3, 2)),
    "kota-pariaman": ("Kota Pariaman", "13.77", "Sumatera Barat", (1, 2, 2, 2)),
}


def write_workbooks(root: Path, slugs: list[str] | None = None, year: int = 2024) -> Path:
    """Filled Tahap II workbooks of ``slugs`` (every region of :data:`REGIONS` unless given) under ``root``."""
    for slug in slugs if slugs is not None else list(REGIONS):
        name, code, province, scores = REGIONS[slug]
        make_filled(
            root / str(year) / "tahap-2" / f"{slug}.xlsx",
            year=year,
            region=name,
            region_code=code,
            province=province,
            scores=scores,
        )
    return root


def spec(data_dir: Path, out: Path, **kw) -> RunSpec:
    """A 2024 Tahap II batch of the workbooks in ``data_dir`` into ``out`` on two workers."""
    return RunSpec(year=2024, stage=2, data_dir=data_dir, output_dir=out, workers=2, **kw)
