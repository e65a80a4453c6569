"""Figures built once per data set, settings, language and choice, and shared by the reruns that draw them again.

Building a plotly figure (every trace and property validated) costs more than drawing it: a heatmap
of 100 cases took most of a page rerun. A figure depends only on the data set, the codebook, the
sidebar's settings, the language and what the page chose (a case, a pair of groups), so it is kept
under exactly those. Figures are shared read-only: pages only draw them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from samskaping.figures import Chart
from ui import data
from ui.data import Dataset
from ui.text import lang


class _DrawnFigure(go.Figure):
    """A shared figure whose dict form is made once.

    ``st.plotly_chart`` asks a figure for ``to_dict()`` on every rerun, a deep copy of every trace
    (half of a warm Overview rerun with 20 cases in the heatmap). A shared figure never changes, so
    its dict is made when it is kept and handed out again; ``plotly.io.to_json`` only reads it.
    """

    _drawn: dict

    def to_dict(self) -> dict:
        return self._drawn


def _drawn(figure: go.Figure) -> go.Figure:
    """``figure`` itself, turned into a :class:`_DrawnFigure` (building a new one would validate every trace again)."""
    drawn = figure.to_dict()
    figure.__class__ = _DrawnFigure
    figure._drawn = drawn
    return figure


@st.cache_resource(show_spinner=False, max_entries=64)
def _chart(name: str, key: str, k: int, three: bool, language: str, choice: Hashable, _build: Callable[[], Chart]):
    chart = _build()
    return dataclasses.replace(chart, figure=_drawn(chart.figure))


def chart(name: str, dataset: Dataset, build: Callable[[], Chart], *choice: Hashable) -> Chart:
    """The figure ``build()`` makes, built once per figure name, data set, codebook, k, *treat 3 as missing*,
    language and ``choice`` (what else the figure depends on, e.g. the case)."""
    k, three = data.settings()
    return _chart(name, data.cache_key(dataset), k, three, lang(), choice, build)


def frame_key(frame: pd.DataFrame) -> tuple[int, tuple[str, ...]]:
    """A key for a small table a figure is drawn from (its values, index and column names)."""
    return int(pd.util.hash_pandas_object(frame, index=True).sum()), tuple(map(str, frame.columns))
