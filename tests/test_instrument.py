"""The bundled instrument against shared/domain/codebook.md and instrument.md, and malformed files.

Every expected value is transcribed from the two domain documents, not from the code.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from samskaping.errors import ConfigError
from samskaping.instrument import Instrument, load_instrument

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
INSTRUMENT_YAML = DATA_DIR / "instrument.yaml"


def q(numbers) -> list[str]:
    """Item ids for question numbers: q(range(7, 10)) -> ['q07', 'q08', 'q09']."""
    return [f"q{n:02d}" for n in numbers]


# codebook.md, "Response formats": item -> (format id, kind).
# choice formats: Q2 leader (a/b/c), Q4 duration, Q5 contact, Q6 informal (a-d).
LIKERT_ITEMS = q(range(7, 14)) + q(range(17, 25)) + q(range(26, 70))
SCORE100_ITEMS = q(range(70, 82))
TEXT_ITEMS = q([1, 3, 14, 15, 16, 25, 82])
CHOICE_ITEMS = {"q02": ("leader", 3), "q04": ("duration", 4), "q05": ("contact", 4), "q06": ("informal", 4)}

# instrument.md, "The 82 items": the part of every question.
EXPECTED_PART = {
    **dict.fromkeys(q([1, 2]), "background"),
    **dict.fromkeys(q(range(3, 14)), "part1_collaboration"),
    **dict.fromkeys(q([14, 15, 16, 25, 82]), "free_text"),
    **dict.fromkeys(q(range(17, 25)), "part1_roles"),
    **dict.fromkeys(q(range(26, 70)), "part2_success_factors"),
    **dict.fromkeys(q(range(70, 82)), "part3_barriers"),
}

# codebook.md, the table of answer labels for the 1-5 items.
LIKERT_LABELS = {
    1: ("Helt uenig", "Fully disagree"),
    2: ("Delvis uenig", "Partly disagree"),
    3: ("Ikke relevant / verken enig eller uenig", "Not relevant / neither agree nor disagree"),
    4: ("Delvis enig", "Partly agree"),
    5: ("Helt enig", "Fully agree"),
}


# ---------------------------------------------------------------------------------------------
# The bundled instrument


def test_82_items_in_questionnaire_order(instrument: Instrument) -> None:
    assert instrument.item_ids == tuple(q(range(1, 83)))
    assert [item.number for item in instrument.items] == list(range(1, 83))


def test_every_item_is_listed_once_in_the_spec_tables() -> None:
    # Sanity check of the transcription above: the four lists cover q01..q82 exactly once.
    listed = LIKERT_ITEMS + SCORE100_ITEMS + TEXT_ITEMS + list(CHOICE_ITEMS)
    assert sorted(listed) == q(range(1, 83))
    assert len(listed) == 82
    assert sorted(EXPECTED_PART) == q(range(1, 83))


@pytest.mark.parametrize("item_id", LIKERT_ITEMS)
def test_likert_items(instrument: Instrument, item_id: str) -> None:
    assert instrument.item(item_id).format == "likert5"
    fmt = instrument.format_of(item_id)
    assert (fmt.kind, fmt.minimum, fmt.maximum, fmt.integer) == ("scale", 1.0, 5.0, True)
    # The survey told respondents to pick 3 when an item is not relevant (codebook.md).
    assert fmt.not_applicable_code == 3


@pytest.mark.parametrize("item_id", SCORE100_ITEMS)
def test_score100_items(instrument: Instrument, item_id: str) -> None:
    assert instrument.item(item_id).format == "score100"
    fmt = instrument.format_of(item_id)
    # 1-100, real numbers allowed; not relevant is left blank, so there is no "not applicable" code.
    assert (fmt.kind, fmt.minimum, fmt.maximum, fmt.integer) == ("scale", 1.0, 100.0, False)
    assert fmt.not_applicable_code is None
    assert {code: text.en.lower() for code, text in fmt.labels.items()} == {
        1: "fully disagree",
        50: "neutral",
        100: "fully agree",
    }


@pytest.mark.parametrize("item_id", TEXT_ITEMS)
def test_text_items(instrument: Instrument, item_id: str) -> None:
    fmt = instrument.format_of(item_id)
    assert fmt.kind == "text"
    assert not fmt.numeric
    assert item_id in instrument.text_item_ids()
    assert item_id not in instrument.numeric_item_ids()


@pytest.mark.parametrize(("item_id", "format_id", "n_options"), [(i, f, n) for i, (f, n) in CHOICE_ITEMS.items()])
def test_choice_items(instrument: Instrument, item_id: str, format_id: str, n_options: int) -> None:
    assert instrument.item(item_id).format == format_id
    fmt = instrument.format_of(item_id)
    assert fmt.kind == "choice"
    # a = 1, b = 2, ... (codebook.md, canonical data set)
    assert sorted(fmt.labels) == list(range(1, n_options + 1))
    assert fmt.valid_range() == (1.0, float(n_options))


@pytest.mark.parametrize(
    ("format_id", "keywords"),
    [
        # codebook.md: a = yes, b = no, c = other (free text)
        ("leader", ["yes", "no", "other"]),
        # a = several years, b = 1/2-1 year, c = < 1/2 year, d = planning phase
        ("duration", ["several years", "half a year and a year", "less than half a year", "planning phase"]),
        # a = weekly or more, b = about monthly, c = about quarterly, d = less often
        ("contact", ["weekly", "month", "quarter", "less often"]),
        # a = close and trusting, b = orderly when needed, c = sporadic, d = very little or none
        ("informal", ["close and trusting", "orderly", "sporadic", "very little"]),
    ],
)
def test_choice_options_in_spec_order(instrument: Instrument, format_id: str, keywords: list[str]) -> None:
    labels = instrument.formats[format_id].labels
    for code, keyword in enumerate(keywords, start=1):
        assert keyword in labels[code].en.lower(), (code, labels[code].en)


def test_item_parts(instrument: Instrument) -> None:
    assert {item.id: item.part for item in instrument.items} == EXPECTED_PART


@pytest.mark.parametrize(("code", "nb", "en"), [(c, nb, en) for c, (nb, en) in LIKERT_LABELS.items()])
def test_likert_labels_in_both_languages(instrument: Instrument, code: int, nb: str, en: str) -> None:
    label = instrument.formats["likert5"].labels[code]
    assert (label.nb, label.en) == (nb, en)
    assert (label.get("nb"), label.get("en")) == (nb, en)


def test_likert_has_exactly_five_labels(instrument: Instrument) -> None:
    assert sorted(instrument.formats["likert5"].labels) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("alias", "code"),
    # codebook.md: 'Accepted aliases include "Strongly disagree/agree", "Somewhat disagree/agree",
    # "Disagree/Agree", "Nøytral", "Vet ikke", "Ikke relevant".' An explicit "not relevant / don't
    # know" becomes 3 on a 1-5 item.
    [
        ("strongly disagree", 1),
        ("strongly agree", 5),
        ("somewhat disagree", 2),
        ("somewhat agree", 4),
        ("disagree", 2),
        ("agree", 4),
        ("nøytral", 3),
        ("vet ikke", 3),
        ("ikke relevant", 3),
    ],
)
def test_likert_aliases(instrument: Instrument, alias: str, code: int) -> None:
    aliases = instrument.formats["likert5"].aliases
    assert alias in [a.lower() for a in aliases[code]]


def test_q04_has_social_enterprise_wording(instrument: Instrument) -> None:
    # instrument.md: the SE version of Q4 reads «Vi har hatt et samarbeid med kommunen».
    se_text = instrument.item("q04").text_social_enterprise
    assert se_text is not None
    assert se_text.nb == "Vi har hatt et samarbeid med kommunen"
    assert instrument.item("q04").text.nb == "Vi har hatt et samarbeid med den sosiale virksomheten"


def test_default_path_is_the_bundled_file() -> None:
    assert load_instrument(INSTRUMENT_YAML).item_ids == load_instrument().item_ids


# ---------------------------------------------------------------------------------------------
# Malformed instrument files


@functools.cache
def _real_text() -> str:
    return INSTRUMENT_YAML.read_text(encoding="utf-8")


@functools.cache
def _real_parsed() -> dict[str, Any]:
    return yaml.safe_load(_real_text())


def _real() -> dict[str, Any]:
    """A fresh copy of the real instrument file as a dict, to be edited."""
    return copy.deepcopy(_real_parsed())


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _edit(change: Callable[[dict[str, Any]], None]) -> Callable[[], str]:
    def build() -> str:
        data = _real()
        change(data)
        return _dump(data)

    return build


def _set_item(index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["items"][index][key] = value

    return change


def _drop_english_text(data: dict[str, Any]) -> None:
    del data["items"][6]["text"]["en"]


def _gap_in_options(data: dict[str, Any]) -> None:
    # duration options coded 1, 2, 4: option 3 is missing.
    del data["formats"]["duration"]["options"][3]


# items[5] is q06, items[6] is q07 (0-based list positions).
MALFORMED = [
    pytest.param(_edit(_set_item(5, "id", "q05")), "items[5] (q05)", "appears twice", id="duplicate-item-id"),
    pytest.param(
        _edit(_set_item(6, "format", "likert7")),
        "items[6] (q07).format",
        "unknown response format",
        id="unknown-format",
    ),
    pytest.param(_edit(_set_item(6, "part", "part9")), "items[6] (q07).part", "unknown part", id="unknown-part"),
    pytest.param(
        _edit(_drop_english_text), "items[6] (q07).text", "missing required key 'en'", id="missing-text-language"
    ),
    # A YAML syntax error: the flow sequence opened on line 2 is never closed; the parser notices
    # at line 3, where a mapping key appears inside it.
    pytest.param(
        lambda: "parts: {}\nitems: [q01, q02\nformats: {a: 1}\n", "line 3", "is not valid YAML", id="not-yaml"
    ),
    pytest.param(lambda: _dump(_real()["items"]), "", "must be a YAML mapping at the top level", id="top-level-list"),
    pytest.param(_edit(_gap_in_options), "formats.duration.options", "without gaps", id="choice-options-gap"),
]


@pytest.mark.parametrize(("build", "key", "problem"), MALFORMED)
def test_malformed_instrument(tmp_path: Path, build: Callable[[], str], key: str, problem: str) -> None:
    path = tmp_path / "broken_instrument.yaml"
    path.write_text(build(), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_instrument(path)
    error = caught.value
    assert error.file == "broken_instrument.yaml"
    assert error.key == key
    assert problem in error.problem
    message = str(error)
    assert message.startswith("broken_instrument.yaml: ")
    assert key in message
    assert problem in message
    assert "\n" not in message


def test_top_level_list_message_says_top_level(tmp_path: Path) -> None:
    # The key of a top-level problem is empty, so the message itself must say where.
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^list\.yaml: must be a YAML mapping at the top level$"):
        load_instrument(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nowhere\.yaml: cannot be read"):
        load_instrument(tmp_path / "nowhere.yaml")


def test_unedited_round_trip_loads(tmp_path: Path) -> None:
    # The malformed cases are derived by dumping the real file: the unedited dump must load.
    path = tmp_path / "copy.yaml"
    path.write_text(_dump(_real()), encoding="utf-8")
    assert load_instrument(path).item_ids == tuple(q(range(1, 83)))
