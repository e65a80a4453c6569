"""Workspaces belong to owners (SQLite and PostgreSQL): each owner sees, opens and changes only their own."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
import sqlalchemy as sa

from samskaping.storage import LOCAL_OWNER, StorageError, Store, normalise_owner, upgrade
from samskaping.workspace_file import read_workspace_file, workspace_file

ALICE, BOB = "alice@example.org", "bob@example.org"


def test_each_owner_lists_and_opens_only_their_own(store: Store) -> None:
    a = store.create("Alice's study", owner=ALICE)
    b = store.create("Bob's study", owner=BOB)
    local = store.create("Local study")  # no owner given: the local user, as without login
    # Expected: exactly the names created for each owner above.
    assert [s.name for s in store.list(owner=ALICE)] == ["Alice's study"]
    assert [s.name for s in store.list(owner=BOB)] == ["Bob's study"]
    assert [s.name for s in store.list()] == ["Local study"]
    assert store.load(a.id, owner=ALICE).name == "Alice's study"
    for other in (BOB, LOCAL_OWNER):
        # Another owner's workspace is reported as missing (the same words as a deleted one).
        with pytest.raises(StorageError, match="does not exist"):
            store.load(a.id, owner=other)
        with pytest.raises(StorageError, match="no longer exists"):
            store.save(dataclasses.replace(a, k=9), owner=other)
        with pytest.raises(StorageError, match="does not exist"):
            store.delete(a.id, owner=other)
        assert store.revision(a.id, owner=other) is None
    assert store.load(a.id, owner=ALICE).k == a.k  # the refused save changed nothing
    assert {s.id for s in store.list(owner=BOB)} == {b.id}
    assert {s.id for s in store.list()} == {local.id}


def test_owner_is_case_and_space_insensitive(store: Store) -> None:
    created = store.create("Studie", owner=" Alice@Example.ORG ")
    assert [s.id for s in store.list(owner=ALICE)] == [created.id]
    assert normalise_owner("  Bob@EXAMPLE.org") == BOB
    with pytest.raises(StorageError, match="owner"):
        store.list(owner="   ")


def test_names_are_unique_per_owner_not_overall(store: Store) -> None:
    store.create("Pilot", owner=ALICE)
    store.create("Pilot", owner=BOB)  # bob's own "Pilot": allowed, and alice's is not revealed
    with pytest.raises(StorageError, match="exists already"):
        store.create("Pilot", owner=ALICE)
    assert [s.name for s in store.list(owner=ALICE)] == ["Pilot"]
    assert [s.name for s in store.list(owner=BOB)] == ["Pilot"]


def test_a_workspace_can_have_several_owners(store: Store) -> None:
    shared = store.create("Felles", owner=ALICE)
    assert store.add_owner(shared.id, "Bob@example.org", owner=ALICE) == (ALICE, BOB)
    assert store.owners(shared.id, owner=BOB) == (ALICE, BOB)
    saved = store.save(dataclasses.replace(shared, k=6), owner=BOB)  # bob may change it now
    assert store.load(shared.id, owner=ALICE).k == 6
    assert saved.revision == 2
    with pytest.raises(StorageError, match="does not exist"):  # a stranger cannot add themselves
        store.add_owner(shared.id, "mallory@example.org", owner="mallory@example.org")
    store.create("Egen", owner="carol@example.org")
    other = store.create("Egen", owner=ALICE)
    with pytest.raises(StorageError, match="has a workspace called 'Egen'"):
        store.add_owner(other.id, "carol@example.org", owner=ALICE)
    store.delete(shared.id, owner=BOB)  # deleting removes it for every owner
    assert [s.name for s in store.list(owner=ALICE)] == ["Egen"]
    assert store.list(owner=BOB) == []


def test_import_belongs_to_the_importer_and_numbers_only_their_names(store: Store) -> None:
    original = store.save(
        dataclasses.replace(store.create("Studie", owner=ALICE), notes=MappingProxyType({"A": "x"})), owner=ALICE
    )
    exported = read_workspace_file(workspace_file(store.load(original.id, owner=ALICE)))
    for_bob = store.import_workspace(exported, owner=BOB)
    assert for_bob.name == "Studie"  # bob has no "Studie": the name is kept
    assert for_bob.id != original.id  # the id is taken in this database
    again = store.import_workspace(exported, owner=ALICE)
    assert again.name == "Studie (2)"
    assert sorted(s.name for s in store.list(owner=ALICE)) == ["Studie", "Studie (2)"]
    assert [s.name for s in store.list(owner=BOB)] == ["Studie"]
    assert dict(store.load(for_bob.id, owner=BOB).notes) == {"A": "x"}


def test_workspaces_made_before_owners_belong_to_the_local_user(database: str) -> None:
    # A database at the first schema (0001) with two workspaces, then upgraded: both are "local"'s.
    engine = sa.create_engine(database)
    try:
        upgrade(engine, "0001")
        stamp = datetime(2026, 1, 5, tzinfo=UTC)
        with engine.begin() as connection:
            for ident, name in (("a" * 32, "Gammel A"), ("b" * 32, "Gammel B")):
                connection.execute(
                    sa.text(
                        "INSERT INTO workspace (id, name, revision, created_at, updated_at, k, three_as_missing)"
                        " VALUES (:id, :name, 3, :t, :t, 4, false)"
                    ),
                    {"id": ident, "name": name, "t": stamp},
                )
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT workspace_id, owner FROM workspace_owner ORDER BY 1")).all()
        assert [tuple(r) for r in rows] == [("a" * 32, "local"), ("b" * 32, "local")]
    finally:
        engine.dispose()
    store = Store.open(database)
    try:
        assert [(s.name, s.revision) for s in store.list()] == [("Gammel A", 3), ("Gammel B", 3)]
        assert store.list(owner=ALICE) == []
        store.create("Gammel A", owner=ALICE)  # the name is no longer unique across owners
    finally:
        store.close()


def test_the_command_line_acts_as_local_unless_told(database: str, capsys: pytest.CaptureFixture) -> None:
    from samskaping.cli import main
    from tests.conftest import REPO_DIR

    demo = str(REPO_DIR / "data" / "demo_survey.xlsx")
    db = ["workspace", "--database", database]
    assert main([*db, "--owner", ALICE, "add-wave", "Hennes", demo, "--label", "2024"]) == 0
    assert main([*db, "add-wave", "Lokal", demo, "--label", "2024"]) == 0
    capsys.readouterr()
    assert main([*db, "list"]) == 0
    listed = capsys.readouterr().out
    assert "Lokal\t1 wave(s)" in listed and "Hennes" not in listed
    assert main([*db, "--owner", "Alice@example.org", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Hennes\t1 wave(s)" in listed and "Lokal" not in listed
    assert main([*db, "delete", "Hennes", "--yes"]) == 2  # not local's: "no workspace called"
    assert "no workspace called 'Hennes'" in capsys.readouterr().err
    store = Store.open(database)
    try:
        assert [s.name for s in store.list(owner=ALICE)] == ["Hennes"]
    finally:
        store.close()
