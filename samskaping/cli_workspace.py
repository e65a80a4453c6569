"""``python -m samskaping workspace …``: list, export, import, delete workspaces and add waves from the shell.

The same database as the dashboard (``SAMSKAPING_DATABASE_URL`` or the user's SQLite file;
``--database URL`` overrides both). It acts as the owner ``local`` (the dashboard's user
without login) unless ``--owner EMAIL`` names a login: it sees and changes only that owner's
workspaces. Wired into :mod:`samskaping.cli` like ``cli_continuum``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from pathlib import Path

from samskaping.instrument import load_instrument
from samskaping.storage import LOCAL_OWNER, StorageError, Store
from samskaping.wave_privacy import without_identifying
from samskaping.workspace import Wave, Workspace, load_wave, new_id
from samskaping.workspace_file import SUFFIX, read_workspace_file, workspace_file

__all__ = ["add_parser", "run"]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got '{text}'") from None


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``workspace`` sub-command (with its own sub-commands) to ``commands``."""
    from samskaping import cli

    parser = commands.add_parser("workspace", help="list, export, import or delete workspaces; add a survey wave")
    parser.add_argument("--database", metavar="URL", help="database URL (default: SAMSKAPING_DATABASE_URL or the "
                        "SQLite file in the user data folder)")  # fmt: skip
    parser.add_argument("--owner", default=LOCAL_OWNER, metavar="EMAIL", help="act as this login's owner "
                        f"(default: {LOCAL_OWNER}, the dashboard's user without login)")  # fmt: skip
    actions = parser.add_subparsers(dest="action", required=True, parser_class=cli._ArgumentParser)
    actions.add_parser("list", help="every workspace with its waves")
    export = actions.add_parser("export", help="write a workspace to one file")
    export.add_argument("name", help="the workspace's name")
    export.add_argument("--out", type=Path, required=True, help=f"file to write (…{SUFFIX})")
    importing = actions.add_parser("import", help="read a workspace file into the database")
    importing.add_argument("file", type=Path)
    delete = actions.add_parser("delete", help="delete a workspace for good")
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="confirm: the workspace and its survey files are deleted")
    wave = actions.add_parser("add-wave", help="add a survey file as a wave (creates the workspace if needed)")
    wave.add_argument("name", help="the workspace's name")
    wave.add_argument("input", type=Path, help="the survey file")
    wave.add_argument("--label", required=True, help="the wave's label, e.g. 2025")
    wave.add_argument("--date", type=_day, help="when it was collected (YYYY-MM-DD)")
    wave.add_argument("--mapping", type=Path, metavar="FILE", help="mapping YAML saved by validate or the Import page")
    wave.add_argument("--sheet", help="sheet to read (xlsx, ods)")
    report = actions.add_parser("report", help="the study workbook of a wave, with the workspace's decisions")
    report.add_argument("name", help="the workspace's name")
    report.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    report.add_argument("--wave", metavar="LABEL", help="the wave (default: the newest)")
    report.add_argument("--lang", choices=("en", "nb"), default="en", help="language (default en)")
    report.add_argument("--by", default="group", metavar="COLUMN", help="grouping of the Comparison sheet")
    report.add_argument("--include-respondents", action="store_true", help="add the researcher-only sheets")
    return parser


def _find(store: Store, name: str, owner: str) -> Workspace:
    summaries = store.list(owner=owner)
    for summary in summaries:
        if summary.name == name:
            return store.load(summary.id, owner=owner)
    names = ", ".join(s.name for s in summaries) or "none"
    raise StorageError(f"no workspace called '{name}' (there are: {names})")


def run(args: argparse.Namespace) -> int:
    """Carry out the workspace action; 0 when done, 2 when it could not be done (one-line message)."""
    from samskaping.cli import EXIT_FAILED, EXIT_OK

    store, owner = Store.open(args.database), args.owner
    try:
        if args.action == "list":
            for summary in store.list(owner=owner):
                print(f"{summary.name}\t{summary.waves} wave(s)\trevision {summary.revision}\t"
                      f"saved {summary.updated_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip
            return EXIT_OK
        if args.action == "export":
            workspace = _find(store, args.name, owner)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(workspace_file(workspace))
            print(f"Exported workspace '{workspace.name}' ({len(workspace.waves)} waves) -> {args.out}")
            print("The file holds the survey files (respondent-level data): keep it safe.")
            return EXIT_OK
        if args.action == "import":
            imported = store.import_workspace(read_workspace_file(args.file.read_bytes(), args.file.name), owner=owner)
            print(f"Imported workspace '{imported.name}' ({len(imported.waves)} waves)")
            return EXIT_OK
        if args.action == "delete":
            workspace = _find(store, args.name, owner)
            if not args.yes:
                print(f"error: add --yes to delete workspace '{workspace.name}' for good", file=sys.stderr)
                return EXIT_FAILED
            store.delete(workspace.id, owner=owner)
            print(f"Deleted workspace '{workspace.name}' for good")
            return EXIT_OK
        if args.action == "report":
            return _report(store, args)
        return _add_wave(store, args)
    finally:
        store.close()


def _add_wave(store: Store, args: argparse.Namespace) -> int:
    from samskaping.cli import EXIT_OK

    wave = Wave(
        id=new_id(),
        label=args.label,
        file_name=args.input.name,
        content=args.input.read_bytes(),
        collected_on=args.date,
        sheet=args.sheet,
        mapping_yaml=args.mapping.read_text(encoding="utf-8") if args.mapping else None,
    )
    instrument = load_instrument()
    validated = load_wave(wave, instrument)  # refuse a file that cannot be read before storing anything
    stripped = without_identifying(wave, instrument)
    wave = stripped.wave
    if stripped.removed:
        print(f"Identifying columns left out of the stored file: {len(stripped.removed)} (never used)")
    elif stripped.kept_because:
        print("Note: the stored file keeps its identifying columns (leaving them out would change the data)")
    owner = args.owner
    names = {s.name for s in store.list(owner=owner)}
    workspace = _find(store, args.name, owner) if args.name in names else store.create(args.name, owner=owner)
    # Merged with a save made in the dashboard meanwhile rather than refused (no lost write).
    store.save_merging(dataclasses.replace(workspace, waves=(*workspace.waves, wave)), workspace, owner=owner)
    cases = validated.data["case"].nunique()
    print(f"Added wave '{wave.label}' ({len(validated.data)} respondents in {cases} cases) to '{workspace.name}'")
    return EXIT_OK


def _report(store: Store, args: argparse.Namespace) -> int:
    from samskaping.cli import EXIT_FAILED, EXIT_OK
    from samskaping.report_context import context_from_workspace
    from samskaping.report_workbook import study_workbook

    if args.out.suffix.lower() != ".xlsx":
        print(f"error: --out must name an .xlsx file, got '{args.out.name}'", file=sys.stderr)
        return EXIT_FAILED
    context = context_from_workspace(_find(store, args.name, args.owner), load_instrument(), args.wave)
    content = study_workbook(context, lang=args.lang, include_respondents=args.include_respondents, compare_by=args.by)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    removed = int(context.exclusions["removed"].sum()) if len(context.exclusions) else 0
    print(f"Wrote {args.out}: wave '{context.wave}' of '{context.workspace}', {len(context.validated.data)} "
          f"respondents after {len(context.exclusions)} exclusion(s) removing {removed} (k = {context.k})")  # fmt: skip
    return EXIT_OK
