"""``python -m samskaping case-report``: the report of one case (PDF or HTML), or of every case as a zip.

Wired into :mod:`samskaping.cli` by two lines: ``cli_case_report.add_parser(commands)`` in
``build_parser`` and ``if args.command == "case-report": return cli_case_report.run(args)`` in
``main`` (whose handler turns a :class:`~samskaping.errors.SamskapingError` into one line and exit 2).
:mod:`samskaping.cli` is imported inside the functions, so the two modules may import each other.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samskaping.case_report import FORMATS, all_case_reports_zip, case_report_html, case_report_pdf
from samskaping.cli_report import read_placements
from samskaping.codebook import load_codebook
from samskaping.instrument import load_instrument
from samskaping.report_context import ReportContext, build_context

__all__ = ["add_parser", "is_synthetic", "run"]

_ZIP_NAME = "case-reports-{lang}.zip"


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``case-report`` sub-command to ``commands`` (the sub-parsers of ``samskaping.cli``)."""
    from samskaping import cli

    parser = commands.add_parser(
        "case-report", help="write the report of one case (PDF or HTML), or of every case as a zip"
    )
    cli._input_arguments(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", metavar="NAME", help="the case to report on (as in the data)")
    which.add_argument("--all", action="store_true", help="every case, one file each, in a zip")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help=f"FILE.pdf or FILE.html; with --all FILE.zip or a folder (gets {_ZIP_NAME.format(lang='LANG')})",
    )
    parser.add_argument("--format", choices=FORMATS, help="with --all: pdf (default) or html files in the zip")
    parser.add_argument("--lang", choices=("en", "nb"), default="en", help="language of the report (default en)")
    parser.add_argument("--placements", type=Path, metavar="FILE", help="the researchers' placements (YAML)")
    cli._scoring_arguments(parser, "results from fewer than K respondents")
    return parser


def is_synthetic(path: Path) -> bool:
    """Whether ``path`` is a demo survey written by ``samskaping demo`` (its "About" sheet says so)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            if "About" not in workbook.sheetnames:
                return False
            rows = workbook["About"].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True)
            about = {str(key): str(value) for key, value in rows if key is not None}
        finally:
            workbook.close()
    except Exception:  # an unreadable workbook is reported by the loader, not here
        return False
    return about.get("generator") == "samskaping.demo"


def _target(args: argparse.Namespace) -> tuple[Path, str] | str:
    """The file to write and the report format, or a one-line problem with the arguments."""
    out: Path = args.out
    suffix = out.suffix.lower().lstrip(".")
    if args.all:
        fmt = args.format or "pdf"
        if suffix == "zip":
            return out, fmt
        if suffix and not out.is_dir():
            return f"--out with --all must be a .zip file or a folder, got '{out.name}'"
        return out / _ZIP_NAME.format(lang=args.lang), fmt
    if suffix not in FORMATS:
        return f"--out must end in .pdf or .html, got '{out.name}'"
    if args.format is not None and args.format != suffix:
        return f"--format {args.format} does not match --out '{out.name}'"
    return out, suffix


def _context(args: argparse.Namespace) -> ReportContext:
    from samskaping import cli

    placements = read_placements(args.placements)
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    validated = cli._load(args).validated
    return build_context(validated, instrument, codebook, k=args.min_group_size,
                         three_as_missing=args.three_as_missing, source=args.input.name,
                         placements=placements)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Write the report (or the zip of all reports); return the exit code (0, 1 or 2)."""
    from samskaping import cli

    target = _target(args)
    if isinstance(target, str):
        print(f"error: {target}", file=sys.stderr)
        return cli.EXIT_FAILED
    out, fmt = target
    context = _context(args)
    if not args.all and args.case not in context.cases:
        print(f"error: --case {args.case}: no such case; choose from {', '.join(context.cases)}", file=sys.stderr)
        return cli.EXIT_FAILED
    synthetic = is_synthetic(args.input)
    started = time.perf_counter()
    if args.all:
        content = all_case_reports_zip(context, args.lang, fmt, _progress, synthetic=synthetic)
        what = f"{len(context.cases)} case reports ({fmt.upper()})"
    elif fmt == "pdf":
        content = case_report_pdf(context, args.case, args.lang, synthetic=synthetic)
        what = f"the report of {args.case}"
    else:
        content = case_report_html(context, args.case, args.lang, synthetic=synthetic).encode("utf-8")
        what = f"the report of {args.case}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    seconds = time.perf_counter() - started
    print(f"Wrote {out}: {what} in {'Norwegian' if args.lang == 'nb' else 'English'}, k = {context.k} "
          f"({seconds:.1f} s).")  # fmt: skip
    data = context.validated.data
    hidden = [case for case in context.cases if int((data["case"] == case).sum()) < context.k]
    shown_hidden = hidden if args.all else [c for c in hidden if c == args.case]
    if shown_hidden:
        print(f"Hidden (n < {context.k}), their reports show no results: {', '.join(shown_hidden)}")
    report = context.validated.report
    if not report.ok:
        print(f"The data had errors ({report.summary()}); the report was made from the cleaned data.", file=sys.stderr)
        return cli.EXIT_DATA_ERRORS
    return cli.EXIT_OK


def _progress(done: int, total: int) -> None:
    if done:
        print(f"  {done}/{total} reports", file=sys.stderr, flush=True)
