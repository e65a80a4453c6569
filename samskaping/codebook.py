"""The codebook: which item measures which factor, barrier and continuum dimension.

Read from ``codebook.yaml`` (the default mapping of ``shared/domain/codebook.md``) and checked
against the instrument once. A researcher's edited codebook goes through the same loader, so
every rule (unknown item, item in two factors, weights not summing to 1, …) is enforced with
an error that names the file, the key and the problem.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samskaping.instrument import DATA_DIR, Instrument, Text, YamlReader

__all__ = [
    "FAMILIES",
    "Codebook",
    "ItemRef",
    "Measure",
    "Thresholds",
    "load_codebook",
    "parse_codebook",
]

# Measure families, in output order.
FAMILIES = ("factor", "category", "barrier", "subindex", "thickness")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# A mean that is exactly on a threshold in arithmetic (e.g. (13/3 + 5 + 8/3) / 3 = 4) can come out
# one unit in the last place below it in floating point; thresholds are compared with this slack.
THRESHOLD_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item used by a measure; ``reverse`` marks a reverse-coded item."""

    item: str
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Measure:
    """One score computed from the survey.

    ``family`` is one of :data:`FAMILIES`. Factors, barriers and sub-indices are means of their
    ``items``; categories and ``thickness`` combine other measures listed in ``components``.
    ``scale`` says how to read the number: ``likert5`` (1–5, higher = better), ``score100``
    (1–100, higher = bigger barrier) or ``index100`` (0–100, 100 = thick co-creation).
    """

    id: str
    family: str
    name: Text
    scale: str
    items: tuple[ItemRef, ...] = ()
    components: tuple[str, ...] = ()
    parent: str | None = None
    weight: float | None = None
    option_scores: dict[int, float] = field(default_factory=dict)
    description: Text | None = None
    judgement: str | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The ids of the items this measure averages."""
        return tuple(ref.item for ref in self.items)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Interpretation thresholds (codebook.md, "Interpretation thresholds")."""

    band_strength: float = 4.0
    band_borderline: float = 3.0
    clearly_from_mean: float = 0.5
    large_gap_likert: float = 1.0
    large_gap_index: float = 20.0
    subindex_proud: float = 67.0
    subindex_tip: float = 33.0
    k: int = 3
    min_max_n: int = 5


@dataclass(frozen=True, slots=True)
class Codebook:
    """All measures, in output order, with thresholds and band names."""

    measures: tuple[Measure, ...]
    thresholds: Thresholds
    bands: dict[str, Text]
    leadership_profile: tuple[tuple[str, Text], ...] = ()
    profile_items: tuple[str, ...] = ()
    source: str = ""

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Measure ids in output order (factors, categories, barriers, sub-indices, thickness)."""
        return tuple(m.id for m in self.measures)

    def measure(self, measure_id: str) -> Measure:
        """Return the measure with this id; ``KeyError`` if there is none."""
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def family(self, family: str) -> tuple[Measure, ...]:
        """All measures of one family, in codebook order."""
        return tuple(m for m in self.measures if m.family == family)

    def band(self, mean: float) -> str | None:
        """The Wilder band of a 1–5 mean: ``strength``, ``borderline`` or ``concern``."""
        if mean is None or (isinstance(mean, float) and math.isnan(mean)):
            return None
        if mean >= self.thresholds.band_strength - THRESHOLD_TOLERANCE:
            return "strength"
        if mean >= self.thresholds.band_borderline - THRESHOLD_TOLERANCE:
            return "borderline"
        return "concern"


def load_codebook(path: Path | str | None = None, instrument: Instrument | None = None) -> Codebook:
    """Read and check ``codebook.yaml`` against the instrument.

    Parameters
    ----------
    path : path, optional
        The file to read; the bundled ``data/codebook.yaml`` by default.
    instrument : Instrument, optional
        The instrument the items must belong to; the bundled one by default.

    Raises
    ------
    ConfigError
        When the file is missing, not YAML, or breaks a rule; the message names the key.
    """
    from samskaping.instrument import load_instrument

    path = Path(path) if path is not None else DATA_DIR / "codebook.yaml"
    instrument = instrument or load_instrument()
    reader = YamlReader(path.name)
    return _build(reader, reader.load(path), instrument, str(path))


def parse_codebook(text: str, instrument: Instrument, source: str = "codebook.yaml") -> Codebook:
    """Check a codebook given as YAML text (e.g. uploaded in the app)."""
    reader = YamlReader(source)
    return _build(reader, reader.parse(text), instrument, source)


def _build(reader: YamlReader, data: dict[str, Any], instrument: Instrument, source: str) -> Codebook:
    checker = _Checker(reader, instrument)
    thresholds = checker.thresholds(data.get("thresholds") or {})
    bands = {
        band: reader.text(reader.get(reader.get(data, "bands", "", dict), band, "bands", dict), f"bands.{band}")
        for band in ("strength", "borderline", "concern")
    }
    factors: list[Measure] = []
    categories: list[Measure] = []
    for c_index, c_spec in enumerate(reader.get(data, "categories", "", list)):
        c_key = f"categories[{c_index}]"
        c_id = checker.new_id(c_spec, c_key)
        c_key = f"categories[{c_index}] ({c_id})"
        members: list[str] = []
        f_specs = reader.get(c_spec, "factors", c_key, list)
        if not f_specs:
            raise reader.fail(f"{c_key}.factors", "a category needs at least one factor")
        for f_index, f_spec in enumerate(f_specs):
            f_key = f"{c_key}.factors[{f_index}]"
            f_id = checker.new_id(f_spec, f_key)
            f_key = f"{c_key}.factors[{f_index}] ({f_id})"
            items = checker.items(f_spec, f_key, group="factor", allowed=("scale",))
            checker.require_scale(items, f_key, "likert5 (1–5)", maximum=5)
            factors.append(
                Measure(
                    id=f_id,
                    family="factor",
                    name=reader.text(f_spec.get("name"), f"{f_key}.name"),
                    scale="likert5",
                    items=items,
                    parent=c_id,
                    judgement=f_spec.get("judgement"),
                )
            )
            members.append(f_id)
        categories.append(
            Measure(
                id=c_id,
                family="category",
                name=reader.text(c_spec.get("name"), f"{c_key}.name"),
                scale="likert5",
                components=tuple(members),
            )
        )
    barriers: list[Measure] = []
    for b_index, b_spec in enumerate(reader.get(data, "barriers", "", list)):
        b_key = f"barriers[{b_index}]"
        b_id = checker.new_id(b_spec, b_key)
        b_key = f"barriers[{b_index}] ({b_id})"
        items = checker.items(b_spec, b_key, group="barrier", allowed=("scale",))
        checker.require_scale(items, b_key, "score100 (1–100)", maximum=100)
        description = b_spec.get("description")
        barriers.append(
            Measure(
                id=b_id,
                family="barrier",
                name=reader.text(b_spec.get("name"), f"{b_key}.name"),
                scale="score100",
                items=items,
                judgement=b_spec.get("judgement"),
                description=reader.text(description, f"{b_key}.description") if description else None,
            )
        )
    continuum = reader.get(data, "continuum", "", dict)
    subindices = checker.subindices(reader.get(continuum, "subindices", "continuum", list))
    thickness_spec = reader.get(continuum, "thickness", "continuum", dict)
    thickness = Measure(
        id="thickness",
        family="thickness",
        name=reader.text(thickness_spec.get("name"), "continuum.thickness.name"),
        scale="index100",
        components=tuple(s.id for s in subindices),
    )
    checker.claim_id("thickness", "continuum.thickness")
    leadership = []
    for index, spec in enumerate(data.get("leadership_profile") or []):
        key = f"leadership_profile[{index}]"
        item = reader.get(spec, "item", key, str)
        checker.known_item(item, f"{key}.item")
        leadership.append((item, reader.text(spec.get("name"), f"{key}.name")))
    profile_items = tuple(continuum.get("profile_items") or [])
    for index, item in enumerate(profile_items):
        checker.known_item(item, f"continuum.profile_items[{index}]")
    return Codebook(
        measures=(*factors, *categories, *barriers, *subindices, thickness),
        thresholds=thresholds,
        bands=bands,
        leadership_profile=tuple(leadership),
        profile_items=profile_items,
        source=source,
    )


class _Checker:
    """Keeps track of ids and item use while a codebook is read."""

    def __init__(self, reader: YamlReader, instrument: Instrument) -> None:
        self.reader = reader
        self.instrument = instrument
        self.ids: dict[str, str] = {}
        self.item_owner: dict[tuple[str, str], str] = {}

    def claim_id(self, measure_id: str, key: str) -> None:
        if measure_id in self.ids:
            raise self.reader.fail(key, f"measure id '{measure_id}' is already used at {self.ids[measure_id]}")
        self.ids[measure_id] = key

    def new_id(self, spec: Any, key: str) -> str:
        measure_id = self.reader.get(spec, "id", key, str)
        if not _ID_PATTERN.match(measure_id):
            raise self.reader.fail(f"{key}.id", f"'{measure_id}' must be lower-case letters, digits and _")
        self.claim_id(measure_id, key)
        return measure_id

    def known_item(self, item_id: str, key: str) -> None:
        if item_id not in self.instrument.item_ids:
            raise self.reader.fail(key, f"item '{item_id}' is not in the instrument")

    def items(self, spec: Any, key: str, *, group: str, allowed: tuple[str, ...]) -> tuple[ItemRef, ...]:
        """Read a measure's item list; an item may serve only one measure of a group."""
        raw = self.reader.get(spec, "items", key, list)
        if not raw:
            raise self.reader.fail(f"{key}.items", "must list at least one item")
        refs: list[ItemRef] = []
        for index, entry in enumerate(raw):
            entry_key = f"{key}.items[{index}]"
            if isinstance(entry, str):
                ref = ItemRef(entry)
            else:
                item_id = self.reader.get(entry, "item", entry_key, str)
                direction = self.reader.get(entry, "direction", entry_key, str)
                if direction not in ("up", "down"):
                    raise self.reader.fail(f"{entry_key}.direction", f"must be 'up' or 'down', got '{direction}'")
                ref = ItemRef(item_id, reverse=direction == "down")
            self.known_item(ref.item, entry_key)
            kind = self.instrument.format_of(ref.item).kind
            if kind not in allowed:
                raise self.reader.fail(
                    entry_key, f"item '{ref.item}' is a {kind} item; a {group} needs {' or '.join(allowed)} items"
                )
            owner = self.item_owner.get((group, ref.item))
            if owner is not None:
                raise self.reader.fail(entry_key, f"item '{ref.item}' is already in {group} {owner}")
            self.item_owner[(group, ref.item)] = key
            refs.append(ref)
        return tuple(refs)

    def require_scale(self, items: tuple[ItemRef, ...], key: str, expected: str, *, maximum: float) -> None:
        for ref in items:
            fmt = self.instrument.format_of(ref.item)
            if fmt.maximum != maximum:
                raise self.reader.fail(f"{key}.items", f"item '{ref.item}' has format {fmt.id}; expected {expected}")

    def subindices(self, specs: list[Any]) -> tuple[Measure, ...]:
        reader = self.reader
        if not specs:
            raise reader.fail("continuum.subindices", "must list at least one sub-index")
        result: list[Measure] = []
        for index, spec in enumerate(specs):
            key = f"continuum.subindices[{index}]"
            measure_id = self.new_id(spec, key)
            key = f"{key} ({measure_id})"
            items = self.items(spec, key, group="sub-index", allowed=("scale", "choice"))
            raw_scores = spec.get("option_scores") or {}
            option_scores = {int(code): float(score) for code, score in raw_scores.items()}
            for code, score in option_scores.items():
                if not 0 <= score <= 100:
                    raise reader.fail(f"{key}.option_scores.{code}", f"score {score} is outside 0–100")
            for ref in items:
                fmt = self.instrument.format_of(ref.item)
                if fmt.kind == "choice":
                    if ref.reverse:
                        # Option scores already say which way a choice item points.
                        raise reader.fail(
                            f"{key}.items", f"choice item '{ref.item}' cannot be 'down'; reverse its option_scores"
                        )
                    missing = sorted(set(fmt.labels) - set(option_scores))
                    if missing:
                        raise reader.fail(
                            f"{key}.option_scores", f"choice item '{ref.item}' needs a score for option(s) {missing}"
                        )
                elif fmt.maximum != 5:
                    raise reader.fail(
                        f"{key}.items",
                        f"item '{ref.item}' has format {fmt.id}; a sub-index takes likert5 or choice items",
                    )
            weight = reader.get(spec, "weight", key, (int, float))
            if weight < 0:
                raise reader.fail(f"{key}.weight", f"must not be negative, got {weight}")
            result.append(
                Measure(
                    id=measure_id,
                    family="subindex",
                    name=reader.text(spec.get("name"), f"{key}.name"),
                    scale="index100",
                    items=items,
                    weight=float(weight),
                    option_scores=option_scores,
                    judgement=spec.get("judgement"),
                )
            )
        total = sum(m.weight or 0.0 for m in result)
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise reader.fail("continuum.subindices", f"weights must sum to 1, they sum to {total:g}")
        return tuple(result)

    def thresholds(self, spec: Any) -> Thresholds:
        reader = self.reader
        if not isinstance(spec, dict):
            raise reader.fail("thresholds", "must be a mapping")
        defaults = Thresholds()
        values: dict[str, Any] = {}
        for name in Thresholds.__dataclass_fields__:
            if name not in spec:
                continue
            kind = int if name in ("k", "min_max_n") else (int, float)
            values[name] = reader.get(spec, name, "thresholds", kind)
        unknown = sorted(set(spec) - set(Thresholds.__dataclass_fields__))
        if unknown:
            raise reader.fail(
                f"thresholds.{unknown[0]}", f"unknown threshold (known: {', '.join(Thresholds.__dataclass_fields__)})"
            )
        thresholds = Thresholds(**{**{n: getattr(defaults, n) for n in Thresholds.__dataclass_fields__}, **values})
        if thresholds.band_borderline >= thresholds.band_strength:
            raise reader.fail("thresholds.band_borderline", "must be below band_strength")
        if thresholds.subindex_tip >= thresholds.subindex_proud:
            raise reader.fail("thresholds.subindex_tip", "must be below subindex_proud")
        if thresholds.k < 1:
            raise reader.fail("thresholds.k", f"must be at least 1, got {thresholds.k}")
        return thresholds
