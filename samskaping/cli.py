"""Command line: ``python -m samskaping COMMAND …`` for reproducible analyses.

Exit codes (methods.md §10): 0 = done (warnings allowed); 1 = the data had errors, outputs
were written from the cleaned data; 2 = nothing could be done. Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from samskaping import __version__, cli_bench, cli_case_report, cli_continuum, cli_report, cli_waves, cli_workspace
from samskaping.codebook import load_codebook
from samskaping.compare import GAP_COLUMNS, compare, grouping_options, perception_gaps
from samskaping.errors import SamskapingError
from samskaping.export import write_csv
from samskaping.instrument import load_instrument
from samskaping.loading import Loaded, load_survey
from samskaping.mapping import mapping_from_yaml, mapping_to_yaml, unmapped_items
from samskaping.reliability import reliability
from samskaping.scoring import score_survey

__all__ = ["COMPARISON_CSV_COLUMNS", "main"]

EXIT_OK, EXIT_DATA_ERRORS, EXIT_FAILED = 0, 1, 2

_OUTPUT_README = """\
Output of `python -m samskaping score` (samskaping {version})
Input: {source}   k = {k}   treat 3 as missing: {three}

cases.csv              case profiles, long format; cells with n < k are hidden (shareable)
groups.csv             group profiles (municipality / social enterprise / other), same format (shareable)
reliability.csv        Cronbach's alpha / inter-item r per factor and barrier (shareable)
barrier_cut_points.csv quartile cut points of the barrier scores in this data set (shareable)
respondents.csv        RESPONDENT-LEVEL scores: researcher-only, do not share (methods.md section 7)
validation_report.csv  every value that was rejected or changed, with its file row: researcher-only
"""


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that exits with code 2 and a one-line message (no usage dump on errors)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_FAILED, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="survey file (xlsx, xlsm, xls, ods, csv, tsv, txt, sav)")
    parser.add_argument("--mapping", type=Path, help="column mapping YAML (default: canonical names, else proposed)")
    parser.add_argument("--sheet", help="the workbook sheet to read (default: the one that looks like data)")


def _load(args: argparse.Namespace) -> Loaded:
    instrument = load_instrument()
    mapping = None
    if args.mapping is not None:
        try:
            text = args.mapping.read_text(encoding="utf-8")
        except OSError as exc:
            raise SamskapingError(f"{args.mapping.name}: cannot be read ({exc.strerror or exc})") from None
        mapping = mapping_from_yaml(text, source=args.mapping.name, instrument=instrument)
    loaded = load_survey(args.input, instrument, mapping=mapping, sheet=args.sheet)
    if loaded.automatic:
        missing = len(unmapped_items(loaded.mapping, instrument))
        print(
            f"Note: columns were matched automatically ({len(instrument.item_ids) - missing} of "
            f"{len(instrument.item_ids)} items mapped); review them, or give --mapping.",
            file=sys.stderr,
        )
    return loaded


def _scoring_arguments(parser: argparse.ArgumentParser, hides: str) -> None:
    """The options every scoring command shares: codebook, treat 3 as missing, k (``hides`` says what k hides)."""
    parser.add_argument("--codebook", type=Path, help="codebook YAML (default: the bundled one)")
    parser.add_argument("--three-as-missing", action="store_true", help="treat 3 on 1–5 items as missing")
    parser.add_argument(
        "--min-group-size",
        type=_positive_int,
        metavar="K",
        help=f"anonymity threshold k: hide {hides} (default: codebook, 3)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its sub-commands."""
    parser = _ArgumentParser(prog="python -m samskaping", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"samskaping {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)

    validate = commands.add_parser("validate", help="read, map and check a survey export; report every problem")
    _input_arguments(validate)
    validate.add_argument("--report", type=Path, help="write the validation report (researcher-only) as CSV")
    validate.add_argument("--save-mapping", type=Path, metavar="FILE", help="save the mapping used as YAML")

    score = commands.add_parser("score", help="score a survey (canonical form, or any export with --mapping)")
    _input_arguments(score)
    score.add_argument("--out", type=Path, required=True, help="directory for the result files")
    _scoring_arguments(score, "cells from fewer than K respondents")

    comparing = commands.add_parser("compare", help="compare respondent groups on every measure (methods.md §6)")
    _input_arguments(comparing)
    comparing.add_argument("--by", required=True, metavar="COLUMN",
                           help="grouping column: group, q02, q04, case or an attr_* column")  # fmt: skip
    comparing.add_argument("--within-case", metavar="CASE", help="compare only the respondents of this case")
    comparing.add_argument("--out", type=Path, required=True, help="directory for the result files")
    _scoring_arguments(comparing, "comparisons with a group under K respondents")

    cli_continuum.add_parser(commands)
    cli_report.add_parser(commands)
    cli_case_report.add_parser(commands)
    cli_waves.add_parser(commands)
    cli_bench.add_parser(commands)
    cli_workspace.add_parser(commands)

    demo = commands.add_parser("demo", help="write a synthetic demo survey in canonical form")
    demo.add_argument("--out", type=Path, required=True, help="xlsx file to write")
    demo.add_argument("--respondents", type=_positive_int, default=18, help="number of respondents (default 18)")
    demo.add_argument("--cases", type=_positive_int, default=6, help="number of cases (default 6)")
    demo.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "score":
            return _score(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "continuum":
            return cli_continuum.run(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "case-report":
            return cli_case_report.run(args)
        if args.command == "report":
            return cli_report.run(args)
        if args.command == "bench":
            return cli_bench.run(args)
        if args.command == "waves":
            return cli_waves.run(args)
        if args.command == "workspace":
            return cli_workspace.run(args)
        return _demo(args)
    except SamskapingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line, never a traceback for the researcher
        print(f"error: unexpected {type(exc).__name__}: {exc} (please report this)", file=sys.stderr)
        return EXIT_FAILED


def _validate(args: argparse.Namespace) -> int:
    loaded = _load(args)
    raw, report = loaded.raw, loaded.validated.report
    facts = [f"{raw.source}: {len(loaded.validated.data)} respondents, {raw.frame.shape[1]} columns"]
    if raw.sheet:
        facts.append(f"sheet '{raw.sheet}'")
    if raw.encoding:
        facts.append(f"{raw.encoding}, delimiter {raw.delimiter!r}")
    facts.append(f"{raw.header_rows} header row(s)")
    print("; ".join(facts))
    codes = report.issues["code"].tolist()
    print(
        f"Mapped {len(loaded.mapping.columns)} columns; {codes.count('identifying_column')} identifying and "
        f"{codes.count('metadata_column')} metadata columns set aside; {loaded.validated.data['case'].nunique()} cases."
    )
    counts = report.counts()
    for record in counts.itertuples(index=False):
        print(f"  {record.severity:<8} {record.code:<24} {record.count} cell(s)")
    if args.report:
        write_csv(report.issues, args.report)
        print(f"Validation report (researcher-only) -> {args.report}")
    if args.save_mapping:
        args.save_mapping.parent.mkdir(parents=True, exist_ok=True)
        args.save_mapping.write_text(mapping_to_yaml(loaded.mapping), encoding="utf-8")
        print(f"Mapping -> {args.save_mapping}")
    if not report.ok:
        print(f"The data had errors ({report.summary()}).", file=sys.stderr)
        return EXIT_DATA_ERRORS
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    validated = _load(args).validated
    scores = score_survey(
        validated.data, instrument, codebook, k=args.min_group_size, three_as_missing=args.three_as_missing
    )
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} exists and is not a directory", file=sys.stderr)
        return EXIT_FAILED
    out.mkdir(parents=True, exist_ok=True)
    write_csv(scores.cases, out / "cases.csv")
    write_csv(scores.groups, out / "groups.csv")
    write_csv(scores.respondents, out / "respondents.csv")
    write_csv(scores.cut_points, out / "barrier_cut_points.csv")
    write_csv(
        reliability(validated.data, instrument, codebook, three_as_missing=args.three_as_missing),
        out / "reliability.csv",
    )
    write_csv(validated.report.issues, out / "validation_report.csv")
    (out / "README.txt").write_text(
        _OUTPUT_README.format(version=__version__, source=args.input.name, k=scores.k, three=scores.three_as_missing),
        encoding="utf-8",
    )
    n_cases = validated.data["case"].nunique()
    print(f"Scored {len(validated.data)} respondents in {n_cases} cases (k = {scores.k}) -> {out}/")
    print("respondents.csv holds respondent-level scores: researcher-only, do not share.")
    report = validated.report
    if not report.ok:
        print(
            f"The data had errors ({report.summary()}); outputs were written from the cleaned data. "
            f"See {out / 'validation_report.csv'}.",
            file=sys.stderr,
        )
        return EXIT_DATA_ERRORS
    if len(report.issues):
        print(f"Validation: {report.summary()}; see {out / 'validation_report.csv'}.")
    return EXIT_OK


# comparison.csv: the columns of the issue first, then the extra ones of the comparison table.
COMPARISON_CSV_COLUMNS = (
    "measure", "family", "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b", "median_a", "median_b", "diff",
    "hl_shift", "u", "p_exact", "p_method", "p_holm", "p_bh", "rank_biserial", "rb_low", "rb_high",
    "min_attainable_p", "hidden",
)  # fmt: skip
_COMPARE_README = """\
Output of `python -m samskaping compare` (samskaping {version})
Input: {source}   by: {by}   within case: {case}   k = {k}   treat 3 as missing: {three}
Groups (sorted label order; differences are a - b): {groups}

comparison.csv       every pair of groups x every measure: n, mean, median, difference, Hodges-Lehmann
                     shift, U, two-sided permutation p (p_exact, whatever p_method made it), Holm and
                     Benjamini-Hochberg p within each family, rank-biserial r with Cliff's 95 % interval,
                     smallest attainable p; a pair with a group under k is hidden (shareable)
kruskal.csv          Kruskal-Wallis H with a permutation p per measure, for more than two groups (shareable)
perception_gaps.csv  per case and measure: municipality mean - social-enterprise mean (shareable)
"""


def _compare(args: argparse.Namespace) -> int:
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    validated = _load(args).validated
    data = validated.data
    choices = grouping_options(data)
    if args.by not in choices:
        print(f"error: --by {args.by}: not a grouping column; choose from {', '.join(choices)}", file=sys.stderr)
        return EXIT_FAILED
    cases = sorted(data["case"].dropna().unique())
    if args.within_case is not None and args.within_case not in cases:
        print(f"error: --within-case {args.within_case}: no such case; choose from {', '.join(cases)}", file=sys.stderr)
        return EXIT_FAILED
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} exists and is not a directory", file=sys.stderr)
        return EXIT_FAILED
    scores = score_survey(data, instrument, codebook, k=args.min_group_size, three_as_missing=args.three_as_missing)
    result = compare(scores, data, codebook, args.by, within_case=args.within_case)
    if len(result.groups) < 2:
        where = f" in case {args.within_case}" if args.within_case else ""
        print(f"error: --by {args.by} gives {len(result.groups)} group(s){where}; nothing to compare", file=sys.stderr)
        return EXIT_FAILED
    out.mkdir(parents=True, exist_ok=True)
    table = result.table
    extra = [c for c in table.columns if c not in COMPARISON_CSV_COLUMNS]
    write_csv(table[[*COMPARISON_CSV_COLUMNS, *extra]], out / "comparison.csv")
    written = ["comparison.csv"]
    kruskal = out / "kruskal.csv"
    if len(result.groups) > 2:
        write_csv(result.kruskal, kruskal)
        written.append("kruskal.csv")
    elif kruskal.exists():
        kruskal.unlink()  # left by an earlier run with more groups; it would not belong to this one
    gaps = perception_gaps(scores, codebook)
    if args.within_case is not None:
        gaps = gaps[gaps["case"] == args.within_case]
    write_csv(gaps[list(GAP_COLUMNS)], out / "perception_gaps.csv")
    written.append("perception_gaps.csv")
    (out / "README.txt").write_text(
        _COMPARE_README.format(
            version=__version__, source=args.input.name, by=args.by, case=args.within_case or "(all)", k=scores.k,
            three=scores.three_as_missing, groups=", ".join(f"{g} (n = {result.sizes[g]})" for g in result.groups),
        ),
        encoding="utf-8",
    )  # fmt: skip
    sizes = ", ".join(f"{g} {result.sizes[g]}" for g in result.groups)
    print(f"Compared {len(result.groups)} groups by {args.by} ({sizes}) on {len(codebook.measures)} measures "
          f"(k = {scores.k}) -> {out}/: {', '.join(written)}")  # fmt: skip
    hidden = int(table["hidden"].sum())
    if hidden:
        print(f"{hidden} of {len(table)} comparisons hidden (a group under k = {scores.k}; methods.md section 7).")
    if result.small_groups:
        print(f"Warning: groups under 5 respondents ({', '.join(result.small_groups)}): no p-value can be small.")
    report = validated.report
    if not report.ok:
        print(
            f"The data had errors ({report.summary()}); outputs were written from the cleaned data. "
            "Run `validate` for the full report.",
            file=sys.stderr,
        )
        return EXIT_DATA_ERRORS
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from samskaping.demo import generate_demo, write_demo_xlsx

    instrument = load_instrument()
    codebook = load_codebook(instrument=instrument)
    try:
        survey = generate_demo(instrument, codebook, respondents=args.respondents, cases=args.cases, seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.out.suffix.lower() != ".xlsx":
        print(f"error: --out must name an .xlsx file, got '{args.out.name}'", file=sys.stderr)
        return EXIT_FAILED
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_demo_xlsx(survey, args.out)
    print(
        f"Wrote a synthetic demo survey: {args.respondents} respondents in {args.cases} cases "
        f"(seed {args.seed}) -> {args.out}"
    )
    return EXIT_OK
