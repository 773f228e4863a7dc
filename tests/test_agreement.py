"""Agreement of an assessor panel (Krippendorff's alpha, interval) and the report's appendix on the panel."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE
from smartcity_eval.inputs.validation import load
from smartcity_eval.method import methodology as mth
from smartcity_eval.reports import panel
from smartcity_eval.reports import region_report as rr
from smartcity_eval.results.agreement import agreement, agreements, band_word, reason_text

NA = pd.NA


def frame(rows: dict[str, list]) -> pd.DataFrame:
    """Items (keys) x assessors A1.. (NA = not scored)."""
    width = len(next(iter(rows.values())))
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"A{i}" for i in range(1, width + 1)], dtype="Int64")


def test_perfect_agreement_is_one():
    assert agreement(frame({"a": [1, 1, 1], "b": [3, 3, 3], "c": [4, 4, 4]})).alpha == 1.0


def test_alpha_with_missing_scores_is_krippendorffs_worked_example():
    # Krippendorff's example of 4 coders x 12 units with missing values (the library's documentation: 0.849 on
    # the interval scale); a unit with one value only does not count as an item
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
        [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
    ]
    scores = pd.DataFrame(np.array(coders, dtype=object).T, columns=["A1", "A2", "A3", "A4"]).astype("Int64")
    result = agreement(scores)
    assert round(result.alpha, 3) == 0.849
    assert (result.items, result.assessors) == (11, 4)


def test_a_constant_dimension_is_not_computable_and_says_why():
    result = agreement(frame({"a": [2, 2, 2], "b": [2, 2, NA]}), "baseline")
    assert (result.alpha, result.reason) == (None, "constant")
    assert reason_text(result.reason, "en") == "every score is the same, there is no variation to compare"


def test_one_assessor_only_is_not_computable():
    result = agreement(frame({"a": [1], "b": [3]}))
    assert (result.alpha, result.reason, result.assessors) == (None, "one_assessor", 1)


def test_assessors_who_never_score_the_same_item_give_no_pairs():
    result = agreement(frame({"a": [1, NA], "b": [NA, 3]}))
    assert (result.alpha, result.reason, result.items) == (None, "no_pairs", 0)


@pytest.mark.parametrize(
    ("alpha", "word"),
    [
        ("0.800", "tinggi"),
        ("0.799", "sedang"),
        ("0.667", "sedang"),
        ("0.666", "rendah"),
        (None, "tidak dapat dihitung"),
    ],
)
def test_agreement_in_words(alpha, word):
    assert band_word(None if alpha is None else Decimal(alpha)) == word


def test_the_sample_panel_per_dimension_and_overall():
    assessment = load(SAMPLE / "2024" / "tahap-2" / "kota-padang-panjang.xlsx")
    got = {a.dimension: (a.rounded, a.items) for a in agreements(assessment, mth.get(2024))}
    assert got == {
        "baseline": (Decimal("0.238"), 5),
        "output": (Decimal("0.330"), 7),
        "outcome": (Decimal("0.549"), 33),
        "impact": (Decimal("0.407"), 54),
        "quick_win": (Decimal("0.506"), 12),
        "overall": (Decimal("0.532"), 111),
    }


# ----------------------------------------------------------------------------------------------- the appendix


@pytest.fixture(scope="module")
def report() -> rr.RegionReport:
    return rr.prepare("kota-padang-panjang", 2024, 2, SAMPLE)


def test_the_appendix_follows_the_technical_notes(report):
    assert "<h2>Lampiran E — Panel asesor</h2>" in panel.panel_appendix(report).data


def test_the_appendix_lists_the_moderated_item_with_every_score(report):
    html = panel.panel_appendix(report).data
    row = '<td><span class="code">QW-05</span></td><td class="num">1</td><td class="num">2</td><td class="num">2</td>'
    assert row + '<td class="num">4</td><td class="num">3</td><td class="num">2,40</td>' in html
    assert '<td class="num"><strong>2</strong></td><td>Kemitraan baru sebatas' in html


def test_the_appendix_says_agreement_in_words_with_the_convention(report):
    html = panel.panel_appendix(report).data
    assert '<td>Outcome — hasil</td><td>rendah</td><td class="num">0,549</td>' in html
    assert "tinggi: α ≥ 0,800; sedang: 0,667 ≤ α &lt; 0,800; rendah: α &lt; 0,667" in html


def test_the_appendix_names_the_open_dispute(report):
    assert "Belum dimoderasi (1): OP-03." in panel.panel_appendix(report).data


def test_the_appendix_in_english(report):
    english = dataclasses.replace(report, lang="en")
    assert "<h2>Appendix E — Assessor panel</h2>" in panel.panel_appendix(english).data


def test_the_appendix_escapes_the_workbook_text(report):
    assessors = report.assessment.assessors.copy()
    assessors.loc["A1", "name"] = "<script>x</script>"
    assessment = dataclasses.replace(report.assessment, assessors=assessors)
    html = panel.panel_appendix(dataclasses.replace(report, assessment=assessment)).data
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html
