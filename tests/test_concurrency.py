"""Two sessions on one workspace (two Store handles, SQLite and PostgreSQL): no save loses another's write."""

from __future__ import annotations

import dataclasses
import threading
from types import MappingProxyType

import pytest

from samskaping.continuum import Placement
from samskaping.storage import ConflictError, Store
from samskaping.workspace import Conflict, Exclusion, FindingsEdit, Wave, Workspace, merge, new_id


@pytest.fixture
def second(database: str, store: Store):
    """Another connection to the same database, as a second app process or replica would have."""
    other = Store.open(database)
    yield other
    other.close()


def _seeded(store: Store) -> Workspace:
    workspace = store.create("Felles studie", k=3)
    wave = Wave(id=new_id(), label="2024", file_name="a.csv", content=b"respondent_id,case\n1,A\n")
    return store.save(
        dataclasses.replace(
            workspace,
            waves=(wave,),
            notes=MappingProxyType({"Case A": "first note"}),
            placements=MappingProxyType({"Case A": Placement(40.0, False, "workshop", "both")}),
        )
    )


def test_a_plain_stale_save_is_still_refused(store: Store, second: Store) -> None:
    base = _seeded(store)
    second.save(dataclasses.replace(second.load(base.id), k=5))
    with pytest.raises(ConflictError):
        store.save(dataclasses.replace(base, k=4))


def test_different_fields_both_survive(store: Store, second: Store) -> None:
    base = _seeded(store)
    # Session 1 and session 2 both loaded revision 2; session 2 saves first (k), then session 1 (an exclusion).
    two = second.load(base.id)
    second.save(dataclasses.replace(two, k=5))
    mine = dataclasses.replace(base, exclusions=(Exclusion("respondent", "R7", "answered twice"),))
    result = store.save_merging(mine, base)
    assert result.merged and result.conflicts == ()
    stored = second.load(base.id)
    # Expected: k from session 2, the exclusion from session 1, the rest as seeded.
    assert stored.k == 5
    assert stored.exclusions == (Exclusion("respondent", "R7", "answered twice"),)
    assert dict(stored.notes) == {"Case A": "first note"}
    assert stored.revision == base.revision + 2  # one save each
    assert result.saved.revision == stored.revision


def test_notes_on_different_cases_both_survive(store: Store, second: Store) -> None:
    base = _seeded(store)
    two = second.load(base.id)
    second.save(dataclasses.replace(two, notes=MappingProxyType({**two.notes, "Case B": "from session 2"})))
    mine = dataclasses.replace(base, notes=MappingProxyType({**base.notes, "Case C": "from session 1"}))
    store.save_merging(mine, base)
    assert dict(store.load(base.id).notes) == {
        "Case A": "first note",
        "Case B": "from session 2",
        "Case C": "from session 1",
    }


def test_the_same_field_is_a_true_conflict_and_the_newest_is_kept(store: Store, second: Store) -> None:
    base = _seeded(store)
    two = second.load(base.id)
    second.save(dataclasses.replace(two, k=5, notes=MappingProxyType({"Case A": "session 2's wording"})))
    mine = dataclasses.replace(
        base,
        k=4,
        notes=MappingProxyType({"Case A": "session 1's wording"}),
        exclusions=(Exclusion("case", "Case Z", "pilot"),),
    )
    result = store.save_merging(mine, base)
    assert set(result.conflicts) == {Conflict("k"), Conflict("note", "Case A")}
    stored = store.load(base.id)
    assert stored.k == 5 and stored.notes["Case A"] == "session 2's wording"  # the newest kept
    assert stored.exclusions == (Exclusion("case", "Case Z", "pilot"),)  # the rest of mine still saved


def test_a_removed_wave_takes_its_findings_and_exclusions(store: Store, second: Store) -> None:
    base = _seeded(store)
    [wave] = base.waves
    two = second.load(base.id)
    second.save(dataclasses.replace(two, waves=()))  # session 2 removes the wave
    edit = FindingsEdit(wave.id, "Case A", "en", MappingProxyType({("proud", "part2"): "x"}))
    mine = dataclasses.replace(
        base,
        findings=(edit,),
        exclusions=(Exclusion("respondent", "1", "test", wave.id), Exclusion("case", "Case Q", "all waves")),
    )
    result = store.save_merging(mine, base)
    stored = store.load(base.id)
    assert stored.waves == () and stored.findings == ()
    assert stored.exclusions == (Exclusion("case", "Case Q", "all waves"),)
    assert result.conflicts == ()


def test_merge_keeps_wave_additions_from_both() -> None:
    # Pure three-way merge, no database: both sides added a different wave.
    base = Workspace(id="w", name="S", revision=1)
    a = Wave(id="a" * 32, label="A", file_name="a.csv", content=b"a")
    b = Wave(id="b" * 32, label="B", file_name="b.csv", content=b"b")
    theirs = dataclasses.replace(base, revision=2, waves=(a,))
    mine = dataclasses.replace(base, waves=(b,))
    merged, conflicts = merge(base, mine, theirs)
    assert [w.label for w in merged.waves] == ["A", "B"] and conflicts == ()
    assert merged.revision == 2
    # Nothing of mine differs from base: the merge is exactly theirs.
    assert merge(base, base, theirs) == (theirs, ())


def test_many_sessions_saving_at_once_lose_nothing(database: str, store: Store) -> None:
    # Eight threads, each with its own Store (own connections), each add one note from the same
    # loaded revision at the same moment: every note must be stored (8 = the number of threads).
    base = _seeded(store)
    sessions = 8
    barrier = threading.Barrier(sessions)
    errors: list[BaseException] = []

    # Opened one after another: Alembic's upgrade check is not meant to run in threads at once.
    handles = [Store.open(database) for _ in range(sessions)]

    def one(number: int) -> None:
        handle = handles[number]
        try:
            mine = dataclasses.replace(base, notes=MappingProxyType({**base.notes, f"Case {number}": f"n{number}"}))
            barrier.wait(timeout=30)
            handle.save_merging(mine, base)
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            handle.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = store.load(base.id)
    assert dict(stored.notes) == {"Case A": "first note", **{f"Case {n}": f"n{n}" for n in range(sessions)}}
    assert stored.revision == base.revision + sessions
