"""Read-only figure data that copying hands back unchanged.

Plotly deep-copies a trace's properties when a figure is built and again when
Streamlit serialises it (`fig.to_dict()`). For an array of Python objects (hover
and cell texts) each copy walks every element: 50,000 strings on a 1,000-prefecture
grid cost more than drawing the rest of the page. Plotly keeps its own read-only
copy of an array (an `ndarray.copy()`, which keeps the subclass); a deep copy of
that may be the array itself.
"""

from __future__ import annotations

import numpy as np


class SharedArray(np.ndarray):
    """An ndarray whose deep copy is itself (use for data plotly stores read-only)."""

    def __deepcopy__(self, memo):
        return self


def shared_array(values, dtype=object) -> SharedArray:
    """`values` as a `SharedArray` (object dtype by default: texts)."""
    return np.asarray(values, dtype=dtype).view(SharedArray)
