"""Show, edit and save a codebook: the tables behind the codebook page, and the way back to YAML.

A researcher changes which items make up a factor, barrier or sub-index, which items are
reverse-coded, the sub-index weights and the interpretation thresholds. Every edit is turned
back into the YAML schema of ``data/codebook.yaml`` and read again by
:func:`samskaping.codebook.parse_codebook`, so an edited codebook passes exactly the checks of a
codebook file (unknown item, item in two factors, weights not summing to 1, …).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

import pandas as pd
import yaml

from samskaping.codebook import Codebook, ItemRef, Measure, Thresholds, parse_codebook
from samskaping.errors import ConfigError
from samskaping.instrument import Instrument, Text

__all__ = [
    "EDITABLE_COLUMNS",
    "SCHEMA_VERSION",
    "apply_edits",
    "codebook_to_dict",
    "codebook_to_yaml",
    "judgements_frame",
    "leadership_frame",
    "measure_items",
    "measures_frame",
    "parse_item_list",
    "profile_items_frame",
    "thresholds_frame",
    "weights_frame",
    "wording_frame",
]

SCHEMA_VERSION = 1
# Columns of :func:`measures_frame` that :func:`apply_edits` reads; all others are for display.
EDITABLE_COLUMNS = ("items", "reversed", "weight")
# Thresholds that must be whole numbers (the others may be any number).
_WHOLE_THRESHOLDS = ("k", "min_max_n")
# "q26", "Q26", "26", "q026" -> item number 26.
_ITEM_TOKEN = re.compile(r"^q?0*(\d+)$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;]+")


# --- serialising -------------------------------------------------------------------------------


def _text(text: Text) -> dict[str, str]:
    return {"nb": text.nb, "en": text.en}


def _plain_items(refs: Iterable[ItemRef]) -> list[Any]:
    """Factor and barrier items: a bare id, or ``{item, direction: down}`` when reverse-coded."""
    return [{"item": ref.item, "direction": "down"} if ref.reverse else ref.item for ref in refs]


def _directed_items(refs: Iterable[ItemRef]) -> list[dict[str, str]]:
    """Sub-index items, always with their direction (as in the bundled file)."""
    return [{"item": ref.item, "direction": "down" if ref.reverse else "up"} for ref in refs]


def _with_judgement(spec: dict[str, Any], measure: Measure) -> dict[str, Any]:
    if measure.judgement is not None:
        spec["judgement"] = measure.judgement
    return spec


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """The codebook as plain data in the schema of ``data/codebook.yaml``.

    Parameters
    ----------
    codebook : Codebook
        A checked codebook.

    Returns
    -------
    dict
        ``schema_version``, ``thresholds``, ``bands``, ``categories`` (with their factors),
        ``leadership_profile``, ``barriers`` and ``continuum``, in the order of the bundled file.
        Reading it with :func:`~samskaping.codebook.parse_codebook` gives the same codebook back.
    """
    categories = []
    for category in codebook.family("category"):
        factors = [
            _with_judgement({"id": f.id, "name": _text(f.name), "items": _plain_items(f.items)}, f)
            for f in (codebook.measure(c) for c in category.components)
        ]
        categories.append({"id": category.id, "name": _text(category.name), "factors": factors})
    barriers = []
    for barrier in codebook.family("barrier"):
        spec: dict[str, Any] = {"id": barrier.id, "name": _text(barrier.name)}
        if barrier.description is not None:
            spec["description"] = _text(barrier.description)
        spec["items"] = _plain_items(barrier.items)
        barriers.append(_with_judgement(spec, barrier))
    subindices = []
    for sub in codebook.family("subindex"):
        spec = {"id": sub.id, "name": _text(sub.name), "weight": sub.weight, "items": _directed_items(sub.items)}
        if sub.option_scores:
            spec["option_scores"] = dict(sub.option_scores)
        subindices.append(_with_judgement(spec, sub))
    thickness = codebook.family("thickness")
    continuum: dict[str, Any] = {
        "thickness": {"name": _text(thickness[0].name)} if thickness else {},
        "subindices": subindices,
        "profile_items": list(codebook.profile_items),
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "thresholds": {f.name: getattr(codebook.thresholds, f.name) for f in fields(Thresholds)},
        "bands": {band: _text(text) for band, text in codebook.bands.items()},
        "categories": categories,
        "leadership_profile": [{"item": item, "name": _text(name)} for item, name in codebook.leadership_profile],
        "barriers": barriers,
        "continuum": continuum,
    }


def codebook_to_yaml(codebook: Codebook) -> str:
    """The codebook as YAML text, ready to download and to read back with ``parse_codebook``.

    Parameters
    ----------
    codebook : Codebook
        A checked codebook.

    Returns
    -------
    str
        YAML in the schema of ``data/codebook.yaml`` (Unicode kept, keys in schema order).
    """
    header = "# samskaping codebook (schema: shared/domain/codebook.md). Judgement calls carry `judgement:`.\n"
    return header + yaml.safe_dump(codebook_to_dict(codebook), allow_unicode=True, sort_keys=False, width=100)


# --- tables for display and editing --------------------------------------------------------------


def _reversed_ids(refs: Iterable[ItemRef]) -> str:
    return ", ".join(ref.item for ref in refs if ref.reverse)


def measures_frame(codebook: Codebook, lang: str) -> pd.DataFrame:
    """One row per measure, for display and editing.

    Parameters
    ----------
    codebook : Codebook
        The codebook in use.
    lang : {"nb", "en"}
        Language of the measure names.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``family``, ``name``, ``items`` (comma-separated item ids; for a
        category its factor ids, for ``thickness`` its sub-index ids), ``reversed``
        (comma-separated reverse-coded item ids), ``weight`` (sub-indices only, else missing)
        and ``judgement`` (the reason for a judgement call, else empty).
    """
    rows = []
    for m in codebook.measures:
        composed = m.family in ("category", "thickness")
        rows.append(
            {
                "id": m.id,
                "family": m.family,
                "name": m.name.get(lang),
                "items": ", ".join(m.components if composed else m.item_ids),
                "reversed": _reversed_ids(m.items),
                "weight": m.weight if m.family == "subindex" else math.nan,
                "judgement": m.judgement or "",
            }
        )
    return pd.DataFrame(rows).astype({"weight": "float64"})


def thresholds_frame(codebook: Codebook) -> pd.DataFrame:
    """The interpretation thresholds as a two-column table (``threshold``, ``value``)."""
    values = [(f.name, float(getattr(codebook.thresholds, f.name))) for f in fields(Thresholds)]
    return pd.DataFrame(values, columns=["threshold", "value"])


def weights_frame(codebook: Codebook, lang: str) -> pd.DataFrame:
    """The sub-indices of the thin ↔ thick continuum with their weights (``id``, ``name``, ``weight``)."""
    rows = [{"id": m.id, "name": m.name.get(lang), "weight": m.weight} for m in codebook.family("subindex")]
    return pd.DataFrame(rows, columns=["id", "name", "weight"])


def judgements_frame(codebook: Codebook, lang: str) -> pd.DataFrame:
    """The judgement calls of the codebook, one row per distinct reason.

    Measures that share one reason (the four barriers) are listed together.

    Returns
    -------
    pandas.DataFrame
        Columns ``measures`` (the measure names in ``lang``, comma-separated) and ``judgement``.
    """
    grouped: dict[str, list[str]] = {}
    for m in codebook.measures:
        if m.judgement:
            grouped.setdefault(m.judgement, []).append(m.name.get(lang))
    rows = [{"measures": ", ".join(names), "judgement": reason} for reason, names in grouped.items()]
    return pd.DataFrame(rows, columns=["measures", "judgement"])


def measure_items(codebook: Codebook, measure_id: str) -> tuple[ItemRef, ...]:
    """The items behind a measure; for a category or ``thickness``, those of its components."""
    measure = codebook.measure(measure_id)
    if measure.components:
        return tuple(ref for c in measure.components for ref in measure_items(codebook, c))
    return measure.items


def _wording(instrument: Instrument, item_id: str, lang: str) -> tuple[str, str]:
    item = instrument.item(item_id)
    other = item.text_social_enterprise.get(lang) if item.text_social_enterprise else ""
    return item.text.get(lang), other


def wording_frame(codebook: Codebook, instrument: Instrument, measure_id: str, lang: str) -> pd.DataFrame:
    """The wording of a measure's items in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Columns ``item``, ``reversed`` (bool), ``question`` and ``question_social_enterprise``
        (the social-enterprise wording, empty where the item has none).
    """
    rows = []
    for ref in measure_items(codebook, measure_id):
        question, other = _wording(instrument, ref.item, lang)
        rows.append(
            {"item": ref.item, "reversed": ref.reverse, "question": question, "question_social_enterprise": other}
        )
    return pd.DataFrame(rows, columns=["item", "reversed", "question", "question_social_enterprise"])


def leadership_frame(codebook: Codebook, instrument: Instrument, lang: str) -> pd.DataFrame:
    """The descriptive leadership profile: ``item``, ``name`` (orientation) and ``question``."""
    rows = [
        {"item": item, "name": name.get(lang), "question": _wording(instrument, item, lang)[0]}
        for item, name in codebook.leadership_profile
    ]
    return pd.DataFrame(rows, columns=["item", "name", "question"])


def profile_items_frame(codebook: Codebook, instrument: Instrument, lang: str) -> pd.DataFrame:
    """Part 1 items reported in the case profile but not in the index: ``item`` and ``question``."""
    rows = [{"item": item, "question": _wording(instrument, item, lang)[0]} for item in codebook.profile_items]
    return pd.DataFrame(rows, columns=["item", "question"])


# --- applying edits ------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_item_list(value: Any) -> tuple[str, ...]:
    """Read a cell listing item ids, tolerantly.

    Ids may be separated by commas, semicolons or spaces, written in either case, and the
    ``q`` and leading zeros may be left out: ``"q26,q27"``, ``"Q26 q27"`` and ``"26, 27"`` all
    give ``("q26", "q27")``. Anything else is kept (lower-cased), so the codebook check can name it.

    Parameters
    ----------
    value : str, list or missing
        The cell; a missing or blank cell gives an empty tuple.

    Returns
    -------
    tuple of str
    """
    if _blank(value):
        return ()
    text = " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    result = []
    for token in _SEPARATORS.split(text.strip()):
        if token:
            match = _ITEM_TOKEN.match(token)
            result.append(f"q{int(match.group(1)):02d}" if match else token.lower())
    return tuple(result)


def _number(value: Any, source: str, key: str) -> int | float:
    """A cell as a number (a decimal comma is accepted); whole floats become ints."""
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise ConfigError(source, key, f"must be a number, got '{value.strip()}'") from None
    if _blank(value) or isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(source, key, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise ConfigError(source, key, f"must be a finite number, got {number}")
    return int(number) if number.is_integer() else number


def _edited_refs(row: Mapping[str, Any], source: str, key: str) -> list[ItemRef]:
    items = parse_item_list(row.get("items"))
    reversed_ids = parse_item_list(row.get("reversed"))
    stray = [item for item in reversed_ids if item not in items]
    if stray:
        raise ConfigError(source, f"{key}.reversed", f"item '{stray[0]}' is marked reversed but is not among the items")
    return [ItemRef(item, reverse=item in reversed_ids) for item in items]


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what} table lacks column(s) {', '.join(missing)}")


def apply_edits(
    codebook: Codebook,
    measures: pd.DataFrame,
    thresholds: pd.DataFrame,
    instrument: Instrument,
    *,
    source: str = "edited codebook",
) -> Codebook:
    """A new codebook with the edits of the measures and thresholds tables, checked.

    Only the editable cells count: ``items``, ``reversed`` and ``weight`` of factors, barriers
    and sub-indices (``weight`` of sub-indices only), and ``value`` of the thresholds. The
    composition of categories and of ``thickness`` is not editable here; edits to those rows
    and to the display columns are ignored.

    Parameters
    ----------
    codebook : Codebook
        The codebook the tables were made from.
    measures : pandas.DataFrame
        :func:`measures_frame`, possibly edited; rows are matched by ``id``.
    thresholds : pandas.DataFrame
        :func:`thresholds_frame`, possibly edited.
    instrument : Instrument
        The instrument the items must belong to.
    source : str, optional
        The name errors give for the edited codebook.

    Returns
    -------
    Codebook
        The edited codebook, as read back by :func:`~samskaping.codebook.parse_codebook`.

    Raises
    ------
    ConfigError
        When the edited codebook breaks a rule (unknown item, item in two factors, weights not
        summing to 1, threshold not a number, …); the message names the key and the problem.
    ValueError
        When a table lacks a column or lists a measure id the codebook does not have.
    """
    _require(measures, ("id", *EDITABLE_COLUMNS), "measures")
    _require(thresholds, ("threshold", "value"), "thresholds")
    rows = {str(row["id"]): row for row in measures.to_dict("records")}
    unknown = sorted(set(rows) - set(codebook.measure_ids))
    if unknown:
        raise ValueError(f"the measures table lists unknown measure id(s) {', '.join(unknown)}")
    data = codebook_to_dict(codebook)
    for category in data["categories"]:
        for factor in category["factors"]:
            if factor["id"] in rows:
                factor["items"] = _plain_items(_edited_refs(rows[factor["id"]], source, f"factor {factor['id']}"))
    for barrier in data["barriers"]:
        if barrier["id"] in rows:
            barrier["items"] = _plain_items(_edited_refs(rows[barrier["id"]], source, f"barrier {barrier['id']}"))
    for sub in data["continuum"]["subindices"]:
        if sub["id"] in rows:
            key = f"sub-index {sub['id']}"
            sub["items"] = _directed_items(_edited_refs(rows[sub["id"]], source, key))
            sub["weight"] = float(_number(rows[sub["id"]]["weight"], source, f"{key}.weight"))
    for row in thresholds.to_dict("records"):
        name = str(row["threshold"]).strip()
        value = _number(row["value"], source, f"thresholds.{name}")
        data["thresholds"][name] = value if name in _WHOLE_THRESHOLDS else float(value)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return parse_codebook(text, instrument, source=source)
