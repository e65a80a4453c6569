"""The import page (AppTest): an export that is not in canonical form, through to a loaded data set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _export_bytes(shared_dir: Path) -> bytes:
    """The golden survey as a tool would export it: "Q26"-style headers, Q1 naming the partner, ';'."""
    survey = pd.read_csv(shared_dir / "fixtures" / "golden" / "survey.csv", dtype=str, keep_default_na=False)
    side = survey["group"].map({"municipality": "kommune", "social_enterprise": "AS"})
    survey["q01"] = survey["case"] + " " + side  # e.g. "Case A kommune", "Case A AS"
    export = survey.drop(columns=["case", "group"]).rename(
        columns=lambda c: f"Q{int(c[1:])}" if c[:1] == "q" and c[1:].isdigit() else c
    )
    export = export.rename(columns={"respondent_id": "ResponseId"})
    return export.to_csv(index=False, sep=";").encode("cp1252")


def test_import_page_loads_an_export_for_the_whole_app(shared_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_data.py").run()
    assert not at.exception
    at.file_uploader(key="import_file").set_value(("export.csv", _export_bytes(shared_dir), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # Every Q-numbered column maps to its item (by number); nothing is left unmapped.
    assert not at.warning
    at.button(key="import_use").click().run()
    assert at.session_state["dataset"] == "imported"
    assert any("21 respondents" in s.value for s in at.success)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    cases = at.dataframe[0].value.iloc[:, 0].tolist()
    # Q1's distinct answers became the cases (the researcher may rename them on the page);
    # the group was suggested from the name: "kommune" → municipality, "AS" → social enterprise.
    assert "Case A kommune" in cases and "Case A AS" in cases
    assert "Case D kommune" in cases
