"""Objects shared across reruns and sessions, read-only by construction (one module for all of them).

Three kinds of shared data, each made so that no caller can change what the
others see:

- `SharedArray`: figure data plotly stores read-only (hover and cell texts). A
  non-writeable ndarray whose deep copy is itself: plotly deep-copies a trace's
  properties when a figure is built and again when Streamlit serialises it, and
  for an array of Python objects each copy walked every element (50,000 strings
  on a 1,000-prefecture grid cost more than drawing the rest of the page).
- `SharedFeatures`: the GeoJSON outlines of the map (the features of the file
  read once), a list that refuses changes, handed back unchanged by copying.
- `freeze`: what `ui.shared` returns to every session — figures become
  `FrozenFigure`s (any update raises; a deep copy is an ordinary, writable
  figure), tables get non-writeable columns, lists become tuples.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import plotly.graph_objects as go


class ReadOnlyError(TypeError):
    """A shared object was about to be changed (a bug: copy it first, `copy.deepcopy`)."""


class SharedArray(np.ndarray):
    """A non-writeable ndarray whose deep copy is itself (data plotly stores read-only)."""

    def __deepcopy__(self, memo):
        return self


def shared_array(values, dtype=object) -> SharedArray:
    """`values` as a non-writeable `SharedArray` (object dtype by default: texts)."""
    out = np.array(values, dtype=dtype).view(SharedArray)
    out.flags.writeable = False
    return out


def _refuse(*_args, **_kwargs):
    raise ReadOnlyError("Objet partagé entre les sessions : lecture seule (copy.deepcopy pour le modifier).")


class SharedFeatures(list):
    """Features of the shared, read-only GeoJSON, which copying hands back unchanged.

    Plotly deep-copies a trace's properties when a figure is built and again when
    Streamlit serialises it: 17,700 points, twice, were most of the map's time on
    every run. A list (the JSON writer plotly uses takes list subclasses, not tuple
    ones) whose every mutating method raises: the outlines cannot be added to,
    removed or reordered.
    """

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class FrozenFigure(go.Figure):
    """A figure every session reads and none may change: each way plotly updates a figure raises.

    Property assignments on its traces and layout reach the figure through
    `_restyle_child` / `_relayout_child`; `update_*`, `add_*` and `for_each_*`
    through `update`, `add_traces`, `plotly_*`. A deep copy is a plain `go.Figure`.
    """

    _restyle_child = _refuse
    _relayout_child = _refuse
    plotly_restyle = _refuse
    plotly_relayout = _refuse
    plotly_update = _refuse
    update = _refuse
    add_traces = _refuse
    add_trace = _refuse
    __setitem__ = _refuse

    def __setattr__(self, name, value):
        if not name.startswith("_"):
            _refuse()
        super().__setattr__(name, value)

    def __deepcopy__(self, memo):
        return go.Figure(self.to_dict(), skip_invalid=True)

    def __reduce__(self):
        return go.Figure, (self.to_dict(),)


def _freeze_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with non-writeable NumPy columns: `frame.loc[...] = …` on them raises instead of changing it.

    (pandas' Arrow-backed string columns have no such flag; pages only read shared tables.)
    """
    for block in frame._mgr.blocks:  # pandas keeps the columns of one dtype in one 2-D block
        values = getattr(block, "values", None)
        if isinstance(values, np.ndarray):
            values.flags.writeable = False
    return frame


def freeze(value):
    """`value` made read-only for sharing (see the module's docstring); returns it (or its tuple)."""
    if isinstance(value, FrozenFigure):
        return value
    if isinstance(value, go.Figure):
        value.__class__ = FrozenFigure
        # In plotly's batch mode a trace or layout property assignment is not written into the
        # object: it goes only to the figure's _restyle_child / _relayout_child, which refuse it.
        value._in_batch_mode = True
        return value
    if isinstance(value, pd.DataFrame):
        return _freeze_frame(value)
    if isinstance(value, list | tuple) and not isinstance(value, SharedFeatures):
        return tuple(freeze(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            frozen = freeze(getattr(value, item.name))
            if frozen is not getattr(value, item.name):
                object.__setattr__(value, item.name, frozen)
        return value
    return value



