"""Fuzzing the import: small random exports through read_table, the column mapping and validation.

Each example is a CSV with random header variants for a few items (``Q26``, ``spm26``, the
item's wording, cut-off wording, junk …), id, case and group columns, and random cells (codes,
labels in both languages with odd case and spacing, decimal commas, out-of-range numbers,
formulas, control characters, very long and arbitrary Unicode text), written with a random
delimiter and encoding, sometimes under a title row and with a SurveyXact labels file. It is
imported twice: with the proposed mapping (``load_survey``) and with the mapping the generator
intended (``validate``), which may add value, missing and not-relevant codes, a case map, an
explicit id column, dropping of incomplete responses and a second column on one item.

Properties: nothing but :class:`DataFileError` (with a one-line message) is raised; every
mapped item cell either keeps its plainly read value or is covered by an issue; every canonical
number is within the item's range; every row number in the report is a data row of the file.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import re

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from samskaping.errors import DataFileError
from samskaping.importing import RawTable, read_table
from samskaping.instrument import load_instrument
from samskaping.loading import load_survey
from samskaping.mapping import Mapping
from samskaping.recoding import MISSING_TOKENS
from samskaping.validation import Validated, validate
from tests import test_hostile_files as corpus

FULL_INSTRUMENT = load_instrument()
# Validation builds one report chunk and one data column per instrument item (about 2 ms each),
# so a tiny file costs ~0.2 s with all 82 items. The fuzz runs on a sub-instrument with every
# response format and some neighbouring question numbers; headers are drawn from all 82 items,
# so numbers and wordings of items outside it must map to nothing.
FUZZ_ITEMS = ("q01", "q02", "q03", "q04", "q06", "q07", "q26", "q27", "q69", "q70", "q71", "q82")
INSTRUMENT = dataclasses.replace(FULL_INSTRUMENT, items=tuple(FULL_INSTRUMENT.item(i) for i in FUZZ_ITEMS))
ITEMS = INSTRUMENT.item_ids
# A number as anyone would read it: ASCII digits, optional sign, decimal point and exponent.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _examples() -> int:
    """The profile's number of examples, and at least 500 on the CI profile or under ``CI=true``."""
    configured = settings.default.max_examples
    on_ci = os.environ.get("HYPOTHESIS_PROFILE") == "ci" or os.environ.get("CI") == "true"
    return max(configured, 500) if on_ci else configured


@dataclasses.dataclass(frozen=True)
class Spec:
    """A generated export: columns as (header, intended target), rows of cells, how it is written.

    The other fields shape the intended mapping: ``case_by_q01`` adds a saved case map over the
    Q1 column (when there is one), which wins over the case column;
    ``codes`` are (kind, item, raw value, code) with kind ``value``, ``missing`` or
    ``not_relevant``; ``id_source`` names the id column as ``respondent_id_source`` instead of
    mapping it; ``junk_target`` maps the columns without a target to that item as well.
    ``title`` is a row written above the header; ``labels`` are (variable, code, label) rows of
    a SurveyXact ``labels.csv`` given alongside.
    """

    columns: tuple[tuple[str, str | None], ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str = ","
    encoding: str = "utf-8"
    case_by_q01: bool = False
    codes: tuple[tuple[str, str, str, float | None], ...] = ()
    drop_incomplete: bool = False
    id_source: bool = False
    junk_target: str | None = None
    title: str | None = None
    labels: tuple[tuple[str, str, str], ...] = ()

    def companions(self) -> dict[str, bytes] | None:
        if not self.labels:
            return None
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(self.labels)
        return {"labels.csv": buffer.getvalue().encode("utf-8")}

    def content(self) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        if self.title is not None:
            writer.writerow([self.title])
        writer.writerow([h for h, _ in self.columns])
        writer.writerows(self.rows)
        text = buffer.getvalue()
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError:
            return text.encode("utf-8")


# --- strategies ----------------------------------------------------------------------------------

JUNK_HEADERS = [
    "",
    " ",
    "Kommentar",
    "Finished",
    "Email",
    "IP Address",
    "StartDate",
    "Q999",
    "Q0",
    "0",
    "Response",
    '{"ImportId":"QID1"}',
    "q02_other",
    "attr_sector",
    "=1+1",
]
MISSING_CELLS = ["", " ", "NA", "na", "N/A", "n/a", "#N/A", "null", "None", ".", "nan", "-", "?", "\t"]
ODD_NUMBERS = [
    "0", "-1", "-0", "6", "101", "100.5", "1e9", "1e400", "-1e400", "inf", "Infinity", "NaN", "3.0", "03",
    "+4", "4.", ".5", "1_000", "0x10", "٣", "３", "³", "3,0", "12,5", "1.000,5", "1 000", "3;4", "3\n4",
]  # fmt: skip
FORMULAS = ["=1+1", "=SUM(A1:A3)", "+1", "@1", '=HYPERLINK("http://x","y")', "-2+3", "=3"]
LONG = ["5" * 3000, "Helt enig " * 400, "x" * 20_000]


def _styled(text: str) -> st.SearchStrategy[str]:
    """A label with random case and spacing, as people and tools write them."""
    return st.sampled_from(
        [text, text.upper(), text.lower(), text.title(), f"  {text} ", text.replace(" ", "  "), text + "."]
    )


def _labels(item_id: str) -> list[str]:
    fmt = FULL_INSTRUMENT.format_of(item_id)
    texts = [t for label in fmt.labels.values() for t in (label.nb, label.en)]
    return texts + [a for aliases in fmt.aliases.values() for a in aliases]


def _cell(item_id: str | None) -> st.SearchStrategy[str]:
    """Any cell an export may hold in a column of ``item_id`` (None: any column)."""
    anything = st.one_of(
        st.sampled_from(MISSING_CELLS),
        st.sampled_from(ODD_NUMBERS),
        st.sampled_from(FORMULAS),
        st.sampled_from(LONG),
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
        st.one_of(  # control characters (NUL-free); many of them make the file "binary", a DataFileError
            st.text(st.characters(min_codepoint=1, max_codepoint=31), min_size=1, max_size=3),
            st.builds(
                lambda a, b: a + b, st.sampled_from(["3", "Helt enig", "12,5"]), st.sampled_from(["\x01", "\x7f"])
            ),
        ),
    )
    if item_id is None:
        return anything
    fmt = FULL_INSTRUMENT.format_of(item_id)
    if not fmt.numeric:
        return st.one_of(st.text(max_size=30), anything)
    low, high = fmt.valid_range()
    valid = st.integers(int(low), int(high)).map(str)
    if not fmt.integer and fmt.kind == "scale":
        reals = st.floats(low, high, allow_nan=False).map(lambda x: f"{round(x, 2):g}")
        valid = st.one_of(valid, reals, reals.map(lambda s: s.replace(".", ",")))
    labels = st.sampled_from(_labels(item_id)).flatmap(_styled) if _labels(item_id) else valid
    return st.one_of(valid, valid, labels, anything)


def _header(item_id: str) -> st.SearchStrategy[str]:
    item = FULL_INSTRUMENT.item(item_id)
    n = item.number
    texts = [item.text.nb, item.text.en]
    cut = st.sampled_from(texts).flatmap(lambda t: st.integers(5, len(t)).map(lambda k: t[:k]))
    return st.one_of(
        st.sampled_from([f"Q{n}", f"q{n}", f"{n}.", f"spm{n}", f"Spørsmål {n}", f"s_{n}", f"Q{n}_1", f" q{n:02d} "]),
        st.sampled_from(texts),
        st.sampled_from(texts).map(str.upper),
        cut,
        st.text(max_size=12),
    )


@st.composite
def specs(draw) -> Spec:
    # (header, intended target, what the cells hold); items outside the sub-instrument have no target.
    items = draw(st.lists(st.sampled_from(ITEMS * 4 + FULL_INSTRUMENT.item_ids), min_size=1, max_size=6, unique=True))
    columns = [(draw(_header(i)), i if i in ITEMS else None, i) for i in items]
    if draw(st.booleans()):
        columns.append(
            (draw(st.sampled_from(["respondent_id", "ID", "Respondent ID", "$submission_id"])), "respondent_id", None)
        )
    columns.append((draw(st.sampled_from(["case", "Case", "Casenavn"])), "case", None))
    columns.append((draw(st.sampled_from(["group", "Gruppe", "Sektor"])), "group", None))
    for _ in range(draw(st.integers(0, 2))):
        columns.append((draw(st.one_of(st.sampled_from(JUNK_HEADERS), st.text(max_size=8))), None, None))
    columns = draw(st.permutations(columns))
    values = {
        "respondent_id": st.one_of(st.sampled_from(["R1", "R2", "R3", "", " "]), st.text(max_size=6)),
        "case": st.one_of(st.sampled_from(["Case A", "Case B", "", "  Case A "]), st.text(max_size=6)),
        "group": st.one_of(
            st.sampled_from(["municipality", "social_enterprise", "other", "Kommune", "SE", "banana", ""]),
            st.text(max_size=6),
        ),
    }
    cells = [values[t] if t in values else _cell(source) for _, t, source in columns]
    rows = draw(st.lists(st.tuples(*cells), min_size=1, max_size=5))
    mapped = [t for _, t, _ in columns if t in ITEMS and INSTRUMENT.format_of(t).numeric]
    codes = []
    if mapped:
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(mapped))
            raw = draw(
                st.one_of(st.sampled_from([r[[t for _, t, _ in columns].index(target)] for r in rows]), _cell(target))
            )
            code = draw(st.one_of(st.none(), st.sampled_from([1.0, 2.0, 3.0, 5.0, 7.0, 0.0, -1.0, 2.5, 100.0])))
            codes.append((draw(st.sampled_from(["value", "missing", "not_relevant"])), target, raw, code))
    labels = []
    named = [(h, source) for h, _, source in columns if source and re.fullmatch(r"[A-Za-z][\w.]*", h)]
    if named and draw(st.booleans()):  # a SurveyXact labels.csv for a column named like a variable
        header, source = draw(st.sampled_from(named))
        texts = _labels(source) or ["Ja", "Nei"]
        for code in draw(
            st.lists(st.sampled_from(["1", "2", "3", "4", "5", "-1", "99", "0"]), min_size=1, unique=True)
        ):
            labels.append((header, code, draw(st.one_of(st.sampled_from(texts), st.text(max_size=8)))))
    return Spec(
        columns=tuple((header, target) for header, target, _ in columns),
        rows=tuple(rows),
        delimiter=draw(st.sampled_from([",", ";", "\t"])),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
        case_by_q01=draw(st.booleans()),
        codes=tuple(codes),
        drop_incomplete=draw(st.booleans()),
        id_source=draw(st.booleans()),
        junk_target=draw(st.one_of(st.none(), st.sampled_from(ITEMS))),
        title=draw(st.one_of(st.none(), st.just(""), st.sampled_from(["Survey results 2018", "Svar"]))),
        labels=tuple(labels),
    )


# --- properties ----------------------------------------------------------------------------------


def _plain(text: str, numeric: bool) -> float | str | None:
    """The value a cell plainly holds: blank → None; a missing token on a numeric item → None
    (on a free-text item "NA" or "None" may be what someone wrote, so it stays text);
    a number → its float."""
    text = text.strip()
    if not numeric:
        return text or None
    if text.lower() in MISSING_TOKENS:
        return None
    return float(text) if PLAIN_NUMBER.fullmatch(text) else math.nan  # nan: no plain value


def _same(canonical: object, plain: float | str | None) -> bool:
    missing = canonical is None or canonical is pd.NA or (isinstance(canonical, float) and math.isnan(canonical))
    if plain is None:
        return missing
    if isinstance(plain, float):
        return not missing and not math.isnan(plain) and float(canonical) == plain  # type: ignore[arg-type]
    return not missing and canonical == plain


def _check(raw: RawTable, mapping: Mapping, validated: Validated) -> str:
    """Check the properties; say how many item cells were compared (for the statistics)."""
    data, issues = validated.data, validated.report.issues
    first, n = raw.first_data_row, len(raw.frame)
    rows = issues["row"].dropna().astype(int)
    assert rows.between(first, first + n - 1).all(), (first, n, sorted(set(rows)))
    assert set(data.index) <= set(range(first, first + n))
    per_cell = {(int(r), c) for r, c in zip(issues["row"], issues["column"], strict=True) if r is not pd.NA}
    checked = 0
    per_value = {(c, v) for r, c, v in zip(issues["row"], issues["column"], issues["value"], strict=True) if r is pd.NA}
    left_out = set(issues.loc[issues["code"] == "duplicate_column", "column"])  # the whole column, by name
    for column, target in mapping.columns.items():
        if target not in ITEMS or column not in raw.frame.columns:
            continue
        fmt = INSTRUMENT.format_of(target)
        for row in data.index:
            cell = str(raw.frame[column].iloc[row - first])
            canonical = data.at[row, target]
            checked += 1
            if _same(canonical, _plain(cell, fmt.numeric)):
                continue
            covered = (
                column in left_out
                or (row, column) in per_cell
                or (column, cell) in per_value
                or (column, cell.strip()) in per_value
            )
            assert covered, f"row {row} {column!r} → {target}: {cell[:40]!r} became {canonical!r} without an issue"
        if fmt.numeric:
            values = data[target].to_numpy(dtype=float)
            low, high = fmt.valid_range()
            present = values[~np.isnan(values)]
            assert ((present >= low) & (present <= high)).all(), (target, present)
            if fmt.integer or fmt.kind == "choice":
                assert (present == np.round(present)).all(), (target, present)
    return "no" if not checked else "1-5" if checked <= 5 else "6+"


def _one_line(error: DataFileError) -> None:
    message = str(error)
    assert message.strip() and "\n" not in message and "\r" not in message, repr(message)


def _intended(spec: Spec, raw: RawTable) -> Mapping:
    """The mapping the generator meant, by header text, on the columns as read."""
    wanted = {header.strip(): target or spec.junk_target for header, target in spec.columns}
    columns = {c: wanted[c] for c in raw.frame.columns if wanted.get(c)}
    by_target = {t: c for c, t in columns.items()}
    extra: dict = {"drop_incomplete": spec.drop_incomplete}
    for kind, target, value, code in spec.codes:
        if target in by_target:
            column = by_target[target]
            if kind == "value":
                extra.setdefault("value_codes", {}).setdefault(column, {})[value.strip()] = code
            else:
                extra.setdefault(f"{kind}_codes", {}).setdefault(column, ())
                extra[f"{kind}_codes"][column] += (value,)
    if spec.id_source and "respondent_id" in by_target:
        extra["respondent_id_source"] = by_target["respondent_id"]
        columns = {c: t for c, t in columns.items() if t != "respondent_id"}
    if spec.case_by_q01 and "q01" in by_target:
        q01 = by_target["q01"]
        answers = sorted(set(raw.frame[q01].str.strip()) - {""})
        groups = ("municipality", "social_enterprise", "other")
        extra["cases"] = {a: (f"Case {k % 3}", groups[k % 3]) for k, a in enumerate(answers)}
        extra["case_source"] = q01  # the case and group columns stay mapped: the explicit map wins
    return Mapping(columns=columns, **extra)


def _import(spec: Spec, record=event) -> None:
    content, name = spec.content(), "export.csv"
    try:
        loaded = load_survey(name, INSTRUMENT, data=content, companions=spec.companions())
    except DataFileError as error:
        _one_line(error)
        record("proposed mapping: refused")
    else:
        record(f"proposed mapping: {_check(loaded.raw, loaded.mapping, loaded.validated)} cells checked")
    try:
        raw = read_table(name, content, companions=spec.companions())
    except DataFileError as error:
        _one_line(error)
        return
    if raw.value_labels:
        record("file's own value labels")
    mapping = _intended(spec, raw)
    try:
        validated = validate(raw, INSTRUMENT, mapping)
    except DataFileError as error:
        _one_line(error)
        record("intended mapping: refused")
        return
    record(f"intended mapping: {_check(raw, mapping, validated)} cells checked")


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=specs())
# A plain, valid export: both mappings read it.
@example(
    spec=Spec(
        columns=(("Q26", "q26"), ("case", "case"), ("group", "group")),
        rows=(("Helt enig", "Case A", "municipality"), ("3", "Case A", "other")),
    )
)
# Regression: three columns mapped to q01 — the last silently won, the others were reported as
# "maps to no item" (validation.py now uses the first and reports the others as duplicate_column).
@example(
    spec=Spec(
        columns=(("Q1", "q01"), ("Q3", "q03"), ("Q8", None), ("Q28", None), ("case", "case"), ("group", "group")),
        rows=(("", "", "1", "2", "Case A", "municipality"),),
        junk_target="q01",
    )
)
def test_import_never_loses_a_cell(spec: Spec) -> None:
    _import(spec)


# --- regressions found while fuzzing, as plain tests ---------------------------------------------


def _small_table() -> RawTable:
    content = "Nr;Q26;Spm 26;case;group\r\nA1;Helt enig;1;Case A;municipality\r\nA2;2;3;Case A;other\r\n"
    return read_table("small.csv", content.encode("utf-8"))


def test_respondent_id_source_names_the_respondents() -> None:
    """A saved mapping's ``respondent_id_source`` is where the ids come from (it was ignored)."""
    raw = _small_table()
    mapping = Mapping(columns={"Q26": "q26", "case": "case", "group": "group"}, respondent_id_source="Nr")
    validated = validate(raw, INSTRUMENT, mapping)
    assert list(validated.data["respondent_id"]) == ["A1", "A2"]
    issues = validated.report.issues
    assert "Nr" not in set(issues["column"])  # used, so not reported as a column left out
    # A source missing from the file: respondents are named by their row, as without an id column.
    other = validate(raw, INSTRUMENT, dataclasses.replace(mapping, respondent_id_source="Löpnr"))
    assert list(other.data["respondent_id"]) == ["row2", "row3"]


def test_two_columns_on_one_item_are_reported() -> None:
    """The first column mapped to an item is used; every other one is an error, by name and count."""
    raw = _small_table()
    mapping = Mapping(columns={"Q26": "q26", "Spm 26": "q26", "case": "case", "group": "group"})
    validated = validate(raw, INSTRUMENT, mapping)
    assert list(validated.data["q26"]) == [5.0, 2.0]
    issues = validated.report.issues
    left_out = issues[issues["column"] == "Spm 26"]
    assert list(left_out["code"]) == ["duplicate_column"] and list(left_out["severity"]) == ["error"]
    assert int(left_out["count"].iloc[0]) == 2 and left_out["row"].isna().all()
    assert not validated.report.ok


def test_explicit_case_map_wins_over_a_case_column() -> None:
    """A saved case map (``case_source`` + ``cases``) is used even when a column maps to ``case``."""
    raw = _small_table()
    cases = {"A1": ("Case A", "municipality"), "A2": ("Case B", "social_enterprise")}
    mapping = Mapping(columns={"Q26": "q26", "case": "case"}, cases=cases, case_source="Nr")
    validated = validate(raw, INSTRUMENT, mapping)
    assert list(validated.data["case"]) == ["Case A", "Case B"]
    assert list(validated.data["group"]) == ["municipality", "social_enterprise"]


# --- raw bytes: mutated workbooks and text tables ------------------------------------------------
#
# A damaged workbook can make the native reader (calamine) abort the whole process, so each
# workbook example is read in a forked child with a memory limit and a timeout; the parent sees
# how it ended. Text tables are read in-process (Python and pandas only).


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_forked(function, *args, timeout: float = 30.0, memory: int = 3 << 30) -> tuple[str, object]:
    """``function(*args)`` in a forked child allowed ``memory`` more bytes of address space.

    The allowance is generous (Arrow's allocator reserves address space ahead) but stops the
    runaway allocations a damaged workbook can ask for (hundreds of gigabytes).

    Returns ``("ok", result)``, ``("refused", message)`` for a DataFileError, ``("exception", text)``
    for any other exception, ``("crash", status)`` when the child died, ``("timeout", seconds)``.
    """
    import pickle
    import resource
    import select
    import signal
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            limit = _address_space() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            try:
                outcome: tuple[str, object] = ("ok", function(*args))
            except DataFileError as exc:
                outcome = ("refused", str(exc))
            except BaseException as exc:  # reported to the parent
                outcome = ("exception", f"{type(exc).__name__}: {exc}"[:500])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read_end, "rb") as pipe:
        while (remaining := deadline - time.monotonic()) > 0:
            if not select.select([pipe], [], [], remaining)[0]:
                continue
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", timeout
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return "crash", status
    return pickle.loads(b"".join(chunks))


def _read_shape(name: str, content: bytes) -> tuple[int, int]:
    """Import through the proposed mapping when something maps, else only read: the table's shape."""
    raw = read_table(name, content)
    try:
        load_survey(name, INSTRUMENT, data=content)
    except DataFileError as error:
        _one_line(error)
    return raw.frame.shape


# Snippets a damaged or hostile workbook part may hold: any part, xlsx sheets, ods content.
SNIPPETS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"&#0;", b"&#x1F600;", b"\x00", b"\xff\xfe", b"\xc3",
    b"<![CDATA[<c>]]>", b"<!-- <c r='XFD1'> -->", b"<?pi x?>", b'<sheet name="Svar" sheetId="2" r:id="rId1"/>',
    b'<sheet name="" sheetId="1" r:id="rId99"/>', b'state="hidden"', b'Target="../../../../etc/passwd"',
    b'Target="worksheets/sheet1.xml"', b'<Relationship Id="rId1" Type="x" Target="x"/>', b"<si><t>x</t></si>",
    b"<si/>", b"<",
]  # fmt: skip
SHEET_SNIPPETS = [
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A1048577"><v>1</v></c>', b'<c r="ZZZZ1"><v>1</v></c>',
    b'<c r="A0"><v>1</v></c>', b'<c r="$B$2"><v>2</v></c>', b'<c r="xfd9"><v>2</v></c>', b'<c r="AB12"><v>3</v></c>',
    b'<row r="1048577"><c><v>1</v></c></row>', b'<row r="0">', b'<row r="900000"><c><v>1</v></c></row>',
    b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>', b"<c><v>1</v></c>" * 40, b"<c><v>1</v></c>",
    b'<c r="A2" t="s"><v>99999</v></c>', b'<c r="B2" t="e"><v>#REF!</v></c>', b'<c r="C2" t="d"><v>x</v></c>',
    b'<c r="D2" t="n"><v>1e400</v></c>', b'<c r="E2" t="b"><v>2</v></c>', b'<c r="E3" t="n"><v>NaN</v></c>',
    b'<c r="D3"><f>HYPERLINK("http://127.0.0.1:9/x")</f></c>', b'<x:c r="XFD5"><x:v>1</x:v></x:c>',
    b'<c s="1" r="XFD7"><v>1</v></c>', b"</sheetData>", b"</row><row>",
]  # fmt: skip
ODS_SNIPPETS = [
    b' table:number-rows-repeated="1048576"', b' table:number-columns-repeated="20000"',
    b' table:number-rows-repeated="&#49;000000"', b' table:number-columns-repeated="4294967296"',
    b'<table:table-cell office:value-type="float" office:value="nan"/>',
    b'<table:table-cell table:number-columns-repeated="9000"><text:p>x</text:p></table:table-cell>',
    b'<table:table-row table:number-rows-repeated="3"/>', b'<table:table table:name="Svar">',
    b"</table:table-row><table:table-row>", b'<table:covered-table-cell table:number-columns-repeated="6000"/>',
]  # fmt: skip


@st.composite
def mutated_workbooks(draw) -> tuple[str, bytes]:
    """A small xlsx or ods, its XML parts and its zip structure damaged in random ways."""
    ods = draw(st.booleans())
    rows = [corpus.HEADER, *corpus.ROWS]
    if ods:
        manifest = b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
        parts = {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": manifest,
            "content.xml": corpus.ods_content(rows),
        }
    else:
        parts = corpus.workbook_parts(rows)
    names = list(parts)
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        table = "content.xml" if ods else "xl/worksheets/sheet1.xml"
        part = draw(st.sampled_from([*names, table, table, table]))  # mostly the table
        data = parts[part]
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):  # at a tag boundary, so the XML more often stays well-formed
            ends = [k + 1 for k, byte in enumerate(data) if byte == ord(">")]
            at = ends[at % len(ends)] if ends else at
            if ods and draw(st.booleans()):  # inside the tag: attributes
                at -= 1
        kind = draw(st.sampled_from(["insert", "insert", "insert", "delete", "replace", "duplicate"]))
        if kind == "insert":
            special = ODS_SNIPPETS if ods else SHEET_SNIPPETS
            snippet = st.one_of(st.sampled_from(special), st.sampled_from(SNIPPETS), st.binary(max_size=8))
            data = data[:at] + draw(snippet) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif kind == "replace":
            piece = draw(st.binary(min_size=1, max_size=8))
            data = data[:at] + piece + data[at + len(piece) :]
        else:
            data = data[:at] + data[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 50)) + data[at:]
        parts[part] = data
    if draw(st.integers(0, 3)) == 0:  # drop, duplicate or rename a part
        part = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["drop", "duplicate", "rename"]))
        if action == "drop":
            parts.pop(part)
        elif action == "duplicate":
            parts[part + "/../" + part.rsplit("/", 1)[-1]] = parts[part]
        else:
            parts[draw(st.sampled_from(["xl/worksheets/sheet2.xml", "XL/WORKBOOK.XML", "content.XML", "x"]))] = (
                parts.pop(part)
            )
    members = [
        corpus.member(n, d, method=0 if n == "mimetype" else draw(st.sampled_from([0, 8, 8]))) for n, d in parts.items()
    ]
    declared = {}
    if draw(st.integers(0, 4)) == 0:
        m = draw(st.sampled_from(members))
        declared[m.name] = draw(st.sampled_from([0, 1, m.size - 1, m.size + 1, 2**31, 2**32 - 1]))
    content = corpus.zip_archive(members, declared=declared)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # bytes of the archive itself
        at = draw(st.integers(0, len(content) - 1))
        kind = draw(st.sampled_from(["flip", "truncate", "insert"]))
        if kind == "flip":
            content = content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
        elif kind == "truncate":
            content = content[: max(at, 4)]
        else:
            content = content[:at] + draw(st.binary(min_size=1, max_size=16)) + content[at:]
    return ("svar.ods" if ods else "svar.xlsx"), content


def _ended_well(outcome: tuple[str, object]) -> None:
    kind, detail = outcome
    assert kind in ("ok", "refused"), outcome  # no other exception, no crash, no timeout
    if kind == "refused":
        assert isinstance(detail, str) and detail.strip() and "\n" not in detail and "\r" not in detail, detail
    event(f"{kind}: {str(detail)[:40]}" if kind == "refused" else "read")


def _with_declaration(part: str, declaration: bytes) -> tuple[str, bytes]:
    parts = corpus.workbook_parts()
    parts[part] = parts[part].replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', declaration)
    return "svar.xlsx", corpus.xlsx(parts)


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(workbook=mutated_workbooks())
# Regression: an unknown encoding in an XML declaration made defusedxml raise LookupError (not a DataFileError).
@example(workbook=_with_declaration("[Content_Types].xml", b'<?xml version="1.0" encoding="yes"?>'))
@example(workbook=_with_declaration("xl/worksheets/sheet1.xml", b'<?xml version="1.0" encoding="utf-32"?>'))
def test_mutated_workbook_is_read_or_refused(workbook: tuple[str, bytes]) -> None:
    """Any damage to an xlsx or ods ends in a table or a one-line DataFileError, in bounded memory and time."""
    name, content = workbook
    _ended_well(run_forked(_read_shape, name, content))


def _mutated_text(draw) -> bytes:
    base = "respondent_id;case;group;Q26;Q14\r\nR1;Case A;municipality;4;Fint\r\nR2;Case B;other;Helt enig;«ok»\r\n"
    data = base.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(data)))
        piece = draw(
            st.one_of(
                st.sampled_from([b"\x00", b'"', b'""', b"\r", b"\n", b";", b",", b"\t", b"\xef\xbb\xbf", b"\xff\xfe",
                                 b"\xc3", b"\xf8", b"\x81", b"=cmd|' /C calc'!A0", b"\x1a", b"\\", b"x" * 140_000]),
                st.binary(max_size=12),
            )
        )  # fmt: skip
        data = data[:at] + piece + data[at + draw(st.integers(0, 3)) :]
    return data


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=st.one_of(st.builds(bytes, st.binary(max_size=300)), st.composite(_mutated_text)()))
@example(content=b"Q26,case,group\r\n1,A,municipality\r\n" + b'x,"' + b"y" * 140_000 + b'",z,extra\r\n')
def test_any_text_bytes_are_read_or_refused(content: bytes) -> None:
    """Any bytes named .csv end in a table or a one-line DataFileError (read and mapped in-process).

    The example: a ragged row with a cell over 131,072 characters made Python's csv module stop
    ("field larger than field limit"), refusing the file.
    """
    try:
        shape = _read_shape("svar.csv", content)
    except DataFileError as error:
        _one_line(error)
        event("refused")
    else:
        event("read")
        assert shape[0] >= 1


# --- the workbook check's extent is never smaller than what calamine builds ------------------------


@st.composite
def sheets(draw) -> bytes:
    """A worksheet of cells written in every form calamine takes: plain, absolute, lower-case and missing
    references, the reference after other attributes, a namespace prefix, empty styled cells; with a
    true, false or no ``<dimension>``."""
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        number = draw(st.one_of(st.none(), st.integers(1, 3000)))
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            column, row = draw(st.integers(1, 300)), draw(st.integers(1, 3000))
            letters = corpus.column_letters(column)
            reference = draw(
                st.sampled_from([f"{letters}{row}"] * 6 + [f"${letters}${row}", f"{letters.lower()}{row}", None, None])
            )
            form = draw(st.sampled_from(["plain"] * 5 + ["late", "prefixed", "empty", "empty"]))
            at = f' r="{reference}"' if reference else ""
            if form == "plain":
                cells.append(f"<c{at}><v>1</v></c>")
            elif form == "late":
                cells.append(f'<c s="0"{at}><v>1</v></c>')
            elif form == "prefixed":
                cells.append(f"<x:c{at}><x:v>1</x:v></x:c>")
            else:
                cells.append(f'<c{at} s="0"/>')
        rows.append((f'<row r="{number}">' if number else "<row>") + "".join(cells) + "</row>")
    dimension = draw(st.sampled_from(["", '<dimension ref="A1:B2"/>', '<dimension ref="A1:KN3000"/>']))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{corpus.MAIN}" xmlns:x="{corpus.MAIN}">'
        f"{dimension}<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow])
@given(sheet=sheets(), limits=st.sampled_from([(10**7, 10**5), (3500, 10**5), (10**7, 310), (3100, 305)]))
# Regression: under <dimension ref="A1:B2"> a cell in A3 was not seen (the quick pattern let any one-digit row pass).
@example(
    sheet=(
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{corpus.MAIN}"><dimension ref="A1:B2"/><sheetData>'
        '<row></row><row></row><row><c r="A3"><v>1</v></c></row></sheetData></worksheet>'
    ).encode(),
    limits=(10**7, 10**5),
)
def test_workbook_check_sees_at_least_what_calamine_builds(sheet: bytes, limits: tuple[int, int]) -> None:
    """The extent the check returns bounds calamine's sheet, so the limits it guards cannot be slipped past.

    Limits just above the dimension's (3 000 rows, column KN = 300) make the check use its exact pattern.
    """
    import io

    import python_calamine

    from samskaping.file_safety import check_workbook

    content = corpus.xlsx(corpus.workbook_parts(sheet=sheet))
    row_limit, column_limit = limits
    rows, columns = check_workbook(content, "svar.xlsx", row_limit, column_limit, 10**12)
    if rows > row_limit or columns > column_limit:
        event("over the limits: refused")
        return
    try:
        built = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Svar")
    except python_calamine.CalamineError:
        event("calamine refuses")
        return
    if built.end is None:
        event("empty")
        return
    event("compared")
    assert rows >= built.end[0] + 1 and columns >= built.end[1] + 1, ((rows, columns), built.end)


@st.composite
def ods_tables(draw) -> bytes:
    """``content.xml`` with rows and cells repeated, valued, empty and covered, over one or two tables."""
    tables = []
    for _ in range(draw(st.integers(1, 2))):
        rows = []
        for _ in range(draw(st.integers(0, 6))):
            cells = []
            for _ in range(draw(st.integers(0, 5))):
                repeat = draw(st.sampled_from(["", ' table:number-columns-repeated="{}"'])).format(
                    draw(st.integers(1, 40))
                )
                kind = draw(st.sampled_from(["value", "text", "empty", "covered", "typed-empty"]))
                if kind == "value":
                    cells.append(f'<table:table-cell{repeat} office:value-type="float" office:value="1"/>')
                elif kind == "text":
                    cells.append(f"<table:table-cell{repeat}><text:p>x</text:p></table:table-cell>")
                elif kind == "empty":
                    cells.append(f"<table:table-cell{repeat}/>")
                elif kind == "covered":
                    cells.append(f"<table:covered-table-cell{repeat}/>")
                else:
                    cells.append(f'<table:table-cell{repeat} office:value-type="string"></table:table-cell>')
            repeat = draw(st.sampled_from(["", ' table:number-rows-repeated="{}"'])).format(draw(st.integers(1, 60)))
            rows.append(f"<table:table-row{repeat}>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="T{len(tables)}">{"".join(rows)}</table:table>')
    head = corpus.ODS_HEAD.format(prolog="").split("<table:table ")[0]
    return (head + "".join(tables) + "</office:spreadsheet></office:body></office:document-content>").encode()


@settings(max_examples=_examples(), suppress_health_check=[HealthCheck.too_slow])
@given(content=ods_tables())
def test_ods_check_sees_at_least_what_calamine_builds(content: bytes) -> None:
    """The same for ods: repeated rows and columns are counted at least as calamine expands them."""
    import io

    import python_calamine

    from samskaping.file_safety import check_workbook

    workbook = corpus.ods(content)
    rows, columns = check_workbook(workbook, "svar.ods", 10**7, 10**5, 10**12)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
        built = [book.get_sheet_by_name(name) for name in book.sheet_names]
    except python_calamine.CalamineError:
        event("calamine refuses")
        return
    ends = [sheet.end for sheet in built if sheet.end is not None]
    event("compared" if ends else "empty")
    for end in ends:
        assert rows >= end[0] + 1 and columns >= end[1] + 1, ((rows, columns), end)
