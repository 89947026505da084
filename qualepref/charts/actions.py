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
from qualepref.charts.theme import BLEU_FRANCE, CATEGORICAL, GRIS, layout, vertical_line
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
    scale = 100 if unit is None else 1
    for label, mean, part, colour, dash in (
            ("Moyenne avant", effect.mean_before, frame[frame.period_start < since] if since is not None else None,
             GRIS, "dash"),
            ("Moyenne après", effect.mean_after, frame[frame.period_start >= since] if since is not None else None,
             CATEGORICAL[2], "solid")):
        if mean is None or part is None or part.empty:
            continue
        n = len(part)
        fig.add_trace(go.Scatter(x=[part.period_start.min(), part.period_start.max()], y=[mean * scale] * 2,
                                 mode="lines", name=f"{label} ({n} période(s)) : {text(mean * scale)}",
                                 line={"color": colour, "width": 3, "dash": dash}, hoverinfo="name"))
    tickvals, ticktext = _ticks(frame["period_start"], period_kind)
    extra = vertical_line(since, "Action", {"color": GRIS, "width": 1, "dash": "dot"}) if since is not None else {}
    fig.update_layout(layout(
        title, meeting_mode=meeting_mode, height=300, showlegend=True,
        xaxis={"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": {"text": "%" if unit is None else unit}}, **extra))
    return fig
