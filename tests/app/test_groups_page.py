"""The Groups page in the whole app (AppTest): both languages, the demo and large demo data sets.

Exact permutation p-values take a while on the large demo (Monte Carlo for 112 against 78
respondents), hence the generous timeout; results are cached per grouping, so each grouping is
computed once per test session.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/groups.py"
LANGS = ("en", "nb")


def _catalogue(lang: str) -> dict[str, str]:
    return yaml.safe_load((ROOT / "ui" / "texts" / f"groups.{lang}.yaml").read_text(encoding="utf-8"))


TEXTS = {lang: _catalogue(lang) for lang in LANGS}


def _open(lang: str, dataset: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = lang
    at.session_state["dataset"] = dataset
    at.run()
    at.switch_page(PAGE).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_catalogues_have_the_same_keys_and_placeholders():
    assert TEXTS["en"].keys() == TEXTS["nb"].keys()

    def fields(text: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}

    for key, text in TEXTS["en"].items():
        assert fields(text) == fields(TEXTS["nb"][key]), key
    for key in ("page_groups", "groups_title", "groups_caption", "groups_small", "groups_min_p_high"):
        assert TEXTS["en"][key] != TEXTS["nb"][key], key


@pytest.mark.parametrize("dataset", ["demo", "demo_large"])
@pytest.mark.parametrize("lang", LANGS)
def test_groups_page_renders(entry_script_runs, lang, dataset):
    at = _open(lang, dataset)
    texts = TEXTS[lang]
    assert [title.value for title in at.title] == [texts["groups_title"]]
    assert at.selectbox(key="groups_by").value == "group"
    headings = _subheaders(at)
    for key in ("groups_factors", "groups_barriers", "groups_table", "groups_gaps", "groups_downloads"):
        assert texts[key] in headings, key
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # two dumbbells and the perception-gap heatmap
    table = at.dataframe[0].value
    assert texts["col_group_a"] in table.columns and len(table) >= 34
    side = "Municipality" if lang == "en" else "Kommune"
    assert side in set(table[texts["col_group_a"]])
    sentences = "\n".join(m.value for m in at.markdown)
    assert side in sentences  # one sentence per measure, group names in the language
    if dataset == "demo":  # 11 against 7: exact enumeration; four of each side per case at most
        assert "exact" in set(table[texts["col_p_method"]]) or "eksakt" in set(table[texts["col_p_method"]])
        assert texts["groups_gaps_none"] in [info.value for info in at.info]
    else:  # three groups: a pair chooser and the Kruskal–Wallis table
        assert texts["groups_kruskal"] in headings
        # The pair shown first is the two largest groups (data/demo_survey_large.xlsx: municipality and
        # social_enterprise outnumber other); the table holds that pair only.
        assert at.selectbox(key="groups_pair|group|").value == ("municipality", "social_enterprise")
        pair_names = {"en": {"Municipality", "Social enterprise"}, "nb": {"Kommune", "Sosial virksomhet"}}[lang]
        assert set(table[texts["col_group_a"]]) | set(table[texts["col_group_b"]]) == pair_names


@pytest.mark.parametrize("lang", LANGS)
def test_changing_the_grouping_and_the_case(entry_script_runs, lang):
    at = _open(lang, "demo")
    texts = TEXTS[lang]
    at.selectbox(key="groups_by").set_value("q02").run()
    _ok(at)
    assert at.selectbox(key="groups_by").value == "q02"
    table = at.dataframe[0].value
    yes, no = ("Yes", "No") if lang == "en" else ("Ja", "Nei")
    assert {yes, no} <= set(table[texts["col_group_a"]]) | set(table[texts["col_group_b"]])

    at.selectbox(key="groups_by").set_value("case").run()
    _ok(at)
    assert at.selectbox(key="groups_case").disabled  # no "within one case" when grouping by case
    assert texts["groups_kruskal"] in _subheaders(at)
    # Three respondents per case: shown at k = 3, but 3 against 3 can never give p < 0.1 — the page
    # says so, and says that no p-value can be small.
    warnings = [w.value for w in at.warning]
    assert texts["groups_min_p_high"].format(n_a=3, n_b=3, p="0,100" if lang == "nb" else "0.100") in warnings
    assert any(w.startswith(texts["groups_small"].split("(")[0]) for w in warnings)
    table = at.dataframe[0].value
    min_p = table.loc[table[texts["col_min_p"]] != "", texts["col_min_p"]].str.replace(",", ".").astype(float)
    assert len(min_p) > 0 and (min_p >= 0.1).all()
    hidden = table[texts["col_mean_a"]].astype(str).str.contains("n < 3")
    assert (table.loc[hidden, texts["col_p"]] == "").all()  # a hidden pair (a case with n = 2) has no p

    at.selectbox(key="groups_by").set_value("group").run()
    case = at.selectbox(key="groups_case").options[1]
    at.selectbox(key="groups_case").set_value(case).run()
    _ok(at)
    # … and within one case (at most two per side) the comparison is hidden too.
    note = texts["groups_hidden_note"].format(hidden=34, total=34, k=3)
    assert note in [info.value for info in at.info]
    table = at.dataframe[0].value
    assert table[texts["col_mean_a"]].astype(str).str.contains("n < 3").all()
