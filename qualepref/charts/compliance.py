"""Compliance heatmaps: module × prefecture (national) and engagement × assessment (one prefecture).

Colours never carry the figure alone: each cell writes its value (rate or
result), and the scales avoid the red/green pair (viridis; blue–orange).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qualepref import fmt, vocab
from qualepref.charts.shared import SharedArray, shared_array
from qualepref.charts.theme import SEQUENTIAL, label_size, layout

RESULTS = vocab.COMPLIANCE_RESULTS  # worst first; blue–orange, distinct in lightness; N/A in grey
RESULT_ORDER = list(RESULTS.codes)


def _clickable_cells(x, y, z, hover) -> go.Scatter:
    """Invisible markers on the cells that hold a figure, so that clicking a cell selects it.

    Streamlit's chart selection returns nothing for heatmaps (streamlit#8760); it does for
    scatter points. The markers carry the hover text; the heatmap's own hover is turned off.
    """
    z = np.asarray(z, dtype=float)
    hover = shared_array(hover)
    rows, cols = np.nonzero(~np.isnan(z))
    # Arrays, not lists: plotly validates a list element by element (8,000 cells at 1,000 sites); shared
    # arrays, not copied element by element on each deep copy.
    x, y = shared_array(x), shared_array(y)
    return go.Scatter(
        x=x[cols], y=y[rows], mode="markers", showlegend=False, name="Cases",
        marker={"size": 14, "opacity": 0, "symbol": "square"}, customdata=hover[rows, cols],
        hovertemplate="%{customdata}<extra></extra>",
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
    )


def _grid(row_keys, col_keys, rows: pd.Series, cols: pd.Series, values, fill, dtype) -> np.ndarray:
    """`values` laid on a (row_keys × col_keys) array by position; `fill` where no row gives a cell."""
    out = np.full((len(row_keys), len(col_keys)), fill, dtype=dtype)
    out[pd.Index(row_keys).get_indexer(rows), pd.Index(col_keys).get_indexer(cols)] = values
    return out


def module_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Compliance rate per site × module from the rows of `queries/compliance_module_counts.sql`.

    `counts` holds module, module_name, site_code, site_name and n_<result> (engagements whose
    latest assessment has that result). Rate (points) = conforme / applicable engagements
    (non applicable ones excluded).
    """
    out = counts[["module", "module_name", "site_code", "site_name", *(f"n_{r}" for r in RESULT_ORDER)]].copy()
    out["n_applicable"] = out.n_conforme + out.n_partiel + out.n_non_conforme
    out["rate"] = np.where(out.n_applicable > 0,
                           100 * out.n_conforme / out.n_applicable.where(out.n_applicable > 0), np.nan)
    return out.sort_values(["module", "site_code"]).reset_index(drop=True)


# A cell of the module × site heatmap with no rate, when the périmètre is known (qualepref.perimetre).
PERIMETRE_STATES = {"non_evalue": "retenu, non évalué"}


def _unassessed_marks(x, y, unassessed, hover) -> list[go.Scatter]:
    """A « ? » in each cell of a retained module that no assessment covers (« non évalué »), told
    apart from a blank cell (module not retained): not by colour, by a sign."""
    rows, cols = np.nonzero(unassessed)
    if not len(rows):
        return []
    x, y = shared_array(x), shared_array(y)
    return [go.Scatter(x=x[cols], y=y[rows], mode="text", text=["?"] * len(rows), showlegend=False,
                       name="Non évalué", textfont={"size": 13}, customdata=shared_array(hover)[rows, cols],
                       hovertemplate="%{customdata}<extra></extra>")]


def module_label(module: int, name: str, width: int = 38) -> str:
    short = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return f"M{module} – {short}"


def module_column_label(module: int, name: str, width: int = 14, lines: int = 3) -> str:
    """`M1<br>Relation<br>générale avec<br>les usagers`: a module named on a narrow column, on a few lines."""
    wrapped = textwrap.wrap(name, width, break_long_words=False)
    if len(wrapped) > lines:
        wrapped = [*wrapped[:lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder="…")]
    return "<br>".join([f"M{module}", *wrapped])


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
    # Cells laid by position (no pivot): at 1,000 prefectures the pivoted frames had 1,000 columns.
    z = _grid(modules.module, sites.site_code, rates.module, rates.site_code, rates.rate.to_numpy(dtype=float),
              np.nan, float)
    # Rates repeat (whole percents of a few engagements): each written once.
    percents = {r: fmt.percent(r, 0) for r in rates.rate.unique()}
    states = rates["state"] if "state" in rates else pd.Series("evalue", index=rates.index)
    detail = [f"{s} – {n}<br>Module {m} : " + (PERIMETRE_STATES[st] if st in PERIMETRE_STATES else
                                              f"{percents[r]} conformes ({c} / {a} engagements)")
              + (" — module non retenu" if st == "hors_perimetre" else "")
              for s, n, m, r, c, a, st in zip(rates.site_code, rates.site_name, rates.module, rates.rate,
                                              rates.n_conforme, rates.n_applicable, states, strict=True)]
    # Without a périmètre a blank cell is a module not followed; with one, a module not retained.
    blank = "Module non retenu" if "state" in rates else "Module non suivi"
    hover = _grid(modules.module, sites.site_code, rates.module, rates.site_code, detail, blank,
                  object).view(SharedArray)
    # The rate in each cell with its unit (`75 %`); an empty cell (module not followed) stays blank.
    text = _grid(modules.module, sites.site_code, rates.module, rates.site_code,
                 ["" if st == "non_evalue" else percents[r] for r, st in zip(rates.rate, states, strict=True)], "",
                 object).view(SharedArray)
    unassessed = _grid(modules.module, sites.site_code, rates.module, rates.site_code,
                       (states == "non_evalue").to_numpy(), False, bool)
    module_labels = [module_label(m, n) for m, n in zip(modules.module, modules.module_name, strict=True)]
    site_labels = sites.site_code.tolist()
    x, y = site_labels, module_labels
    if transpose:
        unassessed = unassessed.T
        # Prefectures down the rows, modules across, each named (a bare « M3 » sent the reader to a legend).
        z, hover, text, x, y = z.T, hover.T, text.T, [module_column_label(m, n) for m, n in zip(
            modules.module, modules.module_name, strict=True)], [
            f"{c} – {n}" for c, n in zip(sites.site_code, sites.site_name, strict=True)]
    heatmap = go.Heatmap(
        z=z, x=x, y=y, zmin=0, zmax=100, colorscale=SEQUENTIAL,
        text=text, texttemplate="%{text}", xgap=1, ygap=1, textfont={"size": label_size(meeting_mode, 11)},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", hoverinfo="skip",
        colorbar={"title": {"text": "% conformes"}, "ticksuffix": " %", "len": 300 if transpose else 1,
                  "lenmode": "pixels" if transpose else "fraction", "y": 1, "yanchor": "top"},
    )
    # One go.Figure call from a finished layout (each update_* call walks plotly's paths again).
    frame = layout(
        title, meeting_mode=meeting_mode, height=(220 if transpose else 160) + (20 if transpose else 48) * len(y),
        plot_bgcolor="white", margin={"t": 140 if transpose else 60},
        # Ranges fixed to the cells: autorange pads for the invisible click markers (over 100 px at 101 rows).
        xaxis={"type": "category", "side": "top", "automargin": True, "range": [-0.5, len(x) - 0.5],
               **({"tickangle": 0, "tickfont": {"size": label_size(meeting_mode, 10)}} if transpose else {})},
        yaxis={"type": "category", "range": [len(y) - 0.5, -0.5], "automargin": True,
               "tickfont": {"size": label_size(meeting_mode, 13)}})
    # The title at the top of its margin: by default it sits halfway down it, on the column titles.
    frame["title"] |= {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}
    return go.Figure(data=[heatmap, _clickable_cells(x, y, z, hover), *_unassessed_marks(x, y, unassessed, hover)],
                     layout=frame)


def assessment_label(assessed_on, assessment_type: str) -> str:
    return f"{vocab.ASSESSMENT_TYPES.label(assessment_type)}<br>{fmt.day(assessed_on)}"


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
    # The first result of each cell (as pivot_table's "first"), laid by position.
    first = frame.drop_duplicates(["row", "column"])
    z = _grid(rows, columns, first.row, first.column, first.result.map(code_of).to_numpy(dtype=float), np.nan, float)
    short = np.array([RESULTS.short(r) for r in RESULT_ORDER] + [""], dtype=object)
    text = short[np.where(np.isnan(z), len(RESULT_ORDER), z).astype(int)]
    n = len(RESULT_ORDER)
    scale = []
    for i, r in enumerate(RESULT_ORDER):
        scale += [[i / n, RESULTS.colour(r)], [(i + 1) / n, RESULTS.colour(r)]]
    heatmap = go.Heatmap(
        z=z, x=list(columns), y=list(rows), zmin=-0.5, zmax=n - 0.5, colorscale=scale, text=text,
        texttemplate="%{text}", xgap=2, ygap=2, textfont={"size": label_size(meeting_mode, 11)},
        hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>", hoverinfo="skip",
        colorbar={"tickvals": list(range(n)), "ticktext": [RESULTS.label(r) for r in RESULT_ORDER], "len": 0.6,
                  "y": 1, "yanchor": "top"},
    )
    hover = np.vectorize(lambda r, c, v: f"{r}<br>{c.replace('<br>', ' – ')}<br>{v}", otypes=[object])(
        np.asarray(rows, dtype=object)[:, None], np.asarray(columns, dtype=object)[None, :], text)
    # Two-line column labels on top: room for them under the title.
    return go.Figure(data=[heatmap, _clickable_cells(list(columns), list(rows), z, hover)], layout=layout(
        title, meeting_mode=meeting_mode, height=max(300, (40 if meeting_mode else 30) * len(rows) + 200),
        margin={"t": 130 if meeting_mode else 110},
        xaxis={"type": "category", "side": "top", "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": label_size(meeting_mode, 11)}}))
