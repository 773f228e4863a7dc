"""The sample data in data/sample/: valid workbooks, published numbers reproduced, a deterministic script."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from smartcity_eval.common.numbers import to_fraction
from smartcity_eval.inputs.validation import ValidationResult, validate
from smartcity_eval.method import methodology as mth
from smartcity_eval.method.assessment import Assessment
from smartcity_eval.method.scoring import ScoreCard
from smartcity_eval.results import rules
from smartcity_eval.results.national import lookup_final, read_published

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
EXPECTED = {
    "2022/tahap-2/kab-malang.xlsx",
    *(
        f"2023/tahap-2/{s}.xlsx"
        for s in (
            "kab-malang",
            "kota-padang-panjang",
            "kab-pelalawan",
            "kota-payakumbuh",
            "kota-batam",
            "kota-pariaman",
        )
    ),
    *(
        f"2024/tahap-2/{s}.xlsx"
        for s in (
            "kab-malang",
            "kota-padang-panjang",
            "kab-pelalawan",
            "kota-payakumbuh",
            "kota-batam",
            "kota-pariaman",
        )
    ),
    "2024/tahap-1/kab-malang.xlsx",
    "2024/tahap-1/kota-padang-panjang.xlsx",
}
#: each assessor's own workbook of Kota Padang Panjang 2024 Tahap II (merged: the panel workbook)
ASSESSORS = {f"assessors/2024/tahap-2/kota-padang-panjang/A{i}.xlsx" for i in range(1, 6)}
D = Decimal


def _workbooks(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/tahap-*/*.xlsx"))


def _assessor_workbooks(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("assessors/*/tahap-*/*/*.xlsx"))


@pytest.fixture(scope="module")
def results() -> dict[str, ValidationResult]:
    """Every sample workbook, validated once."""
    return {name: validate(SAMPLE / name) for name in _workbooks(SAMPLE)}


def card(results: dict[str, ValidationResult], name: str, previous: object = None) -> ScoreCard:
    assessment = results[name].assessment
    assert assessment is not None, results[name].summary("en")
    return rules.score(assessment, previous)


def dims(c: ScoreCard) -> list[Decimal]:
    return list(c.dimensions_rounded().values())


def test_all_expected_workbooks_exist(results: dict[str, ValidationResult]) -> None:
    assert set(results) == EXPECTED


def test_the_assessor_workbooks_exist() -> None:
    assert set(_assessor_workbooks(SAMPLE)) == ASSESSORS


def test_only_padang_panjang_2024_has_disputes_one_of_them_moderated(results: dict[str, ValidationResult]) -> None:
    open_disputes = {name: [p.value for p in r.warnings if p.code == "dispute_open"] for name, r in results.items()}
    assert {k: v for k, v in open_disputes.items() if v} == {"2024/tahap-2/kota-padang-panjang.xlsx": ["OP-03"]}


def test_every_workbook_validates_without_errors(results: dict[str, ValidationResult]) -> None:
    for name, result in results.items():
        assert result.errors == [], f"{name}:\n{result.summary('en')}"
        assert result.assessment is not None


def test_made_up_workbooks_are_plausible(results: dict[str, ValidationResult]) -> None:
    for name, result in results.items():
        a = result.assessment
        assert a is not None
        assert 4 <= len(a.assessors) <= 5, name
        assert 20 <= len(a.programmes) <= 130, name
        assert set(a.action_plan["category"]) == {
            "kebijakan_kelembagaan",
            "sdm",
            "infrastruktur",
            "aplikasi",
            "literasi",
        }, name
        per = a.findings.groupby(["assessor", "kind"]).size()
        assert len(per) == 3 * len(a.assessors) and per.between(1, 3).all(), name
        assert (a.scores.nunique(axis=1) > 1).any(), f"{name}: every assessor gives the same scores"
        assert to_fraction("1.8") <= card(results, name).nilai_final <= to_fraction("3.6"), name


def test_malang_2022_reproduces_the_published_report(results: dict[str, ValidationResult]) -> None:
    c = card(results, "2022/tahap-2/kab-malang.xlsx")
    assert len(results["2022/tahap-2/kab-malang.xlsx"].assessment.assessors) == 4
    assert dims(c) == [D("1.40"), D("1.54"), D("2.92"), D("2.56"), D("3.08")]
    assert c.nilai_final_rounded == D("2.50")  # the formula; the report printed 2.51


def test_malang_2023_reproduces_the_published_report(results: dict[str, ValidationResult]) -> None:
    previous = card(results, "2022/tahap-2/kab-malang.xlsx").nilai_final
    c = card(results, "2023/tahap-2/kab-malang.xlsx", previous)
    assert len(results["2023/tahap-2/kab-malang.xlsx"].assessment.assessors) == 5
    assert dims(c) == [D("3.60"), D("2.29"), D("3.41"), D("2.81"), D("3.13"), D("2.53")]
    assert c.nilai_final_rounded == D("2.94")
    assert c.improvement_rounded == D("0.44")


def test_malang_items_are_the_published_panel_means(results: dict[str, ValidationResult]) -> None:
    import yaml

    data = yaml.safe_load((ROOT / "data" / "reference" / "malang_items.yaml").read_text(encoding="utf-8"))
    for year in (2022, 2023):
        c = card(results, f"{year}/tahap-2/kab-malang.xlsx")
        bank = mth.get(year).question_bank("KPPN&IKN")
        for dim, values in data["evaluations"][year]["items"].items():
            got = [c.items[i] for i in bank.index[bank["dimension"] == dim]]
            assert got == [to_fraction(str(v)) for v in values], (year, dim)


def test_padang_panjang_2023(results: dict[str, ValidationResult]) -> None:
    table = read_published(SAMPLE / "published" / "national-2022-tahap-2.csv")
    previous = lookup_final(table, "Kota Padang Panjang")
    assert previous == D("2.80")
    c = card(results, "2023/tahap-2/kota-padang-panjang.xlsx", previous)
    assert dims(c) == [D("3.20"), D("2.11"), D("2.59"), D("2.61"), D("1.83")]
    assert c.nilai_final_rounded == D("2.41")
    assert to_fraction("2.405") < c.nilai_final < to_fraction("2.415")
    assert c.improvement_rounded == D("-0.39")


def test_padang_panjang_2024_realisation(results: dict[str, ValidationResult]) -> None:
    c = card(results, "2024/tahap-2/kota-padang-panjang.xlsx")
    overall = c.programmes.loc["overall"]
    assert (overall.done, overall.planned, overall.percent) == (87, 123, D("70.73"))
    assert set(c.programmes.index) == {*mth.PILLAR_KEYS, "overall"}
    ap = c.action_plan["percent"]
    assert ap["overall"] == D("94.46")
    assert ap["kebijakan_kelembagaan"] == D("92.86")
    assert ap["infrastruktur"] == D("91.67")


def test_pelalawan_2023(results: dict[str, ValidationResult]) -> None:
    table = read_published(SAMPLE / "published" / "national-2022-tahap-2.csv")
    c = card(results, "2023/tahap-2/kab-pelalawan.xlsx", lookup_final(table, "Kab. Pelalawan"))
    assert dims(c) == [D("2.64"), D("1.97"), D("2.46"), D("1.36"), D("1.83")]
    assert c.nilai_final_rounded == D("2.03")
    assert c.improvement_rounded == D("-0.46")


def _published_rows(path: Path) -> list[tuple]:
    table = read_published(path)
    return [tuple(r) for r in table.drop(columns=["no"]).astype(str).itertuples(index=False)]


def test_published_2023_table_holds_every_row_of_the_full_table() -> None:
    sample = _published_rows(SAMPLE / "published" / "national-2023-tahap-2.csv")
    assert sample[:130] == _published_rows(ROOT / "data" / "reference" / "national_2023_full.csv")


def test_published_2023_table_adds_only_the_non_participant_of_the_extract() -> None:
    table = read_published(SAMPLE / "published" / "national-2023-tahap-2.csv")
    extra = table.iloc[130:]
    assert list(extra["region"]) == ["Kota Pekalongan"]
    assert extra["nilai_final"].tolist() == [D("0")]


def test_published_2023_table_agrees_with_the_extract() -> None:
    full = _published_rows(SAMPLE / "published" / "national-2023-tahap-2.csv")
    extract = _published_rows(ROOT / "data" / "reference" / "national_2023_sample.csv")
    assert set(extract) <= set(full)


def test_published_tables() -> None:
    table = read_published(SAMPLE / "published" / "national-2022-tahap-2.csv")
    finals = dict(zip(table["region"], table["nilai_final"], strict=True))
    assert finals == {
        "Kab. Malang": D("2.51"),
        "Kab. Pelalawan": D("2.49"),
        "Kab. Raja Ampat": D("1.26"),
        "Kab. Toba": D("1.28"),
        "Kota Jambi": D("3.11"),
        "Kota Padang Panjang": D("2.80"),
        "Kota Surakarta": D("3.80"),
    }
    malang = table[table["region"] == "Kab. Malang"].iloc[0]
    assert [malang[k] for k in ("baseline", "output", "outcome", "impact", "quick_win")] == [
        D("1.40"),
        D("1.54"),
        D("2.92"),
        D("2.56"),
        D("3.08"),
    ]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _same_assessment(a: Assessment, b: Assessment, name: str) -> None:
    assert a.profile == b.profile, name
    for attr in ("assessors", "scores", "programmes", "action_plan", "findings", "moderation"):
        pd.testing.assert_frame_equal(getattr(a, attr), getattr(b, attr), obj=f"{name} {attr}")
    pd.testing.assert_series_equal(a.survey, b.survey, obj=f"{name} survey")


Run = tuple[Path, dict[str, Assessment]]


def _run_script(script: ModuleType, out: Path) -> Run:
    assert script.main(["--out", str(out), "--no-check"]) == 0  # the checks: the tests above
    loaded = {}
    for name in _workbooks(out) + _assessor_workbooks(out):
        assessment = validate(out / name).assessment
        assert assessment is not None, name
        loaded[name] = assessment
    return out, loaded


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    """The script run twice into temporary folders, each workbook loaded."""
    script = _load_script()
    return (
        _run_script(script, tmp_path_factory.mktemp("first")),
        _run_script(script, tmp_path_factory.mktemp("second")),
    )


def test_script_is_deterministic(regenerated: tuple[Run, Run]) -> None:
    (first, a), (second, b) = regenerated
    assert sorted(a) == sorted(b) == sorted(EXPECTED | ASSESSORS)
    for name in a:
        _same_assessment(a[name], b[name], name)
    for csv_name in ("national-2022-tahap-2.csv", "national-2023-tahap-2.csv"):
        assert (first / "published" / csv_name).read_text() == (second / "published" / csv_name).read_text()


def test_committed_sample_is_current(regenerated: tuple[Run, Run], results: dict[str, ValidationResult]) -> None:
    """data/sample/ is what the script makes today (regenerate it when this fails)."""
    first, fresh = regenerated[0]
    for name, result in results.items():
        assert result.assessment is not None
        _same_assessment(fresh[name], result.assessment, name)
    for name in ASSESSORS:
        _same_assessment(fresh[name], validate(SAMPLE / name).assessment, name)
    for csv_name in ("national-2022-tahap-2.csv", "national-2023-tahap-2.csv"):
        assert (first / "published" / csv_name).read_text() == (SAMPLE / "published" / csv_name).read_text()
