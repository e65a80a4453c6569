"""``python -m samskaping workspace``: add a wave, list, export, import, delete (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samskaping.cli import main
from samskaping.storage import Store
from tests.conftest import REPO_DIR

DEMO = REPO_DIR / "data" / "demo_survey.xlsx"


def test_the_workspace_commands(database: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = ["workspace", "--database", database]
    assert main([*db, "add-wave", "Studie", str(DEMO), "--label", "2024", "--date", "2024-05-01"]) == 0
    # Expected from data/demo_survey.xlsx (README: 18 respondents, 6 cases).
    assert "18 respondents in 6 cases" in capsys.readouterr().out
    assert main([*db, "add-wave", "Studie", str(DEMO), "--label", "2025"]) == 0
    assert main([*db, "list"]) == 0
    assert "Studie\t2 wave(s)" in capsys.readouterr().out
    out = tmp_path / "studie.samskaping.zip"
    assert main([*db, "export", "Studie", "--out", str(out)]) == 0
    assert main([*db, "import", str(out)]) == 0
    assert main([*db, "delete", "Studie"]) == 2  # needs --yes
    assert main([*db, "delete", "Studie", "--yes"]) == 0
    store = Store.open(database)
    try:
        [left] = store.list()
        assert left.name == "Studie (2)" and left.waves == 2
        waves = store.load(left.id).waves
        assert [w.label for w in waves] == ["2024", "2025"]
        assert waves[0].content == DEMO.read_bytes()
    finally:
        store.close()


def test_unusable_input_changes_nothing(database: str, capsys: pytest.CaptureFixture) -> None:
    db = ["workspace", "--database", database]
    assert main([*db, "add-wave", "Ny", str(REPO_DIR / "README.md"), "--label", "x"]) == 2
    assert main([*db, "export", "Finnes ikke", "--out", "x.zip"]) == 2
    with pytest.raises(SystemExit) as bad_date:  # argparse's own exit for a bad argument
        main([*db, "add-wave", "Ny", str(DEMO), "--label", "x", "--date", "1.5.2024"])
    assert bad_date.value.code == 2
    err = capsys.readouterr().err
    assert "unknown file type" in err and "no workspace called" in err and "YYYY-MM-DD" in err
    assert "Traceback" not in err
    store = Store.open(database)
    try:
        assert store.list() == []  # the unreadable file did not leave an empty workspace behind
    finally:
        store.close()


def test_a_workspace_report_applies_its_decisions(tmp_path: Path) -> None:
    import dataclasses
    from types import MappingProxyType

    import openpyxl
    import pandas as pd

    from samskaping.workspace import Exclusion

    database = f"sqlite:///{tmp_path / 'w.sqlite'}"
    db = ["workspace", "--database", database]
    assert main([*db, "add-wave", "Studie", str(DEMO), "--label", "2024"]) == 0
    survey = pd.read_excel(DEMO, sheet_name="Survey", engine="calamine")
    excluded = sorted(survey["case"].unique())[0]
    store = Store.open(database)
    workspace = store.load(store.list()[0].id)
    store.save(
        dataclasses.replace(
            workspace,
            k=4,
            exclusions=(Exclusion("case", excluded, "pilot case"),),
            notes=MappingProxyType({"X": "note"}),
        )
    )
    store.close()
    out = tmp_path / "report.xlsx"
    assert main([*db, "report", "Studie", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    cases = {row[0] for row in book["Cases"].iter_rows(min_row=2, values_only=True)}
    assert excluded not in cases and len(cases) == survey["case"].nunique() - 1
    exclusions = list(book["Exclusions"].iter_rows(values_only=True))
    assert any(excluded in row and "pilot case" in row for row in exclusions)
    settings = {row[0]: row[2] for row in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["k"] == 4 and settings["workspace"] == "Studie" and settings["wave"] == "2024"
    assert main([*db, "report", "Studie", "--wave", "1999", "--out", str(out)]) == 2
