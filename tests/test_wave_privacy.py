"""A wave keeps its survey file without identifying columns, when that changes no data (samskaping.wave_privacy)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from samskaping.wave_privacy import without_identifying
from samskaping.workspace import Wave, load_wave, new_id

EMAIL = "sentinel.quokka@example.org"


@pytest.fixture
def golden(shared_dir) -> pd.DataFrame:
    return pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)


def _with_email(frame: pd.DataFrame) -> pd.DataFrame:
    emails = [f"person{i}@example.org" for i in range(len(frame))]
    emails[0] = EMAIL
    return frame.assign(**{"E-post": emails})


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "write"), [("svar.csv", _csv), ("svar.xlsx", _xlsx)])
def test_identifying_columns_are_left_out_and_the_data_is_the_same(golden, instrument, name, write):
    wave = Wave(new_id(), "2025", name, write(_with_email(golden)))
    stripped = without_identifying(wave, instrument)
    assert stripped.removed == ("E-post",) and stripped.kept_because is None
    assert EMAIL.encode() in wave.content or name.endswith(".xlsx")  # (xlsx keeps it in a compressed part)
    assert b"@example.org" not in stripped.wave.content
    assert stripped.wave.file_name == "svar.csv" and stripped.wave.id == wave.id
    # The reference is the wave as uploaded, read the same way.
    pd.testing.assert_frame_equal(load_wave(stripped.wave, instrument).data, load_wave(wave, instrument).data)


def test_a_file_without_identifying_columns_is_kept_as_it_is(golden, instrument):
    wave = Wave(new_id(), "2025", "svar.csv", _csv(golden))
    assert without_identifying(wave, instrument).wave is wave
    assert without_identifying(wave, instrument).removed == ()


def test_kept_as_uploaded_when_leaving_columns_out_would_change_the_data(golden, instrument):
    # A title line above the header: the answers start on file row 3, and without a respondent id
    # column respondents are named by that row ("row3", …). The rewritten file has no title line,
    # so its names would change: the wave keeps its file.
    frame = _with_email(golden.drop(columns=["respondent_id"]))
    content = b"Survey export 2025\n" + _csv(frame)
    wave = Wave(new_id(), "2025", "svar.csv", content)
    assert load_wave(wave, instrument).data["respondent_id"].iloc[0] == "row3"
    stripped = without_identifying(wave, instrument)
    assert stripped.wave is wave and stripped.removed == () and stripped.kept_because == "changes_data"


def test_an_unreadable_file_is_kept_as_it_is(instrument):
    wave = Wave(new_id(), "2025", "svar.xlsx", b"PK\x03\x04 not really a workbook")
    stripped = without_identifying(wave, instrument)
    assert stripped.wave is wave and stripped.kept_because == "unreadable"
