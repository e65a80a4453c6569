"""Anonymity: hide every cell computed from fewer than k respondents (methods.md §7).

Applied in one place, to every table that is shown or exported, so no view or export can
forget it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["hidden_label", "mask_counts", "suppress"]


def suppress(
    table: pd.DataFrame,
    *,
    k: int,
    keys: Sequence[str],
    statistics: Sequence[str],
    within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mark and blank the cells of a summary table that could reveal small groups.

    Parameters
    ----------
    table : DataFrame
        One row per cell, with the ``keys`` columns, ``measure`` and ``n``.
    k : int
        Cells with ``n < k`` are hidden (primary suppression). Their n stays visible.
    keys : list of str
        The columns that identify a cell besides ``measure``.
    statistics : list of str
        The columns blanked in a hidden cell.
    within : list of str, optional
        Secondary suppression: the cells of one total (e.g. the sides of one case, ``["case"]``,
        or all groups of the data set, ``[]``) whose total is shown elsewhere. The hidden cells
        of a total could be recovered together by subtraction, so more cells (the smallest
        first) are hidden until at least two are hidden and they hold at least k respondents
        between them, or all are hidden. ``None``: no secondary suppression.

    Returns
    -------
    DataFrame
        A copy with a boolean ``hidden`` column and the statistics of hidden cells blanked.
    """
    out = table.copy()
    primary = out["n"] < k
    hidden = primary
    if within is not None:
        hidden = primary | _secondary(out, primary, [*within, "measure"], k)
    out["hidden"] = hidden.astype(bool)
    for column in statistics:
        out[column] = out[column].where(~out["hidden"])
    return out


def _secondary(table: pd.DataFrame, primary: pd.Series, groups: list[str], k: int) -> pd.Series:
    """Cells to hide besides the primary ones so that no total reveals a group under k."""
    keys = [table[c] for c in groups]
    revealing = primary & (table["n"] > 0)
    hidden_count = revealing.groupby(keys).transform("sum")
    hidden_n = table["n"].where(revealing, 0).groupby(keys).transform("sum")
    # Rank the shown cells of each total from the smallest n up; a cell must be hidden when the
    # cells hidden before it (primary ones and smaller shown ones) do not yet protect the total.
    order = table.assign(_visible_n=table["n"].where(~primary)).sort_values("_visible_n", kind="stable")
    visible = ~primary.loc[order.index]
    sorted_keys = [order[c] for c in groups]
    before_n = order["_visible_n"].where(visible, 0).groupby(sorted_keys).cumsum() - order["_visible_n"].fillna(0)
    before_count = visible.astype(int).groupby(sorted_keys).cumsum() - 1
    protected = (hidden_count.loc[order.index] + before_count >= 2) & (hidden_n.loc[order.index] + before_n >= k)
    extra = visible & (hidden_count.loc[order.index] > 0) & ~protected
    return extra.reindex(table.index, fill_value=False)


def hidden_label(n: int, k: int) -> str:
    """The text shown instead of a hidden statistic: ``hidden, n < k``."""
    return f"hidden, n < {k}" if n < k else "hidden"


def mask_counts(
    table: pd.DataFrame, columns: Sequence[str], *, k: int, shares: dict[str, str] | None = None
) -> pd.DataFrame:
    """Frequency table for display: counts between 1 and k − 1 become ``"< k"`` (methods.md §7).

    ``shares`` maps a share column to the count column it was computed from; a share whose
    count is masked is masked too, since the share would reveal the count.
    """
    out = table.copy().astype({c: "object" for c in columns})
    small = {c: (table[c] > 0) & (table[c] < k) for c in columns}
    for column in columns:
        out.loc[small[column], column] = f"< {k}"
    for share, count in (shares or {}).items():
        if share in out and count in small:
            out[share] = out[share].astype("object")
            out.loc[small[count], share] = f"< {k}"
    return out
