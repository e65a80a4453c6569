"""Workspaces in SQLite and PostgreSQL: round trips, transactions, conflicts, deletion, migrations."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest
import sqlalchemy as sa

from samskaping.continuum import Placement
from samskaping.storage import ConflictError, StorageError, Store, alembic_config, upgrade
from samskaping.storage_schema import metadata
from samskaping.workspace import Exclusion, FindingsEdit, Wave, Workspace, new_id
from samskaping.workspace_file import read_workspace_file, workspace_file
from tests.conftest import REPO_DIR, database_url

DEMO = REPO_DIR / "data" / "demo_survey.xlsx"


def rich_workspace(store: Store, name: str = "Samskaping 2025") -> Workspace:
    """A workspace using every field, with awkward text (Norwegian letters, markup, newlines, emoji)."""
    workspace = store.create(name)
    first = Wave(
        id=new_id(),
        label="Vår 2024",
        file_name="demo_survey.xlsx",
        content=DEMO.read_bytes(),
        collected_on=date(2024, 4, 30),
        sheet="Survey",
    )
    second = Wave(
        id=new_id(),
        label="Høst 2025 <b>",
        file_name="export.csv",
        content="respondent_id;case\n1;Å\n".encode("cp1252"),
        mapping_yaml="columns:\n  q05: q05\n",
        companions=(("labels.csv", b"\x00\x01binary\xff"), ("structure.csv", b"a;b\n")),
    )
    edit = FindingsEdit(
        first.id,
        "Nordhei × Matbua",
        "nb",
        MappingProxyType({("proud", "part2"): "Tillit: 4,2\nFelles mål 🙂", ("joint", "part3"): ""}),
    )
    return dataclasses.replace(
        workspace,
        k=4,
        three_as_missing=True,
        codebook_yaml="version: 1\n# endret terskel\n",
        waves=(first, second),
        placements=MappingProxyType(
            {
                "Nordhei × Matbua": Placement(62.5, False, "Fokusgruppe: «felles drift»", "both"),
                "Saltvika × Tunet": Placement(None, True, "Avsluttet samarbeid", "manual"),
            }
        ),
        findings=(edit,),
        exclusions=(
            Exclusion("respondent", "R007", "Svarte to ganger", first.id),
            Exclusion("case", "Testcase", "Pilot, ikke et samarbeid"),
        ),
        notes=MappingProxyType({"Nordhei × Matbua": "<script>alert(1)</script>\nLinje 2", "Tom": ""}),
    )


def content(workspace: Workspace) -> dict:
    """Everything a workspace holds except the bookkeeping a save changes (revision, updated_at)."""
    fields = {f.name: getattr(workspace, f.name) for f in dataclasses.fields(workspace)}
    for volatile in ("revision", "updated_at"):
        fields.pop(volatile)
    fields["placements"] = dict(fields["placements"])
    fields["notes"] = dict(fields["notes"])
    fields["findings"] = [(f.wave_id, f.case, f.lang, dict(f.cells)) for f in workspace.findings]
    return fields


def test_save_and_reload_keep_everything(store: Store) -> None:
    # Expected: the workspace as built above, field by field (nothing computed by the store).
    built = rich_workspace(store)
    saved = store.save(built)
    assert saved.revision == built.revision + 1
    loaded = store.load(saved.id)
    assert content(loaded) == content(built)
    assert loaded.revision == saved.revision
    assert loaded.wave(built.waves[1].id).companions == built.waves[1].companions
    assert [s.name for s in store.list()] == ["Samskaping 2025"]
    assert store.list()[0].waves == 2


def test_round_trip_through_a_file_into_another_database(store: Store, tmp_path: Path) -> None:
    # Save here, export to one file, import into a database of the other kind, and compare.
    saved = store.save(rich_workspace(store))
    exported = workspace_file(store.load(saved.id))
    other_kind = "postgresql" if store.engine.dialect.name == "sqlite" else "sqlite"
    other_folder = tmp_path / "elsewhere"
    other_folder.mkdir()
    elsewhere = Store.open(database_url(other_kind, other_folder))
    try:
        imported = elsewhere.import_workspace(read_workspace_file(exported))
        reloaded = elsewhere.load(imported.id)
        assert content(reloaded) == content(saved)
        assert workspace_file(reloaded) != b""
        # A second import of the same file keeps both, with a new id and a numbered name.
        again = elsewhere.import_workspace(read_workspace_file(exported))
        assert again.id != imported.id
        assert again.name == "Samskaping 2025 (2)"
        assert {w.id for w in again.waves}.isdisjoint({w.id for w in imported.waves})
        assert again.exclusions[0].wave_id == again.waves[0].id  # wave-specific exclusion follows its wave
        assert again.findings[0].wave_id == again.waves[0].id
    finally:
        elsewhere.close()


def test_waves_are_added_relabelled_and_removed(store: Store) -> None:
    workspace = store.save(rich_workspace(store))
    first, second = workspace.waves
    renamed = dataclasses.replace(first, label="Vår 2024 (rettet)", mapping_yaml="columns: {}\n")
    workspace = store.save(dataclasses.replace(workspace, waves=(renamed,)))
    loaded = store.load(workspace.id)
    assert [w.label for w in loaded.waves] == ["Vår 2024 (rettet)"]
    assert loaded.waves[0].mapping_yaml == "columns: {}\n"
    assert loaded.waves[0].content == DEMO.read_bytes()
    with store.engine.connect() as connection:  # the removed wave's files are gone, not orphaned
        files = connection.execute(sa.text("SELECT wave_id FROM wave_file")).scalars().all()
    assert set(files) == {first.id}
    assert second.id not in files


def test_a_save_from_an_old_revision_is_refused(store: Store) -> None:
    workspace = store.save(rich_workspace(store))
    store.save(dataclasses.replace(workspace, k=5))  # someone else saves first
    with pytest.raises(ConflictError, match="saved elsewhere"):
        store.save(dataclasses.replace(workspace, k=6))
    assert store.load(workspace.id).k == 5


def test_names_are_unique_and_required(store: Store) -> None:
    store.create("Studie")
    with pytest.raises(StorageError, match="exists already"):
        store.create(" Studie ")
    with pytest.raises(StorageError, match="needs a name"):
        store.create("   ")


def test_a_failure_mid_save_leaves_the_workspace_as_it_was(store: Store) -> None:
    before = store.save(rich_workspace(store))
    changed = dataclasses.replace(
        before,
        k=7,
        waves=before.waves[:1],
        notes=MappingProxyType({"Ny": "ny notat"}),
        exclusions=(),
    )

    def fail_on_notes(connection, cursor, statement, parameters, context, executemany) -> None:
        # Inserting the notes comes after the settings, waves, placements, findings and exclusions.
        if statement.lstrip().upper().startswith("INSERT INTO CASE_NOTE"):
            raise RuntimeError("injected failure")

    sa.event.listen(store.engine, "before_cursor_execute", fail_on_notes)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            store.save(changed)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", fail_on_notes)
    after = store.load(before.id)
    assert content(after) == content(before)
    assert after.revision == before.revision


_CRASHING_SAVE = textwrap.dedent(
    """
    import dataclasses, os, sys
    from types import MappingProxyType
    import sqlalchemy as sa
    from samskaping.storage import Store

    store = Store.open(sys.argv[1])
    workspace = store.load(sys.argv[2])
    statements = []

    def crash(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)
        # Half-way through the save (the workspace row and the wave rows are written): the process dies.
        if statement.lstrip().upper().startswith("INSERT INTO PLACEMENT"):
            os._exit(17)

    sa.event.listen(store.engine, "before_cursor_execute", crash)
    store.save(dataclasses.replace(workspace, k=9, waves=workspace.waves[:1], notes=MappingProxyType({})))
    sys.exit(0)
    """
)


def test_a_process_killed_mid_save_leaves_the_workspace_intact(store: Store, database: str) -> None:
    before = store.save(rich_workspace(store))
    store.close()  # the other process must be able to write (SQLite locks the file)
    result = subprocess.run(
        [sys.executable, "-c", _CRASHING_SAVE, database, before.id],
        cwd=REPO_DIR,
        env={**os.environ, "PYTHONPATH": str(REPO_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 17, result.stderr  # it really died mid-save
    reopened = Store.open(database)
    try:
        after = reopened.load(before.id)
        assert content(after) == content(before)
        assert after.revision == before.revision
        reopened.save(dataclasses.replace(after, k=5))  # and the workspace still takes saves
        assert reopened.load(before.id).k == 5
    finally:
        reopened.close()


def test_delete_removes_every_row(store: Store, database: str) -> None:
    keep = store.save(rich_workspace(store, "Keep"))
    doomed = store.save(rich_workspace(store, "Delete me"))
    store.delete(doomed.id)
    with pytest.raises(StorageError, match="does not exist"):
        store.load(doomed.id)
    with pytest.raises(StorageError, match="does not exist"):
        store.delete(doomed.id)
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            owner = table.c.get("workspace_id")
            if owner is not None:
                ids = set(connection.execute(sa.select(owner)).scalars())
                assert ids <= {keep.id}, table.name
        waves = set(connection.execute(sa.text("SELECT wave_id FROM wave_file")).scalars())
    assert waves == {w.id for w in keep.waves}
    assert content(store.load(keep.id)) == content(keep)


def test_deleted_answers_do_not_linger_in_the_sqlite_file(tmp_path: Path) -> None:
    # A sentinel answer is written in a wave file, then the workspace is deleted: the bytes must
    # be gone from the database file itself (secure_delete + VACUUM), not just unreachable.
    path = tmp_path / "w.sqlite"
    store = Store.open(f"sqlite:///{path}")
    sentinel = b"SENTINEL-ANSWER-7f3a9c"
    workspace = store.create("Slettes")
    wave = Wave(id=new_id(), label="1", file_name="a.csv", content=b"respondent_id,case\n" + sentinel * 200)
    workspace = store.save(dataclasses.replace(workspace, waves=(wave,)))
    assert sentinel in path.read_bytes() or sentinel in (tmp_path / "w.sqlite-wal").read_bytes()
    store.delete(workspace.id)
    store.close()
    assert sentinel not in path.read_bytes()


def test_migrations_match_the_tables(database: str) -> None:
    # Alembic's own comparison of the migrated database with the table definitions: no differences.
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = sa.create_engine(database)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
        upgrade(engine)  # running again is a no-op
        with engine.begin() as connection:  # and the first migration can be undone
            command.downgrade(alembic_config(connection), "base")
        assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    finally:
        engine.dispose()


def test_unreachable_database_is_one_clear_line() -> None:
    with pytest.raises(StorageError, match="cannot open the workspace database") as error:
        Store.open("postgresql+psycopg://nobody:secret@/nodb?host=/nonexistent-socket-dir")
    assert "secret" not in str(error.value)
    assert "\n" not in str(error.value)


def test_default_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from samskaping.storage import DATABASE_URL_VARIABLE, default_database_url

    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql+psycopg://team@db/samskaping")
    assert default_database_url() == "postgresql+psycopg://team@db/samskaping"
    monkeypatch.delenv(DATABASE_URL_VARIABLE)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # platformdirs' user data folder on Linux
    assert default_database_url() == f"sqlite:///{tmp_path / 'samskaping' / 'samskaping.sqlite'}"


def test_a_failed_import_leaves_no_half_workspace(store: Store) -> None:
    exported = workspace_file(store.save(rich_workspace(store, "Original")))
    before = [(s.name, s.revision) for s in store.list()]

    def fail_on_notes(connection, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CASE_NOTE"):
            raise RuntimeError("injected failure")

    sa.event.listen(store.engine, "before_cursor_execute", fail_on_notes)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            store.import_workspace(read_workspace_file(exported))
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", fail_on_notes)
    assert [(s.name, s.revision) for s in store.list()] == before
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM wave")).scalar() == 2  # the original's only
