"""The region report as a document someone issues: its title, running header, cover, approval page and metadata.

Who issues it comes from the run's issuer file (:mod:`smartcity_eval.inputs.issuer`); without one the report is a
draft for review and says so on the cover, in the running header and on the approval page. The document's
metadata (title, issuer as author, subject, keywords, creator) travels as ``<meta>`` elements in the HTML, which
:func:`smartcity_eval.reports.report.notebook_to_html` moves into the page's head and the PDF printer copies.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

from IPython.display import HTML

from smartcity_eval import __version__
from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import format_date, stage_name
from smartcity_eval.inputs.issuer import Issuer
from smartcity_eval.method import methodology as mth

if TYPE_CHECKING:
    from smartcity_eval.reports.region_report import RegionReport

D = i18n.section("document")
R = i18n.section("report")


def title(year: int, stage: int, lang: str) -> str:
    """The formal title: "Laporan Hasil Evaluasi Implementasi Smart City Tahun 2024 — Tahap II"."""
    return D(lang, "title", year=year, stage=stage_name(stage, lang))


def running_header(region: str, year: int, stage: int, lang: str, issued: bool) -> str:
    """The header on every PDF page: the region, year and stage; DRAF when no issuer; provisional in Tahap I."""
    parts = [] if issued else [D(lang, "draft")]
    parts += [region, str(year), stage_name(stage, lang)]
    if stage == 1:
        parts.append(R(lang, "provisional"))
    return " · ".join(parts)


def letter_number(r: RegionReport) -> str:
    """This report's letter number from the issuer's pattern ("" for a draft)."""
    if r.issuer is None:
        return ""
    p = r.assessment.profile
    return r.issuer.number(year=p.year, stage=p.stage, code=p.region_code, slug=p.slug)


def _issuer_block(issuer: Issuer) -> str:
    logo = f'<img class="issuer-logo" src="{escape(issuer.logo)}" alt=""/>' if issuer.logo else ""
    unit = f'<p class="issuer-unit">{escape(issuer.unit)}</p>' if issuer.unit else ""
    return f'<div class="issuer">{logo}<p class="issuer-body">{escape(issuer.body)}</p>{unit}</div>'


def _draft_stamp(lang: str) -> str:
    return f'<div class="draft-stamp" role="note">{escape(D(lang, "draft_note"))}</div>'


def _issue_lines(r: RegionReport) -> str:
    if r.issuer is None:
        return _draft_stamp(r.lang)
    t, i = D[r.lang], r.issuer
    return (
        f'<p class="cover-issue">{escape(t("letter_number"))}: {escape(letter_number(r))}<br/>'
        f"{escape(t('issued', place=i.place, date=format_date(i.date, r.lang)))}</p>"
    )


def cover(r: RegionReport) -> HTML:
    """Title page: issuer, formal title, region and province, category, letter number and date of issue (or DRAF)."""
    p = r.assessment.profile
    head = _issuer_block(r.issuer) if r.issuer is not None else ""
    cohort = f" · {escape(R(r.lang, 'cohort'))}: {escape(p.cohort)}" if p.cohort else ""
    banner = f'<div class="provisional-banner">{escape(R(r.lang, "provisional"))}</div>' if p.stage == 1 else ""
    return HTML(
        f'<div class="cover">{head}<p class="cover-kicker">{escape(D(r.lang, "programme"))}</p>'
        f'<p class="cover-title">{escape(title(p.year, p.stage, r.lang))}</p>'
        f"<h1>{escape(p.region)}</h1>"
        f'<p class="cover-sub">{escape(R(r.lang, "province"))} {escape(p.province)}</p>'
        f'<p class="cover-meta">{escape(R(r.lang, "category"))}: {escape(p.category)}{cohort}</p>'
        f"{banner}{_issue_lines(r)}</div>"
    )


def _signature(r: RegionReport) -> str:
    t, i = D[r.lang], r.issuer
    if i is None:
        return f'<div class="signature draft">{_draft_stamp(r.lang)}<p>{escape(t("approval_draft"))}</p></div>'
    number = f"<p>{escape(t('employee_number', number=i.signatory.employee_number))}</p>"
    return (
        f'<div class="signature"><p>{escape(t("set_at", place=i.place, date=format_date(i.date, r.lang)))}</p>'
        f"<p>{escape(i.signatory.title)}</p>"
        f'<div class="signature-space" aria-label="{escape(t("signature"))}"></div>'
        f'<p class="signatory">{escape(i.signatory.name)}</p>'
        f"{number if i.signatory.employee_number else ''}</div>"
    )


def approval(r: RegionReport) -> HTML:
    """The last page: the approval text and the signature block (a draft says it is not yet approved)."""
    p, t = r.assessment.profile, D[r.lang]
    text = t("approval_text", region=p.region, year=p.year, stage=stage_name(p.stage, r.lang))
    body = f"<p>{escape(text)}</p>" if r.issuer is not None else ""
    return HTML(f'<div class="part approval"><h2>{escape(t("approval"))}</h2>{body}{_signature(r)}</div>')


def metadata(r: RegionReport) -> dict[str, str]:
    """The document's metadata: title, author (the issuer), subject, keywords, language, creator."""
    p, t = r.assessment.profile, D[r.lang]
    stage = stage_name(p.stage, r.lang)
    return {
        "dcterms.title": f"{title(p.year, p.stage, r.lang)} — {p.region}",
        "author": r.issuer.body if r.issuer is not None else t("draft"),
        "description": t("subject", region=p.region, year=p.year, stage=stage),
        "keywords": t("keywords", region=p.region, province=p.province, year=p.year),
        "dcterms.language": r.lang,
        "generator": f"smartcity-eval {__version__}",
    }


def document_info(r: RegionReport) -> HTML:
    """The metadata as ``<meta>`` elements (moved into the page's head when the report is converted)."""
    return HTML("".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in metadata(r).items()))


def generated(lang: str, now: dt.datetime | None = None) -> str:
    """ "Generated on 2024-12-16 10:30 with smartcity-eval 0.1.0" for the provenance appendix."""
    now = now or dt.datetime.now().astimezone()
    return D(lang, "generated", time=now.strftime("%Y-%m-%d %H:%M %Z").strip(), version=__version__)


def weight_caveat(profile: mth.WeightProfile, lang: str) -> str | None:
    """What a reader must know about weights that are not official (fitted or assumed); None for official ones.
    Said in the technical appendix and in the batch summary, never in a report's body."""
    if profile.provenance == "official":
        return None
    how = R(lang, profile.provenance)
    return D(
        lang, "weights_caveat", category=profile.category, year=profile.year, provenance=how, note=profile.note(lang)
    )


def weight_caveats(year: int, lang: str) -> list[str]:
    """:func:`weight_caveat` of every category's weights of ``year`` that are not official."""
    profiles = mth.get(year).profiles.values() if year in mth.years() else []
    return [c for c in (weight_caveat(p, lang) for p in profiles) if c]
