"""Secondary suppression (methods.md §7) for totals with more than two sides."""

from __future__ import annotations

import pandas as pd
import pytest

from samskaping.anonymity import mask_counts, suppress


@pytest.mark.parametrize(
    ("sizes", "expected_hidden"),
    [
        # Two sides: the §7 rule verbatim – one side hidden, the other hidden too.
        ([5, 2], [True, True]),
        ([5, 4], [False, False]),
        # Three sides 5, 1, 1: the two small sides hold 2 < k respondents together, and the case
        # total minus the side of 5 would reveal their combined mean, so all three are hidden.
        ([5, 1, 1], [True, True, True]),
        # 6, 5, 1, 1: hiding the 5 as well protects 7 ≥ k respondents; the 6 can stay.
        ([6, 5, 1, 1], [False, True, True, True]),
        # 7, 1, 2: the hidden sides hold 3 = k respondents together; nothing more to hide.
        ([7, 1, 2], [False, True, True]),
        # An empty side (n = 0) reveals nothing.
        ([5, 4, 0], [False, False, True]),
    ],
)
def test_secondary_suppression_protects_every_total(sizes, expected_hidden):
    table = pd.DataFrame(
        {"case": "A", "group": [f"side{i}" for i in range(len(sizes))], "measure": "m", "n": sizes, "mean": 3.0}
    )
    result = suppress(table, k=3, keys=["case", "group"], statistics=["mean"], within=["case"])
    assert result["hidden"].tolist() == expected_hidden
    assert result.loc[result["hidden"], "mean"].isna().all()
    assert (result.loc[result["hidden"], "n"] == table.loc[result["hidden"], "n"]).all()  # n stays visible


def test_counts_below_k_are_masked_with_their_shares():
    table = pd.DataFrame({"item": ["q07"], "3": [1], "4": [5], "share_3": [1 / 6]})
    shown = mask_counts(table, ["3", "4"], k=3, shares={"share_3": "3"})
    # 1 respondent chose 3: count and share both hidden (the share 1/6 would reveal the count).
    assert shown.loc[0, "3"] == "< 3"
    assert shown.loc[0, "share_3"] == "< 3"
    assert shown.loc[0, "4"] == 5


def test_group_table_protects_a_group_whose_mean_follows_from_the_case_table(instrument, codebook):
    """Two cases of 4 and 4 respondents, all shown; groups 4 municipality, 3 social enterprise,
    1 other. The case table gives the all-respondent total (Σ n · mean), so the one hidden
    'other' respondent would follow by subtraction: the smallest shown group (3) is hidden too."""
    from samskaping.scoring import score_survey

    groups = ["municipality"] * 4 + ["social_enterprise"] * 3 + ["other"]
    data = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(8)], "case": ["A"] * 4 + ["B"] * 4, "group": groups})
    for item in instrument.item_ids:
        data[item] = 4.0 if instrument.format_of(item).numeric else None
    table = score_survey(data, instrument, codebook, k=3).groups
    climate = table[table["measure"] == "climate"].set_index("group")
    assert climate.loc["other", "hidden"] and climate.loc["social_enterprise", "hidden"]
    assert not climate.loc["municipality", "hidden"]
