"""The evaluation method as data: pillars, evaluation dimensions, question banks and weight profiles.

One YAML file per evaluation year sits beside this module (``2023.yaml``); adding a year means adding a
file. Every file is loaded and checked when this module is imported, so a broken file fails loudly, naming
the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from smartcity_eval.common import yamlfile

CATEGORIES = ("REGULER", "KPPN&IKN")
PROVENANCES = ("official", "fitted", "assumed")
DIMENSION_KEYS = ("baseline", "output", "outcome", "impact", "quick_win", "kolaborasi")
PILLAR_KEYS = ("governance", "branding", "economy", "living", "society", "environment")
ACTION_PLAN_KEYS = ("kebijakan_kelembagaan", "sdm", "infrastruktur", "aplikasi", "literasi")
DATA_DIR = Path(__file__).parent / "years"


class MethodologyError(ValueError):
    """A methodology file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class SubDimension:
    key: str
    name_id: str
    name_en: str


@dataclass(frozen=True)
class Pillar:
    key: str
    name: str
    sub_dimensions: tuple[SubDimension, ...]

    def label(self, lang: str = "id") -> str:
        """The pillar's name, the same in every language ("Smart Governance")."""
        return self.name


@dataclass(frozen=True)
class ActionPlanCategory:
    """An action-plan (Rencana Aksi) category: long names for tables, short ones for chart axes."""

    key: str
    name_id: str
    name_en: str
    short_id: str
    short_en: str

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang == "en" else self.name_id

    def short(self, lang: str = "id") -> str:
        return self.short_en if lang == "en" else self.short_id


@dataclass(frozen=True)
class Item:
    id: str
    dimension: str
    element: str
    indicator: str
    question: str
    question_en: str
    pillar: str | None = None
    sub_dimension: str | None = None
    action_plan: str | None = None
    categories: tuple[str, ...] | None = None

    def applies_to(self, category: str) -> bool:
        """True when the item is asked of regions of ``category``."""
        return self.categories is None or category in self.categories


@dataclass(frozen=True)
class Dimension:
    key: str
    name_id: str
    name_en: str
    short_id: str
    short_en: str
    items: tuple[Item, ...]
    categories: tuple[str, ...] | None = None

    def applies_to(self, category: str) -> bool:
        """True when regions of ``category`` are evaluated on this dimension."""
        return self.categories is None or category in self.categories

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang == "en" else self.name_id

    def short(self, lang: str = "id") -> str:
        return self.short_en if lang == "en" else self.short_id


@dataclass(frozen=True)
class WeightProfile:
    """Weights (percent) of the evaluation dimensions for one year and category, with provenance."""

    year: int
    category: str
    weights: Mapping[str, int]
    provenance: str
    note_id: str = ""
    note_en: str = ""
    source: str = ""  # where the weights are defined (required for an official profile), e.g. a letter's number

    def fraction(self, dimension: str) -> Fraction:
        """Weight of ``dimension`` as an exact fraction of 1 (0 when it has none)."""
        return Fraction(self.weights.get(dimension, 0), 100)

    def note(self, lang: str = "id") -> str:
        return self.note_en if lang == "en" else self.note_id


@dataclass(frozen=True)
class Methodology:
    """Everything one evaluation year needs: pillars, dimensions with items, weight profiles."""

    year: int
    source: str
    pillars: tuple[Pillar, ...]
    action_plan_categories: tuple[ActionPlanCategory, ...]
    dimensions: tuple[Dimension, ...]
    profiles: Mapping[str, WeightProfile]
    path: Path = field(compare=False)

    def profile(self, category: str) -> WeightProfile:
        """Weight profile of ``category``; KeyError names what exists."""
        try:
            return self.profiles[category]
        except KeyError:
            raise KeyError(
                f"no weight profile for category {category!r} in {self.year}; known: {', '.join(self.profiles)}"
            ) from None

    def dimensions_for(self, category: str) -> tuple[Dimension, ...]:
        """Dimensions with a weight for ``category``, in canonical order."""
        profile = self.profile(category)
        return tuple(d for d in self.dimensions if d.applies_to(category) and profile.weights.get(d.key))

    def items_for(self, category: str) -> Iterator[Item]:
        """Items asked of ``category``, in bank order."""
        for dim in self.dimensions_for(category):
            yield from (it for it in dim.items if it.applies_to(category))

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {it.id: it for d in self.dimensions for it in d.items}

    def dimension(self, key: str) -> Dimension:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(key)

    def question_bank(self, category: str, lang: str = "id") -> pd.DataFrame:
        """The items asked of ``category`` as a table (index ``item_id``)."""
        rows = [
            {
                "item_id": it.id,
                "dimension": it.dimension,
                "element": it.element,
                "indicator": it.indicator,
                "question": it.question_en if lang == "en" else it.question,
                "pillar": it.pillar,
                "sub_dimension": it.sub_dimension,
                "action_plan": it.action_plan,
            }
            for it in self.items_for(category)
        ]
        return pd.DataFrame(rows).set_index("item_id")


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise MethodologyError(f"{where}: missing key '{key}'")
    return data[key]


def parse(data: Mapping[str, Any], path: Path) -> Methodology:
    """Build and check a :class:`Methodology` from a parsed YAML mapping."""
    name = path.name
    year = _require(data, "year", name)
    if not isinstance(year, int) or path.stem.isdigit() and int(path.stem) != year:
        raise MethodologyError(f"{name}: key 'year' is {year!r}, expected the year of the file name")

    pillars = []
    for i, p in enumerate(_require(data, "pillars", name)):
        where = f"{name}: pillars[{i}]"
        subs = tuple(
            SubDimension(_require(s, "key", f"{where}.sub_dimensions"), s.get("name_id", ""), s.get("name_en", ""))
            for s in _require(p, "sub_dimensions", where)
        )
        if len(subs) != 3:
            raise MethodologyError(f"{where}.sub_dimensions: {len(subs)} given, expected 3")
        pillars.append(Pillar(_require(p, "key", where), _require(p, "name", where), subs))
    if tuple(p.key for p in pillars) != PILLAR_KEYS:
        raise MethodologyError(
            f"{name}: key 'pillars' lists {[p.key for p in pillars]}, expected {list(PILLAR_KEYS)} in that order"
        )
    sub_keys = {s.key for p in pillars for s in p.sub_dimensions}

    ap_list = []
    for i, c in enumerate(_require(data, "action_plan_categories", name)):
        ckey = _require(c, "key", f"{name}: action_plan_categories[{i}]")
        where = f"{name}: action_plan_categories.{ckey}"
        ap_list.append(
            ActionPlanCategory(
                ckey,
                *(str(_require(c, k, where)) for k in ("name_id", "name_en", "short_id", "short_en")),
            )
        )
    ap_cats = tuple(ap_list)
    if tuple(c.key for c in ap_cats) != ACTION_PLAN_KEYS:
        raise MethodologyError(
            f"{name}: key 'action_plan_categories' lists {[c.key for c in ap_cats]}, "
            f"expected {list(ACTION_PLAN_KEYS)} in that order"
        )
    ap_keys = set(ACTION_PLAN_KEYS)

    dimensions = []
    seen: dict[str, str] = {}
    for i, d in enumerate(_require(data, "dimensions", name)):
        dkey = _require(d, "key", f"{name}: dimensions[{i}]")
        where = f"{name}: dimensions.{dkey}"
        if dkey not in DIMENSION_KEYS:
            raise MethodologyError(f"{where}: unknown dimension {dkey!r}, expected one of {list(DIMENSION_KEYS)}")
        items = []
        for j, it in enumerate(_require(d, "items", where)):
            iid = str(_require(it, "id", f"{where}.items[{j}]"))
            iwhere = f"{where}.items[{j}] (id {iid})"
            if iid in seen:
                raise MethodologyError(f"{iwhere}: duplicate item id {iid!r} (first in {seen[iid]})")
            seen[iid] = dkey
            pillar = it.get("pillar")
            if pillar is not None and pillar not in PILLAR_KEYS:
                raise MethodologyError(f"{iwhere}: key 'pillar' is {pillar!r}, expected one of {list(PILLAR_KEYS)}")
            sub = it.get("sub_dimension")
            if sub is not None and sub not in sub_keys:
                raise MethodologyError(f"{iwhere}: key 'sub_dimension' is {sub!r}, not a sub-dimension of the pillars")
            ap = it.get("action_plan")
            if ap is not None and ap not in ap_keys:
                raise MethodologyError(f"{iwhere}: key 'action_plan' is {ap!r}, expected one of {sorted(ap_keys)}")
            cats = it.get("categories")
            if cats is not None and not set(cats) <= set(CATEGORIES):
                raise MethodologyError(f"{iwhere}: key 'categories' is {cats!r}, expected among {list(CATEGORIES)}")
            items.append(
                Item(
                    id=iid,
                    dimension=dkey,
                    element=str(_require(it, "element", iwhere)),
                    indicator=str(_require(it, "indicator", iwhere)),
                    question=str(_require(it, "question", iwhere)),
                    question_en=str(it.get("question_en", "")),
                    pillar=pillar,
                    sub_dimension=sub,
                    action_plan=ap,
                    categories=tuple(cats) if cats else None,
                )
            )
        if not items:
            raise MethodologyError(f"{where}: key 'items' is empty")
        cats = d.get("categories")
        dimensions.append(
            Dimension(
                dkey,
                _require(d, "name_id", where),
                _require(d, "name_en", where),
                _require(d, "short_id", where),
                _require(d, "short_en", where),
                tuple(items),
                tuple(cats) if cats else None,
            )
        )

    profiles: dict[str, WeightProfile] = {}
    dim_keys = {d.key for d in dimensions}
    for cat, prof in _require(data, "weights", name).items():
        where = f"{name}: weights.{cat}"
        if cat not in CATEGORIES:
            raise MethodologyError(f"{where}: unknown category {cat!r}, expected one of {list(CATEGORIES)}")
        prov = _require(prof, "provenance", where)
        if prov not in PROVENANCES:
            raise MethodologyError(f"{where}.provenance: {prov!r}, expected one of {list(PROVENANCES)}")
        weights = dict(_require(prof, "weights", where))
        for k, w in weights.items():
            if k not in dim_keys:
                raise MethodologyError(f"{where}.weights.{k}: no such evaluation dimension in this file")
            if not isinstance(w, int) or w < 0:
                raise MethodologyError(f"{where}.weights.{k}: {w!r}, expected a whole percentage >= 0")
        if sum(weights.values()) != 100:
            raise MethodologyError(f"{where}.weights: sum to {sum(weights.values())}, expected 100")
        source = str(prof.get("source", "")).strip()
        if prov == "official" and not source:
            raise MethodologyError(f"{where}.source: missing; an official profile names where its weights are defined")
        profiles[cat] = WeightProfile(
            year, cat, weights, prov, prof.get("note_id", ""), prof.get("note_en", ""), source
        )
    return Methodology(year, str(data.get("source", "")), tuple(pillars), ap_cats, tuple(dimensions), profiles, path)


def load_file(path: Path) -> Methodology:
    """Load and check one methodology YAML file."""
    try:
        data = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MethodologyError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, Mapping):
        raise MethodologyError(f"{path.name}: expected a mapping at the top level")
    return parse(data, path)


def _load_all(directory: Path = DATA_DIR) -> dict[int, Methodology]:
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        m = load_file(path)
        found[m.year] = m
    return found


_REGISTRY: dict[int, Methodology] = _load_all()


def years() -> list[int]:
    """Evaluation years that have a methodology file."""
    return sorted(_REGISTRY)


def get(year: int) -> Methodology:
    """The methodology of evaluation ``year``; KeyError lists the known years."""
    try:
        return _REGISTRY[int(year)]
    except KeyError:
        raise KeyError(f"no methodology for {year}; known years: {', '.join(map(str, years()))}") from None


def profile(year: int, category: str) -> WeightProfile:
    """Weight profile for (year, category)."""
    return get(year).profile(category)
