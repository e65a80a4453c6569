"""Workspaces in the dashboard (AppTest): creating and switching, autosave, exclusions, waves, reports."""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from samskaping.codebook import load_codebook
from samskaping.instrument import DATA_DIR
from samskaping.storage import Store
from samskaping.workspace import Exclusion, Wave, new_id

ROOT = Path(__file__).resolve().parents[2]
DEMO = DATA_DIR / "demo_survey.xlsx"


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _store() -> Store:
    return Store.open(os.environ["SAMSKAPING_DATABASE_URL"])


def _open_workspace(at: AppTest, name: str) -> AppTest:
    _go(at, "pages/workspace.py")
    workspace_id = next(s.id for s in _store().list() if s.name == name)
    at.selectbox[0].set_value(workspace_id)
    at.run()
    at.button(key="workspace_open").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _later_wave() -> bytes:
    """The demo survey a year later: every answer of one case one step higher (capped at 5)."""
    frame = pd.read_excel(DEMO, sheet_name="Survey", engine="calamine")
    first_case = sorted(frame["case"].unique())[0]
    numeric = frame.select_dtypes("number").columns
    likert = [c for c in numeric if c.startswith("q") and c[1:].isdigit() and 5 <= int(c[1:]) <= 65]
    rows = frame["case"] == first_case
    frame.loc[rows, likert] = (frame.loc[rows, likert] + 1).clip(upper=5)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def test_create_add_a_wave_and_come_back_tomorrow() -> None:
    at = _go(_app(), "pages/workspace.py")
    at.text_input(key="workspace_new_name").set_value("Studie A")
    at.run()
    at.button(key="workspace_create").click()
    at.run()
    assert at.session_state["workspace"].name == "Studie A"
    # The demo data set in use becomes the workspace's first wave, with a label and a date.
    form_submit = next(b for b in at.button if "workspace_add_wave" in (b.proto.id or ""))
    at.text_input[1].set_value("Vår 2024")
    at.date_input[0].set_value(date(2024, 4, 30))
    form_submit.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    workspace = at.session_state["workspace"]
    assert [(w.label, w.collected_on) for w in workspace.waves] == [("Vår 2024", date(2024, 4, 30))]
    assert at.session_state["dataset"] == f"wave:{workspace.waves[0].id}"
    # A setting changed in the sidebar is saved without a button (autosave at the end of the run).
    at.number_input(key="k").set_value(4)
    at.run()
    stored = _store().load(workspace.id)
    assert stored.k == 4
    assert stored.waves[0].content == DEMO.read_bytes()
    # Tomorrow: a new session opens the workspace and finds the wave and k again.
    tomorrow = _open_workspace(_app(), "Studie A")
    assert tomorrow.session_state["k"] == 4
    assert tomorrow.session_state["dataset"] == f"wave:{workspace.waves[0].id}"
    _go(tomorrow, "pages/overview.py")
    assert not tomorrow.exception


def test_switching_workspaces_switches_settings_and_data() -> None:
    store = _store()
    one = store.create("Bytte en", k=3)
    one = store.save(
        dataclasses.replace(one, waves=(Wave(new_id(), "Runde 1", "demo_survey.xlsx", DEMO.read_bytes()),))
    )
    two = store.create("Bytte to", k=5, three_as_missing=True)
    at = _open_workspace(_app(), "Bytte en")
    assert (at.session_state["k"], at.session_state["three_as_missing"]) == (3, False)
    assert at.session_state["dataset"] == f"wave:{one.waves[0].id}"
    at = _open_workspace(at, "Bytte to")
    assert (at.session_state["k"], at.session_state["three_as_missing"]) == (5, True)
    assert at.session_state["dataset"] == "demo"  # the second workspace has no wave yet
    at.button(key="workspace_close").click()
    at.run()
    assert at.session_state["workspace"] is None
    assert store.load(two.id).k == 5  # closing changed nothing stored


def test_exclusions_leave_the_analysis_and_are_shown() -> None:
    store = _store()
    cases = sorted(pd.read_excel(DEMO, sheet_name="Survey", engine="calamine")["case"].unique())
    excluded = cases[0]
    workspace = store.create("Utelatelser")
    wave = Wave(new_id(), "Runde 1", "demo_survey.xlsx", DEMO.read_bytes())
    store.save(
        dataclasses.replace(
            workspace,
            waves=(wave,),
            exclusions=(
                Exclusion("case", excluded, "Pilot, not a collaboration"),
                Exclusion("respondent", "no-such-id", "Typo check", wave.id),
            ),
        )
    )
    at = _open_workspace(_app(), "Utelatelser")
    # The workspace page lists what each exclusion removed from the wave in use.
    shown = [frame.value for frame in at.dataframe]
    effect = next(f for f in shown if "Respondents removed" in f.columns)
    # Expected from the demo file: the first case has 3 respondents (data/demo_survey.xlsx); the id does not exist.
    assert effect["Respondents removed"].tolist() == [3, 0]
    _go(at, "pages/case_profile.py")
    assert excluded not in at.selectbox(key="case").options
    assert len(at.selectbox(key="case").options) == len(cases) - 1
    _go(at, "pages/reports.py")
    assert any("2 exclusion(s)" in info.value for info in at.info)


def test_wave_comparison_page_in_both_languages() -> None:
    store = _store()
    workspace = store.create("Runder")
    first = Wave(new_id(), "2024", "demo_survey.xlsx", DEMO.read_bytes(), collected_on=date(2024, 5, 1))
    second = Wave(new_id(), "2025", "demo_2025.csv", _later_wave(), collected_on=date(2025, 5, 1))
    store.save(dataclasses.replace(workspace, waves=(first, second)))
    for lang, title in (("en", "Change between waves"), ("nb", "Endring mellom runder")):
        at = _open_workspace(_app(lang), "Runder")
        _go(at, "pages/waves.py")
        assert at.title[0].value == title
        assert len(at.get("plotly_chart")) == 3  # continuum arrows, factor change, barrier change
        table = at.dataframe[0].value
        # The first case's answers all went up by one step (capped at 5), so no factor mean fell.
        # Barriers and sub-indices have reversed items and may fall; the 20 factors may not.
        factors = {m.name.get(lang) for m in load_codebook().family("factor")}
        change = table[table.iloc[:, 0].isin(factors)].iloc[:, 5].replace("", None).dropna()
        assert len(change) == 20
        values = change.str.replace("−", "-").str.replace(",", ".").astype(float)
        assert (values >= 0).all() and (values > 0).any()


def test_reports_page_makes_a_workbook_and_a_case_report() -> None:
    at = _go(_app(), "pages/reports.py")
    at.button(key="reports_make_workbook").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("download_button"), "no download offered"
    at.radio(key="reports_format").set_value("html")
    at.run()
    at.button(key="reports_make_case").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("methods" in (c.value or "").lower() or len(c.value or "") > 200 for c in at.code)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_workspace_page_without_a_workspace(lang: str) -> None:
    at = _go(_app(lang), "pages/workspace.py")
    assert at.info  # says how to start
    assert not at.error
