"""ui/charts.py: a shared figure hands out the dict it had when it was kept."""

from __future__ import annotations

import copy

import plotly.graph_objects as go
import plotly.io as pio

from ui import charts


def _figure() -> go.Figure:
    return go.Figure(
        go.Heatmap(z=[[1.0, 2.5], [3.0, None]], x=["a", "b"], y=["c", "d"], text=[["1", "2,5"], ["3", ""]]),
        layout={"template": "plotly_white", "title": {"text": "Cases × measures"}},
    )


def test_a_drawn_figure_serialises_as_the_figure_it_was() -> None:
    """Reference: plotly's own to_dict/to_json of an untouched copy of the same figure."""
    original = _figure()
    expected_dict, expected_json = copy.deepcopy(original.to_dict()), pio.to_json(original, validate=False)
    drawn = charts._drawn(original)
    assert isinstance(drawn, go.Figure)
    assert drawn.to_dict() == expected_dict
    assert pio.to_json(drawn.to_dict(), validate=False) == expected_json
    assert drawn.to_dict() is drawn.to_dict()  # made once, not copied per rerun
