"""One catalogue per language: the same keys and placeholders in each, and every key the code names exists."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import smartcity_eval
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import LANGUAGES, Localized, Message, text

PACKAGE = Path(smartcity_eval.__file__).parent
#: modules whose own language tables are still to move into the catalogues (by their owners)
PENDING: set[str] = set()


def entries(lang: str) -> dict[str, str]:
    """``{"section.key": text}`` of one catalogue."""
    return {f"{s}.{k}": v for s, messages in i18n.catalogue(lang).items() for k, v in messages.items()}


def placeholders(template: str) -> set[str]:
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


# ----------------------------------------------------------------------------------------------- the catalogues


def test_both_catalogues_have_the_same_sections_and_keys():
    ids, ens = entries("id"), entries("en")
    assert sorted(set(ids) - set(ens)) == [], "only in id.yaml"
    assert sorted(set(ens) - set(ids)) == [], "only in en.yaml"
    assert list(i18n.catalogue("id")) == list(i18n.catalogue("en"))


def test_both_catalogues_have_the_same_placeholders_per_key():
    ids, ens = entries("id"), entries("en")
    differ = {
        k: (placeholders(ids[k]), placeholders(ens[k])) for k in ids if placeholders(ids[k]) != placeholders(ens[k])
    }
    assert differ == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_empty(lang):
    assert [k for k, v in entries(lang).items() if not v.strip()] == []


def test_a_key_yaml_would_read_as_a_boolean_fails_loudly(tmp_path, monkeypatch):
    (tmp_path / "id.yaml").write_text('report:\n  no: "No"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="quoted key"):
            i18n.catalogue("id")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


# ----------------------------------------------------------------------------------------------- looking up


def test_text_fills_placeholders_in_each_language():
    assert text("store.no_store", "id", db="x.duckdb").startswith("basis data evaluasi x.duckdb belum ada")
    assert text("store.no_store", "en", db="x.duckdb").startswith("the evaluation store x.duckdb does not exist")
    assert text("stage.2") == "Tahap II"
    assert i18n.stage_name(2, "en") == "Stage II"
    assert i18n.stage_name(3) == "3"


@pytest.mark.parametrize("key", ["store.nothing_like_this", "nowhere.loaded", "loaded"])
def test_an_unknown_key_raises_key_error_naming_it(key):
    with pytest.raises(KeyError, match=key):
        text(key, "en")


def test_an_unknown_language_or_section_is_refused():
    with pytest.raises(ValueError, match="unsupported language"):
        text("store.loaded", "fr")
    with pytest.raises(KeyError, match="nowhere"):
        i18n.section("nowhere")


def test_section_and_bound_messages():
    T = i18n.section("store")
    assert T("en", "loaded") == "loaded"
    assert T["id"]("loaded") == "dimuat"
    assert T["en"]("summary", loaded=1, replaced=0, skipped=2, error=0, missing=0, pruned=0, db="d").startswith(
        "Summary: 1 loaded"
    )
    assert i18n.section("report")["en"].get("no_such_status", "as is") == "as is"


def test_message_and_localized_parameters_are_translated():
    reason = Message("workbook.not_found")
    assert text("validation.unreadable", "id", detail=reason) == "berkas tidak dapat dibaca (berkas tidak ditemukan)"
    assert text("validation.unreadable", "en", detail=reason) == "the file cannot be read (file not found)"
    name = Localized(id="Dampak", en="Impact")
    assert text("validation.dimension_unscored", "en", dimension=name) == "dimension Impact has no scored item"
    assert hash(reason) == hash(Message("workbook.not_found"))
    assert name == Localized(id="Dampak", en="Impact")
    with pytest.raises(ValueError):
        Localized(id="Dampak")


def test_a_localized_error_reads_indonesian_and_speaks_english_on_request():
    from smartcity_eval.results.store import StoreError

    error = StoreError("no_store", db="x.duckdb")
    assert str(error) == error.message("id") == text("store.no_store", "id", db="x.duckdb")
    assert error.message("en") == text("store.no_store", "en", db="x.duckdb")
    assert error.msg == Message("store.no_store", db="x.duckdb")


# ----------------------------------------------------------------------------------------------- keys in code


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _localized_classes() -> dict[str, str]:
    """Names of the package's LocalizedError subclasses -> their section."""
    found = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any("LocalizedError" in ast.unparse(b) for b in node.bases):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and [ast.unparse(t) for t in stmt.targets] == ["section"]:
                        found[node.name] = _str(stmt.value)
    return found


def keys_in(path: Path, classes: dict[str, str]) -> tuple[set[str], int]:
    """``section.key`` of every message ``path`` names literally, and how many lookups take a computed key.

    Recognised: ``i18n.text("s.k")``; ``T = i18n.section("s")`` then ``T(lang, "k")``, ``T[lang]("k")``,
    ``t = T[lang]; t("k")`` and a property ``t`` returning ``T[...]`` (``r.t("k")``); ``SomeError("k")`` of a
    :class:`LocalizedError` subclass; and a validation problem's code and expectation (``Problem(...)``,
    ``c.add(...)``).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sections: dict[str, str] = {}  # module-level name -> section
    for node in tree.body:
        call = node.value if isinstance(node, ast.Assign) else None
        if isinstance(call, ast.Call) and ast.unparse(call.func) in ("i18n.section", "section") and call.args:
            for target in node.targets:
                sections[ast.unparse(target)] = _str(call.args[0])
    properties: dict[str, str] = {}  # attribute -> section
    bound: dict[str, str] = {}  # local name -> section

    def section_of(value: ast.AST) -> str | None:
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
            return sections.get(value.value.id)
        if isinstance(value, ast.Attribute):
            return properties.get(value.attr)
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(ast.unparse(d) == "property" for d in node.decorator_list):
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Return) and stmt.value is not None and section_of(stmt.value):
                    properties[node.name] = section_of(stmt.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = [(target, node.value)]
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs = list(zip(target.elts, node.value.elts, strict=True))
                for name, value in pairs:
                    if isinstance(name, ast.Name) and section_of(value):
                        bound[name.id] = section_of(value)
    used: set[str] = set()
    computed = 0

    def use(section: str, key: ast.AST | None) -> None:
        nonlocal computed
        if _str(key) is None:
            computed += 1
        else:
            used.add(f"{section}.{_str(key)}")

    def arg(call: ast.Call, i: int, keyword: str | None = None) -> ast.AST | None:
        if len(call.args) > i:
            return call.args[i]
        return next((k.value for k in call.keywords if k.arg == keyword), None)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = ast.unparse(func)
        if name in ("i18n.text", "text", "i18n.Message", "Message") and node.args:
            key = _str(node.args[0])
            if key is None:
                computed += 1
            else:
                used.add(key)
        elif isinstance(func, ast.Name) and func.id in sections:
            use(sections[func.id], arg(node, 1))
        elif isinstance(func, ast.Subscript) and section_of(func):
            use(section_of(func), arg(node, 0))
        elif isinstance(func, ast.Name) and func.id in bound:
            use(bound[func.id], arg(node, 0))
        elif isinstance(func, ast.Attribute) and func.attr in properties:
            use(properties[func.attr], arg(node, 0))
        elif isinstance(func, ast.Name) and classes.get(func.id):
            use(classes[func.id], arg(node, 0))
        elif name == "Problem" or name.endswith("c.add"):
            use("validation", arg(node, 1, "code"))
            expected = arg(node, 8 if name == "Problem" else 7, "expected")
            if expected is not None and not (isinstance(expected, ast.Constant) and expected.value is None):
                if isinstance(expected, ast.IfExp):  # "stage" if key == "stage" else "year"
                    use("expected", expected.body)
                    use("expected", expected.orelse)
                elif isinstance(expected, ast.Constant | ast.Name):
                    use("expected", expected)
                else:  # text built in place (f"...", "a" + b) instead of a key and parameters
                    used.add(f"expected.<{ast.unparse(expected)}>")
    return used, computed


def test_every_key_named_in_the_code_exists_in_both_catalogues():
    classes = _localized_classes()
    known = set(entries("id")) & set(entries("en"))
    missing, total = {}, 0
    for path in modules():
        used, _ = keys_in(path, classes)
        total += len(used)
        if used - known:
            missing[rel(path)] = sorted(used - known)
    assert missing == {}
    assert total > 200  # the scan does find the code's keys


def test_the_scan_sees_each_kind_of_lookup():
    classes = _localized_classes()
    assert classes["StoreError"] == "store"
    assert classes["UnreadableWorkbook"] == "workbook"
    used = {rel(p): keys_in(p, classes)[0] for p in modules()}
    assert "report.excerpt" in used["reports/region_report.py"]  # t("excerpt", ...) through the property r.t
    assert "overview.max" in used["reports/overview.py"]
    assert {"store.summary", "store.bad_name"} <= used["results/loading.py"]
    assert {"store.no_store", "store.busy", "store.waiting"} <= used["results/schema.py"]
    assert {"cli.differs", "cli.no_profile"} <= used["cli.py"]
    assert {"validation.score_range", "expected.score_range", "expected.either"} <= used["inputs/validation.py"]
    assert {"expected.decimal", "validation.choice"} <= used["results/national.py"]


def test_keys_computed_at_run_time_exist():
    """The lookups whose key is a value: store actions, severities, sources, provenance, statuses, kinds."""
    from smartcity_eval.inputs.validation import ERROR, WARNING
    from smartcity_eval.inputs.workbook import KIND_LABELS, STATUS_LABELS

    needed = [f"store.{a}" for a in ("loaded", "replaced", "skipped", "ignored", "error", "missing", "pruned")]
    needed += [f"store.{k}" for k in ("stray", "copy_of", "duplicate_evaluation", "failed", "moved_from")]
    needed += [f"store.{k}" for k in ("missing_note", "pruned_note", "bad_name", "bad_region", "duplicate_region")]
    needed += [f"labels.{s}" for s in (ERROR, WARNING)]
    needed += [f"report.{k}" for k in ("official", "fitted", "assumed", "workbook", "published")]
    needed += [f"report.{k}" for k in (*STATUS_LABELS, *KIND_LABELS)]
    needed += [f"overview.{k}" for k in ("workbook", "published")]
    known = set(entries("id")) & set(entries("en"))
    assert [k for k in needed if k not in known] == []


#: keys looked up with a computed key (see test_keys_computed_at_run_time_exist), so the scan cannot see them
COMPUTED = {
    "labels": {"error", "warning"},
    "validation": {"contradicts_place", "contradicts_run"},
    "expected": {"registered_code", "registered_code_of"},
    "stage": {"1", "2"},
    "store": {"loaded", "replaced", "skipped", "ignored", "error", "missing", "pruned"}
    | {"stray", "copy_of", "duplicate_evaluation", "failed", "moved_from", "missing_note", "pruned_note"},
    "report": {"official", "fitted", "assumed", "workbook", "published"}
    | {"berjalan", "belum_berjalan", "terhenti", "kekuatan", "kelemahan", "rekomendasi"},
    "overview": {"workbook", "published"},
    "date": {f"month_{m}" for m in range(1, 13)},
    # argparse's errors mapped to messages (cli.ARGPARSE_ERRORS); the runner's table headers and statuses
    "cli": {"arg_choice", "arg_expected_one", "arg_not_allowed", "arg_required", "arg_type", "arg_unrecognized"},
    "runner": {"failed", "invalid", "note", "ok", "outputs", "region", "seconds", "skipped", "status"},
    # the workspace's headers, views, pickers and DataTables' words (reports/explore.py, reports/datatable.py)
    "explore": {f"col_{k}" for k in ("rank_national", "rank_category", "rank_province", "region", "province")}
    | {f"col_{k}" for k in ("category", "kolaborasi", "nilai_final", "improvement", "status", "year", "stage_name")}
    | {f"col_{k}" for k in ("source_name", "weight", "regions", "median", "earned", "left", "dimension_name")}
    | {f"col_{k}" for k in ("assessors", "items", "mean_spread", "disputed", "max_spread", "item_id", "indicator")}
    | {f"col_{k}" for k in ("question_text", "score_list", "spread", "value")}
    | {f"{v}_title" for v in ("national", "history", "points", "disagreement", "improved", "province")}
    | {f"pick_{f}" for f in ("year", "stage", "category", "province", "region")}
    | {f"dt_{k}" for k in ("search", "info", "infoEmpty", "infoFiltered", "lengthMenu", "decimal", "thousands")}
    | {"yes", "no", "participant", "not_participant", "source_workbook", "source_published"},
    # the export's headers and metadata sheet (results/export.py)
    "export": {f"col_{k}" for k in ("no", "region", "baseline", "output", "outcome", "impact", "quick_win")}
    | {f"col_{k}" for k in ("kolaborasi", "nilai_final", "improvement", "category", "province")}
    | {f"col_{k}" for k in ("rank_national", "rank_category", "rank_province")}
    | {f"meta_{k}" for k in ("title", "year", "stage", "category", "method", "date", "store", "version", "note")},
}


def test_every_key_of_the_catalogues_is_used():
    classes = _localized_classes()
    used = set().union(*(keys_in(p, classes)[0] for p in modules()))
    used |= {f"{s}.{k}" for s, keys in COMPUTED.items() for k in keys}
    assert sorted(set(entries("id")) - used) == []


# ----------------------------------------------------------------------------------------------- one mechanism


def _language_tables(tree: ast.AST) -> list[int]:
    """Lines of dict literals keyed by the languages (``{"id": ..., "en": ...}``)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict) and {_str(k) for k in node.keys} == set(LANGUAGES)
    ]


def _inline_choices(tree: ast.AST) -> list[int]:
    """Lines of ``"..." if lang == "id" else "..."`` between two literal texts."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.IfExp)
        and _str(node.body) is not None
        and _str(node.orelse) is not None
        and "lang" in ast.unparse(node.test)
    ]


@pytest.mark.parametrize("path", [p for p in modules() if rel(p) not in PENDING], ids=rel)
def test_no_module_keeps_its_own_language_table(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _language_tables(tree) == []
    assert _inline_choices(tree) == []
