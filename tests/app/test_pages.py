"""Every page of the dashboard in the whole app (AppTest): both languages × the three kinds of data set.

Pages are discovered with a glob over ``pages/``, so a new page is covered without touching this
file. One AppTest per (language, data set) is opened once and switched from page to page, which
keeps the module fast; tests that change widgets open their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from samskaping.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
CASE_PAGE = "pages/case_profile.py"
LANGS = ("en", "nb")
DATASETS = ("demo", "demo_large", "golden")


def _catalogue(lang: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((ROOT / "ui" / "texts").glob(f"*.{lang}.yaml")):
        texts.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return texts


TEXTS = {lang: _catalogue(lang) for lang in LANGS}


def _open(lang: str, dataset: str, golden_csv: Path | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["dataset"] = "upload" if dataset == "golden" else dataset
    at.run()
    if dataset == "golden":
        assert golden_csv is not None
        at.file_uploader(key="upload").set_value(("survey.csv", golden_csv.read_bytes(), "text/csv"))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def opened(entry_script_runs, request) -> Iterator[Callable[[str, str], AppTest]]:
    """``opened(lang, dataset)``: one AppTest per language and data set, shared by the module."""
    cache: dict[tuple[str, str], AppTest] = {}

    def get(lang: str, dataset: str) -> AppTest:
        if (lang, dataset) not in cache:
            golden = None
            if dataset == "golden":
                golden = request.getfixturevalue("shared_dir") / "fixtures" / "golden" / "survey.csv"
            cache[lang, dataset] = _open(lang, dataset, golden)
        return cache[lang, dataset]

    yield get


def _visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(node) -> Iterator[str]:
    """Text of every element below ``node``: values, labels, table cells and index."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        label = getattr(node, "label", None)
        if isinstance(label, str):
            yield label
        for child in children.values():
            yield from _texts(child)
        return
    for attribute in ("label", "body"):
        text = getattr(node, attribute, None)
        if isinstance(text, str):
            yield text
    try:
        value = node.value
    except Exception:  # elements without a readable value (charts and the like)
        return
    if hasattr(value, "to_numpy"):
        yield " ".join(str(v) for v in value.index)
        yield " ".join(str(c) for c in value.columns)
        yield " ".join(str(v) for v in value.to_numpy().ravel())
    elif value is not None:
        yield str(value)


def _page_text(at: AppTest) -> str:
    return "\n".join([*_texts(at.main), *_texts(at.sidebar)])


def _titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def test_the_pages_are_found():
    # Guards the glob: with no page found, the parametrized tests below would silently not run.
    assert {"pages/overview.py", CASE_PAGE, "pages/codebook.py", "pages/help.py"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("lang", LANGS)
def test_page_renders_with_a_title_in_the_language(opened, lang, dataset, page):
    at = _visit(opened(lang, dataset), page)
    titles = _titles(at)
    assert len(titles) == 1, titles
    other = "nb" if lang == "en" else "en"
    assert titles[0] in TEXTS[lang].values(), f"{page}: title {titles[0]!r} is not a {lang} text"
    assert titles[0] not in TEXTS[other].values(), f"{page}: title {titles[0]!r} is a {other} text"
    assert not at.error, [e.value for e in at.error]
    if dataset == "golden":
        assert "survey.csv" in at.session_state["upload"].name  # the uploaded file is still in use


@pytest.mark.parametrize("page", PAGES)
def test_page_title_differs_between_languages(opened, page):
    english, norwegian = (_titles(_visit(opened(lang, "demo"), page))[0] for lang in LANGS)
    assert english != norwegian


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("lang", LANGS)
def test_synthetic_notice_only_on_demo_data(opened, lang, dataset):
    notice = TEXTS[lang]["synthetic_notice"]
    at = opened(lang, dataset)
    for page in PAGES:
        _visit(at, page)
        text = _page_text(at)
        if dataset == "golden":
            assert notice not in text, f"{page}: the synthetic-data notice is shown on an uploaded file"
        else:
            assert notice in [info.value for info in at.sidebar.info], f"{page}: no notice in the sidebar"
    for page in ("pages/overview.py", CASE_PAGE):
        main_notices = [info.value for info in _visit(at, page).main.info]
        assert (notice in main_notices) == (dataset != "golden"), page


def _findings_text(at: AppTest, lang: str) -> str:
    """Text of the elements between the findings heading and the next heading."""
    children = list(at.main.children.values())
    headings = [i for i, node in enumerate(children) if type(node).__name__ == "Subheader"]
    start = next(i for i in headings if children[i].value == TEXTS[lang]["case_findings"])
    end = next((i for i in headings if i > start), len(children))
    return "\n".join(text for node in children[start + 1 : end] for text in _texts(node))


@pytest.mark.parametrize("lang", LANGS)
def test_switching_case_shows_its_findings(entry_script_runs, lang):
    at = _visit(_open(lang, "demo"), CASE_PAGE)
    choice = at.selectbox(key="case")
    assert len(choice.options) >= 2
    first, second = choice.options[:2]
    assert choice.value == first
    choice.set_value(second).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="case").value == second
    assert at.session_state["case"] == second
    findings = _findings_text(at, lang)
    assert TEXTS[lang]["findings_row_proud"] in findings
    assert TEXTS[lang]["findings_row_social_enterprise"] in findings
    # The case stays chosen across a rerun.
    at.run()
    assert at.selectbox(key="case").value == second


def test_switching_language_changes_the_item_wording(entry_script_runs):
    instrument = load_instrument()
    wording = {lang: instrument.item("q26").text.get(lang) for lang in LANGS}
    assert wording["en"] != wording["nb"]
    at = _visit(_open("en", "demo"), CASE_PAGE)
    text = _page_text(at)
    assert wording["en"] in text and wording["nb"] not in text
    assert _titles(at) == [TEXTS["en"]["case_title"]]

    at.selectbox(key="lang").set_value("nb").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _page_text(at)
    assert wording["nb"] in text and wording["en"] not in text
    assert _titles(at) == [TEXTS["nb"]["case_title"]]
    assert TEXTS["nb"]["findings_row_proud"] in _findings_text(at, "nb")
