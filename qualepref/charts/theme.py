"""Colours and layout defaults shared by every figure (State identity, French separators)."""

from __future__ import annotations

import plotly.graph_objects as go

BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
GRIS = "#666666"
GRIS_CLAIR = "#DDDDDD"
# Okabe–Ito palette: distinguishable by colour-blind readers.
CATEGORICAL = ["#000091", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#666666"]
# Sequential scale readable in grey and by colour-blind readers (viridis, light = better).
SEQUENTIAL = "Viridis"
FONT = "Marianne, Arial, sans-serif"


def base_layout(fig: go.Figure, title: str, *, meeting_mode: bool = False) -> go.Figure:
    """Title, French number separators (`1 234,5`), readable fonts; larger in meeting mode."""
    size = 18 if meeting_mode else 13
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": size + 4}},
        separators=", ",
        font={"family": FONT, "size": size, "color": "#161616"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False, linecolor=GRIS)
    fig.update_yaxes(gridcolor=GRIS_CLAIR, zerolinecolor=GRIS_CLAIR)
    return fig
