"""Colours and layout defaults shared by every figure (State identity, French separators).

Figures are best built in one `go.Figure(data=..., layout=layout(...))` call:
each `update_layout` / `update_xaxes` call walks plotly's property paths and
validates again, and a figure built by a handful of them costs two to four
times one built from a finished layout dict (measured on the trend charts).
"""

from __future__ import annotations

import plotly.graph_objects as go

from qualepref.vocab import (
    BAD,
    BLEU_FRANCE,
    CATEGORICAL,
    GOOD,
    GOOD_LIGHT,
    GRIS,
    GRIS_CLAIR,
    MIDDLE,
    NOIR,
    PALE,
    ROUGE_MARIANNE,
)

__all__ = ["BLEU_FRANCE", "CATEGORICAL", "DIVERGING", "FONT", "GRIS", "GRIS_CLAIR", "NOIR", "ROUGE_MARIANNE",
           "SEQUENTIAL", "base_layout", "label_size", "layout", "merged", "vertical_line"]
# Sequential scale readable in grey and by colour-blind readers (viridis, light = better).
SEQUENTIAL = "Viridis"
# Diverging scale for values judged against an anchor (a target, the 75 % threshold): worse in
# orange, better in blue, the anchor almost white; blue–orange reads for colour-blind readers.
DIVERGING = [[0.0, BAD], [0.25, MIDDLE], [0.5, PALE], [0.75, GOOD_LIGHT], [1.0, GOOD]]
FONT = "Marianne, Arial, sans-serif"

_X_AXIS = {"showgrid": False, "linecolor": GRIS}
_Y_AXIS = {"gridcolor": GRIS_CLAIR, "zerolinecolor": GRIS_CLAIR}


def merged(base: dict, overrides: dict) -> dict:
    """`base` updated by `overrides`, nested dicts merged key by key (neither argument is changed)."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def label_size(meeting_mode: bool, normal: int) -> int:
    """Font size of dense labels (many categories, cell texts): small on a screen, readable on a projector."""
    return max(normal, 16) if meeting_mode else normal


def _frame_layout(title: str, meeting_mode: bool) -> dict:
    size = 18 if meeting_mode else 13
    return {
        # Title at the top of the figure, the legend under it, above the plot: the key is read before
        # the marks, and in large type it never lands on the axis labels (it did under the plot).
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": size + 4},
                  "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 10}},
        "separators": ", ",
        "font": {"family": FONT, "size": size, "color": NOIR},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 100 if meeting_mode else 84, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left"},
        "hoverlabel": {"font": {"family": FONT}},
    }


def layout(title: str, *, meeting_mode: bool = False, title_position: dict | None = None, **overrides) -> dict:
    """Title, French number separators (`1 234,5`), readable fonts (larger in meeting mode), as a dict.

    `overrides` are merged in (nested dicts key by key), e.g.
    `xaxis={"title": {"text": "Période"}}` keeps the shared axis style;
    `title_position` places the title (e.g. `{"yref": "container", "y": 0.98}`).
    """
    base = _frame_layout(title, meeting_mode) | {"xaxis": dict(_X_AXIS), "yaxis": dict(_Y_AXIS)}
    if title_position:
        base["title"] = base["title"] | title_position
    return merged(base, overrides)


def vertical_line(x, text: str, line: dict) -> dict:
    """Layout entries of a vertical line across the plot, labelled at its top (what `fig.add_vline`
    with `annotation_position="top"` adds, without another pass over the figure)."""
    return {
        "shapes": [{"type": "line", "xref": "x", "yref": "y domain", "x0": x, "x1": x, "y0": 0, "y1": 1,
                    "line": line}],
        "annotations": [{"text": text, "showarrow": False, "xref": "x", "x": x, "xanchor": "center",
                         "yref": "y domain", "y": 1, "yanchor": "bottom"}],
    }


def base_layout(fig: go.Figure, title: str, *, meeting_mode: bool = False) -> go.Figure:
    """The shared layout applied to a built figure (every axis of subplots included)."""
    fig.update_layout(_frame_layout(title, meeting_mode))
    fig.update_xaxes(_X_AXIS)
    fig.update_yaxes(_Y_AXIS)
    return fig
