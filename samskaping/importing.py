"""Reading survey exports into a raw table of text cells.

Any export the researchers meet is read: csv/tsv/txt in UTF-8, UTF-8 with BOM, UTF-16 or
Windows-1252 with ``,`` ``;`` or tab; xlsx/xlsm/xls/ods workbooks with several (also hidden)
sheets; SPSS ``.sav`` with value labels; one to three header rows (Qualtrics, SurveyMonkey)
and title rows above the header. Every cell is kept as text exactly as in the file, so
validation can report raw values and nothing is converted silently. What was detected
(encoding, delimiter, sheet, header rows, metadata and identifying columns) is recorded on the
table. Bad files raise :class:`~samskaping.errors.DataFileError` with a one-line message.

Native readers crash the whole process on some damaged files, so workbooks are checked before
calamine opens them (see :mod:`samskaping.sniffing`) and SPSS files are read in a child process.
"""

from __future__ import annotations

import csv
import io
import pickle
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import replace as _with
from pathlib import Path

import numpy as np
import pandas as pd

from samskaping.errors import DataFileError
from samskaping.file_safety import safe_name, whole_number_setting
from samskaping.sheet_grid import cell_text
from samskaping.sniffing import (
    GENERIC_OPTIONS,
    HEADER_SLACK,
    MAX_LEADING_ROWS,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    FileKind,
    HeaderLayout,
    allow_long_cells,
    decode_text,
    find_header,
    looks_like_workbook,
    read_records,
    read_workbook,
    sniff_delimiter,
    text_kind,
)

__all__ = ["FileKind", "RawTable", "detect_file", "read_table", "size_limits", "stripped_texts"]

SPSS_SUFFIXES = (".sav", ".zsav")
_COMPANION_MESSAGES = {
    FileKind.SURVEYXACT_LABELS: "a SurveyXact label file (value labels)",
    FileKind.SURVEYXACT_STRUCTURE: "a SurveyXact structure file (variables and question texts)",
    FileKind.NETTSKJEMA_CODEBOOK: "a Nettskjema codebook (question and option labels)",
}
# Header texts reduced by _key (lower case, letters and digits only) that mark columns.
# fmt: off
_IDENTIFYING = frozenset({
    "email", "epost", "emailaddress", "epostadresse", "recipientemail", "name", "navn", "fullname", "firstname",
    "lastname", "fornavn", "etternavn", "recipientfirstname", "recipientlastname", "forn", "ettern", "ipaddress",
    "ipaddr", "ip", "locationlatitude", "locationlongitude", "latitude", "longitude", "externalreference",
    "externaldatareference", "phone", "phonenumber", "telephone", "mobile", "telefon", "telefonnummer", "mobil",
    "mobilnummer", "address", "adresse", "birthday", "dateofbirth", "bursdag", "fødselsdato", "token",
})
_METADATA = frozenset({
    "startdate", "enddate", "status", "statustext", "progress", "duration", "durationinseconds", "finished",
    "recordeddate", "responseid", "responseset", "distributionchannel", "userlanguage", "locationaccuracy",
    "created", "modified", "answertimems", "submissionid", "timestamp", "tidsmerke", "tidsstempel", "starttime",
    "completiontime", "lastmodifiedtime", "totalpoints", "id", "respondentid", "respondent", "collectorid",
    "submitdate", "lastpage", "startlanguage", "seed", "datestamp", "refurl", "interviewtime", "datesubmitted",
    "datestarted", "datelastaction", "totaltime", "nr", "opprettet", "endret", "sistendret", "svartid",
})
# fmt: on
_SPSS_SECONDS = 300
_SPSS_PROBLEMS = {
    "missing": "SPSS files need pyreadstat, which is not installed",
    "columns": "more than {max_columns:,} columns (the limit)",
    "rows": "more than {max_rows:,} rows of answers (the limit)",
    "error": "not a readable SPSS file ({})",
}
# Run by _read_spss in a child process with the file on stdin; prints a pickled (status, payload).
_SPSS_CHILD = """
import io, pickle, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
except (ImportError, ValueError, OSError):
    pass
max_rows, max_columns = int(sys.argv[1]), int(sys.argv[2])
content = sys.stdin.buffer.read()
try:
    import pyreadstat
    _, meta = pyreadstat.read_sav(io.BytesIO(content), metadataonly=True)
    if (meta.number_columns or 0) > max_columns:
        result = ("columns", "")
    elif (meta.number_rows or 0) > max_rows:
        result = ("rows", "")
    else:
        frame, meta = pyreadstat.read_sav(io.BytesIO(content), user_missing=True)
        cells = {str(c): frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns}
        result = ("ok", (cells, meta.variable_value_labels, meta.column_names_to_labels or {}))
except ImportError:
    result = ("missing", "")
except Exception as exc:
    result = ("error", (str(exc).splitlines() or [type(exc).__name__])[0][:100])
sys.stdout.buffer.write(pickle.dumps(result))
"""
_METADATA_PATTERN = re.compile(r"(stato\d+|customdata\d*|grouptime.*|questiontime.*)")


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read from a file: every cell as text, blank cells as ``""``.

    ``first_data_row`` is the file row number of the frame's first row: the 1-based row as a
    spreadsheet shows it (header and title rows counted), for text files the record number (a
    quoted cell with line breaks is one record), for SPSS files the case number. ``headers``
    holds each column's text in every header row (for SPSS: variable name and label);
    ``roles`` marks columns as ``"metadata"`` or ``"identifying"``; ``value_labels`` maps codes
    to labels per column; ``notes`` say in words what was detected.
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None = None
    first_data_row: int = 2
    header_rows: int = 1
    headers: tuple[tuple[str, ...], ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # Per column, as reading found them: each row's index into the column's distinct stripped texts,
    # and those texts. Validation starts from them instead of factorizing every column again.
    texts: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)

    def file_row(self, position: int) -> int:
        """The file row number of the row at 0-based ``position`` in :attr:`frame`."""
        return self.first_data_row + position


def detect_file(path: Path | str, data: bytes | None = None) -> FileKind:
    """Tell survey answers from the companion files that label them, by name and content.

    Parameters
    ----------
    path : path
        The file; with ``data`` given, only its name is used.
    data : bytes, optional
        The file's content instead of reading ``path``.

    Returns
    -------
    FileKind
        ``DATA``, ``SURVEYXACT_LABELS``, ``SURVEYXACT_STRUCTURE``, ``NETTSKJEMA_CODEBOOK``, or
        ``UNKNOWN`` for an unreadable, empty or unsupported file. Never raises.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        content = data if data is not None else path.read_bytes()
    except OSError:
        return FileKind.UNKNOWN
    if not content.strip():
        return FileKind.UNKNOWN
    if suffix in SPSS_SUFFIXES:
        return FileKind.DATA if content.startswith((b"$FL2", b"$FL3")) else FileKind.UNKNOWN
    if looks_like_workbook(content):
        return FileKind.DATA if suffix in WORKBOOK_SUFFIXES + TEXT_SUFFIXES else FileKind.UNKNOWN
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        return FileKind.UNKNOWN
    try:
        return text_kind(decode_text(content, path.name)[0], path.name)
    except DataFileError:
        return FileKind.UNKNOWN


def read_table(
    path: Path | str,
    data: bytes | None = None,
    *,
    sheet: str | None = None,
    header_rows: int | None = None,
    companions: Mapping[str, bytes] | None = None,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> RawTable:
    """Read a survey export (csv, tsv, txt, xlsx, xlsm, xls, ods, sav) as text cells.

    Parameters
    ----------
    path : path
        The file; its suffix and content choose the reader. With ``data`` given, only the name is used.
    data : bytes, optional
        The file's content (e.g. an upload) instead of reading ``path``.
    sheet : str, optional
        The workbook sheet to read; by default the visible, non-documentation sheet with most cells.
    header_rows : int, optional
        How many header rows (1–3 usually); by default detected. Title rows above are skipped either way.
    companions : mapping of str to bytes, optional
        Label files given alongside, by file name: SurveyXact ``labels.csv`` (and ``structure.csv``,
        which is noted only) or a Nettskjema ``codebook-*.txt``; their labels go to ``value_labels``.
    max_rows, max_columns : int, optional
        Limits on answer rows and columns; a larger file is refused. By default
        :func:`size_limits` (1 000 000 rows and 5 000 columns unless configured).

    Returns
    -------
    RawTable
        The cells as text with what was detected.

    Raises
    ------
    DataFileError
        When the file cannot be used (empty, damaged, password-protected, not a table, over a
        limit, or a companion file given as data); the message says why in one line.
    """
    default_rows, default_columns = size_limits()
    max_rows = default_rows if max_rows is None else max_rows
    max_columns = default_columns if max_columns is None else max_columns
    path = Path(path)
    name, suffix = safe_name(path.name), path.suffix.lower()  # non-UTF-8 bytes and line breaks escaped
    try:
        content = data if data is not None else path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if header_rows is not None and not 1 <= header_rows <= 10:
        raise DataFileError(f"{name}: header rows must be between 1 and 10, not {header_rows}")
    if not content:
        raise DataFileError(f"{name}: the file is empty (0 bytes)")
    if suffix in SPSS_SUFFIXES:
        table = _read_spss(content, name, max_rows, max_columns)
    elif suffix in WORKBOOK_SUFFIXES or (suffix in TEXT_SUFFIXES and looks_like_workbook(content)):
        if not looks_like_workbook(content):
            try:
                table = _read_text(content, name, header_rows, max_rows, max_columns)
            except DataFileError:
                raise DataFileError(f"{name}: not a readable spreadsheet (not an Excel or OpenDocument file)") from None
            table = _with(table, notes=(*table.notes, f"read as a text table although named {suffix}"))
        else:
            rows, chosen, names, notes = read_workbook(content, name, sheet, max_rows, max_columns)
            table = _build(rows, False, name, header_rows, max_rows, max_columns, notes)
            table = _with(table, sheet=chosen, sheets=names)
            if suffix in TEXT_SUFFIXES:
                table = _with(table, notes=(*table.notes, f"read as a workbook although named {suffix}"))
    elif suffix in TEXT_SUFFIXES:
        table = _read_text(content, name, header_rows, max_rows, max_columns)
    else:
        known = ", ".join(TEXT_SUFFIXES + WORKBOOK_SUFFIXES + SPSS_SUFFIXES)
        raise DataFileError(f"{name}: unknown file type '{suffix or '(none)'}' (known: {known})")
    if companions:
        labels, notes = _companion_labels(companions, list(table.frame.columns))
        table = _with(table, value_labels={**table.value_labels, **labels}, notes=(*table.notes, *notes))
    return table


MAX_ROWS_VARIABLE, MAX_COLUMNS_VARIABLE = "SAMSKAPING_MAX_ROWS", "SAMSKAPING_MAX_COLUMNS"
_DEFAULT_LIMITS = (1_000_000, 5_000)


def size_limits() -> tuple[int, int]:
    """The largest number of answer rows and columns a file may have: (rows, columns).

    1 000 000 rows and 5 000 columns, unless the environment variables ``SAMSKAPING_MAX_ROWS``
    and ``SAMSKAPING_MAX_COLUMNS`` set others (e.g. lower on a small shared server).

    Raises
    ------
    DataFileError
        When a variable is set but is not a whole number of at least 1.
    """
    rows, columns = _DEFAULT_LIMITS
    return whole_number_setting(MAX_ROWS_VARIABLE, rows), whole_number_setting(MAX_COLUMNS_VARIABLE, columns)


def _read_text(content: bytes, name: str, header_rows: int | None, max_rows: int, max_columns: int) -> RawTable:
    text, encoding = decode_text(content, name)
    kind = text_kind(text, name)
    if kind in _COMPANION_MESSAGES:
        raise DataFileError(
            f"{name}: this is {_COMPANION_MESSAGES[kind]}, not survey answers; "
            "upload the data file and give this one alongside"
        )
    delimiter = sniff_delimiter(text)
    # UTF-8 files go to the C parser as the bytes they are: it would encode the text back otherwise.
    source = io.BytesIO(content) if encoding in ("utf-8", "utf-8-sig") else io.StringIO(text)
    records, truncated = _fast_records(source, encoding, delimiter, max_rows + HEADER_SLACK)
    if records is None:  # a layout pandas' C parser does not take (e.g. ragged rows): Python's csv module
        records, truncated = read_records(text, delimiter, max_rows + HEADER_SLACK, name)
    shown = {"\t": "tab"}.get(delimiter, delimiter)
    notes = [f"text encoding {encoding}, delimiter {shown}"]
    table = _build(records, truncated, name, header_rows, max_rows, max_columns, notes)
    return _with(table, encoding=encoding, delimiter=delimiter)


def _fast_records(
    source: io.BytesIO | io.StringIO, encoding: str, delimiter: str, limit: int
) -> tuple[pd.DataFrame | None, bool]:
    """The records of a text table by pandas' C parser (every cell as text), or None when it cannot.

    The C parser reads a large export several times faster than Python's csv module and
    gives the same cells (quoted cells with line breaks stay one cell, blank lines stay rows).
    It refuses rows longer than the first, which the csv module then reads instead.
    """
    try:
        frame = pd.read_csv(
            source,
            encoding=encoding if isinstance(source, io.BytesIO) else None,
            sep=delimiter,
            header=None,
            dtype="str",
            na_filter=False,
            skip_blank_lines=False,
            keep_default_na=False,
            nrows=limit + 1,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        return None, False
    return frame.iloc[:limit], len(frame) > limit


def _build(
    records: list[list[str]] | np.ndarray | pd.DataFrame,
    truncated: bool,
    name: str,
    header_rows: int | None,
    max_rows: int,
    max_columns: int,
    notes: list[str],
) -> RawTable:
    """Split rows into header and answers, name the columns and mark their roles.

    ``records`` are the rows of text cells: lists, a 2-D object array, or a frame of text
    columns (the fast text reader). Every step works column by column on the distinct texts,
    so its cost grows with the rows only through pandas' own array operations.
    """
    table = _table(records, name, max_columns)
    factored = [stripped_texts(table.iloc[:, j]) for j in range(table.shape[1])]
    filled = np.column_stack([(uniques != "")[codes] for codes, uniques in factored]) if factored else None
    last = len(table) if filled is not None else 0
    while last and not filled[last - 1].any():
        last -= 1  # trailing blank lines; blank lines between answers are kept
    if not last:
        raise DataFileError(f"{name}: the file is empty (no rows)")
    table, filled = table.iloc[:last], filled[:last]
    width = table.shape[1]
    # The header is found in the first rows only, so it costs the same for any number of answers.
    layout = find_header(table.iloc[: MAX_LEADING_ROWS + 4].to_numpy(dtype=object).tolist(), header_rows)
    block = table.iloc[layout.start : layout.start + layout.rows].to_numpy(dtype=object).tolist()
    answers = table.iloc[layout.start + layout.rows :]
    answered = filled[layout.start + layout.rows :]
    if truncated or len(answers) > max_rows:
        raise DataFileError(f"{name}: more than {max_rows:,} rows of answers (the limit)")
    if not answered.any():
        raise DataFileError(f"{name}: has no answers (no rows below the header)")
    headers, names = _combine(block, layout)
    column_answered = answered.any(axis=0)
    keep = [j for j in range(width) if any(h for h in headers[j]) or column_answered[j]]
    if len(keep) < width:
        notes.append(f"{width - len(keep)} empty column(s) without a header left out")
    names = _unique([names[j] or f"column_{j + 1}" for j in keep])
    frame = answers.iloc[:, keep].set_axis(names, axis=1).reset_index(drop=True)
    first = layout.start + layout.rows
    texts = {n: (factored[j][0][first:last], factored[j][1]) for n, j in zip(names, keep, strict=True)}
    if layout.start:
        notes.append(f"{layout.start} title or blank row(s) above the header skipped")
    if layout.rows > 1 or layout.tool:
        notes.append(f"{layout.rows} header row(s)" + (f" ({layout.tool})" if layout.tool else ""))
    roles = {n: role for n in names if (role := _role(n))}
    return RawTable(
        frame=frame,
        source=name,
        first_data_row=layout.start + layout.rows + 1,
        header_rows=layout.rows,
        headers=tuple(headers[j] for j in keep),
        roles=roles,
        notes=tuple(notes),
        texts=texts,
    )


def _table(records: list[list[str]] | np.ndarray | pd.DataFrame, name: str, max_columns: int) -> pd.DataFrame:
    """The rows as a frame of text columns (numbered 0, 1, …), short rows padded with blanks."""
    if isinstance(records, pd.DataFrame):
        table = records.fillna("")
    else:
        if isinstance(records, np.ndarray):
            grid = records
        else:
            width = max((len(r) for r in records), default=0)
            if width > max_columns:
                raise DataFileError(
                    f"{name}: more than {max_columns:,} columns ({width:,}; the limit is {max_columns:,})"
                )
            grid = np.empty((len(records), width), dtype=object)
            grid.fill("")
            for i, row in enumerate(records):
                grid[i, : len(row)] = row
        table = pd.DataFrame(grid, dtype="str")
    if table.shape[1] > max_columns:
        raise DataFileError(
            f"{name}: more than {max_columns:,} columns ({table.shape[1]:,}; the limit is {max_columns:,})"
        )
    return table.set_axis(range(table.shape[1]), axis=1)


def stripped_texts(column: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell the index of its text among the column's distinct texts with white space stripped
    (missing as ``""``), and those texts (object array of str); each distinct value handled once."""
    index, uniques = pd.factorize(column, use_na_sentinel=False)
    stripped = ["" if u is None or u != u else str(u).strip() for u in uniques]
    merged_index, merged = pd.factorize(np.array(stripped, dtype=object), use_na_sentinel=False)
    return merged_index[index], np.asarray(merged, dtype=object)


def _combine(block: list[list[str]], layout: HeaderLayout) -> tuple[list[tuple[str, ...]], list[str]]:
    """Per column: its text in each header row, and the combined name.

    Qualtrics keeps row 1 (the export tag) as name. Otherwise empty cells of the upper rows are
    filled from the left (merged or SurveyMonkey question cells) and the parts are joined with
    " – ", leaving out generic options such as "Response".
    """
    cells = [[c.strip() for c in row] for row in block]
    if layout.tool.startswith("Qualtrics") or len(cells) == 1:
        return list(zip(*cells, strict=True)), list(cells[0])
    for row in cells[:-1]:
        for j in range(1, len(row)):
            row[j] = row[j] or row[j - 1]
    headers = list(zip(*cells, strict=True))
    names = []
    for parts in headers:
        kept = [p for p in parts[:-1] if p]
        last = parts[-1]
        if last and not (kept and last.lower() in GENERIC_OPTIONS):
            kept.append(last)
        names.append(" – ".join(dict.fromkeys(kept)))
    return headers, names


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        unique, k = name, 2
        while unique in seen:
            unique, k = f"{name} ({k})", k + 1
        seen.add(unique)
        result.append(unique)
    return result


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _role(name: str) -> str | None:
    key = _key(name)
    if key in _IDENTIFYING:
        return "identifying"
    if key in _METADATA or _METADATA_PATTERN.fullmatch(key):
        return "metadata"
    return None


def _read_spss(content: bytes, name: str, max_rows: int, max_columns: int) -> RawTable:
    """Read a .sav in a child process: pyreadstat 1.3.7 crashes (segfault) on some damaged files."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _SPSS_CHILD, str(max_rows), str(max_columns)],
            input=content,
            capture_output=True,
            timeout=_SPSS_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DataFileError(f"{name}: not a readable SPSS file (reading took over {_SPSS_SECONDS} s)") from None
    except OSError as exc:
        raise DataFileError(f"{name}: SPSS files cannot be read here ({exc.strerror or exc})") from None
    if done.returncode != 0 or not done.stdout:
        raise DataFileError(f"{name}: not a readable SPSS file (damaged: the SPSS reader failed on it)")
    status, payload = pickle.loads(done.stdout)  # written by _SPSS_CHILD: plain values only
    if status != "ok":
        raise DataFileError(
            f"{name}: {_SPSS_PROBLEMS[status].format(payload, max_rows=max_rows, max_columns=max_columns)}"
        )
    columns, labels, texts = payload
    if not columns or not next(iter(columns.values())):
        raise DataFileError(f"{name}: has no answers (no cases)")
    cells = pd.DataFrame({c: pd.array([cell_text(v) for v in values], dtype="str") for c, values in columns.items()})
    value_labels = {
        str(var): {cell_text(code): str(label) for code, label in codes.items()} for var, codes in labels.items()
    }
    return RawTable(
        frame=cells,
        source=name,
        first_data_row=1,
        header_rows=0,
        headers=tuple((c, texts.get(c) or "") for c in columns),
        roles={c: role for c in cells.columns if (role := _role(c))},
        value_labels=value_labels,
        notes=(f"SPSS file: {len(cells.columns)} variables, value labels for {len(value_labels)}",),
    )


def _companion_labels(companions: Mapping[str, bytes], columns: list[str]) -> tuple[dict, list[str]]:
    """Value labels per column from SurveyXact labels.csv and Nettskjema codebooks."""
    found: dict[str, dict[str, str]] = {}
    notes = []
    for given, content in companions.items():
        cname = safe_name(given)
        try:
            text, _ = decode_text(content, cname)
        except DataFileError:
            text = ""
        kind = text_kind(text, cname) if text else FileKind.UNKNOWN
        if kind == FileKind.SURVEYXACT_STRUCTURE:
            notes.append(f"{cname}: SurveyXact structure file recognised (question texts are not used here)")
            continue
        if kind == FileKind.SURVEYXACT_LABELS:
            parsed = _surveyxact_labels(text)
        elif kind == FileKind.NETTSKJEMA_CODEBOOK:
            parsed = _nettskjema_codebook(text)
        else:
            raise DataFileError(f"{cname}: not a label file (expected SurveyXact labels.csv or a Nettskjema codebook)")
        labelled = 0
        for variable, labels in parsed.items():
            targets = (
                [variable]
                if variable in columns
                else [c for c in columns if re.fullmatch(re.escape(variable) + r"_\d+", c)]
            )
            for column in targets:
                found.setdefault(column, {}).update(labels)
                labelled += 1
        notes.append(f"value labels for {labelled} column(s) from {cname}")
    return found, notes


def _surveyxact_labels(text: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    allow_long_cells(text)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)):
        if len(record) >= 3 and record[0].strip():
            labels.setdefault(record[0].strip(), {})[record[1].strip()] = record[2].strip()
    return labels


def _nettskjema_codebook(text: str) -> dict[str, dict[str, str]]:
    """Old Nettskjema codebook: ``variable<TAB>label`` after two blank lines, then ``code<TAB>option`` lines."""
    labels: dict[str, dict[str, str]] = {}
    variable, blanks = None, 2
    for line in text.splitlines():
        if not line.strip() or line.startswith("* "):
            blanks += 1
            continue
        code, _, label = line.partition("\t")
        if blanks >= 2 or variable is None:
            variable = code.strip()
        else:
            labels.setdefault(variable, {})[code.strip()] = label.strip()
        blanks = 0
    return labels
