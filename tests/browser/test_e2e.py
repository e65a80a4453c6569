"""The running dashboard in a real browser: demo data → case profile → another case → Norwegian."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_COPY = Path("/tmp/samskaping_e2e.png")
TIMEOUT_MS = 60_000


def _demo_cases() -> list[str]:
    survey = pd.read_excel(ROOT / "data" / "demo_survey.xlsx", sheet_name="Survey", engine="openpyxl")
    return sorted(survey["case"].unique())


def _settled(page) -> None:
    """Wait until the script run is over, then check that no exception is shown."""
    from playwright.sync_api import expect

    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def _selectbox(scope, label: str):
    """The input of the selectbox labelled ``label`` inside ``scope``; it holds the chosen option."""
    return scope.get_by_role("combobox", name=label, exact=True)


def _choose(page, box, option: str) -> None:
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.browser
def test_demo_case_profile_in_both_languages(app_url, page, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    cases = _demo_cases()
    assert len(cases) >= 2
    first, other = cases[0], cases[1]
    sidebar = page.locator("[data-testid='stSidebar']")
    main = page.locator("[data-testid='stMain']")

    page.goto(app_url)
    expect(main.get_by_role("heading", name="Overview")).to_be_visible()
    _settled(page)
    expect(main.get_by_text("Synthetic demo data", exact=False)).to_be_visible()
    expect(sidebar.get_by_text("Synthetic demo data", exact=False)).to_be_visible()
    k_input = sidebar.locator("[data-testid='stNumberInput'] input")
    expect(k_input).to_have_value("3")

    sidebar.locator("[data-testid='stSidebarNav'] a", has_text="Case profile").click()
    expect(main.get_by_role("heading", name="Case profile")).to_be_visible()
    _settled(page)
    case_box = _selectbox(main, "Case")
    expect(case_box).to_have_value(first)
    # The sidebar (app.py) is still there, with the anonymity threshold unchanged.
    expect(_selectbox(sidebar, "Language")).to_have_value("English")
    expect(k_input, "k changed when the page changed: anonymity threshold lost").to_have_value("3")

    _choose(page, case_box, other)
    expect(case_box).to_have_value(other)
    _settled(page)
    expect(main.get_by_text(other).first).to_be_visible()

    _choose(page, _selectbox(sidebar, "Language"), "Norsk bokmål")
    expect(main.get_by_role("heading", name="Caseprofil")).to_be_visible()
    _settled(page)
    expect(main.get_by_text("Syntetiske demodata", exact=False)).to_be_visible()
    expect(sidebar.get_by_text("Syntetiske demodata", exact=False)).to_be_visible()
    expect(_selectbox(main, "Case")).to_have_value(other)
    expect(main.get_by_text(other).first).to_be_visible()
    expect(k_input).to_have_value("3")

    page.screenshot(path=str(tmp_path / "case_profile_nb.png"))
    page.screenshot(path=str(SCREENSHOT_COPY))
    _settled(page)


@pytest.mark.browser
def test_import_page_upload_shows_its_cases(app_url, page, tmp_path, shared_dir):
    """Upload an export (not canonical) on the Import page, use it, and see its cases on the Overview."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    survey = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    # As a tool would export it: "Q26"-style headers and Q1 naming the partner ("Case B kommune").
    survey["q01"] = survey["case"] + " " + survey["group"].map({"municipality": "kommune", "social_enterprise": "AS"})
    export = survey.drop(columns=["case", "group"]).rename(
        columns=lambda c: f"Q{int(c[1:])}" if c[:1] == "q" and c[1:].isdigit() else c
    )
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False, sep=";")
    sidebar = page.locator("[data-testid='stSidebar']")
    main = page.locator("[data-testid='stMain']")

    page.goto(app_url)
    _settled(page)
    sidebar.locator("[data-testid='stSidebarNav'] a", has_text="Import").click()
    expect(main.get_by_role("heading", name="Import a survey export")).to_be_visible()
    _settled(page)
    main.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(path))
    expect(main.get_by_role("heading", name="Validation report (researcher-only)")).to_be_visible()
    _settled(page)
    main.get_by_role("button", name="Use this data set in the app").click()
    expect(main.get_by_text("is now the data set of every page", exact=False)).to_be_visible()
    sidebar.locator("[data-testid='stSidebarNav'] a", has_text="Case profile").click()
    expect(main.get_by_role("heading", name="Case profile")).to_be_visible()
    _settled(page)
    expect(main.get_by_text("Synthetic demo data", exact=False)).to_have_count(0)
    # The golden survey's cases (its README: Cases A–D), named by Q1's answers; sorted, the
    # first is "Case A AS" and "Case D kommune" is among the options.
    case_box = _selectbox(main, "Case")
    expect(case_box).to_have_value("Case A AS")
    _choose(page, case_box, "Case D kommune")
    _settled(page)
    expect(case_box).to_have_value("Case D kommune")
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)


@pytest.mark.browser
def test_continuum_figure_downloads_as_svg(app_url, page, tmp_path):
    """The Continuum page renders and its figure downloads as an SVG naming the demo cases."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    sidebar = page.locator("[data-testid='stSidebar']")
    main = page.locator("[data-testid='stMain']")
    page.goto(app_url)
    _settled(page)
    sidebar.locator("[data-testid='stSidebarNav'] a", has_text="Continuum").click()
    _settled(page)
    # exact=True: plotly's own toolbar has a "Download plot as a png" button.
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        main.get_by_role("button", name="SVG", exact=True).first.click()
    path = tmp_path / "continuum.svg"
    download_info.value.save_as(path)
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") or "<svg" in svg[:500]
    # Every demo case is shown (3 respondents each, k = 3), so every name is on the figure.
    for case in _demo_cases():
        assert case in svg
    _settled(page)
