"""The small before/after chart of an action's effect (pure: DataFrame → plotly Figure).

The linked series, the date the "after" starts (a vertical line), and the mean before and after as
two horizontal segments, each labelled with its number of periods. French labels, no colour alone:
the segments are also named in the legend and the hover.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from qualepref import fmt
from qualepref.actions import Effect
from qualepref.charts.theme import BLEU_FRANCE, CATEGORICAL, GRIS, layout
from qualepref.charts.trends import _ticks


def effect_chart(series: pd.DataFrame, effect: Effect, *, title: str, unit: str | None, period_kind: str = "month",
                 meeting_mode: bool = False) -> go.Figure:
    """`series`: `period_start` and `value` (a rate as a fraction for satisfaction, `unit=None`)."""
    frame = series.assign(period_start=pd.to_datetime(series["period_start"])).sort_values("period_start")
    shown = frame["value"] * (100 if unit is None else 1)

    def text(v):
        return fmt.percent(v) if unit is None else fmt.with_unit(v, unit)

    hover = [f"{fmt.period(p, period_kind)} : {text(v)}" for p, v in zip(frame.period_start, shown, strict=True)]
    fig = go.Figure(go.Scatter(x=frame.period_start, y=shown, mode="lines+markers", name="Valeur",
                               line={"color": BLEU_FRANCE, "width": 2}, hovertext=hover, hoverinfo="text",
                               connectgaps=False))
    since = pd.Timestamp(effect.since) if effect.since else None
    decided = pd.Timestamp(effect.decided) if effect.decided else since
    scale = 100 if unit is None else 1
    # The two windows the verdict compares (the periods while the action was under way are in neither).
    windows = []
    if since is not None and effect.before_from is not None:
        windows.append(("Moyenne avant", effect.mean_before, effect.n_before,
                        frame[(frame.period_start >= pd.Timestamp(effect.before_from))
                              & (frame.period_start < decided)], GRIS, "dash"))
    if since is not None:
        windows.append(("Moyenne après", effect.mean_after, effect.n_after, frame[frame.period_start >= since],
                        CATEGORICAL[2], "solid"))
    for label, mean, n, part, colour, dash in windows:
        if mean is None or part.empty:
            continue
        fig.add_trace(go.Scatter(x=[part.period_start.min(), part.period_start.max()], y=[mean * scale] * 2,
                                 mode="lines", name=f"{label} ({fmt.count(n, 'période')}) : {text(mean * scale)}",
                                 line={"color": colour, "width": 3, "dash": dash}, hoverinfo="name"))
    tickvals, ticktext = _ticks(frame["period_start"], period_kind)
    marks = [(decided, "décision")] + ([(since, "réalisation")] if since is not None and since != decided else [])
    fig.update_layout(layout(
        title, meeting_mode=meeting_mode, height=320, showlegend=True,
        xaxis={"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": {"text": "%" if unit is None else unit}},
        # A dotted line at the decision and at the day it was done, named at the foot of the plot (not over the
        # legend).
        shapes=[{"type": "line", "xref": "x", "yref": "y domain", "x0": x, "x1": x, "y0": 0, "y1": 1,
                 "line": {"color": GRIS, "width": 1, "dash": "dot"}} for x, _ in marks if x is not None],
        annotations=[{"text": name, "showarrow": False, "xref": "x", "x": x, "xanchor": "left", "yref": "y domain",
                      "y": 0.02, "yanchor": "bottom", "font": {"color": GRIS}} for x, name in marks if x is not None]))
    return fig
