"""Figures of the label's life: the national status map and a site's timeline of stages (pure).

Colour is never the only sign (RGAA 3.1): each status has its marker shape too, drawn on
every site and repeated in the legend. The map is drawn from the local outlines only (the
base map is hidden) so it renders offline.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from qualepref import geo, vocab
from qualepref.charts.theme import GRIS, NOIR, layout

STATUSES = vocab.LABEL_STATUSES
# Plotly marker shape of each status (the same sign as `vocab.LABEL_STATUSES[…].symbol`).
MARKERS = {
    "labellise": "circle",
    "suivi_en_retard": "x",
    "audit_externe_programme": "square",
    "audit_interne_fait": "diamond",
    "en_preparation": "triangle-up",
    "non_engage": "circle-open",
}
# Collectivités d'outre-mer have no outline on the map: they get a labelled slot under the insets.
COM_SLOTS_LON = (-9.0, -8.0, -7.0, -6.0, -5.0, -4.0)
COM_SLOTS_LAT = 41.1
SUB_SITE_RADIUS = 0.22  # degrees: sub-sites without coordinates circle their parent's point


def _points(status: pd.DataFrame) -> pd.DataFrame:
    """Where each site is drawn (lon, lat), and whether that point is approximate."""
    centres = geo.feature_centres()
    rows = status.set_index("site_code")
    lon, lat, approx = {}, {}, {}
    com = [c for c in rows.index if rows.at[c, "zone"] == "com"]
    for i, code in enumerate(sorted(com)):
        lon[code], lat[code], approx[code] = COM_SLOTS_LON[i % len(COM_SLOTS_LON)], COM_SLOTS_LAT, True
    for code in rows.index:
        if code in lon:
            continue
        row = rows.loc[code]
        if code in centres and (geo.is_inset(code) or pd.isna(row.lon)):
            lon[code], lat[code], approx[code] = *centres[code], False
        elif not pd.isna(row.lon) and not geo.is_inset(code):
            lon[code], lat[code], approx[code] = float(row.lon), float(row.lat), False
    # Sites without a point of their own (sub-prefectures not yet placed, overseas ones): around
    # their parent's point, spread on a small circle.
    children = {}
    for code in rows.index:
        if code not in lon:
            children.setdefault(rows.at[code, "parent_code"], []).append(code)
    for parent, codes in children.items():
        centre = (lon.get(parent), lat.get(parent))
        if centre[0] is None:
            continue
        for k, code in enumerate(sorted(codes)):
            angle = 2 * math.pi * k / len(codes) + math.pi / 4
            lon[code] = centre[0] + SUB_SITE_RADIUS * 1.4 * math.cos(angle)
            lat[code] = centre[1] + SUB_SITE_RADIUS * math.sin(angle)
            approx[code] = True
    return pd.DataFrame({"lon": lon, "lat": lat, "approx": approx}).rename_axis("site_code").reset_index()


def status_map(status: pd.DataFrame, *, title: str, meeting_mode: bool = False) -> go.Figure:
    """Départements coloured by their prefecture's status, every site a marker shaped by its status.

    Columns: site_code, site_title (the name as written), site_kind, parent_code, zone, lon, lat,
    status, detail. Prefectures fill their département; sub-prefectures and other sites are
    points only (smaller). Legend: one entry per status, with its count.
    """
    points = status.drop(columns=["lon", "lat"]).merge(_points(status), on="site_code", how="left")
    prefectures = status[status["site_kind"] == "prefecture"]
    outlines = set(geo.departement_codes())
    traces = []
    for term in STATUSES:
        codes = [c for c, s in zip(prefectures.site_code, prefectures.status, strict=True)
                 if s == term.code and c in outlines]
        # Paris and the petite couronne drawn again, zoomed, in the Île-de-France inset.
        codes += [geo.zoomed_code(c) for c in codes if geo.zoomed_code(c)]
        if codes:
            traces.append(go.Choropleth(
                geojson=geo.subset(codes), featureidkey=geo.FEATURE_ID_KEY, locations=codes, z=[0] * len(codes),
                colorscale=[[0, term.colour], [1, term.colour]], showscale=False, showlegend=False,
                marker={"line": {"color": "white", "width": 0.6}, "opacity": 0.55}, hoverinfo="skip",
                name=term.label))
    lon, lat = geo.inset_frame_lines()
    traces.append(go.Scattergeo(lon=list(lon), lat=list(lat), mode="lines", line={"color": GRIS, "width": 1},
                                hoverinfo="skip", showlegend=False, name="Encarts outre-mer"))
    # The Île-de-France prefectures' markers again in the inset, where they can be told apart.
    zoom = points[points["site_code"].isin(geo.ZOOM_CODES) & (points["site_kind"] == "prefecture")]
    if len(zoom):
        moved = [geo.to_zoom(x, y) for x, y in zip(zoom["lon"], zoom["lat"], strict=True)]
        points = pd.concat([points, zoom.assign(lon=[m[0] for m in moved], lat=[m[1] for m in moved])],
                           ignore_index=True)
    lon_z, lat_z = geo.zoom_label_position()
    traces.append(go.Scattergeo(lon=[lon_z], lat=[lat_z], mode="text", text=[geo.ZOOM_LABEL], showlegend=False,
                                textfont={"size": 10, "color": GRIS}, hoverinfo="skip", name="Encart"))
    counts = status["status"].value_counts()
    for term in STATUSES:
        shown = points[(points["status"] == term.code) & points["lon"].notna()]
        if shown.empty:
            continue
        is_prefecture = (shown["site_kind"] == "prefecture").to_numpy()
        hover = [f"<b>{t}</b><br>{term.label}<br>{d}" + ("<br><i>Position approchée</i>" if a else "")
                 for t, d, a in zip(shown["site_title"], shown["detail"], shown["approx"].fillna(False), strict=True)]
        traces.append(go.Scattergeo(
            lon=shown["lon"].tolist(), lat=shown["lat"].tolist(), mode="markers",
            name=f"{term.symbol} {term.label} ({int(counts.get(term.code, 0))})",
            marker={"symbol": MARKERS[term.code], "color": term.colour, "size": [11 if p else 7 for p in is_prefecture],
                    "line": {"color": NOIR, "width": 1}},
            hovertext=hover, hoverinfo="text"))
    com = points[points["zone"] == "com"]
    if len(com):
        traces.append(go.Scattergeo(
            lon=com["lon"].tolist(), lat=(com["lat"] - 0.45).tolist(), mode="text", text=com["site_code"].tolist(),
            textfont={"size": 10, "color": NOIR}, hoverinfo="skip", showlegend=False, name="Outre-mer"))
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, height=660, margin={"l": 0, "r": 0, "t": 60, "b": 0},
        legend={"orientation": "h", "yanchor": "top", "y": 0, "x": 0, "xanchor": "left",
                "title": {"text": "Statut (forme et couleur) :"}},
        geo={"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"}}))


RESULT_MARKERS = {"favorable": "circle", "defavorable": "x", None: "circle-open"}


def timeline(events: pd.DataFrame, *, title: str, today, meeting_mode: bool = False) -> go.Figure:
    """A site's stages on a time axis, one row per kind of stage; planned ones hollow.

    Columns: event_kind, event_date, organisme, result, next_due.
    """
    kinds = vocab.LABEL_EVENT_KINDS
    traces = []
    rows = events.assign(_on=pd.to_datetime(events["event_date"]))
    for result, label in (("favorable", "Résultat favorable"), ("defavorable", "Résultat défavorable"),
                          (None, "Étape (sans décision)")):
        part = rows[rows["result"].isna()] if result is None else rows[rows["result"] == result]
        if part.empty:
            continue
        planned = (part["_on"].dt.date > today).to_numpy()
        hover = [f"{kinds.label(k)} — {d:%d/%m/%Y}" + (" (programmé)" if p else "") + (f"<br>{o}" if o else "")
                 for k, d, o, p in zip(part["event_kind"], part["_on"], part["organisme"].fillna(""), planned,
                                       strict=True)]
        colour = vocab.LABEL_RESULTS.colour(result) if result else vocab.BLEU_FRANCE
        traces.append(go.Scatter(
            x=part["_on"], y=[kinds.short(k) for k in part["event_kind"]], mode="markers", name=label,
            marker={"symbol": [RESULT_MARKERS[result] + ("-open" if p and result else "") for p in planned],
                    "size": 13, "color": colour, "line": {"color": NOIR, "width": 1}},
            hovertext=hover, hoverinfo="text"))
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, height=340,
        shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": pd.Timestamp(today), "x1": pd.Timestamp(today),
                 "y0": 0, "y1": 1, "line": {"color": GRIS, "dash": "dot"}}],
        annotations=[{"x": pd.Timestamp(today), "y": 1, "yref": "paper", "text": "Aujourd'hui", "showarrow": False,
                      "yanchor": "bottom", "font": {"color": GRIS}}],
        yaxis={"categoryorder": "array", "categoryarray": [t.short_label for t in kinds][::-1], "automargin": True},
        xaxis={"title": {"text": ""}}))
