"""The workspace file: what it holds, and damaged or foreign files refused with one line."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from samskaping.storage import Store
from samskaping.workspace_file import FORMAT_VERSION, WorkspaceFileError, read_workspace_file, workspace_file
from tests.test_storage import DEMO, content, rich_workspace


@pytest.fixture
def exported() -> bytes:
    store = Store.open("sqlite://")
    return workspace_file(store.save(rich_workspace(store)))


def _rewrite(data: bytes, change) -> bytes:
    """The archive with its manifest passed through ``change`` (and other members copied)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = source.read(info)
            if info.filename == "workspace.json":
                manifest = json.loads(member)
                change(manifest)
                member = json.dumps(manifest).encode()
            target.writestr(info.filename, member)
    return out.getvalue()


def test_the_file_holds_the_survey_files_as_uploaded(exported: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(exported))
    manifest = json.loads(archive.read("workspace.json"))
    assert manifest["format"] == "samskaping-workspace" and manifest["format_version"] == FORMAT_VERSION
    first = manifest["waves"][0]["files"][0]
    assert archive.read(first["path"]) == DEMO.read_bytes()  # byte for byte, as uploaded
    assert [f["name"] for f in manifest["waves"][1]["files"]] == ["export.csv", "labels.csv", "structure.csv"]


def test_reading_back_is_lossless(exported: bytes) -> None:
    store = Store.open("sqlite://")
    original = rich_workspace(store, "Another")
    again = read_workspace_file(workspace_file(original))
    assert content(again) == content(original)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "not a zip archive"),
        (b"", "not a zip archive"),
    ],
)
def test_foreign_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(WorkspaceFileError, match=message):
        read_workspace_file(data, "x.zip")


def test_a_zip_without_a_manifest_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("survey.csv", "a,b\n")
    with pytest.raises(WorkspaceFileError, match=r"no workspace\.json"):
        read_workspace_file(out.getvalue())


def test_a_damaged_wave_file_is_refused(exported: bytes) -> None:
    def corrupt(manifest: dict) -> None:
        manifest["waves"][0]["files"][0]["sha256"] = "0" * 64

    with pytest.raises(WorkspaceFileError, match="is damaged"):
        read_workspace_file(_rewrite(exported, corrupt))


def test_a_newer_format_asks_for_an_update(exported: bytes) -> None:
    def newer(manifest: dict) -> None:
        manifest["format_version"] = FORMAT_VERSION + 1

    with pytest.raises(WorkspaceFileError, match="newer samskaping"):
        read_workspace_file(_rewrite(exported, newer))


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m["workspace"].pop("k"),
        lambda m: m["workspace"]["placements"][0].update(show="sometimes"),
        lambda m: m["workspace"]["exclusions"][0].update(kind="group"),
        lambda m: m["waves"][0].update(files=[]),
        lambda m: m["waves"][0].update(collected_on="30.04.2024"),
        lambda m: m.update(waves="none"),
    ],
)
def test_a_damaged_manifest_is_one_line(exported: bytes, damage) -> None:
    with pytest.raises(WorkspaceFileError, match="damaged or incomplete") as error:
        read_workspace_file(_rewrite(exported, damage))
    assert "\n" not in str(error.value)
