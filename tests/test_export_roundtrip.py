"""Round trip: the golden survey exported the way five survey tools do, imported back exactly.

Each export is made here from ``shared/fixtures/golden/survey.csv`` following the tool's
conventions in ``shared/research/exports.md``: column names, header rows, metadata and
identifying columns, answer labels or codes, encoding, delimiter and decimal mark. Each is read
with the proposed (automatic) column mapping plus a saved map from a partner column to case and
group, and must give back exactly the canonical ``case``, ``group`` and ``q01`` … ``q82``.

The golden Q1 holds free text that does not name the case partner, so every export carries the
partner in a column of its own (a respondent-list or embedded-data field, as tools do), named
per respondent from the golden case and group.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from samskaping.importing import read_table
from samskaping.instrument import Instrument
from samskaping.loading import auto_mapping, load_survey
from samskaping.mapping import Mapping, mapping_from_yaml, mapping_to_yaml, unmapped_items

TOLERANCE = 1e-9

# The partner each golden respondent represents, by (case, group).
PARTNERS = {
    ("Case A", "municipality"): "Fjordvik kommune",
    ("Case A", "social_enterprise"): "Grønn Tråd AS",
    ("Case B", "municipality"): "Bergli kommune",
    ("Case B", "social_enterprise"): "Stiftelsen Brobygg",
    ("Case C", "municipality"): "Nordvang kommune",
    ("Case D", "municipality"): "Solstad bydel",
}
# Qualtrics' default agreement scale (all five are aliases in data/instrument.yaml).
QUALTRICS_AGREE = {
    1: "Strongly disagree",
    2: "Somewhat disagree",
    3: "Neither agree nor disagree",
    4: "Somewhat agree",
    5: "Strongly agree",
}
# Qualtrics' Norwegian agreement scale ("litt", "verken … eller" are aliases in data/instrument.yaml).
QUALTRICS_AGREE_NB = {
    1: "Helt uenig",
    2: "Litt uenig",
    3: "Verken enig eller uenig",
    4: "Litt enig",
    5: "Helt enig",
}
# Qualtrics matrix tables of the Norwegian variant: (first item, last item) → the question stem.
QUALTRICS_MATRICES = {
    ("q07", "q13"): "Hvor godt beskriver disse påstandene samarbeidet?",
    ("q17", "q24"): "Om rollene i caset",
    ("q26", "q69"): "Hvor enig er du i følgende påstander om samarbeidet?",
    ("q70", "q81"): "Flytt markøren: 1 = helt uenig, 50 = nøytral, 100 = helt enig",
}
# SurveyMonkey matrix questions: (first item, last item) → the question stem over them.
MONKEY_MATRICES = {
    ("q07", "q13"): "How well do these statements describe your collaboration?",
    ("q17", "q24"): "About the roles in the case: how much do you agree?",
    ("q26", "q69"): "How much do you agree with the following statements about the collaboration?",
}


@dataclasses.dataclass(frozen=True)
class Export:
    """One export file made from the golden survey, and what the import must give back."""

    name: str  # file name; its suffix chooses the reader
    content: bytes
    partner_column: str  # the column the saved case map reads
    id_column: str | None  # the column the ids come from (None: row order)
    ids: list[str]  # the expected respondent id of each golden row, in order
    planted: tuple[str, ...]  # identifying values that must never reach the report or the data
    first_data_row: int  # file row of the first respondent (header and title rows counted)


# --- building the exports ------------------------------------------------------------------------


def _number(value: str, decimal: str = ".") -> str:
    """A golden number ("4.0", "12.5") as an export writes it ("4", "12,5")."""
    return "" if value == "" else f"{float(value):g}".replace(".", decimal)


def _cell(instrument: Instrument, item_id: str, value: str, *, lang: str | None, likert=None, decimal=".") -> str:
    """One answer as the export holds it: free text as is; choices and 1–5 items as labels in
    ``lang`` (``likert`` overrides the 1–5 labels) or as codes when ``lang`` is None; 1–100 items
    as numbers with ``decimal`` as decimal mark; blank stays blank."""
    fmt = instrument.format_of(item_id)
    if value == "" or not fmt.numeric:
        return value
    if fmt.kind == "scale" and not fmt.integer:
        return _number(value, decimal)
    code = int(float(value))
    if lang is None:
        return str(code)
    if fmt.kind == "scale" and likert:
        return likert[code]
    return fmt.labels[code].get(lang)


def _partners(golden: pd.DataFrame) -> list[str]:
    return [PARTNERS[(c, g)] for c, g in zip(golden["case"], golden["group"], strict=True)]


def _csv(rows: list[list[str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL, crlf: bool = True) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n" if crlf else "\n")
    writer.writerows(rows)
    return buffer.getvalue()


def surveyxact(golden: pd.DataFrame, instrument: Instrument) -> Export:
    """SurveyXact "European" CSV: ``;``, Windows-1252, CRLF, variables ``s_1`` … ``s_82``,
    Norwegian answer labels, decimal comma, status dummies and respondent-list columns."""
    n = len(golden)
    items = instrument.item_ids
    header = ["respondentid", *(f"stato_{k}" for k in range(1, 6)), "email", "forn", "ettern", "Organisasjon"]
    header += [f"s_{instrument.item(i).number}" for i in items]
    ids = [str(4_711_000 + k) for k in range(n)]
    emails = [f"person{k}@fjordvik.kommune.no" for k in range(n)]
    rows = [header]
    for k, (_, record) in enumerate(golden.iterrows()):
        rows.append(
            [ids[k], "0", "0", "0", "1", "0", emails[k], f"Kari{k}", f"Nordmann{k}", _partners(golden)[k]]
            + [_cell(instrument, i, record[i], lang="nb", decimal=",") for i in items]
        )
    content = _csv(rows, delimiter=";").encode("cp1252")
    return Export("surveyxact_dataset.csv", content, "Organisasjon", "respondentid", ids, (*emails, "Nordmann3"), 2)


def nettskjema(golden: pd.DataFrame, instrument: Instrument) -> Export:
    """Nettskjema API CSV: ``;``, every field quoted, UTF-8 without BOM, ``$`` system columns,
    researcher-chosen external ids (``spm1`` …) and option codes, decimal point."""
    n = len(golden)
    items = instrument.item_ids
    header = ["$submission_id", "$created", "organisasjon", *(f"spm{instrument.item(i).number}" for i in items)]
    header += ["epost", "$answer_time_ms"]
    ids = [str(27_340_000 + 17 * k) for k in range(n)]
    emails = [f"svar{k}@example.org" for k in range(n)]
    rows = [header]
    for k, (_, record) in enumerate(golden.iterrows()):
        rows.append(
            [ids[k], f"2018-03-{k + 1:02d}T10:15:00", _partners(golden)[k]]
            + [_cell(instrument, i, record[i], lang=None) for i in items]
            + [emails[k], str(600_000 + k)]
        )
    content = _csv(rows, delimiter=";", quoting=csv.QUOTE_ALL, crlf=False).encode("utf-8")
    return Export("data-98765-2018-04-01.csv", content, "organisasjon", "$submission_id", ids, tuple(emails), 2)


def _spans(items: list[str], matrices: dict[tuple[str, str], str]) -> dict[str, tuple[str, int, str]]:
    """Item → (first item of its matrix, row number in the matrix, stem) for items in a matrix."""
    spans = {}
    for (first, last), stem in matrices.items():
        for row, item_id in enumerate(items[items.index(first) : items.index(last) + 1], start=1):
            spans[item_id] = (first, row, stem)
    return spans


def qualtrics(golden: pd.DataFrame, instrument: Instrument, *, matrices: bool = False) -> Export:
    """Qualtrics CSV: UTF-8 with BOM, three header rows (export tag, question text, ImportId
    JSON), the usual 17 metadata columns, a Q2 "Other" text-entry column and an embedded-data
    ``Partner`` field at the end.

    By default one question per item (``Q26``) in English with Qualtrics' English agreement
    scale. With ``matrices`` the survey is in Norwegian and the 1–5 and 1–100 items are matrix
    tables, as a Qualtrics survey would ask them: one column per statement named by the matrix's
    tag and the row (``Q26_1`` … ``Q26_44``), row 2 ``stem - statement``."""
    n = len(golden)
    items = list(instrument.item_ids)
    lang, scale = ("nb", QUALTRICS_AGREE_NB) if matrices else ("en", QUALTRICS_AGREE)
    spans = _spans(items, QUALTRICS_MATRICES) if matrices else {}
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Oslo"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Oslo"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Oslo"}'),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
        ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
        ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
        ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
        ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
        ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
    ]
    questions = []
    for item_id in items:
        item = instrument.item(item_id)
        tag, text = f"Q{item.number}", item.text.get(lang)
        if item_id in spans:
            first, row, stem = spans[item_id]
            tag, text = f"Q{instrument.item(first).number}_{row}", f"{stem} - {text}"
        questions.append((tag, text, f'{{"ImportId":"QID{tag[1:]}"}}'))
        if item_id == "q02":
            other = instrument.format_of("q02").labels[3].get(lang)
            questions.append(("Q2_3_TEXT", f"{text} - {other} - Text", '{"ImportId":"QID2_3_TEXT"}'))
    embedded = [("Partner", "Partner", '{"ImportId":"Partner"}')]
    columns = meta + questions + embedded
    ids = [f"R_{k:02d}aBcDeFgHiJkLmN"[:17] for k in range(n)]
    ips = [f"193.157.{k}.{200 - k}" for k in range(n)]
    emails = [f"deltaker{k}@bergli.kommune.no" for k in range(n)]
    rows = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]
    for k, (_, record) in enumerate(golden.iterrows()):
        when = f"2018-03-{k + 1:02d} 10:{k:02d}:00"
        row = [when, when, "IP Address", ips[k], "100", str(300 + k), "True", when, ids[k]]
        row += [f"Hansen{k}", f"Ola{k}", emails[k], "", f"59.9{k:02d}", f"10.7{k:02d}", "email", "EN"]
        for item_id in items:
            row.append(_cell(instrument, item_id, record[item_id], lang=lang, likert=scale))
            if item_id == "q02":
                row.append("styreleder" if record[item_id] == "3" else "")
        row.append(_partners(golden)[k])
        rows.append(row)
    content = ("\ufeff" + _csv(rows, quoting=csv.QUOTE_ALL)).encode("utf-8")
    name = "Samskaping_matrise_March+1,+2018.csv" if matrices else "Samskaping_March+1,+2018_10.15.csv"
    return Export(name, content, "Partner", "ResponseId", ids, (*ips, *emails), 4)


def surveymonkey(golden: pd.DataFrame, instrument: Instrument) -> Export:
    """SurveyMonkey "all responses" CSV: two header rows (question text over the first column of
    each question, blank over the other columns of a matrix; ``Response``, ``Open-Ended
    Response``, matrix statements and ``Other (please specify)`` below), nine respondent columns
    first, English question texts and the instrument's English labels."""
    n = len(golden)
    items = list(instrument.item_ids)
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address"]
    top += ["First Name", "Last Name", "Custom Data 1"]
    sub = [""] * len(top)
    in_matrix = {}
    for (first, last), stem in MONKEY_MATRICES.items():
        for item_id in items[items.index(first) : items.index(last) + 1]:
            in_matrix[item_id] = (first, stem)
    for item_id in items:
        item, fmt = instrument.item(item_id), instrument.format_of(item_id)
        if item_id in in_matrix:
            first, stem = in_matrix[item_id]
            top.append(stem if item_id == first else "")
            sub.append(item.text.en)
        else:
            top.append(item.text.en)
            sub.append("Response" if fmt.numeric else "Open-Ended Response")
        if item_id == "q02":
            top.append("")
            sub.append("Other (please specify)")
    ids = [str(11_447_750_233 + 3 * k) for k in range(n)]
    ips = [f"84.208.{k}.{k + 10}" for k in range(n)]
    emails = [f"ansatt{k}@gronntrad.no" for k in range(n)]
    rows = [top, sub]
    for k, (_, record) in enumerate(golden.iterrows()):
        when = f"03/{k + 1:02d}/2018 10:{k:02d}:01 AM"
        row = [ids[k], "214755829", when, when, ips[k], emails[k], "", "", _partners(golden)[k]]
        for item_id in items:
            row.append(_cell(instrument, item_id, record[item_id], lang="en"))
            if item_id == "q02":
                row.append("styreleder" if record[item_id] == "3" else "")
        rows.append(row)
    content = _csv(rows).encode("utf-8")
    return Export("Samskaping 2018.csv", content, "Custom Data 1", "Respondent ID", ids, (*ips, *emails), 3)


def handmade_xlsx(golden: pd.DataFrame, instrument: Instrument) -> Export:
    """A researcher's workbook: an "Info" sheet first, then the answers under a merged title
    row, Norwegian question texts as headers, numbers as numbers, choices as Norwegian labels,
    partner and e-mail columns and no respondent id (respondents are named by their row)."""
    items = instrument.item_ids
    book = openpyxl.Workbook()
    info = book.active
    info.title = "Info"
    for line in (
        "Samskaping mellom kommuner og sosiale virksomheter – spørreundersøkelse 2018",
        "Svarene er skrevet av fra papirskjema og Nettskjema.",
        "Blanke celler: ikke besvart. Del 3: 1–100, blank = ikke relevant.",
    ):
        info.append([line])
    sheet = book.create_sheet("Svar")
    header = ["Casepartner (organisasjon)", "E-post"] + [instrument.item(i).text.nb for i in items]
    sheet.cell(row=1, column=1, value="Spørreundersøkelse om samskaping – alle svar")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    emails = [f"kontakt{k}@nordvang.kommune.no" for k in range(len(golden))]
    for k, (_, record) in enumerate(golden.iterrows()):
        row: list[object] = [_partners(golden)[k], emails[k]]
        for item_id in items:
            fmt, value = instrument.format_of(item_id), record[item_id]
            if value == "":
                row.append(None)
            elif fmt.kind == "choice":
                row.append(_cell(instrument, item_id, value, lang="nb"))
            elif fmt.numeric:
                row.append(int(float(value)) if fmt.integer else float(value))
            else:
                row.append(value)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    # Title row 1 and header row 2 above: the first respondent is spreadsheet row 3.
    ids = [f"row{3 + k}" for k in range(len(golden))]
    return Export("samskaping_svar.xlsx", buffer.getvalue(), "Casepartner (organisasjon)", None, ids, tuple(emails), 3)


BUILDERS: dict[str, Callable[[pd.DataFrame, Instrument], Export]] = {
    "surveyxact": surveyxact,
    "nettskjema": nettskjema,
    "qualtrics": qualtrics,
    "qualtrics_matrix": lambda golden, instrument: qualtrics(golden, instrument, matrices=True),
    "surveymonkey": surveymonkey,
    "xlsx": handmade_xlsx,
}


# --- the round trip ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> pd.DataFrame:
    return pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)


def _saved_case_map(export: Export, golden: pd.DataFrame, raw_mapping: Mapping, instrument: Instrument) -> Mapping:
    """The proposed column mapping plus the case map, saved as YAML and read back."""
    cases = {PARTNERS[key]: key for key in zip(golden["case"], golden["group"], strict=True)}
    mapping = dataclasses.replace(raw_mapping, cases=cases, case_source=export.partner_column)
    return mapping_from_yaml(mapping_to_yaml(mapping), instrument=instrument)


@pytest.mark.parametrize("tool", list(BUILDERS))
def test_export_round_trip(tool: str, golden: pd.DataFrame, instrument: Instrument, tmp_path: Path) -> None:
    export = BUILDERS[tool](golden, instrument)
    path = tmp_path / export.name
    path.write_bytes(export.content)

    # The automatic proposal alone must map every item and the id column.
    proposed, matches = auto_mapping(read_table(path), instrument)
    assert unmapped_items(proposed, instrument) == (), [
        (m.column, m.target, m.confidence, m.note) for m in matches if m.target is None or m.confidence < 0.6
    ]
    assert proposed.id_column == export.id_column

    mapping = _saved_case_map(export, golden, proposed, instrument)
    assert mapping.columns == proposed.columns
    loaded = load_survey(path, instrument, mapping=mapping)
    assert not loaded.automatic
    assert loaded.raw.first_data_row == export.first_data_row
    data, issues = loaded.validated.data, loaded.validated.report.issues
    errors = issues[issues["severity"] == "error"]
    assert loaded.validated.report.ok, errors.to_string()

    # Respondents in file order, named by the export's id column or by their file row.
    n = len(golden)
    assert list(data.index) == list(range(export.first_data_row, export.first_data_row + n))
    assert list(data["respondent_id"]) == export.ids
    assert list(data["case"]) == list(golden["case"])
    assert list(data["group"]) == list(golden["group"])
    for item_id in instrument.item_ids:
        expected, actual = golden[item_id], data[item_id].reset_index(drop=True)
        if instrument.format_of(item_id).numeric:
            want = pd.to_numeric(expected.replace("", np.nan)).to_numpy(dtype=float)
            got = actual.to_numpy(dtype=float)
            assert np.array_equal(np.isnan(want), np.isnan(got)), f"{tool} {item_id}: blanks differ"
            assert np.nanmax(np.abs(want - got), initial=0.0) < TOLERANCE, f"{tool} {item_id}: values differ"
        else:
            got = [None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else v for v in actual]
            assert got == [v or None for v in expected], f"{tool} {item_id}: texts differ"

    # Identifying columns are named and counted in the report, never shown.
    flagged = issues.loc[issues["code"] == "identifying_column"]
    assert (flagged["row"].isna()).all() and (flagged["value"] == "").all() and (flagged["count"] == n).all()
    identifying = {c for c, role in loaded.raw.roles.items() if role == "identifying"}
    assert set(flagged["column"]) == identifying
    assert not identifying & set(data.columns)
    shown = "\n".join([*issues.map(str).to_numpy().ravel(), *data.map(str).to_numpy().ravel()])
    leaked = [value for value in export.planted if value in shown]
    assert not leaked, f"{tool}: identifying values in the report or data: {leaked[:3]}"


def test_every_export_is_different(golden: pd.DataFrame, instrument: Instrument) -> None:
    """The exports differ in the ways the issue lists (guards against a builder drifting)."""
    made = {tool: build(golden, instrument) for tool, build in BUILDERS.items()}
    sx = made["surveyxact"].content.decode("cp1252")
    assert sx.split("\r\n", 1)[0].startswith("respondentid;stato_1") and "12,5" in sx and "Helt enig" in sx
    with pytest.raises(UnicodeDecodeError):
        made["surveyxact"].content.decode("utf-8")  # æøå in cp1252
    ns = made["nettskjema"].content.decode("utf-8")
    assert ns.startswith('"$submission_id";') and "Helt" not in ns
    qu = made["qualtrics"].content.decode("utf-8-sig").splitlines()
    assert qu[2].startswith('"{""ImportId""') and "Strongly agree" in "".join(qu[3:])
    sm = made["surveymonkey"].content.decode("utf-8").splitlines()
    assert (
        sm[0].startswith("Respondent ID,")
        and sm[1].startswith(",,,,,,,,,Open-Ended Response,Response,Other (please specify),")
        and ",," in sm[0]
    )
    book = openpyxl.load_workbook(io.BytesIO(made["xlsx"].content))
    assert book.sheetnames == ["Info", "Svar"] and book["Svar"].merged_cells.ranges
    qm = made["qualtrics_matrix"].content.decode("utf-8-sig").splitlines()
    assert '"Q26_1","Q26_2"' in qm[0] and '"Q70_12"' in qm[0] and "Litt enig" in "".join(qm[3:])
    assert len(set(made)) == 6
