"""Objects shared across sessions are read-only by construction, and rendering leaves them unchanged."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import geo
from qualepref.charts import shared
from tests.conftest import ROOT


def test_a_frozen_figure_refuses_every_way_of_changing_it():
    fig = shared.freeze(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout={"title": {"text": "t"}}))
    before = fig.to_json()
    attempts = [
        lambda: setattr(fig.layout.title, "text", "x"), lambda: fig.update_layout(title="y"),
        lambda: fig.add_trace(go.Bar()), lambda: setattr(fig.data[0], "y", [0, 0]),
        lambda: fig.update_traces(name="n"), lambda: setattr(fig, "layout", {}),
        lambda: fig.data[0].update(x=[5, 6]), lambda: fig.layout.update(height=300),
        lambda: setattr(fig.layout, "height", 100), lambda: fig.add_vline(x=1),
    ]
    for attempt in attempts:
        with pytest.raises(shared.ReadOnlyError):
            attempt()
    assert fig.to_json() == before
    mine = copy.deepcopy(fig)  # a copy is the way to change it
    mine.update_layout(title="à moi")
    assert type(mine) is go.Figure and fig.layout.title.text == "t"


def test_shared_arrays_tables_and_outlines_are_read_only():
    texts = shared.shared_array(["a", "b"])
    with pytest.raises(ValueError):
        texts[0] = "z"
    assert copy.deepcopy(texts) is texts
    table = shared.freeze(pd.DataFrame({"value": [1.0, 2.0], "label": ["x", "y"]}))
    with pytest.raises(ValueError):
        table.loc[0, "value"] = 5.0
    outlines = geo.subset(["87", "19"])["features"]
    assert copy.deepcopy(outlines) is outlines
    for change in (lambda: outlines.append({}), lambda: outlines.pop(), lambda: outlines.__setitem__(0, {}),
                   lambda: outlines.sort(key=id)):
        with pytest.raises(shared.ReadOnlyError):
            change()
    assert shared.freeze([go.Figure(), np.zeros(2)])[0].__class__ is shared.FrozenFigure


def test_two_sessions_rendering_a_page_leave_the_shared_figures_unchanged(demo_db_path, monkeypatch):
    """Tendances shares its sixteen figures between sessions: both render them, none changes them."""
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    frozen = []
    original = shared.freeze

    def recording(value):
        out = original(value)
        if isinstance(out, tuple):
            frozen.extend((item.figure, item.figure.to_json()) for item in out if hasattr(item, "figure"))
        return out

    monkeypatch.setattr(shared, "freeze", recording)
    sessions = []
    for _ in range(2):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page("pages/tendances.py")
        at.query_params["pref"] = "87"
        at.run()
        assert not at.exception, at.exception
        sessions.append(at)
    assert frozen, "Tendances builds its figures through ui.shared"
    n_built = len(frozen)
    sessions[0].run()  # a rerun of the first session: served from the shared cache
    sessions[1].toggle(key="mm3").set_value(True).run()  # another choice: other figures, built and shared
    assert not sessions[1].exception
    for figure, json_at_build in frozen:
        assert isinstance(figure, shared.FrozenFigure)
        assert figure.to_json() == json_at_build
    assert len(frozen) > n_built
