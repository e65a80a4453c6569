"""The bundled codebook against shared/domain/codebook.md, malformed codebooks, and Wilder bands.

The expected tables below are transcribed from codebook.md (and methods.md), not from the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from samskaping.codebook import Codebook, load_codebook, parse_codebook
from samskaping.errors import ConfigError
from samskaping.instrument import Instrument

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CODEBOOK_YAML = DATA_DIR / "codebook.yaml"

# codebook.md, "Part 2": category id -> {factor id: items}. `process` is written out as
# `process_structure` (codebook.md, "Category ids").
FACTORS = {
    "environment": {
        "history": ["q26", "q27"],
        "legitimacy": ["q35", "q36", "q37"],
        "climate": ["q38"],
    },
    "membership": {
        "respect_trust": ["q39", "q40", "q42"],
        "cross_section": ["q43", "q44"],
        "self_interest": ["q45"],
        "compromise": ["q46"],
    },
    "process_structure": {
        "shared_stake": ["q47", "q48", "q49"],
        "layers": ["q50", "q51"],
        "flexibility": ["q52", "q53"],
        "clear_roles": ["q41"],
        "adaptability": ["q54", "q55"],
        "pace": ["q56", "q57"],
    },
    "communication": {
        "open_communication": ["q58", "q59", "q60"],
        "informal_links": ["q61", "q62", "q63"],
    },
    "purpose": {
        "concrete_goals": ["q28", "q29", "q30"],
        "shared_vision": ["q31", "q32"],
        "unique_purpose": ["q33", "q34"],
    },
    "resources": {
        "sufficient_resources": ["q64", "q65"],
        "leadership": ["q66", "q68"],
    },
}

# codebook.md, "Part 3".
BARRIERS = {
    "not_invented_here": ["q70", "q71", "q72"],
    "hoarding": ["q73", "q74", "q75"],
    "search": ["q76", "q77", "q78"],
    "transfer": ["q79", "q80", "q81"],
}

# codebook.md, "Part 1": items with direction (True = reverse-coded, the table's ↓).
SUBINDICES = {
    "co_design": [("q07", False), ("q11", False), ("q17", False), ("q20", False), ("q24", False), ("q18", True)],
    "co_delivery": [("q12", False), ("q10", True), ("q22", True), ("q23", True)],
    "durability": [("q04", False), ("q05", False), ("q06", False)],
}
WEIGHTS = {"co_design": 0.4, "co_delivery": 0.4, "durability": 0.2}


# ---------------------------------------------------------------------------------------------
# The bundled codebook


def test_family_counts(codebook: Codebook) -> None:
    assert len(codebook.family("factor")) == 20
    assert len(codebook.family("category")) == 6
    assert len(codebook.family("barrier")) == 4
    assert len(codebook.family("subindex")) == 3
    assert [m.id for m in codebook.family("thickness")] == ["thickness"]
    # 20 + 6 + 4 + 3 + 1
    assert len(codebook.measures) == 34
    assert len(set(codebook.measure_ids)) == 34


def test_category_ids(codebook: Codebook) -> None:
    assert [m.id for m in codebook.family("category")] == [
        "environment",
        "membership",
        "process_structure",
        "communication",
        "purpose",
        "resources",
    ]


def test_factor_items_equal_codebook_md(codebook: Codebook) -> None:
    actual = {
        category.id: {f: list(codebook.measure(f).item_ids) for f in category.components}
        for category in codebook.family("category")
    }
    assert actual == FACTORS


def test_factor_parents_and_order(codebook: Codebook) -> None:
    expected_order = [f for factors in FACTORS.values() for f in factors]
    assert [m.id for m in codebook.family("factor")] == expected_order
    for category, factors in FACTORS.items():
        for factor in factors:
            assert codebook.measure(factor).parent == category
            assert codebook.measure(factor).scale == "likert5"


def test_barrier_items_equal_codebook_md(codebook: Codebook) -> None:
    assert {m.id: list(m.item_ids) for m in codebook.family("barrier")} == BARRIERS
    assert {m.scale for m in codebook.family("barrier")} == {"score100"}


def test_subindex_items_and_directions(codebook: Codebook) -> None:
    actual = {m.id: [(r.item, r.reverse) for r in m.items] for m in codebook.family("subindex")}
    assert actual == SUBINDICES


def test_only_q18_q10_q22_q23_are_reversed(codebook: Codebook) -> None:
    reversed_refs = {(m.id, ref.item) for m in codebook.measures for ref in m.items if ref.reverse}
    assert reversed_refs == {
        ("co_design", "q18"),
        ("co_delivery", "q10"),
        ("co_delivery", "q22"),
        ("co_delivery", "q23"),
    }


def test_weights(codebook: Codebook) -> None:
    assert {m.id: m.weight for m in codebook.family("subindex")} == pytest.approx(WEIGHTS, abs=1e-12)
    assert codebook.measure("thickness").components == ("co_design", "co_delivery", "durability")


def test_durability_option_scores(codebook: Codebook) -> None:
    # codebook.md: option a = 100, b = 66.67 (200/3), c = 33.33 (100/3), d = 0.
    scores = codebook.measure("durability").option_scores
    assert scores == pytest.approx({1: 100.0, 2: 200 / 3, 3: 100 / 3, 4: 0.0}, abs=1e-9)


def test_thresholds(codebook: Codebook) -> None:
    t = codebook.thresholds
    # codebook.md, "Interpretation thresholds"; min_max_n from methods.md §2 (n >= max(k, 5)).
    assert t.band_strength == 4.0
    assert t.band_borderline == 3.0
    assert t.clearly_from_mean == 0.5
    assert t.large_gap_likert == 1.0
    assert t.large_gap_index == 20.0
    assert t.subindex_proud == 67.0
    assert t.subindex_tip == 33.0
    assert t.k == 3
    assert t.min_max_n == 5


def test_band_names(codebook: Codebook) -> None:
    # codebook.md, Norwegian names: Styrke / Grenseområde / Bekymring.
    assert {b: (t.nb, t.en) for b, t in codebook.bands.items()} == {
        "strength": ("Styrke", "Strength"),
        "borderline": ("Grenseområde", "Borderline"),
        "concern": ("Bekymring", "Concern"),
    }


def test_profile_and_leadership_items(codebook: Codebook) -> None:
    # codebook.md: Q8, Q9, Q13, Q19, Q21 reported in the case profile; Q66-Q69 the leadership profile.
    assert codebook.profile_items == ("q08", "q09", "q13", "q19", "q21")
    assert [item for item, _ in codebook.leadership_profile] == ["q66", "q67", "q68", "q69"]


def test_parse_codebook_equals_load(codebook: Codebook, instrument: Instrument) -> None:
    parsed = parse_codebook(CODEBOOK_YAML.read_text(encoding="utf-8"), instrument)
    assert parsed.measures == codebook.measures
    assert parsed.thresholds == codebook.thresholds


# ---------------------------------------------------------------------------------------------
# Wilder bands (methods.md §3: >= 4.0 strength, 3.0-3.99 borderline, < 3.0 concern)


@pytest.mark.parametrize(
    ("mean", "band"),
    [
        (5.0, "strength"),
        (4.0, "strength"),
        (3.999, "borderline"),
        (3.0, "borderline"),
        (2.999, "concern"),
        (1.0, "concern"),
    ],
)
def test_band_boundaries(codebook: Codebook, mean: float, band: str) -> None:
    assert codebook.band(mean) == band


@pytest.mark.parametrize("mean", [None, math.nan])
def test_band_of_missing_is_none(codebook: Codebook, mean: float | None) -> None:
    assert codebook.band(mean) is None


@pytest.mark.parametrize(
    ("values", "band"),
    [
        # Means of respondent factor scores that are exactly 4.0 and 3.0 in arithmetic but come out
        # one ulp low in floating point (3.9999999999999996, 2.9999999999999996):
        # (13/3 + 5 + 8/3) / 3 = 12/3 = 4 and (1 + 3 + 13/3 + 11/3) / 4 = 12/4 = 3.
        ([13 / 3, 5.0, 8 / 3], "strength"),
        ([1.0, 3.0, 13 / 3, 11 / 3], "borderline"),
    ],
)
def test_band_of_a_float_mean_exactly_on_the_threshold(codebook: Codebook, values: list[float], band: str) -> None:
    mean = sum(values) / len(values)
    assert mean != round(mean)  # the float really is off the threshold
    assert codebook.band(mean) == band


# ---------------------------------------------------------------------------------------------
# Malformed codebooks, derived from the real file


def _real() -> dict[str, Any]:
    return yaml.safe_load(CODEBOOK_YAML.read_text(encoding="utf-8"))


def _factor(data: dict[str, Any], category: int, factor: int) -> dict[str, Any]:
    return data["categories"][category]["factors"][factor]


def _subindex(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["continuum"]["subindices"][index]


def _unknown_item(d):
    _factor(d, 0, 0)["items"] = ["q26", "q99"]


def _item_in_two_factors(d):
    _factor(d, 0, 1)["items"].append("q26")


def _weights_not_one(d):
    _subindex(d, 0)["weight"] = 0.5


def _duplicate_id(d):
    d["barriers"][1]["id"] = "not_invented_here"


def _factor_with_score100(d):
    _factor(d, 0, 0)["items"] = ["q26", "q70"]


def _barrier_with_likert(d):
    d["barriers"][0]["items"] = ["q70", "q71", "q72", "q69"]


def _choice_without_scores(d):
    del _subindex(d, 2)["option_scores"]


def _choice_reversed(d):
    _subindex(d, 2)["items"][0]["direction"] = "down"


def _borderline_not_below_strength(d):
    d["thresholds"]["band_borderline"] = 4.0


def _k_zero(d):
    d["thresholds"]["k"] = 0


def _no_bands(d):
    del d["bands"]


def _band_missing(d):
    del d["bands"]["concern"]


def _unknown_threshold(d):
    d["thresholds"]["band_strong"] = 4.0


def _dumped(change: Callable[[dict[str, Any]], None]) -> Callable[[], str]:
    def build() -> str:
        data = _real()
        change(data)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    return build


ENV = "categories[0] (environment)"
MALFORMED = [
    pytest.param(
        _dumped(_unknown_item),
        f"{ENV}.factors[0] (history).items[1]",
        "item 'q99' is not in the instrument",
        id="unknown-item",
    ),
    pytest.param(
        _dumped(_item_in_two_factors),
        f"{ENV}.factors[1] (legitimacy).items[3]",
        "item 'q26' is already in factor",
        id="item-in-two-factors",
    ),
    # 0.5 + 0.4 + 0.2 = 1.1
    pytest.param(
        _dumped(_weights_not_one),
        "continuum.subindices",
        "weights must sum to 1, they sum to 1.1",
        id="weights-not-one",
    ),
    pytest.param(
        _dumped(_duplicate_id),
        "barriers[1]",
        "measure id 'not_invented_here' is already used",
        id="duplicate-measure-id",
    ),
    pytest.param(
        _dumped(_factor_with_score100),
        f"{ENV}.factors[0] (history).items",
        "item 'q70' has format score100",
        id="factor-with-score100-item",
    ),
    pytest.param(
        _dumped(_barrier_with_likert),
        "barriers[0] (not_invented_here).items",
        "item 'q69' has format likert5",
        id="barrier-with-likert-item",
    ),
    pytest.param(
        _dumped(_choice_without_scores),
        "continuum.subindices[2] (durability).option_scores",
        "choice item 'q04' needs a score",
        id="choice-without-option-scores",
    ),
    # Option scores already give a choice item's direction (codebook.md: a = 100 … d = 0).
    pytest.param(
        _dumped(_choice_reversed),
        "continuum.subindices[2] (durability).items",
        "choice item 'q04' cannot be 'down'",
        id="choice-item-reversed",
    ),
    pytest.param(
        _dumped(_borderline_not_below_strength),
        "thresholds.band_borderline",
        "must be below band_strength",
        id="borderline-not-below-strength",
    ),
    pytest.param(_dumped(_k_zero), "thresholds.k", "must be at least 1", id="k-zero"),
    pytest.param(_dumped(_no_bands), "", "missing required key 'bands'", id="missing-bands"),
    pytest.param(_dumped(_band_missing), "bands", "missing required key 'concern'", id="missing-one-band"),
    pytest.param(_dumped(_unknown_threshold), "thresholds.band_strong", "unknown threshold", id="unknown-threshold"),
    # Line 2 opens a flow mapping that line 3 breaks with a bare "]".
    pytest.param(
        lambda: "schema_version: 1\nthresholds: {k: 3,\n]\n", "line 3", "is not valid YAML", id="yaml-syntax-error"
    ),
]


@pytest.mark.parametrize(("build", "key", "problem"), MALFORMED)
def test_malformed_codebook(
    tmp_path: Path, instrument: Instrument, build: Callable[[], str], key: str, problem: str
) -> None:
    path = tmp_path / "my_codebook.yaml"
    path.write_text(build(), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_codebook(path, instrument=instrument)
    error = caught.value
    assert error.file == "my_codebook.yaml"
    assert error.key == key
    assert problem in error.problem
    message = str(error)
    assert message.startswith("my_codebook.yaml: ")
    if key:
        assert f"{key}: " in message
    assert problem in message
    assert "\n" not in message


def test_missing_bands_message_names_the_key(tmp_path: Path, instrument: Instrument) -> None:
    # A top-level key has no parent, so the problem itself must name it.
    path = tmp_path / "nobands.yaml"
    path.write_text(_dumped(_no_bands)(), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^nobands\.yaml: missing required key 'bands'$"):
        load_codebook(path, instrument=instrument)


def test_parse_codebook_names_the_source(instrument: Instrument) -> None:
    text = _dumped(_k_zero)()
    with pytest.raises(ConfigError, match=r"^upload\.yaml: thresholds\.k: must be at least 1"):
        parse_codebook(text, instrument, source="upload.yaml")


def test_unedited_round_trip_loads(tmp_path: Path, instrument: Instrument, codebook: Codebook) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(_dumped(lambda d: None)(), encoding="utf-8")
    assert load_codebook(path, instrument=instrument).measure_ids == codebook.measure_ids
