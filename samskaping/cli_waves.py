"""``python -m samskaping waves``: compare two survey waves of the same cases (a year apart, say).

Writes ``wave_changes.csv`` (:func:`samskaping.waves.compare_waves`: every case in both waves × every
measure, the change and its Welch interval, hidden where a wave has n < k) and ``continuum_moves.csv``
(:func:`samskaping.waves.continuum_moves`), both shareable, and a ``README.txt``.

Wired into :mod:`samskaping.cli` by two lines: ``cli_waves.add_parser(commands)`` in ``build_parser``
and ``if args.command == "waves": return cli_waves.run(args)`` in ``main`` (whose handler turns a
:class:`~samskaping.errors.SamskapingError` into one line and exit 2). :mod:`samskaping.cli` is
imported inside the functions, so the two modules may import each other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from samskaping import __version__
from samskaping.codebook import Codebook, load_codebook
from samskaping.continuum import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, positions
from samskaping.errors import SamskapingError
from samskaping.export import write_csv
from samskaping.instrument import Instrument, load_instrument
from samskaping.loading import Loaded, load_survey
from samskaping.mapping import mapping_from_yaml, unmapped_items
from samskaping.scoring import Scores, score_survey
from samskaping.waves import MOVE_COLUMNS, WAVE_COLUMNS, compare_waves, continuum_moves

__all__ = ["add_parser", "run"]

_README = """\
Output of `python -m samskaping waves` (samskaping {version})
{label_a}: {source_a}   {label_b}: {source_b}   k = {k}   treat 3 as missing: {three}
The waves are independent samples (anonymous respondents); every change is {label_b} - {label_a}.

wave_changes.csv     every case in both waves x every measure: n, mean, band, quartile of each wave
                     (_before = {label_a}, _after = {label_b}; quartiles relative to each wave's own
                     data set), the change with its 95 % Welch interval (unequal variances) and df,
                     method ("welch"; "welch, sd = 0" when nobody's score varied; "n < 2": no
                     interval; "hidden"); a case-measure with n < k in either wave is hidden: only
                     the two n are given (shareable)
continuum_moves.csv  every case in both waves: thickness, co-design and co-delivery of each wave and the
                     change of thickness; hidden when n < k in either wave (shareable)
Cases only in {label_a}: {only_a}
Cases only in {label_b}: {only_b}
"""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``waves`` sub-command to ``commands`` (the sub-parsers of ``samskaping.cli``)."""
    from samskaping import cli

    parser = commands.add_parser(
        "waves", help="compare two survey waves of the same cases: change per case and measure, continuum moves"
    )
    parser.add_argument("before", type=Path, help="the first wave's survey file (canonical form or any export)")
    parser.add_argument("after", type=Path, help="the second wave's survey file")
    parser.add_argument("--out", type=Path, required=True, help="directory for the result files")
    parser.add_argument("--mapping-before", type=Path, metavar="FILE", help="column mapping YAML of the first wave")
    parser.add_argument("--mapping-after", type=Path, metavar="FILE", help="column mapping YAML of the second wave")
    parser.add_argument("--labels", nargs=2, metavar=("BEFORE", "AFTER"), default=("before", "after"),
                        help="names of the two waves, e.g. 2024 2025 (default: before after)")  # fmt: skip
    cli._scoring_arguments(parser, "case-measures with fewer than K respondents in either wave")
    return parser


def _load_wave(path: Path, mapping_path: Path | None, side: str, label: str, instrument: Instrument) -> Loaded:
    """One wave's file read, mapped (given by ``--mapping-<side>``, canonical or proposed) and validated."""
    mapping = None
    if mapping_path is not None:
        try:
            text = mapping_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SamskapingError(
                f"{mapping_path.name}: cannot be read ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        mapping = mapping_from_yaml(text, source=mapping_path.name, instrument=instrument)
    loaded = load_survey(path, instrument, mapping=mapping)
    if loaded.automatic:
        mapped = len(instrument.item_ids) - len(unmapped_items(loaded.mapping, instrument))
        print(
            f"Note: {label} ({path.name}): columns were matched automatically ({mapped} of "
            f"{len(instrument.item_ids)} items mapped); review them, or give --mapping-{side}.",
            file=sys.stderr,
        )
    return loaded


def _score(loaded: Loaded, instrument: Instrument, codebook: Codebook, args: argparse.Namespace) -> Scores:
    return score_survey(
        loaded.validated.data, instrument, codebook, k=args.min_group_size, three_as_missing=args.three_as_missing
    )


def run(args: argparse.Namespace) -> int:
    """Write ``wave_changes.csv``, ``continuum_moves.csv`` and ``README.txt`` to ``--out``; return the exit code."""
    from samskaping import cli

    label_a, label_b = (str(label) for label in args.labels)
    if label_a == label_b:
        print(f"error: --labels must name two different waves, got '{label_a}' twice", file=sys.stderr)
        return cli.EXIT_FAILED
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} exists and is not a directory", file=sys.stderr)
        return cli.EXIT_FAILED
    instrument = load_instrument()
    codebook = load_codebook(args.codebook, instrument)
    waves = {
        "before": _load_wave(args.before, args.mapping_before, "before", label_a, instrument),
        "after": _load_wave(args.after, args.mapping_after, "after", label_b, instrument),
    }
    scores = {side: _score(loaded, instrument, codebook, args) for side, loaded in waves.items()}
    comparison = compare_waves(scores["before"], scores["after"], codebook, labels=(label_a, label_b))
    moves = continuum_moves(
        *(positions(scores[side], codebook, resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED) for side in waves)
    )
    out.mkdir(parents=True, exist_ok=True)
    write_csv(comparison.table[list(WAVE_COLUMNS)], out / "wave_changes.csv")
    write_csv(moves[list(MOVE_COLUMNS)], out / "continuum_moves.csv")
    (out / "README.txt").write_text(
        _README.format(
            version=__version__, label_a=label_a, label_b=label_b, source_a=args.before.name,
            source_b=args.after.name, k=comparison.k, three=args.three_as_missing,
            only_a=", ".join(comparison.only_before) or "(none)", only_b=", ".join(comparison.only_after) or "(none)",
        ),
        encoding="utf-8",
    )  # fmt: skip
    table = comparison.table
    print(
        f"Compared {label_a} and {label_b}: {len(comparison.cases)} cases in both waves × {len(codebook.measures)} "
        f"measures (k = {comparison.k}), {int(table['hidden'].sum())} of {len(table)} hidden -> {out}/: "
        "wave_changes.csv, continuum_moves.csv"
    )
    for label, only in ((label_a, comparison.only_before), (label_b, comparison.only_after)):
        if only:
            print(f"Only in {label} (not compared): {', '.join(only)}")
    failed = [(label, waves[side]) for label, side in ((label_a, "before"), (label_b, "after"))
              if not waves[side].validated.report.ok]  # fmt: skip
    if failed:
        detail = "; ".join(f"{label} ({loaded.raw.source}): {loaded.validated.report.summary()}"
                           for label, loaded in failed)  # fmt: skip
        print(f"The data had errors ({detail}); outputs were written from the cleaned data. "
              "Run `validate` on the file for the full report.", file=sys.stderr)  # fmt: skip
        return cli.EXIT_DATA_ERRORS
    return cli.EXIT_OK
