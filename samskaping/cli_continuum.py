"""``python -m samskaping continuum``: the continuum (or matrix) figure of a survey, and its positions as CSV.

Wired into :mod:`samskaping.cli` by two lines: ``cli_continuum.add_parser(commands)`` in
``build_parser`` and ``if args.command == "continuum": return cli_continuum.run(args)`` in
``main`` (whose handler turns a :class:`~samskaping.errors.SamskapingError` into one line and exit 2).
:mod:`samskaping.cli` is imported inside the functions, so the two modules may import each other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from samskaping.cli_report import read_placements
from samskaping.codebook import load_codebook
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, POSITION_COLUMNS, positions
from samskaping.export import write_csv
from samskaping.figure_export import FORMATS, export_figure, png_size
from samskaping.figures_continuum import continuum_figure, matrix_figure
from samskaping.instrument import load_instrument
from samskaping.scoring import score_survey

__all__ = ["CSV_COLUMNS", "add_parser", "run"]

CSV_COLUMNS = [c for c in POSITION_COLUMNS if c != "rationale"]  # the rationale stays in placements.yaml


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``continuum`` sub-command to ``commands`` (the sub-parsers of ``samskaping.cli``)."""
    from samskaping import cli

    parser = commands.add_parser(
        "continuum", help="draw the thin ↔ thick continuum (or the co-design × co-delivery matrix) of a survey"
    )
    cli._input_arguments(parser)
    parser.add_argument("--out", type=Path, required=True, help="figure file: .png, .svg, .pdf or .html")
    parser.add_argument("--placements", type=Path, metavar="FILE", help="the researchers' placements (YAML)")
    parser.add_argument("--lang", choices=("en", "nb"), default="en", help="language of the figure (default en)")
    parser.add_argument("--width-mm", type=_positive_float, default=170.0, metavar="W", help="width in mm (170)")
    parser.add_argument("--dpi", type=cli._positive_int, default=300, metavar="D", help="PNG resolution (300)")
    cli._scoring_arguments(parser, "cases with fewer than K respondents")
    parser.add_argument("--matrix", action="store_true", help="draw the co-design × co-delivery matrix instead")
    parser.add_argument("--title", help="figure title (default: generated; '' for none)")
    parser.add_argument("--caption", help="figure caption (default: generated, with n per case and the method)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Write the figure and ``<stem>.csv`` beside it; return the exit code (0, 1 or 2)."""
    from samskaping import cli

    out: Path = args.out
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(f"error: --out must end in .png, .svg, .pdf or .html, got '{out.name}'", file=sys.stderr)
        return cli.EXIT_FAILED
    placements = read_placements(args.placements)
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    validated = cli._load(args).validated
    scores = score_survey(
        validated.data, instrument, codebook, k=args.min_group_size, three_as_missing=args.three_as_missing
    )
    table = positions(scores, codebook, placements=placements, resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED)
    common = {"title": args.title, "caption": args.caption, "k": scores.k, "width_mm": args.width_mm}
    if args.matrix:
        chart = matrix_figure(table, args.lang, **common)
    else:
        chart = continuum_figure(table, args.lang, codebook=codebook, seed=BOOTSTRAP_SEED,
                                 resamples=BOOTSTRAP_RESAMPLES, **common)  # fmt: skip
    content = export_figure(chart.figure, fmt, width_mm=args.width_mm, dpi=args.dpi)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    csv_path = write_csv(table[CSV_COLUMNS], out.with_suffix(".csv"))
    size = f", {'×'.join(map(str, png_size(content)))} px at {args.dpi} dpi" if fmt == "png" else ""
    hidden = int(table["hidden"].sum())
    print(f"Wrote {out} ({args.width_mm:g} mm{size}) and {csv_path}: ", end="")
    print(f"{len(table)} cases, {hidden} hidden (n < {scores.k}).")
    unknown = sorted(set(placements) - set(table["case"]))
    if unknown:
        print(f"Note: placements for cases not in the data were ignored: {', '.join(unknown)}", file=sys.stderr)
    report = validated.report
    if not report.ok:
        print(f"The data had errors ({report.summary()}); outputs were written from the cleaned data.", file=sys.stderr)
        return cli.EXIT_DATA_ERRORS
    return cli.EXIT_OK
