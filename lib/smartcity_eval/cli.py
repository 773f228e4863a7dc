"""The ``smartcity-eval`` command line."""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from smartcity_eval.common import i18n
from smartcity_eval.common.i18n import DEFAULT_LANG, LANGUAGES

T = i18n.section("cli")


#: argparse's own error messages (Python 3.11+), each with the catalogue message that says it in the user's language
ARGPARSE_ERRORS = (
    (
        re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.+) \(choose from (?P<choices>.*)\)$"),
        "arg_choice",
    ),
    (re.compile(r"argument (?P<arg>\S+): invalid (?P<kind>\w+) value: (?P<value>.+)$"), "arg_type"),
    (re.compile(r"the following arguments are required: (?P<args>.+)$"), "arg_required"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)$"), "arg_unrecognized"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument$"), "arg_expected_one"),
    (re.compile(r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)$"), "arg_not_allowed"),
)


def argv_lang(argv: Sequence[str]) -> str:
    """The language ``--lang`` asks for on the command line (Indonesian when none, or when it is not known)."""
    words = list(argv)
    for i, word in enumerate(words):
        value = (
            word.split("=", 1)[1]
            if word.startswith("--lang=")
            else words[i + 1]
            if word == "--lang" and i + 1 < len(words)
            else None
        )
        if value in LANGUAGES:
            return value
    return DEFAULT_LANG


class Parser(argparse.ArgumentParser):
    """argparse with its errors said in the user's language, in one line and a pointer to ``--help`` (not a usage
    dump); exit code 2 as argparse's."""

    def __init__(self, *args: Any, lang: str = DEFAULT_LANG, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> NoReturn:
        for pattern, key in ARGPARSE_ERRORS:
            if (match := pattern.match(message)) is not None:
                message = T(self.lang, key, **match.groupdict())
                break
        self.exit(2, f"{self.prog}: {message}\n{T(self.lang, 'see_help', prog=self.prog)}\n")


def _lang_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of messages (default: id)")


class VersionAction(argparse.Action):
    """``--version``: prints the program and its version, looked up only then (see ``smartcity_eval.__version__``)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the version and exit")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> NoReturn:
        import smartcity_eval

        print(f"{parser.prog} {smartcity_eval.__version__}")
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand; of those in ``MODULE_COMMANDS``, only the one ``argv`` names is
    imported (the others are listed by name and help), so ``--help`` and the light commands stay fast."""
    lang = argv_lang(sys.argv[1:] if argv is None else argv)
    parser = Parser(prog="smartcity-eval", description=__doc__, lang=lang)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=functools.partial(Parser, lang=lang)
    )

    p = sub.add_parser("template", help="write a ready-to-fill assessment workbook")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--stage", type=int, choices=(1, 2), required=True)
    p.add_argument("--category", required=True, help="REGULER or KPPN&IKN")
    p.add_argument("--region", default="", help='region name, e.g. "Kota Padang Panjang"')
    p.add_argument("--region-code", default="", help="Kemendagri code, e.g. 13.74")
    p.add_argument("--province", default="")
    p.add_argument("--assessor", help="one assessor's own workbook: their code, e.g. A2 (merge them with `merge`)")
    p.add_argument("--assessor-name", default="", help="with --assessor: the assessor's name")
    p.add_argument("--assessor-affiliation", default="", help="with --assessor: the assessor's affiliation")
    p.add_argument("-o", "--output", type=Path, required=True)
    _lang_arg(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("validate", help="check assessment workbooks; exit 1 on any error")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--year", type=int, help="the run's year (profile must agree)")
    p.add_argument("--stage", type=int, choices=(1, 2), help="the run's stage (profile must agree)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _lang_arg(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("score", help="score one assessment workbook")
    p.add_argument("file", type=Path)
    prev = p.add_mutually_exclusive_group()
    prev.add_argument("--previous", type=Path, help="last year's workbook of the same region")
    prev.add_argument("--published", type=Path, help="last year's published national table (CSV)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _lang_arg(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("national", help="recompute and rank a published national results table")
    p.add_argument("input", type=Path)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("-o", "--output", type=Path, required=True)
    _lang_arg(p)
    p.set_defaults(func=cmd_national)

    p = sub.add_parser("run", help="render reports: one notebook execution per region, in parallel")
    p.add_argument("run_file", nargs="?", type=Path, help="a run file from params/ (YAML)")
    p.add_argument("--year", type=int)
    p.add_argument("--stage", type=int, choices=(1, 2))
    p.add_argument("--region", action="append", dest="regions", metavar="SLUG", help="only this region (repeatable)")
    p.add_argument("--data", type=Path, help="data folder (default: data/sample)")
    p.add_argument("--output", type=Path, help="output folder (default: outputs)")
    p.add_argument("--notebook", choices=("region_report", "overview"), default=None)
    p.add_argument("--workers", type=int, help="parallel workers (default: one per core)")
    p.add_argument("--lang", choices=LANGUAGES, default=None, help="report language (default: id)")
    p.add_argument("--formats", help="comma-separated: ipynb,html,pdf (default: all three)")
    p.add_argument("--previous", choices=("auto", "workbook", "published", "none"), default=None)
    p.add_argument("--force", action="store_true", help="re-render regions whose inputs did not change")
    p.add_argument("--category", choices=("all", "REGULER", "KPPN&IKN"), help="overview only: one category")
    p.add_argument("--scheduler", help="address of a Dask distributed scheduler (tcp://host:8786)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument(
        "--no-server", action="store_true", help="one region: render in this process, not in the warm report server"
    )
    p.set_defaults(func=cmd_run)

    chosen = requested_command(sys.argv[1:] if argv is None else argv)
    for name, (module, help_text) in MODULE_COMMANDS.items():
        if name == chosen:
            importlib.import_module(module).add_parser(sub)
        else:
            sub.add_parser(name, help=help_text)
    return parser


# Subcommands defined beside their modules (each module's ``add_parser``), with the line the command list shows
# (the same as the module's own help; tests/test_startup.py checks). These modules import pandas, DuckDB or
# openpyxl at the top: a module is imported only when its command runs.
MODULE_COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("smartcity_eval.results.store", "load workbooks and published tables into the evaluation store"),
    "export": (
        "smartcity_eval.results.export",
        "write the national results table of a year and stage (xlsx or CSV)",
    ),
    "dashboard": (
        "smartcity_eval.batch.dashboard",
        "serve the explore notebook as a dashboard without code (Voilà)",
    ),
    "synth": ("smartcity_eval.inputs.synth", "write a synthetic cohort of valid workbooks for load tests"),
    "register": ("smartcity_eval.inputs.register", "look up kabupaten/kota in the Kemendagri region register"),
    "merge": ("smartcity_eval.inputs.panel", "merge the assessors' workbooks of one region into the panel workbook"),
    "moderate": (
        "smartcity_eval.results.agreement",
        "show a panel's agreement and disputed items; write a moderation copy",
    ),
    "preview": (
        "smartcity_eval.preview.server",
        "serve one region's report while its workbook is edited, rendered again on each save",
    ),
    "server": ("smartcity_eval.batch.server", "show or stop the warm report server that one-region runs use"),
}


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: its first word that is not an option (the top level has no option values)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _no_methodology(args: argparse.Namespace) -> str:
    from smartcity_eval.method import methodology as mth

    return T(args.lang, "no_methodology", year=args.year, years=", ".join(map(str, mth.years())))


def _option_error(option: str, message: str) -> int:
    """A wrong option, shown as a run file's problems are: the option, then the problem on an indented line."""
    return _fail(f"{option}:\n  - {message}")


def cmd_template(args: argparse.Namespace) -> int:
    from smartcity_eval.inputs.workbook import assessor_codes, write_template
    from smartcity_eval.method import methodology as mth

    if args.year not in mth.years():
        return _fail(_no_methodology(args))
    category = args.category.strip().upper()
    if category not in mth.get(args.year).profiles:
        profiles = ", ".join(mth.get(args.year).profiles)
        return _fail(T(args.lang, "no_profile", category=args.category, year=args.year, profiles=profiles))
    assessor = (args.assessor or "").strip().upper() or None
    if assessor is not None and (assessor not in assessor_codes() or not args.assessor_name.strip()):
        return _option_error("--assessor", T(args.lang, "assessor", codes=", ".join(assessor_codes())))
    path = write_template(
        args.output,
        year=args.year,
        stage=args.stage,
        category=category,
        region=args.region,
        region_code=args.region_code,
        province=args.province,
        assessor=assessor,
        assessor_name=args.assessor_name.strip(),
        assessor_affiliation=args.assessor_affiliation.strip(),
    )
    print(path)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from smartcity_eval.inputs.validation import Expect, validate

    expect = Expect(year=args.year, stage=args.stage)
    results = [validate(f, expect) for f in args.files]
    if args.format == "json":
        print(
            json.dumps(
                [
                    {"file": str(r.path), "ok": r.ok, "problems": [p.to_dict(args.lang) for p in r.problems]}
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for r in results:
            print(r.summary(args.lang))
        bad = sum(not r.ok for r in results)
        print("\n" + T(args.lang, "validated", valid=len(results) - bad, errors=bad))
    return 1 if any(not r.ok for r in results) else 0


def previous_final_from(previous: Path | None, published: Path | None, region: str) -> Any:
    """Last year's Nilai Final from a workbook (exact) or a published table (2 decimals)."""
    from smartcity_eval.inputs.validation import load
    from smartcity_eval.method import methodology as mth
    from smartcity_eval.method.scoring import score_assessment
    from smartcity_eval.results import rules
    from smartcity_eval.results.national import lookup_final, read_published

    if previous is not None:
        assessment = load(previous)
        card = score_assessment(assessment, mth.get(assessment.profile.year))
        final, _ = rules.last_year((card.nilai_final, rules.participant(card.dimensions)), None)
        return final
    if published is not None:
        return lookup_final(read_published(published), region)
    return None


def cmd_score(args: argparse.Namespace) -> int:
    from smartcity_eval.common.i18n import format_number, format_percent, stage_name
    from smartcity_eval.inputs.validation import WorkbookError, load
    from smartcity_eval.method import methodology as mth
    from smartcity_eval.results import rules
    from smartcity_eval.results.national import TableError

    try:
        assessment = load(args.file)
        prev = previous_final_from(args.previous, args.published, assessment.profile.region)
    except WorkbookError as exc:
        return _fail(exc.result.summary(args.lang))
    except TableError as exc:
        return _fail(exc.message(args.lang))
    card = rules.score(assessment, prev)
    if args.format == "json":
        print(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
        return 0
    lang, t = args.lang, T[args.lang]
    m = mth.get(card.year)
    print(f"{card.region} — {card.year} {stage_name(card.stage, lang)} ({card.category})")
    print(f"{t('dimension'):<22}{t('score'):>7}{t('weight'):>8}")
    for key, value in card.dimensions.items():
        print(
            f"{m.dimension(key).short(lang):<22}{format_number(value, 2, lang):>7}"
            f"{card.profile.weights.get(key, 0):>7}%"
        )
    print(
        f"{t('final'):<22}{format_number(card.nilai_final, 2, lang):>7}   "
        f"({t('provenance')}: {card.profile.provenance})"
    )
    prev_text = (
        "" if card.previous_final is None else f"   ({t('previous')}: {format_number(card.previous_final, 2, lang)})"
    )
    print(f"{t('improvement'):<22}{format_number(card.improvement, 2, lang, signed=True):>7}{prev_text}")
    names = {p.key: p.name.removeprefix("Smart ") for p in m.pillars}
    names.update({c.key: (c.name_en if lang == "en" else c.name_id) for c in m.action_plan_categories})
    for label, table in ((t("programmes"), card.programmes), (t("action_plan"), card.action_plan)):
        if table.at["overall", "planned"]:
            overall = table.loc["overall"]
            parts = [
                f"{names.get(k, k)} {format_percent(r.percent, 2, lang)}" for k, r in table.iterrows() if k != "overall"
            ]
            print(
                f"{label}: {format_percent(overall.percent, 2, lang)} ({overall.done}/{overall.planned}) — "
                + "; ".join(parts)
            )
    return 0


def cmd_national(args: argparse.Namespace) -> int:
    from smartcity_eval.common.i18n import format_number
    from smartcity_eval.common.tables import write_csv
    from smartcity_eval.method import methodology as mth
    from smartcity_eval.results.national import TableError, differences, read_published, recompute, to_letter_layout

    if args.year not in mth.years():
        return _fail(_no_methodology(args))
    try:
        table = read_published(args.input)
    except TableError as exc:
        return _fail(exc.message(args.lang))
    result = recompute(table, args.year)
    write_csv(to_letter_layout(result), args.output)
    t = T[args.lang]
    diffs = differences(result)
    if diffs.empty:
        print(t("no_diff"))
    for _, row in diffs.iterrows():
        published = format_number(row["nilai_final"], 2, args.lang)
        recomputed = format_number(row["nilai_final_recomputed"], 2, args.lang)
        print(t("differs", region=row["region"], published=published, recomputed=recomputed))
    print(t("written", path=args.output, n=len(result)))
    return 0


def _run_file_lang(path: Path | None) -> str:
    """The language a run file asks for (Indonesian when it names none or cannot be read)."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path is not None else None
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        data = None
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if lang in ("id", "en") else DEFAULT_LANG


def cmd_run(args: argparse.Namespace) -> int:
    local = args.run_file is None and args.scheduler is None
    if args.warm is None and local and args.regions is not None and len(args.regions) == 1 and not args.no_server:
        code = _served(args)
        if code is not None:
            return code
    from smartcity_eval.batch.single import early

    # one region on this machine: its kernel starts first, and boots while the options are read and checked
    with early(args.regions, local and args.warm is None, args.lang or DEFAULT_LANG) as thread:
        return run_command(args, thread)


def _served(args: argparse.Namespace) -> int | None:
    """The exit code of the run done by the warm report server (started when none runs), or None: run it here."""
    from smartcity_eval.batch import client

    if not client.enabled():
        return None
    minutes = client.IDLE_SECONDS // 60
    return client.ask(args.argv, T(args.lang or DEFAULT_LANG, "server_started", minutes=minutes))


def run_command(args: argparse.Namespace, thread: Any) -> int:
    """``smartcity-eval run``; ``thread``: the one-report thread made first (or None); ``args.warm``: the report
    server's warm parts when the server runs it."""
    from smartcity_eval.batch.params import ParamsError, build_spec, check_inputs, load_run_file
    from smartcity_eval.batch.runner import run, summary_table

    try:
        if args.run_file is not None:
            spec = load_run_file(args.run_file)
        else:
            if args.year is None or args.stage is None:
                return _fail(T(args.lang or DEFAULT_LANG, "run_needs"))
            spec = build_spec(
                {"year": args.year, "stage": args.stage, "notebook": args.notebook or "region_report"},
                "command line",
                Path.cwd(),
            )
        overrides = {
            "regions": args.regions,
            "data_dir": args.data and args.data.resolve(),
            "output_dir": args.output and args.output.resolve(),
            "workers": args.workers,
            "lang": args.lang,
            "previous": args.previous,
            "scheduler": args.scheduler,
            "notebook": args.notebook,
        }
        for key, value in overrides.items():
            if value is not None:
                setattr(spec, key, value)
        if args.formats:
            formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
            bad = [f for f in formats if f not in ("ipynb", "html", "pdf")]
            if bad or not formats:
                return _option_error("--formats", T(spec.lang, "bad_formats", formats=bad))
            spec.formats = formats
        if args.category is not None:
            if spec.notebook != "overview":
                return _option_error("--category", T(spec.lang, "category_overview_only"))
            spec.extra["category"] = args.category
        spec.force = spec.force or args.force
        if args.workers is not None and args.workers < 1:
            return _option_error("--workers", T(spec.lang, "workers"))
        check_inputs(spec)
    except ParamsError as exc:
        return _fail(exc.message(args.lang or _run_file_lang(args.run_file)))
    if spec.scheduler:
        from smartcity_eval.batch.distributed import run_distributed

        batch = run_distributed(spec, spec.scheduler, progress=not args.no_progress)
    else:
        warm = args.warm.parts(spec) if args.warm is not None else None
        batch = run(spec, progress=not args.no_progress, early=thread, warm=warm)
    print(summary_table(batch, spec.lang))
    return batch.exit_code


def main(argv: Sequence[str] | None = None, warm: Any = None) -> int:
    """Entry point of the console script; ``warm``: the report server's parts, when the server runs the command."""
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    args.argv, args.warm = list(sys.argv[1:] if argv is None else argv), warm
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt as exc:  # a batch says it was cancelled itself; before one starts, say it here
        if not getattr(exc, "reported", False):
            print(T(getattr(args, "lang", None) or DEFAULT_LANG, "interrupted"), file=sys.stderr)
        return 130
    except i18n.LocalizedError as exc:  # e.g. a store or data folder that cannot be used
        return _fail(f"smartcity-eval {args.command}: {exc.message(getattr(args, 'lang', None) or DEFAULT_LANG)}")
    except OSError as exc:  # a file that cannot be read or written: say which, never a traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return _fail(f"smartcity-eval {args.command}: {where}{exc.strerror or exc}")


def console() -> None:
    """The console script: :func:`main`, then the exit, without the interpreter's last garbage collections walking
    every object the command made (half a second after rendering a report)."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
