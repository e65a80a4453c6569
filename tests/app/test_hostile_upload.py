"""Hostile uploads (AppTest): the Import page and the sidebar upload show a one-line error and the app stays up.

The files come from the hostile corpus (tests/test_hostile_files.py): a zip bomb (3.4 GB of sheet
XML in 14 MB), "billion laughs" entity expansion, a CSV with a NUL byte, an ods declaring a value
repeated over 16 384 columns and a million rows, a sheet whose ``<dimension>`` hides a cell in
XFD1048576 (which made calamine abort the process), and a name with a line break and a direction
override. After them a sound file still imports and the demo data set still shows its pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_hostile_files import (
    LAUGHS,
    csv_bytes,
    entity_sheet,
    forged_dimension,
    good_xlsx,
    nul_rows,
    ods_repeat_bomb,
    with_sheet,
    zip_bomb,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hostile() -> list[tuple[str, bytes, str]]:
    """(upload name, content, the words the error must show) — the messages come from samskaping.file_safety."""
    return [
        ("svar.xlsx", zip_bomb(), "svar.xlsx: refused: part xl/worksheets/sheet1.xml would unpack to 3,39"),
        ("svar.xlsx", with_sheet(entity_sheet(LAUGHS, "&lol9;")), "declares a DTD or XML entities"),
        (
            "svar.csv",
            csv_bytes(nul_rows()),
            "svar.csv: not a text table (the file holds binary data: a NUL byte in line 2)",
        ),
        ("svar.ods", ods_repeat_bomb(), "svar.ods: a sheet has more than 5,000 columns (the limit)"),
        ("svar.xlsx", forged_dimension(), "svar.xlsx: a sheet has more than 5,000 columns (the limit)"),
        ("svar\r\n\u202e.csv", csv_bytes(nul_rows()), "svar\\u000d\\u000a\\u202e.csv: not a text table"),
    ]


def _shown(markdown: str) -> str:
    """The text Markdown shows: a backslash before ASCII punctuation is an escape (user text is escaped)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def _errors(at: AppTest) -> list[str]:
    """The error messages as shown; none of them a traceback."""
    assert not at.exception, [e.value for e in at.exception]
    return [_shown(e.value) for e in at.error]


def test_import_page_refuses_hostile_files_and_stays_up(hostile) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_data.py").run()
    for name, content, words in hostile:
        at.file_uploader(key="import_file").set_value((name, content, "application/octet-stream"))
        at.run()
        errors = _errors(at)
        assert len(errors) == 1 and words in errors[0], (name, errors)
        assert "\n" not in errors[0] and "Traceback" not in errors[0]
    # A sound workbook still imports after them.
    at.file_uploader(key="import_file").set_value(("svar.xlsx", good_xlsx(), "application/octet-stream"))
    at.run()
    assert not _errors(at)
    # ui/texts/import.en.yaml import_facts, with the corpus's 3 answer rows (ROWS) under 5 headers (HEADER).
    assert any(m.value.startswith("3 data rows and 5 columns;") for m in at.markdown)
    # And the demo data set still shows the overview.
    at.session_state["dataset"] = "demo"
    at.switch_page("pages/overview.py").run()
    assert not _errors(at)
    assert at.dataframe, "the overview shows its tables"


def test_sidebar_upload_refuses_hostile_files_and_the_demo_still_works(hostile) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["dataset"] = "upload"
    at.run()
    at.switch_page("pages/overview.py").run()
    for name, content, words in hostile[:3]:
        at.file_uploader(key="upload").set_value((name, content, "application/octet-stream"))
        at.run()
        errors = _errors(at)
        # ui/texts/common.en.yaml upload_failed: "The file could not be used: {problem}"
        assert any(e.startswith("The file could not be used: ") and words in e for e in errors), (name, errors)
    at.radio(key="dataset").set_value("demo").run()
    assert not _errors(at)
    assert at.dataframe, "the overview shows the demo data set's tables"
