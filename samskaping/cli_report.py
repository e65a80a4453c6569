"""``python -m samskaping report``: the study workbook (xlsx) of a survey, with the methods paragraph.

Wired into :mod:`samskaping.cli` by two lines: ``cli_report.add_parser(commands)`` in
``build_parser`` and ``if args.command == "report": return cli_report.run(args)`` in ``main``
(whose handler turns a :class:`~samskaping.errors.SamskapingError` into one line and exit 2).
:mod:`samskaping.cli` is imported inside the functions, so the two modules may import each other.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from samskaping.codebook import Codebook, load_codebook
from samskaping.compare import grouping_options
from samskaping.continuum import Placement, load_placements
from samskaping.errors import SamskapingError
from samskaping.instrument import Instrument, load_instrument
from samskaping.report_context import build_context
from samskaping.report_workbook import RESEARCHER_SHEETS, study_workbook

__all__ = ["add_parser", "codebook_changed", "read_placements", "run"]


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` sub-command to ``commands`` (the sub-parsers of ``samskaping.cli``)."""
    from samskaping import cli

    parser = commands.add_parser("report", help="write the study workbook (xlsx): every shareable result in one file")
    cli._input_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    parser.add_argument("--placements", type=Path, metavar="FILE", help="the researchers' placements (YAML)")
    parser.add_argument(
        "--include-respondents",
        action="store_true",
        help="add the researcher-only sheets Respondents and Cleaned data (respondent-level data)",
    )
    parser.add_argument("--lang", choices=("en", "nb"), default="en", help="language of the workbook (default en)")
    parser.add_argument(
        "--by",
        default="group",
        metavar="COLUMN",
        help="grouping of the Comparison sheet: group, q02, q04, case or an attr_* column (default group)",
    )
    cli._scoring_arguments(parser, "cells from fewer than K respondents")
    return parser


def read_placements(path: Path | None) -> dict[str, Placement]:
    """The placements YAML at ``path`` (none without a path).

    Raises
    ------
    SamskapingError
        When the file cannot be read or is malformed (one line naming the file).
    """
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SamskapingError(f"{path.name}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    return load_placements(text, source=path.name)


def codebook_changed(codebook: Codebook, instrument: Instrument) -> bool:
    """True when ``codebook`` differs from the bundled one in anything but where it was read from."""
    bundled = load_codebook(instrument=instrument)
    return dataclasses.replace(codebook, source="") != dataclasses.replace(bundled, source="")


def run(args: argparse.Namespace) -> int:
    """Write the study workbook; return the exit code (0, 1 or 2)."""
    from samskaping import cli

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        print(f"error: --out must name an .xlsx file, got '{out.name}'", file=sys.stderr)
        return cli.EXIT_FAILED
    if out.is_dir():
        print(f"error: --out {out} is a directory; name the .xlsx file to write", file=sys.stderr)
        return cli.EXIT_FAILED
    placements = read_placements(args.placements)
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    validated = cli._load(args).validated
    data = validated.data
    if data.empty:
        print("error: the file has no respondents; nothing to report", file=sys.stderr)
        return cli.EXIT_FAILED
    choices = grouping_options(data)
    if args.by not in choices:
        print(f"error: --by {args.by}: not a grouping column; choose from {', '.join(choices)}", file=sys.stderr)
        return cli.EXIT_FAILED
    k = codebook.thresholds.k if args.min_group_size is None else args.min_group_size
    context = build_context(
        validated, instrument, codebook, k=k, three_as_missing=args.three_as_missing, source=args.input.name,
        placements=placements, codebook_changed=codebook_changed(codebook, instrument),
    )  # fmt: skip
    content = study_workbook(context, lang=args.lang, include_respondents=args.include_respondents, compare_by=args.by)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    cases = context.scores.cases
    print(
        f"Wrote {out}: {len(data)} respondents in {data['case'].nunique()} cases (k = {context.k}); "
        f"{int(cases['hidden'].sum())} of {len(cases)} case cells hidden (n < k)."
    )
    if args.include_respondents:
        print(f"Sheets {' and '.join(RESEARCHER_SHEETS)} hold respondent-level data: researcher-only, do not share.")
    unknown = sorted(set(placements) - set(data["case"].dropna().astype("str")))
    if unknown:
        print(f"Note: placements for cases not in the data were ignored: {', '.join(unknown)}", file=sys.stderr)
    report = validated.report
    if not report.ok:
        print(
            f"The data had errors ({report.summary()}); the workbook was written from the cleaned data. "
            "Run `validate` for the full report.",
            file=sys.stderr,
        )
        return cli.EXIT_DATA_ERRORS
    return cli.EXIT_OK
