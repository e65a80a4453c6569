"""A workspace as one file, to move a study to another machine or archive it.

The file is a zip archive: ``workspace.json`` (format name and version, the software version,
every setting and decision, each wave's metadata and the SHA-256 of its files) and the wave
files under ``waves/<wave id>/<n>``: as uploaded, except that identifying columns are left out
where that changes no data (:mod:`samskaping.wave_privacy`). Reading checks the format, the
checksums and the sizes, so a damaged or foreign file is refused with one line, never half
imported.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from types import MappingProxyType

from samskaping import __version__
from samskaping.continuum import SHOW_CHOICES, Placement
from samskaping.errors import SamskapingError
from samskaping.instrument import load_instrument
from samskaping.wave_privacy import without_identifying
from samskaping.workspace import EXCLUSION_KINDS, Exclusion, FindingsEdit, Wave, Workspace, now

__all__ = ["FORMAT", "FORMAT_VERSION", "SUFFIX", "WorkspaceFileError", "read_workspace_file", "workspace_file"]

FORMAT = "samskaping-workspace"
FORMAT_VERSION = 1
SUFFIX = ".samskaping.zip"
_MANIFEST = "workspace.json"
# A workspace holds a few survey files; these bounds refuse zip bombs long before memory runs out.
_MAX_MEMBER_BYTES = 1 << 30
_MAX_TOTAL_BYTES = 4 << 30
_MAX_MEMBERS = 10_000


class WorkspaceFileError(SamskapingError):
    """The file is not a samskaping workspace export, or it is damaged."""


def workspace_file(workspace: Workspace) -> bytes:
    """The workspace as one zip file (see the module docstring for its layout)."""
    waves = []
    buffer = io.BytesIO()
    instrument = load_instrument()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kept in workspace.waves:
            # A wave stored before identifying columns were taken out on adding still holds them:
            # the file does not carry them on (methods.md §7).
            wave = without_identifying(kept, instrument).wave
            files = []
            for number, (name, content) in enumerate([(wave.file_name, wave.content), *wave.companions]):
                path = f"waves/{wave.id}/{number}"
                archive.writestr(path, content)
                files.append({"path": path, "name": name, "sha256": hashlib.sha256(content).hexdigest()})
            waves.append(
                {
                    "id": wave.id,
                    "label": wave.label,
                    "collected_on": wave.collected_on.isoformat() if wave.collected_on else None,
                    "sheet": wave.sheet,
                    "mapping_yaml": wave.mapping_yaml,
                    "added_at": wave.added_at.isoformat(),
                    "files": files,
                }
            )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "software": f"samskaping {__version__}",
            "exported_at": now().isoformat(),
            "workspace": {
                "id": workspace.id,
                "name": workspace.name,
                "created_at": workspace.created_at.isoformat(),
                "updated_at": workspace.updated_at.isoformat(),
                "k": workspace.k,
                "three_as_missing": workspace.three_as_missing,
                "codebook_yaml": workspace.codebook_yaml,
                "placements": [
                    {
                        "case": case,
                        "position": p.position,
                        "outside": p.outside,
                        "rationale": p.rationale,
                        "show": p.show,
                    }
                    for case, p in workspace.placements.items()
                ],
                "findings": [
                    {
                        "wave": f.wave_id,
                        "case": f.case,
                        "lang": f.lang,
                        "cells": [[row, part, text] for (row, part), text in f.cells.items()],
                    }
                    for f in workspace.findings
                ],
                "exclusions": [
                    {"wave": e.wave_id, "kind": e.kind, "target": e.target, "reason": e.reason}
                    for e in workspace.exclusions
                ],
                "notes": [{"case": case, "text": text} for case, text in workspace.notes.items()],
            },
            "waves": waves,
        }
        archive.writestr(_MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def _placement(placement: Placement) -> dict:
    return {
        "position": placement.position,
        "outside": placement.outside,
        "rationale": placement.rationale,
        "show": placement.show,
    }


def read_workspace_file(data: bytes, source: str = "workspace file") -> Workspace:
    """Read a workspace export made by :func:`workspace_file` (revision 0: not yet stored).

    Raises
    ------
    WorkspaceFileError
        When the file is not a workspace export, is from a newer format version, is damaged
        (a checksum differs) or is implausibly large.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise WorkspaceFileError(f"{source}: not a samskaping workspace file (not a zip archive)") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_MEMBERS or sum(i.file_size for i in infos) > _MAX_TOTAL_BYTES:
            raise WorkspaceFileError(f"{source}: too large to be a workspace file")
        if any(i.file_size > _MAX_MEMBER_BYTES for i in infos):
            raise WorkspaceFileError(f"{source}: holds a file over 1 GB; not a workspace file")
        try:
            manifest = json.loads(archive.read(_MANIFEST).decode("utf-8"))
        except KeyError:
            raise WorkspaceFileError(f"{source}: not a samskaping workspace file (no {_MANIFEST})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkspaceFileError(f"{source}: {_MANIFEST} is damaged ({exc})") from None
        try:
            return _workspace(manifest, archive, source)
        except WorkspaceFileError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, zipfile.BadZipFile) as exc:
            problem = f"{type(exc).__name__}: {exc}"
            raise WorkspaceFileError(f"{source}: {_MANIFEST} is damaged or incomplete ({problem})") from None


def _workspace(manifest: dict, archive: zipfile.ZipFile, source: str) -> Workspace:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise WorkspaceFileError(f"{source}: not a samskaping workspace file")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise WorkspaceFileError(
            f"{source}: made by a newer samskaping ({manifest.get('software')}); update samskaping to read it"
        )
    ws = manifest["workspace"]
    waves = tuple(_wave(entry, archive, source) for entry in manifest["waves"])
    for placement in ws["placements"]:
        if placement["show"] not in SHOW_CHOICES:
            raise ValueError(f"placement of {placement['case']!r}: show must be one of {SHOW_CHOICES}")
    for exclusion in ws["exclusions"]:
        if exclusion["kind"] not in EXCLUSION_KINDS:
            raise ValueError(f"exclusion of {exclusion['target']!r}: kind must be one of {EXCLUSION_KINDS}")
    return Workspace(
        id=str(ws["id"]),
        name=str(ws["name"]),
        revision=0,
        created_at=datetime.fromisoformat(ws["created_at"]),
        updated_at=datetime.fromisoformat(ws["updated_at"]),
        k=int(ws["k"]),
        three_as_missing=bool(ws["three_as_missing"]),
        codebook_yaml=ws["codebook_yaml"],
        waves=waves,
        placements=MappingProxyType(
            {
                str(p["case"]): Placement(
                    None if p["position"] is None else float(p["position"]),
                    bool(p["outside"]),
                    str(p["rationale"]),
                    p["show"],
                )
                for p in ws["placements"]
            }
        ),
        findings=tuple(
            FindingsEdit(
                str(f["wave"]), str(f["case"]), str(f["lang"]), MappingProxyType({(r, p): t for r, p, t in f["cells"]})
            )
            for f in ws["findings"]
        ),
        exclusions=tuple(
            Exclusion(str(e["kind"]), str(e["target"]), str(e["reason"]), e["wave"]) for e in ws["exclusions"]
        ),
        notes=MappingProxyType({str(n["case"]): str(n["text"]) for n in ws["notes"]}),
    )


def _wave(entry: dict, archive: zipfile.ZipFile, source: str) -> Wave:
    files = []
    for file in entry["files"]:
        content = archive.read(file["path"])
        if hashlib.sha256(content).hexdigest() != file["sha256"]:
            raise WorkspaceFileError(f"{source}: the file {file['name']!r} of wave {entry['label']!r} is damaged")
        files.append((str(file["name"]), content))
    if not files:
        raise ValueError(f"wave {entry['label']!r} has no survey file")
    (file_name, content), *companions = files
    return Wave(
        id=str(entry["id"]),
        label=str(entry["label"]),
        file_name=file_name,
        content=content,
        collected_on=date.fromisoformat(entry["collected_on"]) if entry["collected_on"] else None,
        sheet=entry["sheet"],
        mapping_yaml=entry["mapping_yaml"],
        companions=tuple(companions),
        added_at=datetime.fromisoformat(entry["added_at"]),
    )
