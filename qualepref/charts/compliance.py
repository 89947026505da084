"""Compliance heatmaps: module × prefecture (national) and engagement × assessment (one prefecture).

Colours never carry the figure alone: each cell writes its value (rate or
result), and the scales avoid the red/green pair (viridis; blue–orange).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qualepref import fmt
from qualepref.charts.theme import SEQUENTIAL, base_layout

RESULT_LABELS = {"conforme": "Conforme", "partiel": "Partiellement conforme",
                 "non_conforme": "Non conforme", "non_applicable": "Non applicable"}
RESULT_SHORT = {"conforme": "Conforme", "partiel": "Partiel", "non_conforme": "Non conforme",
                "non_applicable": "N/A"}
ASSESSMENT_LABELS = {"auto_evaluation": "Auto-évaluation", "audit_interne": "Audit interne",
                     "audit_externe": "Audit externe", "enquete_mystere": "Enquête mystère"}
# Worst first; blue–orange, distinct in lightness too; not applicable in neutral grey.
RESULT_ORDER = ["non_conforme", "partiel", "conforme", "non_applicable"]
RESULT_COLOURS = {"non_conforme": "#B35806", "partiel": "#FDB863", "conforme": "#2166AC",
                  "non_applicable": "#E0E0E0"}


def _clickable_cells(fig: go.Figure, x, y, z, hover) -> None:
    """Invisible markers on the cells that hold a figure, so that clicking a cell selects it.

    Streamlit's chart selection returns nothing for heatmaps (streamlit#8760); it does for
    scatter points. The markers carry the hover text; the heatmap's own hover is turned off.
    """
    z = np.asarray(z, dtype=float)
    hover = np.asarray(hover, dtype=object)
    rows, cols = np.nonzero(~np.isnan(z))
    fig.add_trace(go.Scatter(
        x=[x[c] for c in cols], y=[y[r] for r in rows], mode="markers", showlegend=False, name="Cases",
        marker={"size": 14, "opacity": 0, "symbol": "square"}, customdata=hover[rows, cols],
        hovertemplate="%{customdata}<extra></extra>",
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
    ))
    fig.data[0].hoverinfo = "skip"


def module_rates(latest: pd.DataFrame) -> pd.DataFrame:
    """Compliance rate per site × module from the latest assessment of each engagement.

    Rate (points) = conforme / applicable engagements (non applicable ones excluded).
    """
    counts = (latest.assign(n=1)
              .pivot_table(index=["module", "module_name", "site_code", "site_name"], columns="result",
                           values="n", aggfunc="sum", fill_value=0)
              .reindex(columns=RESULT_ORDER, fill_value=0).reset_index())
    counts.columns.name = None
    counts = counts.rename(columns={r: f"n_{r}" for r in RESULT_ORDER})
    counts["n_applicable"] = counts.n_conforme + counts.n_partiel + counts.n_non_conforme
    counts["rate"] = np.where(counts.n_applicable > 0,
                              100 * counts.n_conforme / counts.n_applicable.where(counts.n_applicable > 0), np.nan)
    return counts.sort_values(["module", "site_code"]).reset_index(drop=True)


def module_label(module: int, name: str, width: int = 38) -> str:
    short = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return f"M{module} – {short}"


def module_site_heatmap(rates: pd.DataFrame, *, title: str, transpose: bool | None = None,
                        meeting_mode: bool = False) -> go.Figure:
    """Modules × prefectures, the rate written in each cell; blank = module not followed.

    Rows = modules and columns = prefectures (codes); with many prefectures
    (`transpose`, default above 30) the prefectures go down the rows instead, so
    that 101 columns do not shrink the figures in the cells out of reading.
    """
    modules = rates[["module", "module_name"]].drop_duplicates().sort_values("module")
    sites = rates[["site_code", "site_name"]].drop_duplicates().sort_values("site_code")
    transpose = len(sites) > 30 if transpose is None else transpose
    z = rates.pivot(index="module", columns="site_code", values="rate").reindex(
        index=modules.module, columns=sites.site_code)
    detail = rates.assign(detail=[
        f"{s} – {n}<br>Module {m} : {fmt.percent(r, 0)} conformes ({c} / {a} engagements)"
        for s, n, m, r, c, a in zip(rates.site_code, rates.site_name, rates.module, rates.rate,
                                    rates.n_conforme, rates.n_applicable, strict=True)])
    hover = detail.pivot(index="module", columns="site_code", values="detail").reindex(
        index=modules.module, columns=sites.site_code).fillna("Module non suivi")
    module_labels = [module_label(m, n) for m, n in zip(modules.module, modules.module_name, strict=True)]
    site_labels = sites.site_code.tolist()
    x, y = site_labels, module_labels
    if transpose:
        z, hover, x, y = z.T, hover.T, [f"M{m}" for m in modules.module], [
            f"{c} – {n}" for c, n in zip(sites.site_code, sites.site_name, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=x, y=y, zmin=0, zmax=100, colorscale=SEQUENTIAL,
        texttemplate="%{z:.0f}", xgap=1, ygap=1, textfont={"size": 11}, customdata=hover.to_numpy(),
        hovertemplate="%{customdata}<extra></extra>",
        colorbar={"title": {"text": "% conformes"}, "ticksuffix": " %", "len": 300 if transpose else 1,
                  "lenmode": "pixels" if transpose else "fraction", "y": 1, "yanchor": "top"},
    ))
    _clickable_cells(fig, x, y, fig.data[0].z, hover.to_numpy())
    base_layout(fig, title, meeting_mode=meeting_mode)
    rows = len(y)
    fig.update_layout(height=160 + (20 if transpose else 48) * rows, plot_bgcolor="white",
                      xaxis={"type": "category", "side": "top"},
                      yaxis={"type": "category", "autorange": "reversed", "automargin": True})
    return fig


def assessment_label(assessed_on, assessment_type: str) -> str:
    return f"{ASSESSMENT_LABELS.get(assessment_type, assessment_type)}<br>{fmt.day(assessed_on)}"


def engagement_label(module: int, engagement: int, label, width: int = 48) -> str:
    text = "" if pd.isna(label) else str(label)
    text = text if len(text) <= width else text[: width - 1].rstrip() + "…"
    return f"{module}.{engagement} – {text}" if text else f"{module}.{engagement}"


def engagement_assessment_heatmap(assessments: pd.DataFrame, *, title: str,
                                  meeting_mode: bool = False) -> go.Figure:
    """Rows = engagements, columns = dated assessments, the result written in each cell."""
    frame = assessments.assign(
        row=[engagement_label(m, e, lab) for m, e, lab in zip(assessments.module, assessments.engagement,
                                                             assessments.engagement_label, strict=True)],
        column=[assessment_label(d, t) for d, t in zip(assessments.assessed_on, assessments.assessment_type,
                                                       strict=True)],
    )
    rows = frame[["module", "engagement", "row"]].drop_duplicates().sort_values(["module", "engagement"]).row
    columns = frame[["assessed_on", "assessment_type", "column"]].drop_duplicates().sort_values(
        ["assessed_on", "assessment_type"]).column
    code_of = {r: i for i, r in enumerate(RESULT_ORDER)}
    grid = frame.pivot_table(index="row", columns="column", values="result", aggfunc="first").reindex(
        index=rows, columns=columns)
    z = grid.apply(lambda col: col.map(code_of)).to_numpy(dtype=float)
    text = grid.apply(lambda col: col.map(RESULT_SHORT)).fillna("").to_numpy()
    n = len(RESULT_ORDER)
    scale = []
    for i, r in enumerate(RESULT_ORDER):
        scale += [[i / n, RESULT_COLOURS[r]], [(i + 1) / n, RESULT_COLOURS[r]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(columns), y=list(rows), zmin=-0.5, zmax=n - 0.5, colorscale=scale, text=text,
        texttemplate="%{text}", xgap=2, ygap=2, textfont={"size": 11},
        hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>",
        colorbar={"tickvals": list(range(n)), "ticktext": [RESULT_LABELS[r] for r in RESULT_ORDER], "len": 0.6,
                  "y": 1, "yanchor": "top"},
    ))
    _clickable_cells(fig, list(columns), list(rows), z, np.vectorize(
        lambda r, c, v: f"{r}<br>{c.replace('<br>', ' – ')}<br>{v}", otypes=[object])(
            np.asarray(rows, dtype=object)[:, None], np.asarray(columns, dtype=object)[None, :], text))
    base_layout(fig, title, meeting_mode=meeting_mode)
    # Two-line column labels on top: room for them under the title.
    fig.update_layout(height=max(300, 30 * len(rows) + 200), margin={"t": 110},
                      xaxis={"type": "category", "side": "top"},
                      yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 11}})
    return fig
