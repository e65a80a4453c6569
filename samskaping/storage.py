"""Workspaces in a database: SQLite in the user's data folder, or PostgreSQL for a shared deployment.

This is the only module that talks to the database. It uses SQLAlchemy Core, so the same
statements run on both; the schema is created and upgraded by versioned Alembic migrations
(``samskaping/migrations``) when a store is opened.

Every save is one transaction: a failed import or a crash half-way through leaves the
workspace exactly as it was. A save names the revision it was made from and is refused
(:class:`ConflictError`) when someone saved in between; :meth:`Store.save_merging` then
re-applies the saver's own changes on top of the newer revision (:func:`samskaping.workspace.merge`).

Workspaces belong to owners (the login's e-mail address; ``local`` when the dashboard runs
without login). Every method takes the acting ``owner`` and sees only that owner's
workspaces: another owner's workspace is reported as not existing. A workspace can have
several owners; its name is unique among each owner's workspaces.

Where the data is kept (also in the README): ``SAMSKAPING_DATABASE_URL`` if set (any
SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``), else
``<user data folder>/samskaping/samskaping.sqlite`` (on Linux ``~/.local/share/samskaping``).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from samskaping.continuum import Placement
from samskaping.errors import SamskapingError
from samskaping.storage_schema import (
    DECISION_TABLES,
    exclusion_table,
    findings_table,
    metadata,
    note_table,
    owner_table,
    placement_table,
    wave_file_table,
    wave_table,
    workspace_table,
)
from samskaping.workspace import Conflict, Exclusion, FindingsEdit, Wave, Workspace, merge, new_id, now

__all__ = [
    "DATABASE_URL_VARIABLE",
    "LOCAL_OWNER",
    "ConflictError",
    "Merged",
    "StorageError",
    "Store",
    "WorkspaceSummary",
    "default_database_url",
    "metadata",
    "normalise_owner",
]

DATABASE_URL_VARIABLE = "SAMSKAPING_DATABASE_URL"
LOCAL_OWNER = "local"  # the one user of a dashboard without login, and of the command line
MERGE_ATTEMPTS = 20  # save_merging gives up (ConflictError) after this many saves overtaken in a row
_MIGRATIONS = Path(__file__).parent / "migrations"


class StorageError(SamskapingError):
    """The database cannot be reached or does not hold what was asked for."""


class ConflictError(StorageError):
    """The workspace was saved by someone else since it was loaded; reload before saving."""


def default_database_url() -> str:
    """``SAMSKAPING_DATABASE_URL`` if set, else a SQLite file in the user's data folder."""
    url = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if url:
        return url
    import platformdirs

    folder = Path(platformdirs.user_data_dir("samskaping", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'samskaping.sqlite'}"


def normalise_owner(owner: str) -> str:
    """An owner as stored: surrounding spaces removed, lower case (e-mail addresses compare so).

    Raises
    ------
    StorageError
        When ``owner`` is empty or longer than 320 characters (the longest e-mail address).
    """
    text = str(owner or "").strip().lower()
    if not text or len(text) > 320:
        raise StorageError("an owner must be a login (e-mail address) of at most 320 characters")
    return text


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (it stores text); everything is written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WorkspaceSummary:
    """One line of the workspace list: id, name, revision, last change and number of waves."""

    id: str
    name: str
    revision: int
    updated_at: datetime
    waves: int


@dataclass(frozen=True, slots=True)
class Merged:
    """What :meth:`Store.save_merging` did: the workspace as saved, and the changes of mine it could not keep.

    ``merged`` is True when someone else had saved in between (their changes are in ``saved``).
    """

    saved: Workspace
    conflicts: tuple[Conflict, ...] = ()
    merged: bool = False


class Store:
    """A database of workspaces. Open with :meth:`open`; the schema is migrated to the newest version.

    Examples
    --------
    >>> store = Store.open("sqlite://")  # in memory
    >>> ws = store.create("Pilot study")
    >>> ws = store.save(replace(ws, k=4))
    >>> store.load(ws.id).k
    4
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Connect to ``url`` (default: :func:`default_database_url`) and bring its schema up to date.

        Raises
        ------
        StorageError
            When the database cannot be reached or migrated.
        """
        url = url or default_database_url()
        try:
            engine = _engine(url)
            upgrade(engine)
        except SamskapingError:
            raise
        except Exception as exc:  # a driver error: connection refused, bad URL, permissions
            raise StorageError(f"cannot open the workspace database {_safe_url(url)}: {_first_line(exc)}") from exc
        return cls(engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except SamskapingError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            raise StorageError(f"the workspace database refused the change: {_first_line(exc)}") from exc

    # -- reading -----------------------------------------------------------------------------

    def list(self, *, owner: str = LOCAL_OWNER) -> list[WorkspaceSummary]:
        """Every workspace of ``owner``, by name."""
        waves = (
            sa.select(wave_table.c.workspace_id, sa.func.count().label("n"))
            .group_by(wave_table.c.workspace_id)
            .subquery()
        )
        query = (
            sa.select(workspace_table, sa.func.coalesce(waves.c.n, 0).label("waves"))
            .outerjoin(waves, waves.c.workspace_id == workspace_table.c.id)
            .where(_owned_by(normalise_owner(owner)))
            .order_by(workspace_table.c.name)
        )
        with self.engine.connect() as connection:
            return [
                WorkspaceSummary(row.id, row.name, row.revision, _utc(row.updated_at), row.waves)
                for row in connection.execute(query)
            ]

    def load(self, workspace_id: str, *, owner: str = LOCAL_OWNER) -> Workspace:
        """The workspace with everything in it.

        Raises
        ------
        StorageError
            When there is no such workspace of ``owner`` (e.g. deleted by someone else).
        """
        with self.engine.connect() as connection:
            _check_owner(connection, workspace_id, normalise_owner(owner))
            return _read_workspace(connection, workspace_id)

    def revision(self, workspace_id: str, *, owner: str = LOCAL_OWNER) -> int | None:
        """The stored revision of a workspace of ``owner`` (one small query), or None if it is gone."""
        query = sa.select(workspace_table.c.revision).where(
            workspace_table.c.id == workspace_id, _owned_by(normalise_owner(owner))
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def owners(self, workspace_id: str, *, owner: str = LOCAL_OWNER) -> tuple[str, ...]:
        """Everyone who owns the workspace (sorted); only an owner may ask."""
        with self.engine.connect() as connection:
            _check_owner(connection, workspace_id, normalise_owner(owner))
            query = sa.select(owner_table.c.owner).where(owner_table.c.workspace_id == workspace_id)
            return tuple(sorted(connection.execute(query).scalars()))

    # -- writing -----------------------------------------------------------------------------

    def create(self, name: str, *, owner: str = LOCAL_OWNER, **settings) -> Workspace:
        """A new, empty workspace of ``owner`` called ``name`` (unique among theirs; surrounding spaces removed)."""
        name, owner = name.strip(), normalise_owner(owner)
        if not name:
            raise StorageError("a workspace needs a name")
        workspace = Workspace(id=new_id(), name=name, **settings)
        with self._transaction() as connection:
            if name in _names(connection, owner):
                raise StorageError(f"a workspace called '{name}' exists already")
            _insert_workspace(connection, replace(workspace, revision=1))
            connection.execute(owner_table.insert().values(workspace_id=workspace.id, owner=owner))
            _write_children(connection, workspace, old_wave_ids=set())
        return replace(workspace, revision=1)

    def add_owner(self, workspace_id: str, new_owner: str, *, owner: str = LOCAL_OWNER) -> tuple[str, ...]:
        """Let ``new_owner`` (an e-mail address) open and change the workspace too; returns every owner.

        Raises
        ------
        StorageError
            When ``owner`` does not own the workspace, or ``new_owner`` has a workspace of that name.
        """
        owner, new_owner = normalise_owner(owner), normalise_owner(new_owner)
        with self._transaction() as connection:
            _check_owner(connection, workspace_id, owner)
            current = set(
                connection.execute(
                    sa.select(owner_table.c.owner).where(owner_table.c.workspace_id == workspace_id)
                ).scalars()
            )
            if new_owner not in current:
                name = connection.execute(
                    sa.select(workspace_table.c.name).where(workspace_table.c.id == workspace_id)
                ).scalar_one()
                if name in _names(connection, new_owner):
                    raise StorageError(f"{new_owner} has a workspace called '{name}' already")
                connection.execute(owner_table.insert().values(workspace_id=workspace_id, owner=new_owner))
                current.add(new_owner)
        return tuple(sorted(current))

    def save(self, workspace: Workspace, *, owner: str = LOCAL_OWNER) -> Workspace:
        """Write the workspace in one transaction and return it with its new revision.

        Waves are added, updated (label, date, mapping) or removed to match; their files are
        written only when new. Settings, placements, findings edits, exclusions and notes
        replace the stored ones.

        Raises
        ------
        ConflictError
            When the stored revision is no longer ``workspace.revision`` (saved elsewhere).
        StorageError
            When the workspace no longer exists (for ``owner``) or the database refuses the change.
        """
        saved = replace(workspace, revision=workspace.revision + 1, updated_at=now())
        owner = normalise_owner(owner)
        with self._transaction() as connection:
            if not _owns(connection, workspace.id, owner):
                raise StorageError(f"workspace '{workspace.name}' no longer exists (deleted elsewhere?)")
            if workspace.name in _names(connection, owner, besides=workspace.id):
                raise StorageError(f"a workspace called '{workspace.name}' exists already")
            result = connection.execute(
                workspace_table.update()
                .where(workspace_table.c.id == workspace.id, workspace_table.c.revision == workspace.revision)
                .values(**_workspace_row(saved))
            )
            if result.rowcount != 1:
                _raise_missing_or_conflict(connection, workspace)
            waves = sa.select(wave_table.c.id).where(wave_table.c.workspace_id == workspace.id)
            old = set(connection.execute(waves).scalars())
            _write_children(connection, saved, old_wave_ids=old)
        return saved

    def save_merging(self, workspace: Workspace, base: Workspace, *, owner: str = LOCAL_OWNER) -> Merged:
        """Save ``workspace`` (changed from ``base``, the revision it was loaded as); never drop another's save.

        When someone saved in between, the newest revision is loaded, this side's own changes
        (what differs from ``base``) are re-applied on top of it field by field
        (:func:`samskaping.workspace.merge`) and that is saved. Where both changed the same
        field, the newest is kept and the field is listed in :attr:`Merged.conflicts`.

        Raises
        ------
        ConflictError
            When others saved in between :data:`MERGE_ATTEMPTS` times in a row.
        StorageError
            When the workspace no longer exists or the database refuses the change.
        """
        conflicts: tuple[Conflict, ...] = ()
        merged = False
        for attempt in range(MERGE_ATTEMPTS):
            if attempt > 1:  # overtaken again: step back a little, at random, so the savers spread out
                time.sleep(random.uniform(0, 0.01 * attempt))
            try:
                return Merged(self.save(workspace, owner=owner), conflicts, merged)
            except ConflictError:
                theirs = self.load(workspace.id, owner=owner)
            workspace, more = merge(base, workspace, theirs)
            base, merged = theirs, True
            conflicts = (*conflicts, *(c for c in more if c not in conflicts))
            if workspace == theirs:  # nothing of mine is left to write
                return Merged(theirs, conflicts, merged)
        raise ConflictError(f"workspace '{workspace.name}' is being saved by others all the time; try again")

    def delete(self, workspace_id: str, *, owner: str = LOCAL_OWNER) -> None:
        """Delete a workspace of ``owner`` and everything in it, for good (data protection), for every owner.

        On SQLite the file is vacuumed afterwards, so the deleted answers do not linger in
        free pages of the database file.
        """
        owner = normalise_owner(owner)
        with self._transaction() as connection:
            _check_owner(connection, workspace_id, owner)
            _delete_children(connection, workspace_id, wave_ids=None)
            connection.execute(owner_table.delete().where(owner_table.c.workspace_id == workspace_id))
            deleted = connection.execute(workspace_table.delete().where(workspace_table.c.id == workspace_id))
            if deleted.rowcount != 1:
                raise StorageError("that workspace does not exist (deleted already?)")
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM")

    def import_workspace(self, workspace: Workspace, *, owner: str = LOCAL_OWNER) -> Workspace:
        """Store a workspace read from an export file, as a new workspace of ``owner``.

        It keeps its id unless this database has one with that id already (then it gets a new
        one), and its name unless ``owner`` has one by that name (then `` (2)``, `` (3)`` … is added).
        """
        owner = normalise_owner(owner)
        with self._transaction() as connection:
            ids = set(connection.execute(sa.select(workspace_table.c.id)).scalars())
            names = _names(connection, owner)
            name, number = workspace.name, 2
            while name in names:
                name, number = f"{workspace.name} ({number})", number + 1
            stored = replace(workspace, id=new_id() if workspace.id in ids else workspace.id, name=name, revision=1)
            taken = set(connection.execute(sa.select(wave_table.c.id)).scalars())
            waves = tuple(replace(w, id=new_id()) if w.id in taken else w for w in stored.waves)
            renamed = {old.id: new.id for old, new in zip(stored.waves, waves, strict=True)}
            stored = replace(
                stored,
                waves=waves,
                findings=tuple(replace(f, wave_id=renamed.get(f.wave_id, f.wave_id)) for f in stored.findings),
                exclusions=tuple(
                    replace(e, wave_id=renamed.get(e.wave_id, e.wave_id) if e.wave_id else None)
                    for e in stored.exclusions
                ),
            )
            _insert_workspace(connection, stored)
            connection.execute(owner_table.insert().values(workspace_id=stored.id, owner=owner))
            _write_children(connection, stored, old_wave_ids=set())
        return stored


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on ``engine`` up to ``revision`` (in one transaction)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def alembic_config(connection: Connection):
    """An Alembic configuration for this package's migrations, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
            cursor.execute("PRAGMA busy_timeout = 5000")  # two app processes on one file wait rather than fail
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: say so without echoing it (it may hold a password)
        return "(unreadable URL)"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _workspace_row(workspace: Workspace) -> dict:
    return {
        "name": workspace.name,
        "revision": workspace.revision,
        "created_at": workspace.created_at,
        "updated_at": workspace.updated_at,
        "k": workspace.k,
        "three_as_missing": workspace.three_as_missing,
        "codebook_yaml": workspace.codebook_yaml,
    }


def _owned_by(owner: str) -> sa.ColumnElement[bool]:
    return workspace_table.c.id.in_(sa.select(owner_table.c.workspace_id).where(owner_table.c.owner == owner))


def _owns(connection: Connection, workspace_id: str, owner: str) -> bool:
    query = sa.select(owner_table.c.owner).where(
        owner_table.c.workspace_id == workspace_id, owner_table.c.owner == owner
    )
    return connection.execute(query).first() is not None


def _check_owner(connection: Connection, workspace_id: str, owner: str) -> None:
    # Another owner's workspace is reported exactly like a missing one: its existence is not revealed.
    if not _owns(connection, workspace_id, owner):
        raise StorageError("that workspace does not exist (deleted?)")


def _names(connection: Connection, owner: str, besides: str | None = None) -> set[str]:
    query = sa.select(workspace_table.c.name).where(_owned_by(owner))
    if besides is not None:
        query = query.where(workspace_table.c.id != besides)
    return set(connection.execute(query).scalars())


def _insert_workspace(connection: Connection, workspace: Workspace) -> None:
    connection.execute(workspace_table.insert().values(id=workspace.id, **_workspace_row(workspace)))


def _raise_missing_or_conflict(connection: Connection, workspace: Workspace) -> None:
    stored = connection.execute(
        sa.select(workspace_table.c.revision).where(workspace_table.c.id == workspace.id)
    ).scalar_one_or_none()
    if stored is None:
        raise StorageError(f"workspace '{workspace.name}' no longer exists (deleted elsewhere?)")
    raise ConflictError(
        f"workspace '{workspace.name}' was saved elsewhere (revision {stored}, yours {workspace.revision}); "
        "reload it and make the change again"
    )


def _delete_children(connection: Connection, workspace_id: str, wave_ids: set[str] | None) -> None:
    # Explicit deletes (not only ON DELETE CASCADE) so the same statements work on every database.
    for table in DECISION_TABLES:
        connection.execute(table.delete().where(table.c.workspace_id == workspace_id))
    doomed = wave_table.c.workspace_id == workspace_id if wave_ids is None else wave_table.c.id.in_(wave_ids)
    ids = list(connection.execute(sa.select(wave_table.c.id).where(doomed)).scalars())
    if ids:
        connection.execute(wave_file_table.delete().where(wave_file_table.c.wave_id.in_(ids)))
        connection.execute(wave_table.delete().where(wave_table.c.id.in_(ids)))


def _write_children(connection: Connection, workspace: Workspace, old_wave_ids: set[str]) -> None:
    current = {wave.id for wave in workspace.waves}
    _delete_children(connection, workspace.id, wave_ids=old_wave_ids - current)
    for position, wave in enumerate(workspace.waves):
        row = {
            "workspace_id": workspace.id,
            "position": position,
            "label": wave.label,
            "collected_on": wave.collected_on,
            "file_name": wave.file_name,
            "sheet": wave.sheet,
            "mapping_yaml": wave.mapping_yaml,
            "added_at": wave.added_at,
            "sha256": wave.sha256,
        }
        if wave.id in old_wave_ids:
            connection.execute(wave_table.update().where(wave_table.c.id == wave.id).values(**row))
            continue
        connection.execute(wave_table.insert().values(id=wave.id, **row))
        files = [(wave.file_name, wave.content), *wave.companions]
        connection.execute(
            wave_file_table.insert(),
            [{"wave_id": wave.id, "position": i, "name": n, "content": c} for i, (n, c) in enumerate(files)],
        )
    rows = {
        placement_table: [
            {"case_name": case, "position": p.position, "outside": p.outside, "rationale": p.rationale, "show": p.show}
            for case, p in workspace.placements.items()
        ],
        findings_table: [
            {
                "wave_id": f.wave_id,
                "case_name": f.case,
                "lang": f.lang,
                "cells_json": json.dumps([[r, p, text] for (r, p), text in f.cells.items()], ensure_ascii=False),
            }
            for f in workspace.findings
        ],
        exclusion_table: [
            {"position": i, "wave_id": e.wave_id, "kind": e.kind, "target": e.target, "reason": e.reason}
            for i, e in enumerate(workspace.exclusions)
        ],
        note_table: [{"case_name": case, "text": text} for case, text in workspace.notes.items()],
    }
    for table, records in rows.items():
        if records:
            connection.execute(table.insert(), [{"workspace_id": workspace.id, **r} for r in records])


def _read_workspace(connection: Connection, workspace_id: str) -> Workspace:
    row = connection.execute(sa.select(workspace_table).where(workspace_table.c.id == workspace_id)).first()
    if row is None:
        raise StorageError("that workspace does not exist (deleted?)")
    files: dict[str, list] = {}
    wave_rows = connection.execute(
        sa.select(wave_table).where(wave_table.c.workspace_id == workspace_id).order_by(wave_table.c.position)
    ).all()
    if wave_rows:
        file_rows = connection.execute(
            sa.select(wave_file_table)
            .where(wave_file_table.c.wave_id.in_([w.id for w in wave_rows]))
            .order_by(wave_file_table.c.wave_id, wave_file_table.c.position)
        )
        for file_row in file_rows:
            files.setdefault(file_row.wave_id, []).append((file_row.name, bytes(file_row.content)))
    waves = []
    for w in wave_rows:
        (_, content), *companions = files[w.id]
        waves.append(
            Wave(
                id=w.id,
                label=w.label,
                file_name=w.file_name,
                content=content,
                collected_on=w.collected_on,
                sheet=w.sheet,
                mapping_yaml=w.mapping_yaml,
                companions=tuple(companions),
                added_at=_utc(w.added_at),
            )
        )

    def owned(table: sa.Table, *order) -> list:
        return connection.execute(sa.select(table).where(table.c.workspace_id == workspace_id).order_by(*order)).all()

    placements = {
        p.case_name: Placement(p.position, bool(p.outside), p.rationale, p.show)
        for p in owned(placement_table, placement_table.c.case_name)
    }
    findings = tuple(
        FindingsEdit(
            f.wave_id, f.case_name, f.lang, MappingProxyType({(r, p): t for r, p, t in json.loads(f.cells_json)})
        )
        for f in owned(findings_table, findings_table.c.wave_id, findings_table.c.case_name, findings_table.c.lang)
    )
    exclusions = tuple(
        Exclusion(e.kind, e.target, e.reason, e.wave_id) for e in owned(exclusion_table, exclusion_table.c.position)
    )
    notes = {n.case_name: n.text for n in owned(note_table, note_table.c.case_name)}
    return Workspace(
        id=row.id,
        name=row.name,
        revision=row.revision,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        k=row.k,
        three_as_missing=bool(row.three_as_missing),
        codebook_yaml=row.codebook_yaml,
        waves=tuple(waves),
        placements=MappingProxyType(placements),
        findings=findings,
        exclusions=exclusions,
        notes=MappingProxyType(notes),
    )
