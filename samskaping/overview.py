"""Descriptions of a whole data set: who answered, and how much is missing."""

from __future__ import annotations

import pandas as pd

from samskaping.instrument import Instrument
from samskaping.scoring import item_values
from samskaping.validation import GROUPS

__all__ = ["missing_by_part", "respondent_counts"]


def respondent_counts(data: pd.DataFrame) -> pd.DataFrame:
    """Respondents per case (rows) and group (columns), with a ``total`` column.

    Raw counts; :func:`samskaping.anonymity.mask_counts` shows those below k as "< k".
    Respondents without a case are counted under the case ``""`` only if there are any.
    """
    cases = data["case"].fillna("")
    table = pd.crosstab(cases, data["group"].fillna("unknown"))
    columns = [g for g in GROUPS if g in table.columns] + [c for c in table.columns if c not in GROUPS]
    table = table.reindex(columns=columns, fill_value=0)
    table["total"] = table.sum(axis=1)
    table.index.name = "case"
    table.columns.name = None
    return table.reset_index()


def missing_by_part(data: pd.DataFrame, instrument: Instrument, *, three_as_missing: bool = False) -> pd.DataFrame:
    """Per part of the survey: items, answers expected, share missing, and share of 3s on 1–5 items.

    Free-text parts are left out (a blank free-text answer is not missing data). With
    *treat 3 as missing*, 3s on 1–5 items count as missing too.
    """
    values = item_values(data, instrument, three_as_missing=False)
    rows = []
    for part in instrument.parts:
        items = [i.id for i in instrument.items if i.part == part and i.id in values]
        if not items:
            continue
        block = values[items]
        cells = block.size
        nullable = [i for i in items if instrument.format_of(i).not_applicable_code is not None]
        threes = int(sum((block[i] == instrument.format_of(i).not_applicable_code).sum() for i in nullable))
        blank = int(block.isna().sum().sum())
        rows.append(
            {
                "part": part,
                "items": len(items),
                "answers_expected": cells,
                "share_missing": (blank + (threes if three_as_missing else 0)) / cells if cells else float("nan"),
                "share_3": threes / cells if nullable and cells else float("nan"),
            }
        )
    return pd.DataFrame(rows)
