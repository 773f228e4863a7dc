from pathlib import Path

import pytest
import yaml

from smartcity_eval.method import methodology as mth


def test_years_and_profiles():
    assert mth.years() == [2022, 2023, 2024]
    assert dict(mth.profile(2023, "REGULER").weights) == {
        "baseline": 10,
        "output": 20,
        "outcome": 30,
        "impact": 20,
        "quick_win": 20,
    }
    assert dict(mth.profile(2023, "KPPN&IKN").weights) == {
        "baseline": 10,
        "output": 20,
        "outcome": 20,
        "impact": 20,
        "quick_win": 20,
        "kolaborasi": 10,
    }
    assert dict(mth.profile(2022, "KPPN&IKN").weights) == {
        "baseline": 10,
        "output": 20,
        "outcome": 30,
        "impact": 10,
        "quick_win": 30,
    }
    assert mth.profile(2022, "REGULER").provenance == "fitted"
    assert mth.profile(2023, "KPPN&IKN").provenance == "official"
    assert mth.profile(2024, "REGULER").provenance == "fitted"
    assumed = mth.profile(2024, "KPPN&IKN")
    assert assumed.provenance == "assumed"
    assert dict(assumed.weights) == dict(mth.profile(2023, "KPPN&IKN").weights)


@pytest.mark.parametrize(
    ("year", "category", "counts"),
    [
        (2023, "KPPN&IKN", {"baseline": 5, "output": 7, "outcome": 33, "impact": 54, "quick_win": 12, "kolaborasi": 6}),
        (2023, "REGULER", {"baseline": 5, "output": 7, "outcome": 33, "impact": 54, "quick_win": 12}),
        (2022, "KPPN&IKN", {"baseline": 5, "output": 7, "outcome": 31, "impact": 4, "quick_win": 12}),
    ],
)
def test_question_bank_counts(year, category, counts):
    bank = mth.get(year).question_bank(category)
    assert bank["dimension"].value_counts().to_dict() == counts


def test_pillars_and_action_plan_items():
    m = mth.get(2023)
    assert [p.key for p in m.pillars] == list(mth.PILLAR_KEYS)
    assert sum(len(p.sub_dimensions) for p in m.pillars) == 18
    ra = [it for it in m.dimension("outcome").items if it.action_plan]
    assert [it.action_plan for it in ra] == ["sdm", "infrastruktur", "aplikasi", "literasi"]
    survey = [it for it in m.dimension("impact").items if it.sub_dimension]
    assert len(survey) == 54
    assert {it.pillar for it in survey} == set(mth.PILLAR_KEYS)


def test_shared_items_keep_their_ids_across_years():
    ids22 = set(mth.get(2022).items_by_id)
    ids23 = set(mth.get(2023).items_by_id)
    assert len(ids22 & ids23) >= 100
    for item_id in ids22 & ids23:
        assert mth.get(2022).items_by_id[item_id].question == mth.get(2023).items_by_id[item_id].question


def _broken(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((mth.DATA_DIR / "2023.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "2023.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_weights_not_summing_to_100_fail_with_file_and_key(tmp_path):
    path = _broken(tmp_path, lambda d: d["weights"]["REGULER"]["weights"].update(baseline=15))
    with pytest.raises(mth.MethodologyError, match=r"2023\.yaml: weights\.REGULER\.weights: sum to 105"):
        mth.load_file(path)


def test_duplicate_item_id_fails(tmp_path):
    def dup(d):
        d["dimensions"][1]["items"][0]["id"] = d["dimensions"][0]["items"][0]["id"]

    pattern = r"2023\.yaml: dimensions\.output\.items\[0\].*duplicate item id 'BL-01'"
    with pytest.raises(mth.MethodologyError, match=pattern):
        mth.load_file(_broken(tmp_path, dup))


def test_unknown_pillar_fails(tmp_path):
    def bad(d):
        d["dimensions"][2]["items"][0]["pillar"] = "smart_weather"

    with pytest.raises(mth.MethodologyError, match=r"dimensions\.outcome\.items\[0\].*'pillar' is 'smart_weather'"):
        mth.load_file(_broken(tmp_path, bad))


def test_adding_a_year_is_adding_a_file(tmp_path):
    def year(d):
        d["year"] = 2025

    src = _broken(tmp_path, year)
    path = src.rename(tmp_path / "2025.yaml")
    m = mth.load_file(path)
    assert m.year == 2025
    assert m.profile("REGULER").weights["outcome"] == 30


def test_action_plan_categories_in_canonical_order():
    assert tuple(c.key for c in mth.get(2023).action_plan_categories) == mth.ACTION_PLAN_KEYS


@pytest.mark.parametrize(("lang", "expected"), [("id", "SDM"), ("en", "Human resources")])
def test_action_plan_short_name(lang, expected):
    sdm = mth.get(2023).action_plan_categories[1]
    assert sdm.short(lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id", "Peningkatan kapasitas sumber daya manusia (SDM)"), ("en", "Human-resource capacity")],
)
def test_action_plan_long_name(lang, expected):
    sdm = mth.get(2023).action_plan_categories[1]
    assert sdm.name(lang) == expected


@pytest.mark.parametrize("year", [2022, 2023, 2024])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_action_plan_category_has_a_short_name(year, lang):
    assert all(c.short(lang) for c in mth.get(year).action_plan_categories)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pillar_label_is_its_name_in_both_languages(lang):
    assert mth.get(2023).pillars[0].label(lang) == "Smart Governance"


@pytest.mark.parametrize("key", ["short_id", "short_en", "name_id", "name_en"])
def test_action_plan_category_without_a_name_fails_with_file_and_key(tmp_path, key):
    def drop(d):
        del d["action_plan_categories"][1][key]

    pattern = rf"2023\.yaml: action_plan_categories\.sdm: missing key '{key}'"
    with pytest.raises(mth.MethodologyError, match=pattern):
        mth.load_file(_broken(tmp_path, drop))


def test_action_plan_categories_out_of_order_fail(tmp_path):
    def swap(d):
        cats = d["action_plan_categories"]
        cats[0], cats[1] = cats[1], cats[0]

    with pytest.raises(mth.MethodologyError, match=r"2023\.yaml: key 'action_plan_categories' lists \['sdm'"):
        mth.load_file(_broken(tmp_path, swap))


@pytest.mark.parametrize("key", ["short_id", "short_en"])
def test_dimension_without_a_short_name_fails_with_file_and_key(tmp_path, key):
    def drop(d):
        del d["dimensions"][4][key]

    with pytest.raises(mth.MethodologyError, match=rf"2023\.yaml: dimensions\.quick_win: missing key '{key}'"):
        mth.load_file(_broken(tmp_path, drop))
