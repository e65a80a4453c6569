"""Mapping the columns of a survey export onto the instrument's items, and the mapping file.

:func:`propose_mapping` suggests, for every file column, the canonical target it holds
(``respondent_id``, ``case``, ``group``, ``q01`` … ``q82``, ``q02_other``, ``attr_*``) with a
confidence from 0 to 1; the researcher confirms it. Confidence scale:

========== ==========================================================================
1.0        the column already has the canonical name
0.98/0.96  the item's wording, exactly / cut off (a prefix of ≥ 25 characters) or with text appended
0.97       a question number (``Q26``, ``s_26``, ``G01Q26`` …) confirmed by the wording beside it
0.9        a question number alone (0.7 beside unrecognised words; 0.55 for a bare ``26``)
≤ 0.95     fuzzy wording (typos, word order), scaled so the nearest *other* item stays below 0.6
0.8 / 0.7  a case or group header / an id header (a suggestion for ``respondent_id``)
0.75       the only sub-column of a question (``Q26_1``)
0.5        number and wording disagree (the wording's item, if it is one, is proposed)
0.3        one of several sub-columns of a question (a matrix or multi-answer question)
========== ==========================================================================

Ambiguous wording (another item within 0.05) is capped at 0.55 and a tie between two columns
for one target at 0.5, with a ``note`` saying why. Each target is proposed at most once.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections import abc as cabc
from dataclasses import dataclass, field
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from samskaping.instrument import GROUPS, Instrument, YamlReader

__all__ = [
    "ColumnMatch",
    "Mapping",
    "mapping_from_matches",
    "mapping_from_yaml",
    "mapping_to_yaml",
    "propose_cases",
    "propose_mapping",
    "suggest_group",
    "unmapped_items",
]

ID_TARGETS = ("respondent_id", "case", "group")
EXTRA_TARGETS = ("q02_other",)
ITEM_COUNT = 82  # item ids q01 … q82, checked by mapping_from_yaml when no instrument is given
_ATTR = re.compile(r"attr_\w+", re.ASCII)
_ITEM_ID = re.compile(r"q(\d\d)")
_YAML_KEYS = (
    "schema_version",
    "columns",
    "value_codes",
    "missing_codes",
    "not_relevant_codes",
    "cases",
    "case_source",
    "drop_incomplete",
    "respondent_id_source",
)

# A question number: an optional tool prefix, the number, then the rest of the header.
_NUMBER = re.compile(
    r"\s*((?:g\d+q|question|spørsmål|sporsmal|spm|sp|q|s)\s*\.?\s*[_\-:#]?\s*(?:nr\.?\s*)?)?0*(\d{1,3})(?!\d)(.*)",
    re.IGNORECASE | re.DOTALL,
)
_SUB = re.compile(r"(?:[_.]-?[0-9A-Za-z]+|\[[^\]]*\]|[a-z])+")  # Q26_1, q26[SQ001], 26.1, Q2_-1, spm26b
_BARE_END = re.compile(r"\s*(?:[.):\-–]|$)")  # a number without prefix ends the header or is followed by . ) : -
_TEXT_ENTRY = re.compile(
    r"_text\b|\[other\]|\[annet\]|-oth-|please specify|spesifiser|\s[-–]\s*(?:text|tekst)\s*$", re.IGNORECASE
)
_ROLE_HEADERS = (
    (
        "respondent_id",
        0.7,
        (
            "respondent id",
            "respondentid",
            "respondent",
            "responseid",
            "response id",
            "id",
            "submission id",
            "submissionid",
            "nr",
            "respondent nr",
            "lopenummer",
        ),
    ),
    ("case", 0.8, ("case", "casenavn", "case navn", "case name", "casename")),
    ("group", 0.8, ("group", "gruppe", "sektor", "sector", "respondent group", "respondentgruppe")),
)
_Q01_ALIASES = ("casepartner", "case partner", "partner")

# Group suggestions, first hit wins (see suggest_group); company forms are matched in upper case only.
_GROUP_WORDS = (
    ("social_enterprise", r"sosial[te]?\s+(?:virksomhet|entrepren)\w*|social\s+(?:enterprise|entrepren)\w*"),
    (
        "other",
        r"nav|stat(?:en|ens|lig|lige)?|statsforvalter\w*|direktorat\w*|departement\w*|fylke\w*|state\s+agency"
        r"|county|government\s+agency",
    ),
    ("municipality", r"kommunen?s?|kommunal[et]?|bydel(?:en|s)?|municipality|municipal|council"),
    ("municipality", r"KF"),
    ("social_enterprise", r"AS|ASA|SA|BA|ANS|DA|NUF"),
    ("social_enterprise", r"stiftelsen?|foundation|ideell[et]?|forening(?:en)?|samvirke\w*|andelslag"),
    ("other", r"g[åa]a?rd(?:en|sbruk)?|farm\w*"),
)
_GROUP_RULES = tuple((g, re.compile(rf"\b(?:{w})\b", 0 if w.isupper() else re.IGNORECASE)) for g, w in _GROUP_WORDS)


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """The proposed target of one file column.

    ``target`` is None when the column is left out. ``reason`` is ``canonical``, ``number``,
    ``text``, ``role``, ``conflict`` (another column won the target) or ``none``; ``note``
    explains ambiguities and conflicts in words.
    """

    column: str
    target: str | None
    confidence: float
    reason: str
    note: str = ""


@dataclass(frozen=True)
class Mapping:
    """How a file's columns and answers become the canonical data set (saved as ``mapping.yaml``).

    Attributes
    ----------
    columns : dict
        File column → target, mapped columns only.
    value_codes : dict
        Per file column: raw value → code (None = missing); overrides reading the answer labels.
    missing_codes, not_relevant_codes : dict
        Per file column: raw values meaning "missing" / "not relevant or don't know" (3 on 1–5
        items, missing on 1–100 items).
    cases : dict
        Distinct answer of the case source column → (case name, group).
    case_source, respondent_id_source : str, optional
        Explicit case source and respondent id columns; None: see :attr:`case_column`, :attr:`id_column`.
    drop_incomplete : bool
        Leave out incomplete responses (e.g. Qualtrics ``Finished = 0``).
    """

    columns: dict[str, str]
    value_codes: dict[str, dict[str, float | None]] = field(default_factory=dict)
    missing_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_relevant_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cases: dict[str, tuple[str, str]] = field(default_factory=dict)
    case_source: str | None = None
    drop_incomplete: bool = False
    respondent_id_source: str | None = None

    def column_for(self, target: str) -> str | None:
        """The file column mapped to ``target``, or None."""
        return next((col for col, tgt in self.columns.items() if tgt == target), None)

    @property
    def case_column(self) -> str | None:
        """The case source: ``case_source``, else the column mapped to ``q01``, else to ``case``."""
        return self.case_source or self.column_for("q01") or self.column_for("case")

    @property
    def id_column(self) -> str | None:
        """``respondent_id_source``, else the column mapped to ``respondent_id``; None means row order."""
        return self.respondent_id_source or self.column_for("respondent_id")


def _normalise(text: str) -> str:
    """Lower case, æ→ae ø→o å→a, other accents dropped, HTML and punctuation removed, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", html.unescape(text)).casefold()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("œ", "oe").replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _item_texts(instrument: Instrument) -> list[tuple[str, str]]:
    """(item id, normalised wording) for the Norwegian, English and social-enterprise wordings."""
    texts = []
    for item in instrument.items:
        variants = [item.text, item.text_social_enterprise] if item.text_social_enterprise else [item.text]
        texts += [(item.id, _normalise(v.get(lang))) for v in variants for lang in ("nb", "en")]
    return texts


def _text_scores(candidates: list[str], texts: list[tuple[str, str]]) -> dict[str, float]:
    """Best similarity (0..1) of any candidate header text to each item's wording.

    Equal texts score 1.0; one a prefix of the other (≥ 25 characters: a cut-off header, or text
    appended) 0.98; otherwise, at most 0.975, the best of the edit-distance ratio, the word-order
    free ratio and, when both have ≥ 25 characters, 0.97 × the best partial alignment.
    """
    cands = list(dict.fromkeys(c for c in map(_normalise, candidates) if len(c) >= 3))
    if not cands:
        return {}
    wordings = [t for _, t in texts]
    ratio = process.cdist(cands, wordings, scorer=fuzz.ratio)
    order = process.cdist(cands, wordings, scorer=fuzz.token_sort_ratio)
    partial = process.cdist(cands, wordings, scorer=fuzz.partial_ratio)
    best: dict[str, float] = {"q01": 0.9} if set(cands) & set(_Q01_ALIASES) else {}
    for i, cand in enumerate(cands):
        for j, (item_id, text) in enumerate(texts):
            short, long = sorted((cand, text), key=len)
            if cand == text:
                sim = 1.0
            elif len(short) >= 25 and long.startswith(short):
                sim = 0.98
            else:
                fuzzy = max(ratio[i, j], order[i, j], 0.97 * partial[i, j] if len(short) >= 25 else 0.0)
                sim = min(0.975, float(fuzzy) / 100)
            best[item_id] = max(best.get(item_id, 0.0), sim)
    return best


def _text_confidence(similarity: float) -> float:
    """Exact 0.98, prefix 0.96, fuzzy scaled so that 0.8 similarity gives 0.6 (at most 0.95)."""
    if similarity >= 0.98:
        return 0.98 if similarity >= 1.0 else 0.96
    return round(max(0.0, min(0.95, 0.6 + (similarity - 0.8) * 1.75)), 3)


def _best_text(scores: dict[str, float]) -> tuple[str | None, float, str]:
    """The best item by wording: (item id, confidence, note); ambiguous matches capped at 0.55."""
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return None, 0.0, ""
    (item_id, sim), conf, note = ranked[0], _text_confidence(ranked[0][1]), ""
    # Exact and prefix matches are ambiguous only with each other; fuzzy ones within 0.05.
    if close := [other for other, s in ranked[1:] if s >= (sim if sim >= 0.98 else sim - 0.05)]:
        conf, note = round(min(0.55, conf - 0.3), 3), f"ambiguous wording: also like {', '.join(close[:3])}"
    return (item_id, conf, note) if conf >= 0.3 else (None, 0.0, "")


def _parse_number(header: str) -> tuple[int, str, bool] | None:
    """(question number, rest of the header, has a prefix) when the header starts with a number."""
    match = _NUMBER.fullmatch(header)
    if match is None or (match.group(1) is None and not _BARE_END.match(match.group(3))):
        return None
    return int(match.group(2)), match.group(3), match.group(1) is not None


def _rest_kind(rest: str) -> str:
    """What follows the number: ``plain`` (nothing), ``sub`` (a sub-column suffix) or ``text``."""
    stripped = rest.strip()
    if not re.sub(r"[\W_]+", "", stripped):
        return "plain"
    return "sub" if _SUB.fullmatch(stripped) else "text"


def _column_texts(column: str, headers: Any, index: int) -> list[str]:
    """The column name and the texts of its header rows (Qualtrics ImportId rows left out)."""
    if isinstance(headers, cabc.Mapping):
        rows = headers.get(column, ())
    else:
        rows = headers[index] if headers is not None and index < len(headers) else ()
    rows = [rows] if isinstance(rows, str) else rows
    texts = [column, *(str(t) for t in rows if str(t).strip() and "importid" not in str(t).casefold())]
    return list(dict.fromkeys(t.strip() for t in texts))


def _text_candidates(text: str) -> list[str]:
    """The header text, and its parts around a matrix stem (``stem [item]``, ``stem - item``)."""
    out = [text]
    if (m := re.search(r"\[([^\]]+)\]\s*$", text)) is not None:
        out += [m.group(1), text[: m.start()]]
    if " - " in text:
        out += text.rsplit(" - ", 1)
    return out


def _match_column(
    column: str,
    texts: list[str],
    role: str | None,
    numbers: dict[int, str],
    item_texts: list[tuple[str, str]],
    sub_counts: Counter[int],
) -> ColumnMatch:
    name = column.strip()
    if name in ID_TARGETS or name in EXTRA_TARGETS or _ATTR.fullmatch(name) or name in numbers.values():
        return ColumnMatch(column, name, 1.0, "canonical")
    role_hit = next((hit for t in texts for hit in _ROLE_HEADERS if _normalise(t) in hit[2]), None)
    if role == "identifying" or (role == "metadata" and (role_hit is None or role_hit[0] != "respondent_id")):
        return ColumnMatch(column, None, 0.0, "none", f"{role} column")
    if role_hit is not None:
        return ColumnMatch(column, role_hit[0], role_hit[1], "role")
    numbered = [(t, _parse_number(t)) for t in texts]
    parsed = next((p for _, p in numbered if p is not None), None)
    rests = [p[1] if p is not None else t for t, p in numbered]
    scores = _text_scores([c for r in rests for c in _text_candidates(r)], item_texts)
    text_id, text_conf, note = _best_text(scores)
    if any(_TEXT_ENTRY.search(t) for t in texts):
        item = numbers.get(parsed[0]) if parsed else (text_id if text_conf >= 0.6 else None)
        if item == "q02":
            return ColumnMatch(column, "q02_other", 0.85, "number" if parsed else "text", "text entry for Q2 'other'")
        return ColumnMatch(column, None, 0.0, "none", "text entry column" + (f" of {item}" if item else ""))
    if parsed is None or parsed[0] not in numbers:
        if text_id is None:
            return ColumnMatch(column, None, 0.0, "none", f"no question {parsed[0]} here" if parsed else "")
        return ColumnMatch(column, text_id, text_conf, "text", note)
    number, rest, prefixed = parsed
    item, own = numbers[number], scores.get(numbers[number], 0.0)
    if _rest_kind(rest) == "sub":
        if text_id is not None and text_conf >= 0.9:  # a matrix row (Qualtrics Q26_2) whose wording names the item
            return ColumnMatch(column, text_id, text_conf, "text", f"sub-column of Q{number} with {text_id}'s wording")
        if sub_counts[number] > 1:
            return ColumnMatch(column, item, 0.3, "number", f"one of {sub_counts[number]} sub-columns of Q{number}")
        return ColumnMatch(column, item, 0.75, "number", f"the only sub-column of Q{number}")
    if own >= 0.8:
        return ColumnMatch(column, item, 0.97, "number", "the wording confirms the number")
    if text_id is not None and text_id != item and text_conf >= 0.85:
        return ColumnMatch(column, text_id, 0.5, "text", f"the number says {item} but the wording is {text_id}'s")
    words = max((len(_normalise(r)) for r in rests if _rest_kind(r) == "text"), default=0)
    if words >= 25:  # a sentence beside the number that is not the item's wording
        return ColumnMatch(column, item, 0.8 if own >= 0.6 else 0.5, "number", "the wording differs from the item's")
    if words:
        return ColumnMatch(column, item, 0.7, "number", "the text beside the number is not recognised")
    if not prefixed and name.isdigit():
        return ColumnMatch(column, item, 0.55, "number", "a bare number: check that it is the question number")
    return ColumnMatch(column, item, 0.9, "number")


def _resolve_conflicts(matches: list[ColumnMatch]) -> list[ColumnMatch]:
    """Keep each target once: the most confident column wins (a tie caps it at 0.5)."""
    out = list(matches)
    claims: dict[str, list[int]] = {}
    for i, m in enumerate(matches):
        if m.target is not None:
            claims.setdefault(m.target, []).append(i)
    for target, indices in claims.items():
        if len(indices) < 2:
            continue
        first, *others = sorted(indices, key=lambda i: -matches[i].confidence)
        win, runner_up = matches[first], matches[others[0]]
        if runner_up.confidence >= win.confidence - 0.02 and win.reason != "canonical":
            note = "; ".join(filter(None, [f"tie with column '{runner_up.column}'", win.note]))
            out[first] = ColumnMatch(win.column, target, min(win.confidence, 0.5), win.reason, note)
        for i in others:
            out[i] = ColumnMatch(
                matches[i].column,
                None,
                matches[i].confidence,
                "conflict",
                f"{target} is taken by column '{win.column}' ({win.confidence:.2f})",
            )
    return out


def propose_mapping(
    columns: cabc.Sequence[str],
    instrument: Instrument,
    *,
    headers: cabc.Sequence[cabc.Sequence[str]] | cabc.Mapping[str, Any] | None = None,
    roles: cabc.Mapping[str, str] | None = None,
) -> tuple[ColumnMatch, ...]:
    """Propose a target for every file column.

    Parameters
    ----------
    columns : sequence of str
        The file's column names (e.g. ``raw.frame.columns``).
    instrument : Instrument
        The items: numbers and Norwegian and English wording.
    headers : sequence of sequences of str, optional
        Per column (in ``columns`` order, or a mapping by column name) the texts of each header
        row, e.g. Qualtrics' question-text row; all are used as evidence.
    roles : mapping, optional
        Column → ``"metadata"`` or ``"identifying"``. Such columns never map to items; a metadata
        id column may still be proposed as ``respondent_id``.

    Returns
    -------
    tuple of ColumnMatch
        One per column, in column order; each target at most once.
    """
    roles = roles or {}
    numbers = {item.number: item.id for item in instrument.items}
    item_texts = _item_texts(instrument)
    sub_counts = Counter(p[0] for c in columns if (p := _parse_number(str(c))) and _rest_kind(p[1]) == "sub")
    matches = [
        _match_column(str(c), _column_texts(str(c), headers, i), roles.get(str(c)), numbers, item_texts, sub_counts)
        for i, c in enumerate(columns)
    ]
    return tuple(_resolve_conflicts(matches))


def mapping_from_matches(matches: cabc.Iterable[ColumnMatch], *, min_confidence: float = 0.6) -> Mapping:
    """A :class:`Mapping` of the matches that have a target and at least ``min_confidence``."""
    return Mapping(columns={m.column: m.target for m in matches if m.target and m.confidence >= min_confidence})


def unmapped_items(mapping: Mapping, instrument: Instrument) -> tuple[str, ...]:
    """Ids of the instrument's items that no column maps to, in questionnaire order."""
    mapped = set(mapping.columns.values())
    return tuple(i for i in instrument.item_ids if i not in mapped)


def suggest_group(name: str) -> str:
    """Suggest the group of a case partner from its name.

    Rules, first hit wins, whole words only (so "Kommunikasjonsbyrået AS" is no municipality):

    1. "sosial virksomhet", "sosialt entreprenørskap", "social enterprise" → ``social_enterprise``;
    2. state and county bodies: NAV, stat/statlig, statsforvalter, direktorat, departement, fylke,
       fylkeskommune (a county is not the case's municipality), county → ``other``;
    3. kommune(n), kommunal, bydel, municipality, council, KF (kommunalt foretak) → ``municipality``;
    4. company forms AS, ASA, SA, BA, ANS, DA, NUF (upper case), stiftelse, foundation, ideell,
       forening, samvirke, andelslag → ``social_enterprise`` (the non-municipal partner here);
    5. gård, farm → ``other``; anything else → ``other``.
    """
    return next((group for group, pattern in _GROUP_RULES if pattern.search(name)), "other")


def propose_cases(values: cabc.Iterable[str]) -> dict[str, tuple[str, str]]:
    """Distinct non-blank answers (e.g. to Q1), first-seen order → (answer stripped, suggested group)."""
    out: dict[str, tuple[str, str]] = {}
    for value in map(str, values):
        if value.strip() and value not in out:
            out[value] = (value.strip(), suggest_group(value))
    return out


def mapping_to_yaml(mapping: Mapping) -> str:
    """The mapping as YAML text, read back by :func:`mapping_from_yaml`."""
    data = {
        "schema_version": 1,
        "columns": dict(mapping.columns),
        "value_codes": {c: dict(codes) for c, codes in mapping.value_codes.items()},
        "missing_codes": {c: list(v) for c, v in mapping.missing_codes.items()},
        "not_relevant_codes": {c: list(v) for c, v in mapping.not_relevant_codes.items()},
        "cases": {a: {"case": case, "group": group} for a, (case, group) in mapping.cases.items()},
        "case_source": mapping.case_source,
        "drop_incomplete": mapping.drop_incomplete,
        "respondent_id_source": mapping.respondent_id_source,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def mapping_from_yaml(text: str, source: str = "mapping.yaml", *, instrument: Instrument | None = None) -> Mapping:
    """Read a mapping file written by :func:`mapping_to_yaml` or by hand.

    Parameters
    ----------
    text : str
        The YAML text.
    source : str
        The file name for error messages.
    instrument : Instrument, optional
        Item targets are checked against its ids; without it, against ``q01`` … ``q82``.

    Raises
    ------
    ConfigError
        For invalid YAML, unknown keys or targets, a group other than municipality /
        social_enterprise / other, or a value of the wrong type; the error names the key.
    """
    reader = YamlReader(source)
    data = reader.parse(text) if text.strip() else {}
    if unknown := [k for k in data if k not in _YAML_KEYS]:
        raise reader.fail(str(unknown[0]), f"unknown key (known: {', '.join(_YAML_KEYS)})")
    if data.get("schema_version", 1) != 1:
        raise reader.fail("schema_version", f"must be 1, got {data['schema_version']!r}")

    def text_of(value: Any, key: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise reader.fail(key, f"{value!r} must be text (put quotes around it)")
        return str(value)

    def section(name: str, kind: type = object, problem: str = "") -> dict[str, Any]:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            raise reader.fail(name, "must be a mapping")
        for col, entry in value.items():
            if not isinstance(entry, kind):
                raise reader.fail(f"{name}.{col}", problem)
        return {text_of(k, name): v for k, v in value.items()}

    def code_of(value: Any, key: str) -> float | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise reader.fail(key, f"must be a number or null, got {value!r}")
        return None if value is None else float(value)

    def valid(target: str) -> bool:
        if target in ID_TARGETS or target in EXTRA_TARGETS or _ATTR.fullmatch(target):
            return True
        if instrument is not None:
            return target in instrument.item_ids
        return (m := _ITEM_ID.fullmatch(target)) is not None and 1 <= int(m.group(1)) <= ITEM_COUNT

    columns = section("columns", str, "the target must be text")
    if bad := next((col for col, target in columns.items() if not valid(target)), None):
        raise reader.fail(f"columns.{bad}", f"unknown target {columns[bad]!r}")
    value_codes = {
        col: {text_of(k, f"value_codes.{col}"): code_of(v, f"value_codes.{col}.{k}") for k, v in codes.items()}
        for col, codes in section("value_codes", dict, "must be a mapping of raw value → code").items()
    }
    lists = {
        name: {
            col: tuple(text_of(v, f"{name}.{col}") for v in values)
            for col, values in section(name, list, "must be a list of values").items()
        }
        for name in ("missing_codes", "not_relevant_codes")
    }
    cases = {}
    for answer, spec in section("cases").items():
        case, group = (reader.get(spec, name, f"cases.{answer}", str) for name in ("case", "group"))
        if not case.strip():
            raise reader.fail(f"cases.{answer}.case", "must not be empty")
        if group not in GROUPS:
            raise reader.fail(f"cases.{answer}.group", f"must be one of {', '.join(GROUPS)}, got {group!r}")
        cases[answer] = (case, group)
    if not isinstance(drop := data.get("drop_incomplete", False), bool):
        raise reader.fail("drop_incomplete", f"must be true or false, got {drop!r}")
    case_source, id_source = (
        None if data.get(k) is None else text_of(data[k], k) for k in ("case_source", "respondent_id_source")
    )
    return Mapping(
        columns=columns,
        value_codes=value_codes,
        missing_codes=lists["missing_codes"],
        not_relevant_codes=lists["not_relevant_codes"],
        cases=cases,
        case_source=case_source,
        drop_incomplete=drop,
        respondent_id_source=id_source,
    )
