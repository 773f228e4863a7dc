"""What users read: Indonesian by default, English available; numbers with the decimal comma in Indonesian.

Every message lives in one catalogue per language, ``common/locale/<lang>.yaml``, grouped in sections (``cli``,
``store``, ``validation``, ``report``, ...); code names messages by key. :func:`text` looks one up
(``text("store.locked", "en", db=..., detail=...)``); a module binds its section once and calls it::

    T = i18n.section("store")
    T(lang, "loaded")                  # one message
    t = T[lang]                        # or the section in one language ...
    t("summary", loaded=3, ...)        # ... then each message by key

Placeholders are :meth:`str.format` names. A parameter that is a :class:`Message` (a key and its parameters) or
a :class:`Localized` name is itself translated, so a structured reason can be part of another message. Errors
that users read carry a key and parameters (:class:`LocalizedError`): ``str(error)`` is Indonesian,
``error.message(lang)`` any language. ``tests/test_i18n.py`` checks that both catalogues have the same keys and
placeholders, and that every key the code names exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

from smartcity_eval.common import yamlfile
from smartcity_eval.common.numbers import Number, round_half_up

LANGUAGES = ("id", "en")
DEFAULT_LANG = "id"
LOCALE_DIR = Path(__file__).parent / "locale"


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


# ----------------------------------------------------------------------------------------------- catalogues


@cache
def catalogue(lang: str = DEFAULT_LANG) -> Mapping[str, Mapping[str, str]]:
    """The catalogue of ``lang``: section -> key -> text, read once from ``locale/<lang>.yaml``."""
    path = LOCALE_DIR / f"{check_lang(lang)}.yaml"
    data = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of sections")
    out: dict[str, Mapping[str, str]] = {}
    for name, entries in data.items():
        if not isinstance(name, str) or not isinstance(entries, dict):
            raise ValueError(f"{path}: section {name!r} must be a name with a mapping of messages")
        for key, value in entries.items():
            # keys like no/yes/1 must be quoted in YAML, or they arrive as booleans and numbers
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"{path}: {name}.{key!r} must be a quoted key with a text")
        out[name] = MappingProxyType(dict(entries))
    return MappingProxyType(out)


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` (``"section.name"``) in ``lang``, with ``params`` filled in.

    Raises KeyError naming the key when the catalogue of ``lang`` has no such message.
    """
    section_name, _, name = key.partition(".")
    try:
        template = catalogue(lang)[section_name][name]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {lang!r} catalogue") from None
    return template.format(**{k: v.text(lang) if isinstance(v, Message | Localized) else v for k, v in params.items()})


class Messages:
    """One section of the catalogue in one language: ``t("key", **params)``."""

    def __init__(self, section: str, lang: str) -> None:
        self.section, self.lang = section, check_lang(lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        return text(f"{self.section}.{key}", self.lang, **params)

    def get(self, key: str, default: str) -> str:
        """The message ``key`` (no parameters), or ``default`` when the section has none."""
        return catalogue(self.lang)[self.section].get(key, default)


class Section:
    """One section of the catalogues: ``T(lang, "key", **params)``, or ``T[lang]`` bound to a language."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, lang: str, key: str, /, **params: Any) -> str:
        return text(f"{self.name}.{key}", lang, **params)

    def __getitem__(self, lang: str) -> Messages:
        return Messages(self.name, lang)

    def __contains__(self, key: object) -> bool:
        """True when every catalogue has the message ``key`` in this section."""
        return all(key in catalogue(lang)[self.name] for lang in LANGUAGES)

    def __repr__(self) -> str:
        return f"Section({self.name!r})"


def section(name: str) -> Section:
    """The section ``name`` of the catalogues (``store``, ``cli``, ...)."""
    if name not in catalogue(DEFAULT_LANG):
        raise KeyError(f"no section {name!r} in the {DEFAULT_LANG!r} catalogue")
    return Section(name)


class Message:
    """A message not yet translated: its key (``"section.name"``) and parameters; hashable."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = tuple(params.items())

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return text(self.key, lang, **dict(self.params))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, self.params))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Message({self.key!r}{args})"


class Localized:
    """A name given in every language (``Localized(id="Dampak", en="Impact")``), as a message parameter; hashable."""

    __slots__ = ("names",)

    def __init__(self, **names: str) -> None:
        missing = [lang for lang in LANGUAGES if lang not in names]
        if missing or set(names) - set(LANGUAGES):
            raise ValueError(f"expected a name in each of {', '.join(LANGUAGES)}, got {', '.join(names)}")
        self.names = tuple((lang, names[lang]) for lang in LANGUAGES)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return dict(self.names)[check_lang(lang)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and self.names == other.names

    def __hash__(self) -> int:
        return hash(self.names)

    def __repr__(self) -> str:
        return "Localized(" + ", ".join(f"{k}={v!r}" for k, v in self.names) + ")"


class LocalizedError(Exception):
    """An error users read: a key of the subclass's catalogue ``section`` and parameters.

    ``str(error)`` is the Indonesian message; :meth:`message` gives it in any language.
    """

    section: ClassVar[str] = ""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(self.message())

    @property
    def msg(self) -> Message:
        """The error's message, untranslated (to pass as a parameter of another message)."""
        return Message(f"{self.section}.{self.key}", **self.params)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return text(f"{self.section}.{self.key}", lang, **self.params)


# ----------------------------------------------------------------------------------------------- numbers and names


def format_number(
    value: Number | None, decimals: int = 2, lang: str = DEFAULT_LANG, *, signed: bool = False, missing: str = "-"
) -> str:
    """Format a number half-up with ``decimals`` places: ``2,94`` in Indonesian, ``2.94`` in English."""
    if value is None:
        return missing
    if isinstance(value, float) and value != value:  # NaN
        return missing
    rounded: Decimal = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    formatted = f"{rounded:,.{decimals}f}"
    if signed and rounded > 0:
        formatted = "+" + formatted
    if lang == "id":
        formatted = formatted.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return formatted


def format_percent(value: Number | None, decimals: int = 2, lang: str = DEFAULT_LANG) -> str:
    """``70,73%`` / ``70.73%``; ``-`` when missing."""
    if value is None:
        return "-"
    return format_number(value, decimals, lang) + "%"


def stage_name(stage: int, lang: str = DEFAULT_LANG) -> str:
    """``Tahap II`` / ``Stage II`` (the stage number itself when the catalogue has no name for it)."""
    return catalogue(lang)["stage"].get(str(int(stage)), str(stage))


def format_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """``16 Desember 2024`` / ``16 December 2024``."""
    return f"{day.day} {text(f'date.month_{day.month}', lang)} {day.year}"
