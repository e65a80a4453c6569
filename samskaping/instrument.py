"""The survey instrument: 82 questions and their response formats, read from ``instrument.yaml``.

The file is the single source of item ids, wording (Norwegian and English), parts and answer
labels; this module only reads and checks it. Errors name the file, the key and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from samskaping.errors import ConfigError

__all__ = [
    "DATA_DIR",
    "GROUPS",
    "Instrument",
    "Item",
    "ResponseFormat",
    "Text",
    "YamlReader",
    "load_instrument",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The sides of a collaboration a respondent can belong to (codebook.md, "Group of a respondent").
GROUPS = ("municipality", "social_enterprise", "other")
LANGUAGES = ("nb", "en")
FORMAT_KINDS = ("text", "choice", "scale")


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of text in Norwegian bokmål (``nb``) and English (``en``)."""

    nb: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``"nb"`` or ``"en"``)."""
        return self.nb if lang == "nb" else self.en


@dataclass(frozen=True, slots=True)
class ResponseFormat:
    """How answers to an item are coded.

    ``kind`` is ``text`` (free text), ``choice`` (options coded 1, 2, …) or ``scale``
    (numbers from ``minimum`` to ``maximum``). ``labels`` names the options of a choice or the
    named points of a scale; ``aliases`` lists further answer texts that mean a code.
    """

    id: str
    kind: str
    labels: dict[int, Text] = field(default_factory=dict)
    aliases: dict[int, tuple[str, ...]] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True
    not_applicable_code: int | None = None

    @property
    def numeric(self) -> bool:
        """True for choice and scale formats, whose canonical values are numbers."""
        return self.kind in ("choice", "scale")

    def valid_range(self) -> tuple[float, float]:
        """The smallest and largest valid code."""
        if self.kind == "choice":
            return float(min(self.labels)), float(max(self.labels))
        return float(self.minimum), float(self.maximum)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Item:
    """One question of the instrument."""

    id: str
    number: int
    part: str
    format: str
    text: Text
    text_social_enterprise: Text | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    """All items, their response formats and the parts of the survey."""

    items: tuple[Item, ...]
    formats: dict[str, ResponseFormat]
    parts: dict[str, Text]
    source: str = ""

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in questionnaire order (``q01`` … ``q82``)."""
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        """Return the item with id ``item_id``; ``KeyError`` if there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def format_of(self, item_id: str) -> ResponseFormat:
        """Return the response format of an item."""
        return self.formats[self.item(item_id).format]

    def numeric_item_ids(self) -> tuple[str, ...]:
        """Ids of items whose canonical values are numbers (choice and scale items)."""
        return tuple(i.id for i in self.items if self.formats[i.format].numeric)

    def text_item_ids(self) -> tuple[str, ...]:
        """Ids of free-text items (Q1 included: it names the case partner)."""
        return tuple(i.id for i in self.items if not self.formats[i.format].numeric)


# libyaml's safe loader reads the same documents about ten times faster (70 ms for instrument.yaml
# with the Python loader, on every cold start of the dashboard); PyYAML built without it falls back.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlReader:
    """Small helpers that read a YAML mapping and raise :class:`ConfigError` naming the key."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, problem: str) -> ConfigError:
        """Build the error for ``key`` (to be raised by the caller)."""
        return ConfigError(self.file, key, problem)

    def load(self, path: Path | str) -> dict[str, Any]:
        """Parse the file as a YAML mapping."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise self.fail("", f"cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise self.fail("", "is not UTF-8 text") from None
        return self.parse(text)

    def parse(self, text: str) -> dict[str, Any]:
        """Parse YAML text as a mapping."""
        try:
            data = yaml.load(text, Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise self.fail(where, f"is not valid YAML ({problem})") from None
        if not isinstance(data, dict):
            raise self.fail("", "must be a YAML mapping at the top level")
        return data

    def get(self, mapping: Mapping[str, Any], name: str, key: str, kind: type | tuple[type, ...]) -> Any:
        """Return ``mapping[name]``, checking that it is present and of type ``kind``."""
        if not isinstance(mapping, Mapping):
            raise self.fail(key, "must be a mapping")
        if name not in mapping:
            raise self.fail(key, f"missing required key '{name}'")
        value = mapping[name]
        path = f"{key}.{name}" if key else name
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(path, f"must be {_kind_name(kind)}, not a true/false value")
        if not isinstance(value, kind):
            raise self.fail(path, f"must be {_kind_name(kind)}, got {value!r}")
        return value

    def text(self, value: Any, key: str) -> Text:
        """Read a ``{nb: …, en: …}`` mapping."""
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping with 'nb' and 'en' texts")
        texts = [self.get(value, lang, key, str).strip() for lang in LANGUAGES]
        for lang, text in zip(LANGUAGES, texts, strict=True):
            if not text:
                raise self.fail(f"{key}.{lang}", "must not be empty")
        return Text(nb=texts[0], en=texts[1])


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        bool: "true or false",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def load_instrument(path: Path | str | None = None) -> Instrument:
    """Read and check ``instrument.yaml``.

    Parameters
    ----------
    path : path, optional
        The file to read; the bundled ``data/instrument.yaml`` by default.

    Raises
    ------
    ConfigError
        When the file is missing, not YAML, or breaks a rule; the message names the key.
    """
    path = Path(path) if path is not None else DATA_DIR / "instrument.yaml"
    reader = YamlReader(path.name)
    data = reader.load(path)
    parts = {str(pid): reader.text(ptext, f"parts.{pid}") for pid, ptext in reader.get(data, "parts", "", dict).items()}
    formats = {
        str(fid): _read_format(reader, str(fid), spec) for fid, spec in reader.get(data, "formats", "", dict).items()
    }
    items: list[Item] = []
    seen: set[str] = set()
    for index, spec in enumerate(reader.get(data, "items", "", list)):
        key = f"items[{index}]"
        item_id = reader.get(spec, "id", key, str)
        key = f"items[{index}] ({item_id})"
        if item_id in seen:
            raise reader.fail(key, f"item id '{item_id}' appears twice")
        seen.add(item_id)
        fmt = reader.get(spec, "format", key, str)
        if fmt not in formats:
            raise reader.fail(f"{key}.format", f"unknown response format '{fmt}' (known: {', '.join(formats)})")
        part = reader.get(spec, "part", key, str)
        if part not in parts:
            raise reader.fail(f"{key}.part", f"unknown part '{part}' (known: {', '.join(parts)})")
        se_text = spec.get("text_social_enterprise")
        items.append(
            Item(
                id=item_id,
                number=reader.get(spec, "number", key, int),
                part=part,
                format=fmt,
                text=reader.text(reader.get(spec, "text", key, dict), f"{key}.text"),
                text_social_enterprise=(
                    reader.text(se_text, f"{key}.text_social_enterprise") if se_text is not None else None
                ),
                note=spec.get("note"),
            )
        )
    if not items:
        raise reader.fail("items", "must list at least one item")
    return Instrument(items=tuple(items), formats=formats, parts=parts, source=str(path))


def _read_format(reader: YamlReader, fid: str, spec: Any) -> ResponseFormat:
    key = f"formats.{fid}"
    kind = reader.get(spec, "kind", key, str)
    if kind not in FORMAT_KINDS:
        raise reader.fail(f"{key}.kind", f"must be one of {', '.join(FORMAT_KINDS)}, got '{kind}'")
    if kind == "text":
        return ResponseFormat(id=fid, kind=kind)
    label_key = "options" if kind == "choice" else "labels"
    raw_labels = reader.get(spec, label_key, key, dict)
    labels: dict[int, Text] = {}
    for code, text in raw_labels.items():
        if not isinstance(code, int) or isinstance(code, bool):
            raise reader.fail(f"{key}.{label_key}", f"codes must be whole numbers, got {code!r}")
        labels[code] = reader.text(text, f"{key}.{label_key}.{code}")
    aliases: dict[int, tuple[str, ...]] = {}
    for code, words in (spec.get("aliases") or {}).items():
        if code not in labels:
            raise reader.fail(f"{key}.aliases.{code}", "alias for a code that has no label")
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise reader.fail(f"{key}.aliases.{code}", "must be a list of texts")
        aliases[code] = tuple(words)
    if kind == "choice":
        if sorted(labels) != list(range(1, len(labels) + 1)):
            raise reader.fail(f"{key}.options", "options must be coded 1, 2, 3, … without gaps")
        return ResponseFormat(id=fid, kind=kind, labels=labels, aliases=aliases)
    minimum = reader.get(spec, "min", key, (int, float))
    maximum = reader.get(spec, "max", key, (int, float))
    if minimum >= maximum:
        raise reader.fail(key, f"min ({minimum}) must be below max ({maximum})")
    for code in labels:
        if not minimum <= code <= maximum:
            raise reader.fail(f"{key}.labels.{code}", f"label code outside {minimum}–{maximum}")
    not_applicable = spec.get("not_applicable_code")
    if not_applicable is not None and not_applicable not in labels:
        raise reader.fail(f"{key}.not_applicable_code", "must be one of the labelled codes or null")
    return ResponseFormat(
        id=fid,
        kind=kind,
        labels=labels,
        aliases=aliases,
        minimum=float(minimum),
        maximum=float(maximum),
        integer=bool(spec.get("integer", True)),
        not_applicable_code=not_applicable,
    )
