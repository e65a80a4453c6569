"""Anonymity audit of every page of the dashboard and every file it offers (methods.md §7; AppTest).

The planted survey of tests/anonymity_sentinels.py (Case B's social-enterprise side of 2 with the
search mean 13.37, its municipality side hidden by secondary suppression, an identifying
``E-mail`` column, a free text in Case D under k, sentinel respondent ids) is uploaded with
k = 3. Every page in pages/ is visited in English and Norwegian, with the selectors set to each
case (case profile), to each grouping and within Case B and Case D (groups page), and every
report made on the Reports page (the workbook, the case reports of Case B and Case D as PDF and
HTML, all reports as a zip). Collected: markdown, captions, alerts, widget labels, options and
values, every table cell, the plotly figure specs (typed arrays decoded), and the payload of
every download button (static or deferred; xlsx read cell by cell, PDF by pdftotext, zip member
by member). No sentinel may appear. The Import page's cleaned-data preview and validation report
are researcher-only (labelled so): there the planted ids and free text may show, but never the
e-mail. A control run at k = 2 must find the means and the free text.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.anonymity_sentinels import (
    EMAIL_DOMAIN,
    FREE_TEXT,
    PLANTED_CASE,
    SE_IDS,
    SENTINELS,
    SMALL_CASE,
    Found,
    planted_survey,
    text_leaks,
)

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
GROUPINGS = ("group", "q02", "q04", "case")
RESEARCHER_ONLY_LABEL = {"en": "researcher-only", "nb": "kun for forskeren"}


@dataclass
class Media:
    """Download payloads of the runs: stored bytes by file id, deferred makers by file id."""

    stored: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    deferred: dict[str, object] = field(default_factory=dict)


@pytest.fixture(scope="module")
def media():
    """Record every download button's payload as the app hands it to Streamlit's media manager."""
    recorded = Media()
    store, defer = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = store(self, path_or_data, mimetype, kind, filename)
        data = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else bytes(path_or_data)
        recorded.stored[file_id] = (data, filename)
        return file_id

    def add_deferred(self, callable_, *args, **kwargs):
        file_id = defer(self, callable_, *args, **kwargs)
        recorded.deferred[file_id] = callable_
        return file_id

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
        patch.setattr(MediaFileManager, "add_deferred", add_deferred)
        yield recorded


@pytest.fixture(scope="module")
def planted_csv(shared_dir) -> bytes:
    golden = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    return planted_survey(golden).to_csv(index=False).encode("utf-8")


def _numbers(value) -> np.ndarray | None:
    if isinstance(value, dict) and isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).astype(float).ravel()
    try:
        array = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return array if array.size else None


def _walk(value, where: str, out: Found) -> None:
    """Strings and numbers of a decoded proto or figure spec (JSON strings and typed arrays decoded)."""
    if isinstance(value, dict):
        typed = _numbers(value) if "bdata" in value else None
        if typed is not None:
            out.numbers.extend((where, float(v), None) for v in typed)
            return
        base = _numbers(value.get("base")) if "base" in value else None
        drawn = set()
        if base is not None:  # a bar drawn from a base shows base + length
            for axis in ("x", "y"):
                length = _numbers(value.get(axis))
                if length is not None and base.size in (1, length.size):
                    out.numbers.extend((where, float(v), None) for v in base + length)
                    drawn.add(axis)
        for key, item in value.items():
            if key not in drawn:
                _walk(item, where, out)
    elif isinstance(value, list):
        for item in value:
            _walk(item, where, out)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        out.numbers.append((where, float(value), None))
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in "{[":
            try:
                decoded = json.loads(stripped)
            except ValueError:
                pass
            else:
                _walk(decoded, where, out)
                return
        out.texts.append((where, value))


def _frame(frame: pd.DataFrame, where: str, out: Found) -> None:
    for value in [*frame.index, *frame.columns, *frame.to_numpy().ravel()]:
        if isinstance(value, bool | np.bool_) or value is None:
            continue
        if isinstance(value, int | float | np.integer | np.floating):
            if not np.isnan(value):
                out.numbers.append((where, float(value), None))
        else:
            out.texts.append((where, str(value)))


def _collect(node, where: str, out: Found, downloads: list) -> None:
    proto = getattr(node, "proto", None)
    if isinstance(proto, Message):
        decoded = MessageToDict(proto, preserving_proto_field_name=True)
        _walk(decoded, f"{where}/{type(node).__name__}", out)
        if type(proto).__name__ == "DownloadButton":
            downloads.append((where, decoded))
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _collect(child, where, out, downloads)
        return
    try:
        value = node.value
    except Exception:  # elements without a readable value
        return
    if isinstance(value, pd.DataFrame):
        _frame(value, f"{where}/{type(node).__name__} cells", out)
    elif value is not None:
        _walk(value if isinstance(value, int | float | str | list | dict) else str(value), where, out)


@dataclass
class Walk:
    """What the pages showed and what their download buttons held, page by page."""

    pages: dict[str, Found] = field(default_factory=dict)
    files: dict[str, Found] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)

    def found(self, where: str) -> Found:
        return self.pages.setdefault(where, Found())


def _render(at: AppTest, where: str, walk: Walk, media: Media) -> None:
    assert not at.exception, [e.value for e in at.exception]
    downloads: list = []
    out = walk.found(where)
    _collect(at.main, f"{where} main", out, downloads)
    _collect(at.sidebar, f"{where} sidebar", out, downloads)
    for place, proto in downloads:
        name = proto.get("label", "?")
        file_id = proto.get("deferred_file_id") or Path(proto.get("url", "")).stem
        key = f"{place} ⤓ {name}"
        if proto.get("deferred_file_id") and file_id in media.deferred:
            content = media.deferred[file_id]()
            content = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            filename = _deferred_name(media.deferred[file_id], proto)
        elif file_id in media.stored:
            content, filename = media.stored[file_id]
        else:
            walk.skipped_files.append(f"{key} (disabled: {proto.get('disabled', False)})")
            continue
        filename = filename or name
        if filename.endswith(".png"):
            walk.skipped_files.append(f"{key}: PNG, pixels cannot be searched")
            continue
        walk.files.setdefault(key, Found()).add_file(filename, content, key)


def _deferred_name(maker, proto: dict) -> str:
    """A deferred download's file name: the app's partials name the format; else the label."""
    if isinstance(maker, functools.partial) and maker.func.__name__ == "to_xlsx_bytes":
        return "download.xlsx"
    if isinstance(maker, functools.partial) and maker.func.__name__ == "to_csv_bytes":
        return "download.csv"
    label = proto.get("label", "").lower()
    for fmt in ("svg", "pdf", "html", "png", "yaml"):
        if label == fmt:
            return f"download.{fmt}"
    return "download.txt"


def _open(lang: str, k: int, survey: bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["dataset"] = "upload"
    at.session_state["k"] = k
    at.run()
    at.file_uploader(key="upload").set_value(("planted_survey.csv", survey, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _walk_everything(lang: str, k: int, survey: bytes, media: Media) -> Walk:
    walk = Walk()
    at = _open(lang, k, survey)
    for page in PAGES:
        at.switch_page(page).run()
        _render(at, page, walk, media)
        if page == "pages/case_profile.py":
            cases = at.selectbox(key="case").options
            assert PLANTED_CASE in cases and SMALL_CASE in cases
            for case in cases:
                at.selectbox(key="case").set_value(case).run()
                _render(at, f"{page} [{case}]", walk, media)
        elif page == "pages/groups.py":
            # The groupings of the planted survey (samskaping.compare.grouping_options: no attr_ column).
            assert len(at.selectbox(key="groups_by").options) == len(GROUPINGS)
            for by in GROUPINGS:
                at.selectbox(key="groups_by").set_value(by).run()
                _render(at, f"{page} [by {by}]", walk, media)
                if by == "case":
                    continue
                for case in (PLANTED_CASE, SMALL_CASE):
                    at.selectbox(key="groups_case").set_value(case).run()
                    _render(at, f"{page} [by {by} in {case}]", walk, media)
                at.selectbox(key="groups_case").set_value("").run()
        elif page == "pages/reports.py":
            at.button(key="reports_make_workbook").click().run()
            _render(at, f"{page} [workbook]", walk, media)
            for case in (PLANTED_CASE, SMALL_CASE):
                for fmt in ("pdf", "html"):
                    at.selectbox(key="reports_case").set_value(case)
                    at.radio(key="reports_format").set_value(fmt).run()
                    at.button(key="reports_make_case").click().run()
                    _render(at, f"{page} [{case} {fmt}]", walk, media)
            at.button(key="reports_make_all").click().run()
            _render(at, f"{page} [all]", walk, media)
        elif page == "pages/import_data.py":
            at.file_uploader(key="import_file").set_value(("planted_survey.csv", survey, "text/csv")).run()
            _render(at, f"{page} [uploaded]", walk, media)
    return walk


def _researcher_only(where: str) -> bool:
    """The Import page's preview and validation report, and the validation report download."""
    return where.startswith("pages/import_data.py [uploaded]") and "cells" in where


@pytest.fixture(scope="module", params=["en", "nb"])
def walked(request, entry_script_runs, planted_csv, media) -> tuple[str, Walk]:
    return request.param, _walk_everything(request.param, 3, planted_csv, media)


def test_every_page_and_report_was_visited(walked):
    _lang, walk = walked
    visited = {where.split(" [")[0] for where in walk.pages}
    assert visited == set(PAGES)
    # Downloads read: the workbook, both case reports as PDF and HTML, the zip, CSVs of the groups page.
    names = " ".join(walk.files)
    assert names.count("pages/reports.py") >= 6, list(walk.files)
    assert "pages/groups.py" in names
    total = sum(len(f.texts) for f in walk.pages.values())
    assert total > 500 and sum(len(f.numbers) for f in walk.pages.values()) > 100


def test_no_sentinel_on_any_page(walked):
    _lang, walk = walked
    leaks = []
    for _where, found in walk.pages.items():
        for leak in found.leaks():
            is_mean = any(sentinel.what in leak for sentinel in SENTINELS)
            if _researcher_only(leak.split(":")[0]) and EMAIL_DOMAIN not in leak and not is_mean:
                continue  # the researcher-only preview may show ids and free text, never the e-mail or a mean
            leaks.append(leak)
    assert not leaks, leaks[:20]


def test_no_sentinel_in_any_download(walked):
    _lang, walk = walked
    leaks = [leak for found in walk.files.values() for leak in found.leaks()]
    # The validation report (researcher-only) names no identifying value either: it is searched too.
    assert not leaks, leaks[:20]


def test_researcher_only_sections_are_labelled(walked):
    lang, walk = walked
    imported = walk.pages["pages/import_data.py [uploaded]"]
    label = RESEARCHER_ONLY_LABEL[lang]
    headings = [text for where, text in imported.texts if "cells" not in where]
    # The validation report and the cleaned-data preview say they are researcher-only.
    assert sum(label in text for text in headings) >= 2, [h for h in headings if "report" in h.lower()][:5]
    # The preview does show respondent-level data (what makes it researcher-only): the search sees it.
    assert any(SE_IDS[0] in text for where, text in imported.texts if "cells" in where)
    assert not any(EMAIL_DOMAIN in text for _, text in imported.texts)


def test_control_the_walk_finds_the_means_and_free_text_when_k_allows_them(entry_script_runs, planted_csv, media):
    """At k = 2 nothing planted is hidden: each mean and the free text must be found on the pages and in the files."""
    walk = _walk_everything("en", 2, planted_csv, media)
    page_leaks = [leak for found in walk.pages.values() for leak in found.leaks()]
    file_leaks = [leak for found in walk.files.values() for leak in found.leaks()]
    for sentinel in SENTINELS:
        assert any(sentinel.what in leak for leak in page_leaks if leak.startswith("pages/case_profile.py [Case B]"))
        assert any(sentinel.what in leak for leak in file_leaks if "reports_case_download" in leak or "Case B" in leak)
    assert any(FREE_TEXT in text for found in walk.pages.values() for _, text in found.texts)
    assert any(FREE_TEXT in leak or "wombat" in leak for leak in file_leaks)
    assert text_leaks("check", FREE_TEXT)  # the free-text sentinel is one the search knows


def test_no_sentinel_in_a_workspace_with_two_waves(entry_script_runs, shared_dir, planted_csv, media):
    """The workspace, waves and reports pages of a workspace whose later wave is the planted survey."""
    import dataclasses
    import os
    from datetime import date

    from samskaping.storage import Store
    from samskaping.workspace import Wave, new_id

    golden = (shared_dir / "fixtures" / "golden" / "survey.csv").read_bytes()
    store = Store.open(os.environ["SAMSKAPING_DATABASE_URL"])
    workspace = store.create("Anonymity audit")
    waves = (
        Wave(new_id(), "2024", "golden.csv", golden, collected_on=date(2024, 5, 1)),
        Wave(new_id(), "2025", "planted.csv", planted_csv, collected_on=date(2025, 5, 1)),
    )
    store.save(dataclasses.replace(workspace, waves=waves))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["k"] = 3
    at.run()
    at.switch_page("pages/workspace.py").run()
    at.selectbox[0].set_value(workspace.id).run()
    at.button(key="workspace_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["dataset"] = f"wave:{waves[1].id}"  # the planted wave in use
    walk = Walk()
    for page in ("pages/workspace.py", "pages/waves.py", "pages/case_profile.py", "pages/overview.py"):
        at.switch_page(page).run()
        _render(at, page, walk, media)
        if page == "pages/waves.py":
            cases = at.selectbox(key="waves_case").options
            assert PLANTED_CASE in cases
            for case in cases:
                at.selectbox(key="waves_case").set_value(case).run()
                _render(at, f"{page} [{case}]", walk, media)
    assert {"pages/waves.py", "pages/workspace.py"} <= set(walk.pages)
    assert any("waves.py" in key for key in walk.files)  # the wave changes CSV was read
    # The case profile shows the planted wave: Case B is there, its sides hidden.
    assert any(PLANTED_CASE in text for _, text in walk.pages["pages/case_profile.py"].texts)
    # The workspace file is researcher-only (every wave as uploaded, labelled respondent-level data in
    # its help): it is left out of the search here, and its identifying column is checked below.
    backup = [key for key in walk.files if WORKSPACE_FILE_LABEL in key]
    assert backup
    shareable = [found for key, found in walk.files.items() if key not in backup]
    leaks = [leak for found in [*walk.pages.values(), *shareable] for leak in found.leaks()]
    assert not leaks, leaks[:20]
    helps = [text for _, text in walk.pages["pages/workspace.py"].texts if "respondent-level data" in text]
    assert helps, "the workspace file's help does not say it holds respondent-level data"


WORKSPACE_FILE_LABEL = "Download the workspace as one file"


def test_workspace_file_holds_no_identifying_column(planted_csv):
    import io
    import zipfile

    from samskaping.workspace import Wave, Workspace, new_id
    from samskaping.workspace_file import workspace_file

    workspace = Workspace(new_id(), "w", waves=(Wave(new_id(), "2025", "planted.csv", planted_csv),))
    with zipfile.ZipFile(io.BytesIO(workspace_file(workspace))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert any(b"SENTINEL-ID-15" in content for content in members.values())  # the wave is in the file
    assert not any(EMAIL_DOMAIN.encode() in content for content in members.values())
