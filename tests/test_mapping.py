"""Column mapping: proposals from numbers, wording and roles; case groups; the mapping file.

Expected targets come from the instrument (shared/domain/instrument.md) and the task
specification, never from the output of the code under test.
"""

from __future__ import annotations

import csv
import re

import pytest

from samskaping.errors import ConfigError
from samskaping.mapping import (
    ColumnMatch,
    Mapping,
    mapping_from_matches,
    mapping_from_yaml,
    mapping_to_yaml,
    propose_cases,
    propose_mapping,
    suggest_group,
    unmapped_items,
)

# Wording as printed in instrument.md (Q26, Q27, Q28, Q40, Q66).
Q26_NB = "Jeg mener vi i vår kommune har gode tradisjoner for å jobbe sammen på den måten vi gjør i dette caset."
Q27_NB = "Å arbeide med å løse problemer gjennom samarbeid/samskaping har vært gjort mange ganger tidligere."
Q28_NB = "Jeg har selv en klar forståelse av hva casesamarbeidet har som formål."
Q28_EN = "I myself have a clear understanding of what the purpose of the case collaboration is."
Q40_NB = "Jeg har selv høy respekt for fagligheten til de andre personene som er involvert i dette samarbeidet."


def one(header: str, instrument, **kwargs) -> ColumnMatch:
    (match,) = propose_mapping([header], instrument, **kwargs)
    return match


# --- question numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Q26",
        "q26",
        "26.",
        "26 -",
        "26)",
        "spm26",
        "spm. 26",
        "sp_26",
        "s_26",
        "Spørsmål 26",
        "Question 26",
        "G01Q26",
        "Q026",
    ],
)
def test_question_number_headers(header, instrument):
    match = one(header, instrument)
    assert match.target == "q26"
    # "q26" is also the canonical name; every other spelling is a question number.
    assert (match.reason, match.confidence) == ("canonical", 1.0) if header == "q26" else match.reason == "number"
    assert match.confidence >= 0.85


@pytest.mark.parametrize("header", ["Q99", "Q0", "83.", "s_100", "Favourite colour", "Timestamp", "StartDate"])
def test_unrelated_headers_are_left_out(header, instrument):
    match = one(header, instrument)
    assert match.target is None
    assert match.reason == "none"


def test_number_confirmed_by_its_wording(instrument):
    match = one(f"26. {Q26_NB}", instrument)
    assert match.target == "q26"
    assert match.confidence >= 0.95


def test_number_contradicted_by_wording_is_flagged_low(instrument):
    # "26." but the text is Q27's: never mapped automatically.
    match = one(f"26. {Q27_NB}", instrument)
    assert match.confidence < 0.6
    assert "q27" in match.note
    assert mapping_from_matches([match]).columns == {}


def test_qualtrics_question_text_row_is_evidence(instrument):
    confirmed, contradicted = propose_mapping(
        ["Q26", "Q5"],
        instrument,
        headers=[("Q26", Q26_NB, '{"ImportId":"QID26"}'), ("Q5", Q28_NB, '{"ImportId":"QID5"}')],
    )
    assert (confirmed.target, confirmed.confidence) == ("q26", 0.97)
    assert contradicted.confidence < 0.6


def test_headers_may_be_given_by_column_name(instrument):
    (match,) = propose_mapping(["Unnamed: 7"], instrument, headers={"Unnamed: 7": ("Så noen påstander", Q28_NB)})
    assert match.target == "q28"


def test_matrix_sub_columns_are_not_the_question(instrument):
    matches = propose_mapping(["Q26_1", "Q26_2", "Q26_3"], instrument)
    assert all(m.confidence < 0.6 for m in matches)
    assert mapping_from_matches(matches).columns == {}


def test_a_lone_sub_column_is_a_weaker_match(instrument):
    for header in ("Q26_1", "q26[SQ001]"):
        match = one(header, instrument)
        assert match.target == "q26"
        assert 0.6 <= match.confidence < 0.9


def test_q2_text_entry_column_is_q02_other(instrument):
    q2, other, q26_text = propose_mapping(["Q2", "Q2_3_TEXT", "Q26_TEXT"], instrument)
    assert q2.target == "q02"
    assert other.target == "q02_other"
    assert q26_text.target is None


def test_a_bare_number_is_only_a_weak_suggestion(instrument):
    # pandas names header-less columns 0, 1, 2 …: a bare number is not trusted on its own.
    match = one("26", instrument)
    assert match.target == "q26"
    assert match.confidence < 0.6


def test_qualtrics_style_export_maps_every_item(instrument):
    metadata = [
        "StartDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "ResponseId",
        "RecipientEmail",
        "UserLanguage",
    ]
    columns = [*metadata, *(f"Q{item.number}" for item in instrument.items), "Q2_3_TEXT"]
    headers = [(c, c) for c in metadata] + [
        (f"Q{i.number}", i.text.nb, f'{{"ImportId":"QID{i.number}"}}') for i in instrument.items
    ]
    headers.append(("Q2_3_TEXT", "Har du en leder/mellomlederstilling? - Andre: - Tekst"))
    mapping = mapping_from_matches(propose_mapping(columns, instrument, headers=headers))
    assert unmapped_items(mapping, instrument) == ()
    assert mapping.columns["Q26"] == "q26"
    assert mapping.columns["Q2_3_TEXT"] == "q02_other"
    assert mapping.columns["ResponseId"] == "respondent_id"
    assert not set(metadata) - {"ResponseId"} & set(mapping.columns)


def test_numbers_shifted_against_the_wording_are_not_mapped_automatically(instrument):
    # The tool numbered every question one higher than the instrument: the wording is proposed, unconfirmed.
    columns = [f"Q{item.number + 1}" for item in instrument.items[:-1]]
    headers = [(c, item.text.en) for c, item in zip(columns, instrument.items, strict=False)]
    matches = propose_mapping(columns, instrument, headers=headers)
    assert [m.target for m in matches] == list(instrument.item_ids[:-1])
    assert mapping_from_matches(matches).columns == {}


def test_surveymonkey_style_second_header_row(instrument):
    q2_text = "Har du en leder/mellomlederstilling?"
    matches = propose_mapping(
        [q2_text, "Unnamed: 9"], instrument, headers=[(q2_text, "Response"), (q2_text, "Other (please specify)")]
    )
    assert [m.target for m in matches] == ["q02", "q02_other"]


def test_two_columns_with_the_same_number(instrument):
    first, second = propose_mapping(["Q26", "26."], instrument)
    assert first.target == "q26"
    assert first.confidence < 0.6  # equally good claims: the researcher decides
    assert "tie" in first.note
    assert second.target is None
    assert second.reason == "conflict"
    assert "Q26" in second.note


def test_higher_confidence_wins_a_conflict(instrument):
    number, text = propose_mapping(["Q26_1", Q26_NB], instrument)
    assert text.target == "q26"
    assert number.target is None


# --- wording ----------------------------------------------------------------------------------


def test_full_norwegian_and_english_text(instrument):
    assert one(Q28_NB, instrument).target == "q28"
    assert one(Q28_EN, instrument).target == "q28"
    assert one(Q28_NB, instrument).confidence >= 0.95


def test_truncated_text(instrument):
    match = one(Q40_NB[:50], instrument)
    assert match.target == "q40"
    assert match.confidence >= 0.9


def test_text_without_accents_punctuation_and_with_a_typo(instrument):
    header = "Jeg har selv en klar forstaelse av hva casesamarbiedet har som formal"
    match = one(header, instrument)
    assert (match.target, match.reason) == ("q28", "text")
    assert match.confidence >= 0.6


def test_ascii_spelling_of_norwegian_letters_is_an_exact_match(instrument):
    # æ → ae, ø → o, å → a on both sides.
    header = "A arbeide med a lose problemer gjennom samarbeid samskaping har vaert gjort mange ganger tidligere"
    match = one(header, instrument)
    assert (match.target, match.confidence) == ("q27", 0.98)


def test_text_with_html_and_appended_scale_note(instrument):
    header = (
        "<b>Medarbeidere i kommunen er ofte lite villige til å hjelpe samarbeidspartnere utenfor kommunen.</b> "
        "(Svar med en score 1-100)"
    )
    assert one(header, instrument).target == "q74"


def test_shared_prefix_is_ambiguous(instrument):
    # Q66, Q67 and Q68 all begin with these words.
    match = one("De som har lederoppgaver i dette samarbeidet", instrument)
    assert match.confidence < 0.6
    assert "ambiguous" in match.note


@pytest.mark.parametrize("header", ["Så noen påstander [{}]", "Så noen påstander - {}"])
def test_matrix_item_text_after_a_stem(header, instrument):
    assert one(header.format(Q28_NB), instrument).target == "q28"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_item_matches_its_own_wording(lang, instrument):
    for item in instrument.items:
        match = one(item.text.get(lang), instrument)
        assert match.target == item.id, (item.id, match)
        assert match.confidence >= 0.9, (item.id, match)
        assert type(match.confidence) is float


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_whole_export_in_one_language_maps_every_item(lang, instrument):
    columns = ["Timestamp", *[item.text.get(lang) for item in instrument.items]]
    mapping = mapping_from_matches(propose_mapping(columns, instrument))
    assert unmapped_items(mapping, instrument) == ()
    assert "Timestamp" not in mapping.columns


def test_q1_maps_to_q01_and_is_the_case_source(instrument):
    matches = propose_mapping(["ResponseId", "Jeg representerer følgende casepartner:", "Q2"], instrument)
    mapping = mapping_from_matches(matches)
    assert mapping.columns["Jeg representerer følgende casepartner:"] == "q01"
    assert mapping.case_column == "Jeg representerer følgende casepartner:"
    assert mapping.id_column == "ResponseId"
    assert one("I represent the following case partner", instrument).target == "q01"
    assert one("Casepartner", instrument).target == "q01"


# --- roles and canonical names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("ResponseId", "respondent_id"),
        ("Respondent ID", "respondent_id"),
        ("$submission_id", "respondent_id"),
        ("id", "respondent_id"),
        ("submission id", "respondent_id"),
        ("Case", "case"),
        ("casenavn", "case"),
        ("Group", "group"),
        ("gruppe", "group"),
        ("Sektor", "group"),
    ],
)
def test_role_headers(header, target, instrument):
    match = one(header, instrument)
    assert (match.target, match.reason) == (target, "role")
    assert match.confidence == (0.7 if target == "respondent_id" else 0.8)


@pytest.mark.parametrize("name", ["respondent_id", "case", "group", "q01", "q26", "q82", "q02_other", "attr_sector"])
def test_canonical_names_map_to_themselves(name, instrument):
    assert one(name, instrument) == ColumnMatch(name, name, 1.0, "canonical")


def test_golden_survey_header_maps_canonically(shared_dir, instrument):
    with (shared_dir / "fixtures" / "golden" / "survey.csv").open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    matches = propose_mapping(header, instrument)
    assert all(m.target == m.column and m.confidence == 1.0 and m.reason == "canonical" for m in matches)
    assert unmapped_items(mapping_from_matches(matches), instrument) == ()


def test_metadata_and_identifying_columns_never_map_to_items(instrument):
    columns = ["Q26", Q28_NB, "ResponseId", "RecipientEmail", "Respondent ID"]
    roles = {
        "Q26": "metadata",
        Q28_NB: "identifying",
        "ResponseId": "metadata",
        "RecipientEmail": "identifying",
        "Respondent ID": "identifying",
    }
    matches = propose_mapping(columns, instrument, roles=roles)
    targets = {m.column: m.target for m in matches}
    assert targets == {
        "Q26": None,
        Q28_NB: None,
        "ResponseId": "respondent_id",
        "RecipientEmail": None,
        "Respondent ID": None,
    }


# --- building a mapping -----------------------------------------------------------------------


def test_mapping_from_matches_respects_min_confidence():
    matches = [
        ColumnMatch("a", "q01", 0.9, "text"),
        ColumnMatch("b", "q02", 0.59, "text"),
        ColumnMatch("c", None, 0.0, "none"),
        ColumnMatch("d", "q03", 0.6, "number"),
    ]
    assert mapping_from_matches(matches).columns == {"a": "q01", "d": "q03"}
    assert mapping_from_matches(matches, min_confidence=0.95).columns == {}


def test_unmapped_items_in_questionnaire_order(instrument):
    mapping = Mapping(columns={f"c{i}": f"q{i:02d}" for i in range(3, 83)} | {"x": "respondent_id"})
    assert unmapped_items(mapping, instrument) == ("q01", "q02")


def test_case_column_defaults():
    assert Mapping(columns={"Q1": "q01", "Case": "case"}).case_column == "Q1"
    assert Mapping(columns={"Case": "case"}).case_column == "Case"
    assert Mapping(columns={"Q1": "q01"}, case_source="Partner").case_column == "Partner"
    assert Mapping(columns={}).id_column is None


# --- groups and cases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("Fjordvik kommune", "municipality"),
        ("Kommunen", "municipality"),
        ("Bydel Nord", "municipality"),
        ("City council of Fjordvik", "municipality"),
        ("Grønn Tråd AS", "social_enterprise"),
        ("Kommunikasjonsbyrået AS", "social_enterprise"),  # AS wins; 'kommunikasjon' is not 'kommune'
        ("Stiftelsen Bro", "social_enterprise"),
        ("Bakeriet SA", "social_enterprise"),
        ("Fjordvik sosiale virksomhet", "social_enterprise"),
        ("NAV Fjordvik", "other"),
        ("Vestland fylkeskommune", "other"),
        ("Lyngtun gård", "other"),
        ("Kommunikasjonsbyrået", "other"),
        ("Alle tiders bas", "other"),  # 'as' inside a word, and lower case, is no company form
        ("Glassverket as", "other"),
        ("Navnløs Kafé AS", "social_enterprise"),  # 'Navn' is not NAV
        ("Statistikkbyrået", "other"),
        ("Fjordvik kommunale eiendom KF", "municipality"),
        ("Ideelle Hender", "social_enterprise"),
        ("", "other"),
    ],
)
def test_suggest_group(name, group):
    assert suggest_group(name) == group


def test_propose_cases_keeps_distinct_answers_in_order():
    values = ["Fjordvik kommune", " Grønn Tråd AS ", "", "Fjordvik kommune", "   ", "NAV Fjordvik"]
    assert propose_cases(values) == {
        "Fjordvik kommune": ("Fjordvik kommune", "municipality"),
        " Grønn Tråd AS ": ("Grønn Tråd AS", "social_enterprise"),
        "NAV Fjordvik": ("NAV Fjordvik", "other"),
    }
    assert list(propose_cases(values)) == ["Fjordvik kommune", " Grønn Tråd AS ", "NAV Fjordvik"]


# --- the mapping file -------------------------------------------------------------------------


def full_mapping() -> Mapping:
    return Mapping(
        columns={
            "Q1": "q01",
            "Q26": "q26",
            "Spørsmål: 70 #1": "q70",
            "26": "q27",
            "No": "attr_sector",
            "ResponseId": "respondent_id",
        },
        value_codes={"Q26": {"Helt enig": 5.0, "Vet ikke": None, "No": 2.0, "1": 1.0}},
        missing_codes={"Q26": ("-1", "99"), "Spørsmål: 70 #1": ("Vet ikke",)},
        not_relevant_codes={"Q26": ("Ikke relevant",)},
        cases={"Fjordvik kommune": ("Fjordvik", "municipality"), " Grønn Tråd AS": ("Fjordvik", "social_enterprise")},
        case_source="Q1",
        drop_incomplete=True,
        respondent_id_source="ResponseId",
    )


def test_yaml_round_trip():
    mapping = full_mapping()
    assert mapping_from_yaml(mapping_to_yaml(mapping)) == mapping
    assert mapping_from_yaml(mapping_to_yaml(Mapping(columns={}))) == Mapping(columns={})


def test_yaml_is_readable_by_hand():
    text = """
columns: {Q26: q26, 5: q05}
value_codes: {Q26: {1: 1, Helt enig: 5, Vet ikke: null}}
missing_codes: {Q26: [-1, 99]}
cases:
  Fjordvik kommune: {case: Fjordvik, group: municipality}
"""
    mapping = mapping_from_yaml(text)
    assert mapping.columns == {"Q26": "q26", "5": "q05"}
    assert mapping.value_codes == {"Q26": {"1": 1.0, "Helt enig": 5.0, "Vet ikke": None}}
    assert mapping.missing_codes == {"Q26": ("-1", "99")}
    assert mapping.cases == {"Fjordvik kommune": ("Fjordvik", "municipality")}
    assert mapping.case_source is None and mapping.drop_incomplete is False


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("columns: {Q99: q99}", "columns.Q99"),
        ("columns: {X: banana}", "columns.X"),
        ("columns: [q01]", "columns"),
        ("cases: {Fjordvik: {case: Fjordvik, group: banana}}", "cases.Fjordvik.group"),
        ("cases: [Fjordvik, municipality]", "cases"),
        ("cases: {Fjordvik: {group: municipality}}", "cases.Fjordvik"),
        ("value_codes: {Q26: {Helt enig: five}}", "value_codes.Q26.Helt enig"),
        ("value_codes: {Q26: [1, 2]}", "value_codes.Q26"),
        ("value_codes: {Q26: {No: 1}}", "value_codes.Q26"),  # unquoted No is a YAML true/false value
        ("missing_codes: {Q26: -1}", "missing_codes.Q26"),
        ("drop_incomplete: sometimes", "drop_incomplete"),
        ("case_source: [a, b]", "case_source"),
        ("colums: {Q26: q26}", "colums"),
        ("columns: {Q26: q26", "line"),
        ("- just a list", ""),
    ],
)
def test_malformed_mapping_yaml(text, key):
    with pytest.raises(ConfigError) as info:
        mapping_from_yaml(text, "my-mapping.yaml")
    assert info.value.file == "my-mapping.yaml"
    assert info.value.key.startswith(key) if key else info.value.key == ""
    assert re.match(r"my-mapping\.yaml: ", str(info.value))


def test_yaml_targets_checked_against_a_given_instrument(instrument):
    assert mapping_from_yaml("columns: {A: q82}", instrument=instrument).columns == {"A": "q82"}
    with pytest.raises(ConfigError):
        mapping_from_yaml("columns: {A: q83}", instrument=instrument)


def test_blank_case_name_is_rejected():
    with pytest.raises(ConfigError) as info:
        mapping_from_yaml("cases: {Fjordvik: {case: ' ', group: other}}")
    assert info.value.key == "cases.Fjordvik.case"
