"""National comparison figures: map of the 101 départements, ranking, distribution, transmissions.

Pure builders (DataFrame → plotly Figure) and the small table shapers they
need. Values arrive already formatted in French (`value_text`) so the hover
and the data table say the same thing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qualepref import fmt, geo, stats, transmissions, vocab
from qualepref.charts.shared import shared_array
from qualepref.charts.theme import BLEU_FRANCE, DIVERGING, GRIS, NOIR, SEQUENTIAL, label_size, layout, vertical_line

HIGHLIGHT = vocab.ORANGE  # Okabe–Ito orange: stands out from the State blue for every reader
NO_DATA = vocab.NO_DATA  # not a colour of the sequential scale: "no figure" never reads as a value
NO_DATA_TEXT = "Pas de donnée"


def site_label(code: str, name: str | None) -> str:
    return f"{code} – {name}" if name else str(code)


# Ranking -----------------------------------------------------------------------------------------

def rank_sites(frame: pd.DataFrame, *, value: str = "value", lower_is_better: bool = False,
               n: str | None = None, min_n: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split sites into (ranked, unranked): only sites with a value (and n ≥ min_n) are ranked.

    `rank` is 1 for the best site; ties share a rank. Ranked rows come best first.
    """
    has_value = frame[value].notna()
    if n is not None and min_n is not None:
        has_value &= frame[n].fillna(0) >= min_n
    ranked = frame[has_value].copy()
    ranked["rank"] = ranked[value].rank(method="min", ascending=lower_is_better).astype(int)
    ranked = ranked.sort_values(["rank", "site_code"]).reset_index(drop=True)
    return ranked, frame[~has_value].reset_index(drop=True)


def with_rank_bands(ranked: pd.DataFrame, *, lower_is_better: bool = False) -> pd.DataFrame:
    """`ranked` (rows of `rank_sites` with `low` and `high` interval bounds) with the rank band each
    site can claim: rank_best, rank_worst and rank_text (« 3 à 17 »), see `stats.rank_bands`."""
    best, worst = stats.rank_bands(ranked["low"], ranked["high"], higher_is_better=not lower_is_better)
    return ranked.assign(rank_best=best, rank_worst=worst,
                         rank_text=[stats.rank_band_text(b, w) for b, w in zip(best, worst, strict=True)])


def ranking_bar(ranked: pd.DataFrame, *, title: str, axis_title: str, highlight: str | None = None,
                target: float | None = None, meeting_mode: bool = False) -> go.Figure:
    """Horizontal bars, best at the top, each labelled with its value; `low`/`high` columns (if any)
    drawn as an interval.

    Columns: site_code, site_name, rank, value, value_text (hover), and optionally low, high,
    rank_text (a rank band, « 3 à 17 », shown instead of the rank) and bar_text (the bar's label,
    else value_text).
    """
    rows = ranked.iloc[::-1]  # plotly draws the first category at the bottom
    ranks = rows["rank_text"] if "rank_text" in rows else rows["rank"].astype(str)
    separator = " · " if "rank_text" in rows else ". "
    labels = [f"{r}{separator}{site_label(c, s)}" for r, c, s in zip(ranks, rows.site_code, rows.site_name,
                                                                     strict=True)]
    colours = [HIGHLIGHT if c == highlight else BLEU_FRANCE for c in rows.site_code]
    text = rows.get("bar_text", rows.value_text)
    error = None
    placement = {"textposition": "outside"}
    if {"low", "high"} <= set(rows.columns):
        error = {"type": "data", "symmetric": False, "array": (rows.high - rows.value).tolist(),
                 "arrayminus": (rows.value - rows.low).tolist(), "color": GRIS, "thickness": 1}
        # Outside, the label would sit on the interval's whisker: inside, at the bar's foot.
        placement = {"textposition": "inside", "insidetextanchor": "start",
                     "textfont": {"color": [vocab.ink(c) for c in colours]}}
    bar = go.Bar(
        x=rows.value, y=labels, orientation="h", marker_color=colours, error_x=error, text=text, **placement,
        hovertext=[f"{lab}<br>{txt}" for lab, txt in zip(labels, rows.value_text, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>", name=axis_title,
    )
    # One go.Figure call from a finished layout: each update_layout / add_vline walks plotly's paths again.
    return go.Figure(data=[bar], layout=layout(
        title, meeting_mode=meeting_mode, **_target_line(target), height=max(320, 22 * len(rows) + 140),
        showlegend=False, xaxis={"title": {"text": axis_title}},
        yaxis={"automargin": True, "tickfont": {"size": label_size(meeting_mode, 11)}},
        uniformtext={"minsize": 8, "mode": "show"}))


# Distribution ------------------------------------------------------------------------------------

def distribution(values: pd.DataFrame, *, title: str, axis_title: str, highlight: str | None = None,
                 target: float | None = None, meeting_mode: bool = False) -> go.Figure:
    """Box plot with every site as a point; the selected prefecture drawn apart, in orange.

    Columns: site_code, site_name, value, value_text.
    """
    shown = values[values.value.notna()]
    hover = [f"{site_label(c, s)}<br>{t}" for c, s, t in zip(shown.site_code, shown.site_name, shown.value_text,
                                                              strict=True)]
    traces = [go.Box(
        x=shown.value, name="Préfectures", orientation="h", boxpoints="all", jitter=0.5, pointpos=0,
        marker={"color": BLEU_FRANCE, "size": 6, "opacity": 0.6}, line_color=BLEU_FRANCE,
        fillcolor="rgba(0,0,145,0.08)", hovertext=hover, hoverinfo="text", boxmean=False,
    )]
    chosen = shown[shown.site_code == highlight]
    if len(chosen):
        row = chosen.iloc[0]
        traces.append(_marker(row.value, site_label(row.site_code, row.site_name), row.value_text))
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, **_target_line(target), height=300,
        xaxis={"title": {"text": axis_title}}, yaxis={"showticklabels": False}))


def distribution_summary(summary: dict, *, title: str, axis_title: str, own_value=None,
                         own_label: str | None = None, own_text: str = "", target: float | None = None,
                         meeting_mode: bool = False) -> go.Figure:
    """The national distribution from its quartiles only (a one-prefecture scope sees no other site).

    `summary` holds q1, median, q3 and p10, p90; whiskers reach the 10th and
    90th centiles, and are left out when those are None (withheld: too few
    prefectures for an anonymous comparison).
    """
    fences = {}
    if summary.get("p10") is not None and summary.get("p90") is not None:
        fences = {"lowerfence": [summary["p10"]], "upperfence": [summary["p90"]]}
    traces = [go.Box(
        q1=[summary["q1"]], median=[summary["median"]], q3=[summary["q3"]], **fences, y=["National"],
        name="National", orientation="h", line_color=BLEU_FRANCE, fillcolor="rgba(0,0,145,0.08)",
    )]
    if own_value is not None and not pd.isna(own_value):
        traces.append(_marker(own_value, own_label or "Votre préfecture", own_text, y="National"))
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, **_target_line(target), height=260,
        xaxis={"title": {"text": axis_title}}, yaxis={"showticklabels": False}))


def _marker(value, label: str, text: str, y="Préfectures") -> go.Scatter:
    return go.Scatter(
        x=[value], y=[y], mode="markers+text", name=label, text=[label], textposition="top center",
        marker={"color": HIGHLIGHT, "size": 16, "symbol": "diamond", "line": {"color": NOIR, "width": 1.5}},
        hovertext=[f"{label}<br>{text}"], hoverinfo="text",
    )


def _target_line(target) -> dict:
    """Layout entries of the dashed vertical "Cible" line (none without a target)."""
    if target is None or pd.isna(target):
        return {}
    return vertical_line(target, "Cible", {"color": NOIR, "dash": "dash"})


# Map ---------------------------------------------------------------------------------------------

def choropleth(values: pd.DataFrame, *, title: str, axis_title: str, lower_is_better: bool | None = None,
               highlight: str | None = None, tick_suffix: str = "", midpoint: float | None = None,
               midpoint_label: str = "cible", meeting_mode: bool = False) -> go.Figure:
    """Map of the 101 départements (overseas and Paris with its petite couronne as insets) coloured by
    `value`; grey where no figure.

    Columns: site_code, site_name, value (NaN: not enough data), value_text (shown on hover).
    With a `midpoint` (the target, or 75 % for satisfaction) the colours diverge from it: better
    in blue, worse in orange, whatever the spread of the values (a min–max scale would colour the
    lowest prefecture as "bad" even when every prefecture meets its target). Without one (an
    indicator with no target) a sequential scale, light = better. The base map is hidden: only
    our GeoJSON is drawn, and nothing is fetched but the local topojson stub.
    """
    names = geo.departement_names()
    departements = list(geo.departement_codes())
    # Every area drawn: the départements, then the inset's copies of Paris and the petite couronne.
    zoomed = {geo.zoomed_code(c): c for c in departements if geo.zoomed_code(c)}
    codes = departements + list(zoomed)
    base = [zoomed.get(c, c) for c in codes]
    by_code = values.set_index("site_code")
    in_frame = pd.Index(base).isin(by_code.index)
    shown = by_code.reindex(base)
    has_value = in_frame & shown["value"].notna().to_numpy()
    hover = [f"{site_label(b, names.get(b))}<br>{t if present else NO_DATA_TEXT}"
             for b, t, present in zip(base, shown["value_text"], in_frame, strict=True)]
    known = [c for c, k in zip(codes, has_value, strict=True) if k]
    unknown = [c for c, k in zip(codes, has_value, strict=True) if not k]
    hover_known = [h for h, k in zip(hover, has_value, strict=True) if k]
    hover_unknown = [h for h, k in zip(hover, has_value, strict=True) if not k]
    z = shown["value"][has_value].astype(float).tolist()
    colorbar = {"title": {"text": axis_title, "side": "right"}, "ticksuffix": tick_suffix, "len": 0.8}
    if midpoint is not None and not pd.isna(midpoint):
        ticks = _ticks_around(float(midpoint), z)
        colour = {"colorscale": DIVERGING, "zmid": float(midpoint),
                  # Blue = better: high values when higher is better, low ones otherwise.
                  "reversescale": bool(lower_is_better)}
        colorbar |= {"tickvals": ticks, "ticksuffix": "",
                     "ticktext": [f"{fmt.number(t, _decimals(ticks))}{tick_suffix}"
                                  + (f" ({midpoint_label})" if t == midpoint else "") for t in ticks]}
    else:
        # Light = better whatever the indicator's direction (same reading on every map).
        colour = {"colorscale": SEQUENTIAL, "reversescale": bool(lower_is_better)}

    traces = [
        go.Choropleth(
            geojson=geo.subset(unknown), featureidkey=geo.FEATURE_ID_KEY, locations=unknown,
            z=[0] * len(unknown), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False, name=NO_DATA_TEXT,
            hovertext=hover_unknown, hoverinfo="text", marker_line={"color": "white", "width": 0.5},
        ),
        go.Choropleth(
            geojson=geo.subset(known), featureidkey=geo.FEATURE_ID_KEY, locations=known, z=z, **colour,
            colorbar=colorbar, hovertext=hover_known, hoverinfo="text", name=axis_title,
            marker_line={"color": "white", "width": 0.5},
        ),
    ]
    if highlight in departements:
        outlined = [highlight] + ([geo.zoomed_code(highlight)] if geo.zoomed_code(highlight) else [])
        traces.append(go.Choropleth(
            geojson=geo.subset(outlined), featureidkey=geo.FEATURE_ID_KEY, locations=outlined,
            z=[0] * len(outlined), colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker_line={"color": NOIR, "width": 3}, hoverinfo="skip", name="Préfecture choisie",
        ))
    lon, lat = geo.inset_frame_lines()
    traces.append(go.Scattergeo(lon=list(lon), lat=list(lat), mode="lines", line={"color": GRIS, "width": 1},
                                hoverinfo="skip", showlegend=False, name="Encarts"))
    label_lon, label_lat = geo.zoom_label_position()
    traces.append(go.Scattergeo(lon=[label_lon], lat=[label_lat], mode="text", text=[geo.ZOOM_LABEL],
                                textfont={"color": GRIS, "size": 14 if meeting_mode else 11}, hoverinfo="skip",
                                showlegend=False, name=geo.ZOOM_LABEL))
    # One go.Figure call from a finished layout (each update_* call walks plotly's paths again).
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, height=620, showlegend=False, margin={"l": 0, "r": 0, "t": 60, "b": 0},
        geo={"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"}}))


def _ticks_around(midpoint: float, values: list[float]) -> list[float]:
    """Round ticks of a diverging colour bar, the midpoint among them, over the values' span around it."""
    reach = max((abs(v - midpoint) for v in values), default=0.0) or 1.0
    raw = reach / 2
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(reach / step - 1e-9)
    return [midpoint + k * step for k in range(-count, count + 1)]


def _decimals(ticks: list[float]) -> int:
    return 0 if all(float(t).is_integer() for t in ticks) else 1


# Transmissions -----------------------------------------------------------------------------------

STATUSES = vocab.TRANSMISSION_STATUSES
STATUS_SENT, STATUS_PARTIAL, STATUS_MISSING = transmissions.SENT, transmissions.PARTIAL, transmissions.MISSING
STATUS_LABELS = STATUSES.labels()
# Colour is never the only sign (RGAA 3.1): the months to chase carry a symbol, a month sent
# stays blank. A symbol in all of the 2,400 cells of a national grid took the browser a second
# to draw, and hid the exceptions the page is about among the ticks.
STATUS_KEYS = {t.code: f"{t.symbol} {t.label}" if t.symbol else f"{t.label} (case sans symbole)" for t in STATUSES}


def transmission_grid(status: pd.DataFrame, *, title: str, month_label, show_names: bool = True,
                      meeting_mode: bool = False) -> go.Figure:
    """Prefecture (rows) × period (columns: months or quarters, named by `month_label`), three discrete
    colours, a symbol on each period to chase. `status` comes from `transmissions.status`."""
    order = [STATUS_MISSING, STATUS_PARTIAL, STATUS_SENT]
    sites = status[["site_code", "site_name"]].drop_duplicates("site_code").sort_values("site_code")
    months = sorted(status.period_start.unique())
    # Cell (site, month) of each row by position: no per-cell Python (25,000 cells at 1,000 sites).
    rows = pd.Index(sites.site_code).get_indexer(status.site_code)
    cols = pd.Index(months).get_indexer(status.period_start)
    codes = pd.Categorical(status.status, categories=order).codes
    z = np.full((len(sites), len(months)), np.nan)
    z[rows, cols] = codes
    # Index len(order) = no row for that cell: blank text and hover.
    cell = np.where(np.isnan(z), len(order), z).astype(int)
    # Shared arrays: plotly's deep copies of 25,000 texts each were a third of the grid's cost.
    text = shared_array([STATUSES[s].symbol for s in order] + [""])[cell]
    hover = shared_array([STATUS_LABELS[s] for s in order] + [""])[cell]
    labels = [site_label(c, n) if show_names else c for c, n in zip(sites.site_code, sites.site_name, strict=True)]
    n = len(order)
    scale = []
    for i, s in enumerate(order):
        scale += [[i / n, STATUSES.colour(s)], [(i + 1) / n, STATUSES.colour(s)]]
    heatmap = go.Heatmap(
        z=z, x=[month_label(m) for m in months], y=labels, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
        text=text, texttemplate="%{text}", customdata=hover, xgap=1, ygap=1,
        hovertemplate="%{y}<br>%{x} : %{customdata}<extra></extra>",
        colorbar={"tickvals": list(range(n)), "ticktext": [STATUS_KEYS[s] for s in order], "len": 180,
                  "lenmode": "pixels", "y": 1, "yanchor": "top"},
    )
    # Month labels sit on top (visible without scrolling down a tall grid): room for them under the title.
    return go.Figure(data=[heatmap], layout=layout(
        title, meeting_mode=meeting_mode, height=max(300, (26 if meeting_mode else 18) * len(labels) + 200),
        margin={"t": 140},
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": label_size(meeting_mode, 10)}},
        xaxis={"side": "top", "tickangle": -45, "automargin": True}))
