"""No value hidden by the anonymity rules (methods.md §7) reaches any page of the dashboard (AppTest).

The golden survey is changed in the test so that some hidden means are *sentinels*: values with
unusual decimals, worked out here by hand from the answers planted. The survey is uploaded with
k = 3, every page is visited in both languages (the case profile for every case), and all that is
rendered is collected: markdown, captions, alerts, widget labels and values, every table cell,
the findings texts and the plotly figure specs (numeric arrays decoded). No sentinel may appear in
any form. A control run with k = 2, where the same cells are not hidden, shows that the
collection does find them.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
CASE_PAGE = "pages/case_profile.py"
PLANTED_CASE = "Case B"
HIDDEN_LABEL = {"en": "hidden, n < 3", "nb": "skjult, n < 3"}


@dataclass(frozen=True)
class Sentinel:
    """A hidden mean: what it is, its exact value and the decimals it is displayed with."""

    what: str
    value: float
    decimals: int  # 2 on the 1–5 scale, 1 on the 0–100 scales (samskaping.profiles.format_number)

    def forms(self) -> list[str]:
        """The value as text: displayed, one decimal more, and at full precision."""
        return [f"{self.value:.{self.decimals}f}", f"{self.value:.{self.decimals + 1}f}", repr(self.value)]

    def pattern(self) -> re.Pattern[str]:
        """Any of the text forms, with a decimal point or comma, not inside a longer number."""
        alternatives = []
        for form in self.forms():
            whole, fraction = form.split(".")
            alternatives.append(rf"{re.escape(whole)}[.,]{re.escape(fraction)}")
        return re.compile(rf"(?<![\d.,])(?:{'|'.join(alternatives)})(?!\d)")

    def matches_number(self, number: float) -> bool:
        if math.isclose(number, self.value, rel_tol=1e-9, abs_tol=1e-9):
            return True
        return any(f"{number:.{d}f}" == f"{self.value:.{d}f}" for d in (self.decimals, self.decimals + 1))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _planted_survey(golden: pd.DataFrame) -> tuple[pd.DataFrame, list[Sentinel]]:
    """The golden survey with Case B reshaped and sentinel answers planted; the sentinels.

    Case B has R011–R014 (municipality) and R015–R016 (social enterprise). R014 moves to Case A,
    so Case B has 3 municipality and 2 social-enterprise respondents: at k = 3 its
    social-enterprise side (n = 2) is hidden, and its municipality side (n = 3, shown by the
    primary rule) must be hidden too by secondary suppression, or the hidden side would follow
    from the case mean (n = 5) by subtraction.
    """
    survey = golden.copy()
    rows = {rid: survey.index[survey["respondent_id"] == rid][0] for rid in survey["respondent_id"]}
    survey.loc[rows["R014"], "case"] = "Case A"
    sides = survey.loc[survey["case"] == PLANTED_CASE, "group"].value_counts().to_dict()
    assert sides == {"municipality": 3, "social_enterprise": 2}

    def plant(respondent: str, answers: dict[str, str]) -> None:
        for column, answer in answers.items():
            survey.loc[rows[respondent], column] = answer

    # shared_stake = mean of Q47, Q48, Q49 (1–5), per respondent, then over the side.
    plant("R015", {"q47": "1", "q48": "1", "q49": "2"})  # 4/3
    plant("R016", {"q47": "1", "q48": "1", "q49": "1"})  # 1
    plant("R011", {"q47": "5", "q48": "5", "q49": "4"})  # 14/3
    plant("R012", {"q47": "5", "q48": "5", "q49": "4"})  # 14/3
    plant("R013", {"q47": "5", "q48": "4", "q49": "4"})  # 13/3
    # search = mean of Q76, Q77, Q78 (1–100, decimals allowed).
    plant("R015", {"q76": "11.1", "q77": "11.1", "q78": "11.1"})  # 11.1
    plant("R016", {"q76": "24.5", "q77": "24.5", "q78": "24.5"})  # 24.5
    plant("R011", {"q76": "83.3", "q77": "83.3", "q78": "83.3"})  # 83.3
    plant("R012", {"q76": "90.1", "q77": "90.1", "q78": "90.1"})  # 90.1
    plant("R013", {"q76": "71.2", "q77": "71.2", "q78": "71.2"})  # 71.2

    # Case D (R020, R021, golden rows unchanged) has 2 respondents: every case cell is hidden.
    case_d = golden[golden["case"] == "Case D"].set_index("respondent_id")
    assert list(case_d.index) == ["R020", "R021"]
    purpose_items = [f"q{i}" for i in range(28, 35)]  # concrete_goals q28–30, shared_vision q31–32, unique_… q33–34
    assert case_d.loc["R020", purpose_items].tolist() == ["5.0", "5", "2", "2", "4.0", "4.0", "4.0"]
    assert case_d.loc["R021", purpose_items].tolist() == ["1.0", "5", "4", "4", "4.0", "", "4.0"]
    assert case_d.loc["R020", ["q73", "q74", "q75"]].tolist() == ["12.5", "", "50.0"]
    assert case_d.loc["R021", ["q73", "q74", "q75"]].tolist() == ["", "1.0", "77.5"]

    purpose_r020 = _mean([_mean([5, 5, 2]), _mean([2, 4]), _mean([4, 4])])
    purpose_r021 = _mean([_mean([1, 5, 4]), _mean([4, 4]), 4])
    sentinels = [
        # (4/3 + 1) / 2 = 7/6 = 1.1666… -> "1.17"
        Sentinel("Case B social enterprise shared_stake", _mean([4 / 3, 1]), 2),
        # (14/3 + 14/3 + 13/3) / 3 = 41/9 = 4.5555… -> "4.56" (secondary suppression)
        Sentinel("Case B municipality shared_stake", _mean([14 / 3, 14 / 3, 13 / 3]), 2),
        # (11.1 + 24.5) / 2 = 17.8 -> "17.8"
        Sentinel("Case B social enterprise search", _mean([11.1, 24.5]), 1),
        # (83.3 + 90.1 + 71.2) / 3 = 244.6 / 3 = 81.5333… -> "81.5" (secondary suppression)
        Sentinel("Case B municipality search", _mean([83.3, 90.1, 71.2]), 1),
        # purpose (a category) = mean of the respondent's factors concrete_goals (Q28–30),
        # shared_vision (Q31–32), unique_purpose (Q33–34), each the mean of its answered items:
        # R020: (5 + 5 + 2) / 3 = 4, (2 + 4) / 2 = 3, (4 + 4) / 2 = 4 -> (4 + 3 + 4) / 3 = 11/3;
        # R021: (1 + 5 + 4) / 3 = 10/3, (4 + 4) / 2 = 4, Q33 blank so 4 / 1 = 4 -> (10/3 + 4 + 4) / 3 = 34/9;
        # (11/3 + 34/9) / 2 = 67/18 = 3.7222… -> "3.72"
        Sentinel("Case D purpose", _mean([purpose_r020, purpose_r021]), 2),
        # hoarding = mean of Q73–Q75 (blank is missing; 2 of 3 answered is enough):
        # R020 (12.5 + 50) / 2 = 31.25, R021 (1 + 77.5) / 2 = 39.25; (31.25 + 39.25) / 2 = 35.25 -> "35.2"
        Sentinel("Case D hoarding", _mean([_mean([12.5, 50.0]), _mean([1.0, 77.5])]), 1),
    ]
    return survey, sentinels


@pytest.fixture(scope="module")
def planted(shared_dir) -> tuple[bytes, list[Sentinel]]:
    golden = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    survey, sentinels = _planted_survey(golden)
    return survey.to_csv(index=False).encode("utf-8"), sentinels


@dataclass
class Rendered:
    """Everything rendered on the pages visited: texts and numbers, each with where it was seen."""

    texts: list[tuple[str, str]] = field(default_factory=list)
    numbers: list[tuple[str, float]] = field(default_factory=list)

    def leaks(self, sentinel: Sentinel) -> list[str]:
        pattern = sentinel.pattern()
        found = [f"{where}: …{_around(text, m)}…" for where, text in self.texts for m in pattern.finditer(text)]
        found += [f"{where}: {number!r}" for where, number in self.numbers if sentinel.matches_number(number)]
        return found

    def text(self) -> str:
        return "\n".join(text for _, text in self.texts)


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")


def _numeric(value) -> np.ndarray | None:
    """A plotly number or array (plain or base64 typed array) as floats; None if not numeric."""
    if isinstance(value, dict) and isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).astype(float).ravel()
    try:
        array = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return array if array.size else None


def _walk(value, where: str, out: Rendered) -> None:
    """Collect the strings and numbers of a decoded proto or figure, decoding JSON and typed arrays."""
    if isinstance(value, dict):
        if isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
            out.numbers.extend((where, float(v)) for v in _numeric(value))
            return
        base = _numeric(value.get("base")) if "base" in value else None
        drawn = set()
        if base is not None:
            # A bar drawn from a base shows base + length (a 1–5 mean is drawn from 1): collect
            # what the bar shows, not its length.
            for axis in ("x", "y"):
                length = _numeric(value.get(axis))
                if length is not None and base.size in (1, length.size):
                    out.numbers.extend((where, float(v)) for v in base + length)
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
        out.numbers.append((where, float(value)))
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


def _frame(frame: pd.DataFrame, where: str, out: Rendered) -> None:
    """Every cell, index entry and column name of a table; numbers also as numbers."""
    for value in [*frame.index, *frame.columns, *frame.to_numpy().ravel()]:
        if isinstance(value, bool | np.bool_) or value is None:
            continue
        if isinstance(value, int | float | np.integer | np.floating):
            if not np.isnan(value):
                out.numbers.append((where, float(value)))
        else:
            out.texts.append((where, str(value)))


def _collect(node, where: str, out: Rendered) -> None:
    proto = getattr(node, "proto", None)
    if isinstance(proto, Message):
        _walk(MessageToDict(proto, preserving_proto_field_name=True), f"{where}/{type(node).__name__}", out)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            _collect(child, where, out)
        return
    try:
        value = node.value
    except Exception:  # elements without a readable value
        return
    if isinstance(value, pd.DataFrame):
        _frame(value, f"{where}/{type(node).__name__} cells", out)
    elif value is not None:
        _walk(value if isinstance(value, int | float | str | list | dict) else str(value), where, out)


def _render(at: AppTest, where: str, out: Rendered) -> None:
    assert not at.exception, [e.value for e in at.exception]
    _collect(at.main, f"{where} main", out)
    _collect(at.sidebar, f"{where} sidebar", out)


def _open(lang: str, k: int, survey: bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["dataset"] = "upload"
    at.session_state["k"] = k
    at.run()
    at.file_uploader(key="upload").set_value(("planted_survey.csv", survey, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _visit_everything(at: AppTest) -> tuple[Rendered, dict[str, Rendered]]:
    """All pages (the case profile once per case); also what the case profile showed per case."""
    rendered, per_case = Rendered(), {}
    for page in PAGES:
        at.switch_page(page).run()
        if page != CASE_PAGE:
            _render(at, page, rendered)
            continue
        cases = at.selectbox(key="case").options
        assert PLANTED_CASE in cases and "Case D" in cases
        for case in cases:
            at.selectbox(key="case").set_value(case).run()
            assert at.selectbox(key="case").value == case
            per_case[case] = Rendered()
            _render(at, f"{page} [{case}]", per_case[case])
            _render(at, f"{page} [{case}]", rendered)
    return rendered, per_case


def test_the_pages_are_found():
    assert CASE_PAGE in PAGES and len(PAGES) >= 4


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_no_hidden_mean_on_any_page(entry_script_runs, planted, lang):
    survey, sentinels = planted
    at = _open(lang, 3, survey)
    rendered, per_case = _visit_everything(at)
    assert len(rendered.numbers) > 100 and len(rendered.texts) > 100  # the collection saw the pages
    leaks = {s.what: rendered.leaks(s) for s in sentinels}
    assert not any(leaks.values()), {what: found[:5] for what, found in leaks.items() if found}
    # The planted case says why its side means are missing.
    assert HIDDEN_LABEL[lang] in per_case[PLANTED_CASE].text()


def test_control_the_same_means_are_found_when_k_allows_them(entry_script_runs, planted):
    """With k = 2 nothing planted is hidden: each sentinel must then be found (the collection works)."""
    survey, sentinels = planted
    at = _open("en", 2, survey)
    rendered, per_case = _visit_everything(at)
    for sentinel in sentinels:
        assert rendered.leaks(sentinel), f"{sentinel.what} ({sentinel.value!r}) is not found even with k = 2"
    side_sentinels = [s for s in sentinels if s.what.startswith(PLANTED_CASE)]
    for sentinel in side_sentinels:
        assert per_case[PLANTED_CASE].leaks(sentinel), sentinel.what
