"""Trend figures: an indicator over time, year over year, satisfaction per question.

Pure builders (DataFrame → plotly Figure). A missing period is a gap in the
line, never a zero and never bridged: series are reindexed to the full range
of periods and drawn with `connectgaps=False`. Plotly writes dates in
English, so every time axis gets explicit French tick labels and every hover
text is formatted here (`82,5 %`, `4,2 j`, `janv. 2025`).
"""

from __future__ import annotations

import html
import textwrap
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qualepref import campaigns as survey_campaigns
from qualepref import fmt, stats, vocab
from qualepref.charts.theme import BLEU_FRANCE, CATEGORICAL, GRIS, ROUGE_MARIANNE, layout, vertical_line
from qualepref.periods import period_range
from qualepref.stats import MIN_SAMPLE, THRESHOLD

MONTHS_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin",
             "juil.", "août", "sept.", "oct.", "nov.", "déc."]
MOVING_WINDOW = 3  # months
ORANGE = CATEGORICAL[1]
BAND = "rgba(86, 180, 233, 0.25)"  # Okabe–Ito sky blue, light: the national inter-quartile band


def period_kind_of(kinds: pd.Series, frequency: str | None = None) -> str:
    """The period kind to draw an indicator with: the most frequent in its data, else from its frequency."""
    kinds = kinds.dropna()
    if len(kinds):
        return str(kinds.value_counts().idxmax())
    return {"trimestrielle": "quarter", "annuelle": "year"}.get(frequency or "", "month")


def trend_frame(values: pd.DataFrame, national: pd.DataFrame | None = None, *, start, end,
                period_kind: str = "month") -> pd.DataFrame:
    """One row per period of [start, end], NaN where nothing was reported.

    `values` has `period_start`, `value` (and optionally `n_sites`);
    `national` has `period_start`, `q1`, `median`, `q3`. Adds the 3-month
    moving average of monthly series: a mean over three reported months
    only (a window with a gap has no average, rather than a misleading one).
    """
    grid = period_range(start, end, period_kind)
    # Placed on the grid by position (not `merge`: several times slower on frames this small).
    out = {"period_start": grid, "value": _on_grid(grid, values["period_start"], values["value"])}
    if "n_sites" in values:
        out["n_sites"] = pd.array(_on_grid(grid, values["period_start"], values["n_sites"]), dtype="Int64")
    if "comment" in values:
        out["comment"] = _texts_on_grid(grid, values["period_start"], values["comment"])
    if "n_total" in values and values["n_total"].notna().any():
        # A rate measured with its counts: its n and 95 % Wilson interval (in points), like a survey rate.
        n_total = _on_grid(grid, values["period_start"], values["n_total"])
        n_within = _on_grid(grid, values["period_start"], values["n_within"])
        low, high = stats.wilson_interval(n_within, n_total)
        out["n_total"] = pd.array(n_total, dtype="Int64")
        out["low"], out["high"] = low * 100, high * 100
    out = pd.DataFrame(out)
    if period_kind == "month":
        out["moving_average"] = out["value"].rolling(MOVING_WINDOW, min_periods=MOVING_WINDOW).mean()
    else:
        out["moving_average"] = np.nan
    has_national = national is not None and len(national)
    for column, name in (("q1", "national_q1"), ("median", "national_median"), ("q3", "national_q3")):
        out[name] = _on_grid(grid, national["period_start"], national[column]) if has_national else np.nan
    return out


def _on_grid(grid: pd.DatetimeIndex, periods: pd.Series, column: pd.Series) -> np.ndarray:
    """`column` laid on `grid` by period (NaN where the grid has no row of `periods`)."""
    out = np.full(len(grid), np.nan)
    position = grid.get_indexer(pd.DatetimeIndex(pd.to_datetime(periods)).as_unit(grid.unit))
    found = position >= 0
    out[position[found]] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)[found]
    return out


def _texts_on_grid(grid: pd.DatetimeIndex, periods: pd.Series, column: pd.Series) -> list[str]:
    """Texts laid on `grid` by period ("" where none)."""
    out = [""] * len(grid)
    position = grid.get_indexer(pd.DatetimeIndex(pd.to_datetime(periods)).as_unit(grid.unit))
    for index, text in zip(position, column, strict=True):
        if index >= 0 and isinstance(text, str) and text.strip():
            out[index] = text.strip()
    return out


def _sample_hover(n, low, high) -> str:
    if n is pd.NA or pd.isna(n):
        return ""
    return f"<br>IC 95 % : {fmt.percent(low)} – {fmt.percent(high)} (n = {fmt.number(n, 0)})"


def _comment_hover(comments) -> list[str]:
    """The référent's comment under a point's value (escaped: plotly reads a subset of HTML in hovers)."""
    return [f"<br>Commentaire : {html.escape(c)}" if c else "" for c in comments]


def _ticks(periods: pd.Series, kind: str, max_ticks: int = 8) -> tuple[list, list[str]]:
    periods = list(periods)
    step = max(1, -(-len(periods) // max_ticks))
    shown = periods[::step]
    return shown, [fmt.period(p, kind) for p in shown]


def _legend_on_top(meeting_mode: bool, height: int | None = None) -> dict:
    """Title, then the legend in its own band, then the plot: the key is read before the lines, and in
    large type it never overlaps the axis labels (positions in pixels of the figure, not of the plot)."""
    height = height or (520 if meeting_mode else 440)
    title_band = 48 if meeting_mode else 40
    return {"height": height, "margin": {"t": title_band + (64 if meeting_mode else 52), "b": 10},
            "title_position": {"yref": "container", "y": 1 - 8 / height, "yanchor": "top"},
            "legend": {"orientation": "h", "yref": "container", "y": 1 - title_band / height, "yanchor": "top",
                       "x": 0, "xanchor": "left"}}


def _target_label(x_end, target: float, text: str, meeting_mode: bool) -> dict:
    """The target's value written on its line, at its right end (read without the legend)."""
    return {"annotations": [{
        "x": x_end, "y": float(target), "xref": "x", "yref": "y", "text": f"<b>{html.escape(text)}</b>",
        "showarrow": False, "xanchor": "right", "yanchor": "bottom", "yshift": 2,
        "font": {"color": ROUGE_MARIANNE, "size": 18 if meeting_mode else 13},
        "bgcolor": "rgba(255, 255, 255, 0.8)",
    }]}


def _nullable(series: pd.Series) -> list:
    """Values for plotly with None at gaps (NaN would serialise the same, None is explicit)."""
    return [None if pd.isna(v) else float(v) for v in series]


def _axis_title(unit: str, direction: str | None) -> str:
    title = vocab.unit(unit).axis_title
    known = vocab.DIRECTIONS.get(direction or "")
    return f"{title} ({known.hint})" if known else title


def indicator_trend(frame: pd.DataFrame, *, title: str, unit: str, label: str,
                    target: float | None = None, direction: str | None = None,
                    target_indicative: bool = False, period_kind: str = "month", moving_average: bool = False,
                    national_median: bool = True, meeting_mode: bool = False,
                    target_steps: list[float | None] | None = None) -> go.Figure:
    """The scope's line with the national inter-quartile band and median, the target, gaps.

    `frame` comes from `trend_frame`. `national_median=False` leaves out the
    national median line (when the scope's line already is the nation's).
    `target_steps`: the target in force at each period of `frame` when it changed
    over the period (a step line, None where no target was in force); else `target`.
    """
    traces = []
    x = list(frame["period_start"])
    when = [fmt.period(p, period_kind) for p in x]
    has_national = frame["national_median"].notna().any()
    if has_national:
        band_x, band_y, band_text = _band_polygon(x, when, frame["national_q1"], frame["national_q3"], unit)
        traces.append(go.Scatter(
            x=band_x, y=band_y, name="Écart interquartile national", mode="lines", line={"width": 0},
            fill="toself", fillcolor=BAND, connectgaps=False, customdata=band_text,
            hovertemplate="%{customdata}<extra></extra>",
        ))
        if national_median:
            traces.append(go.Scatter(
                x=x, y=_nullable(frame["national_median"]), name="Médiane nationale",
                mode="lines+markers", line={"color": GRIS, "dash": "dash", "width": 2}, marker={"size": 4},
                connectgaps=False,
                customdata=list(zip(when, fmt.with_units(frame["national_median"], unit), strict=True)),
                hovertemplate="%{customdata[0]}<br>Médiane nationale : %{customdata[1]}<extra></extra>",
            ))
    comments = _comment_hover(frame["comment"] if "comment" in frame else [""] * len(x))
    if "n_total" in frame:  # a rate with its counts: its 95 % interval and n under the value
        comments = [_sample_hover(n, lo, hi) + c for n, lo, hi, c in zip(
            frame["n_total"], frame["low"], frame["high"], comments, strict=True)]
    traces.append(go.Scatter(
        x=x, y=_nullable(frame["value"]), name=label, mode="lines+markers",
        line={"color": BLEU_FRANCE, "width": 3}, marker={"size": 7}, connectgaps=False,
        customdata=list(zip(when, fmt.with_units(frame["value"], unit), comments, strict=True)),
        hovertemplate=f"%{{customdata[0]}}<br>{label} : %{{customdata[1]}}%{{customdata[2]}}<extra></extra>",
    ))
    if moving_average and period_kind == "month":
        traces.append(go.Scatter(
            x=x, y=_nullable(frame["moving_average"]), name="Moyenne mobile 3 mois", mode="lines",
            line={"color": ORANGE, "dash": "dot", "width": 3}, connectgaps=False,
            customdata=list(zip(when, fmt.with_units(frame["moving_average"], unit), strict=True)),
            hovertemplate="%{customdata[0]}<br>Moyenne mobile 3 mois : %{customdata[1]}<extra></extra>",
        ))
    extra = {}
    if target_steps is not None and x and any(t is not None for t in target_steps):
        traces.append(_target_step_trace(x, target_steps, unit, direction, target_indicative))
        last = next(t for t in reversed(target_steps) if t is not None)
        extra = _target_label(x[-1], last, fmt.target(last, unit, direction, indicative=target_indicative),
                              meeting_mode)
    elif target is not None and not pd.isna(target) and x:
        traces.append(_target_trace(x, target, unit, direction, target_indicative))
        extra = _target_label(x[-1], target, fmt.target(target, unit, direction, indicative=target_indicative),
                              meeting_mode)
    tickvals, ticktext = _ticks(frame["period_start"], period_kind)
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, **_legend_on_top(meeting_mode), **extra,
        xaxis={"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext, "title": {"text": "Période"}},
        yaxis={"title": {"text": _axis_title(unit, direction)}, "rangemode": "tozero"},
    ))


def _band_polygon(x: list, when: list[str], low: pd.Series, high: pd.Series, unit: str):
    """The inter-quartile band as closed shapes, one per run of periods with national figures.

    `fill="toself"` closes each None-separated segment on its own, so a
    missing month splits the band instead of being bridged (`tonexty`
    between two gapped lines draws spurious triangles across gaps).
    """
    xs, ys, texts, run = [], [], [], []

    def close():
        if run:
            xs.extend([r[0] for r in run] + [r[0] for r in reversed(run)] + [None])
            ys.extend([r[2] for r in run] + [r[1] for r in reversed(run)] + [None])
            texts.extend([f"{r[3]}<br>Quartile supérieur national : {fmt.with_unit(r[2], unit)}" for r in run]
                         + [f"{r[3]}<br>Quartile inférieur national : {fmt.with_unit(r[1], unit)}"
                            for r in reversed(run)] + [""])
            run.clear()

    for xi, wi, lo, hi in zip(x, when, low, high, strict=True):
        if pd.isna(lo) or pd.isna(hi):
            close()
        else:
            run.append((xi, float(lo), float(hi), wi))
    close()
    return xs, ys, texts


def _target_trace(x: list, target: float, unit: str, direction: str | None, indicative: bool) -> go.Scatter:
    text = fmt.target(target, unit, direction, indicative=indicative)
    return go.Scatter(
        x=[x[0], x[-1]], y=[float(target), float(target)], name=text, mode="lines",
        line={"color": ROUGE_MARIANNE, "dash": "dashdot", "width": 2},
        hovertemplate=f"{text}<extra></extra>",
    )


def _target_step_trace(x: list, steps: list[float | None], unit: str, direction: str | None,
                       indicative: bool) -> go.Scatter:
    """The target in force period by period: a step where it changed (qualepref.targets)."""
    last = next(t for t in reversed(steps) if t is not None)
    text = fmt.target(last, unit, direction, indicative=indicative)
    # The last step is drawn to the end of the last period's own line (hv: horizontal, then vertical).
    when = [fmt.target(t, unit, direction, indicative=indicative) if t is not None else "Pas de cible en vigueur"
            for t in steps]
    return go.Scatter(
        x=x, y=[None if t is None else float(t) for t in steps], name=f"{text} (cible en vigueur, a changé)",
        mode="lines", line={"color": ROUGE_MARIANNE, "dash": "dashdot", "width": 2, "shape": "hv"},
        connectgaps=False, customdata=when, hovertemplate="%{customdata}<extra></extra>",
    )


def trend_table(frame: pd.DataFrame, period_kind: str = "month", *, moving_average: bool = False,
                national_median: bool = True) -> tuple[pd.DataFrame, dict[str, str]]:
    """The figures behind `indicator_trend`, with French headers (periods written out).

    `national_median=False` when the line already is the national median.
    """
    table = frame.assign(period=[fmt.period(p, period_kind) for p in frame["period_start"]])
    columns = {"period": "Période", "value": "Valeur", "comment": "Commentaire du référent",
               "n_sites": "Préfectures ayant transmis", "n_total": "Traités (n)",
               "low": "Borne basse IC 95 %", "high": "Borne haute IC 95 %",
               "moving_average": "Moyenne mobile 3 mois", "national_q1": "Quartile inférieur national",
               "national_median": "Médiane nationale", "national_q3": "Quartile supérieur national"}
    keep = [c for c in columns if c in table
            and (c != "moving_average" or (moving_average and period_kind == "month"))
            and (c != "national_median" or national_median)
            and (c != "comment" or any(table["comment"]))]
    table = table[keep]
    return table, {c: columns[c] for c in keep}


def year_position(periods: pd.Series, kind: str = "month") -> pd.Series:
    """Position of each period within its year: month 1–12, or quarter 1–4."""
    periods = pd.to_datetime(pd.Series(periods))
    return periods.dt.quarter if kind == "quarter" else periods.dt.month


def year_over_year_frame(frame: pd.DataFrame, period_kind: str = "month") -> pd.DataFrame:
    """Rows = position in the year (1–12 or 1–4), one column per year, NaN where missing."""
    slots = range(1, 5) if period_kind == "quarter" else range(1, 13)
    data = frame.assign(year=pd.to_datetime(frame["period_start"]).dt.year,
                        slot=year_position(frame["period_start"], period_kind).to_numpy())
    years = sorted(data["year"].unique())
    wide = data.pivot_table(index="slot", columns="year", values="value", aggfunc="first", dropna=False)
    return wide.reindex(index=list(slots), columns=years)


def _slot_labels(period_kind: str) -> list[str]:
    return [f"T{q}" for q in range(1, 5)] if period_kind == "quarter" else MONTHS_FR


def year_over_year(frame: pd.DataFrame, *, title: str, unit: str, target: float | None = None,
                   direction: str | None = None, target_indicative: bool = False, period_kind: str = "month",
                   meeting_mode: bool = False) -> go.Figure:
    """One line per year over January–December (or T1–T4), the latest year in bleu France."""
    wide = year_over_year_frame(frame, period_kind)
    labels = _slot_labels(period_kind)
    years = list(wide.columns)
    # Most recent year in the State's blue, earlier ones in the other colour-blind-safe colours.
    others = [c for c in CATEGORICAL if c != BLEU_FRANCE]
    traces = []
    for age, year in enumerate(reversed(years)):
        colour = BLEU_FRANCE if age == 0 else others[(age - 1) % len(others)]
        column = wide[year]
        text = [f"{labels[s - 1]} {year}" for s in wide.index]
        traces.append(go.Scatter(
            x=list(wide.index), y=_nullable(column), name=str(year), mode="lines+markers",
            line={"color": colour, "width": 3 if age == 0 else 2, "dash": "solid" if age < 2 else "dot"},
            connectgaps=False,
            customdata=list(zip(text, fmt.with_units(column, unit), strict=True)),
            hovertemplate="%{customdata[0]} : %{customdata[1]}<extra></extra>",
        ))
    # Traces are made newest first (colour order); the legend reads oldest to newest.
    traces.reverse()
    extra = {}
    if target is not None and not pd.isna(target):
        traces.append(_target_trace([1, len(labels)], target, unit, direction, target_indicative))
        extra = _target_label(len(labels), target, fmt.target(target, unit, direction,
                                                              indicative=target_indicative), meeting_mode)
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode, **_legend_on_top(meeting_mode), **extra,
        xaxis={"tickmode": "array", "tickvals": list(range(1, len(labels) + 1)), "ticktext": labels,
               "range": [0.5, len(labels) + 0.5],
               "title": {"text": "Trimestre" if period_kind == "quarter" else "Mois"}},
        yaxis={"title": {"text": _axis_title(unit, direction)}, "rangemode": "tozero"},
    ))


def year_over_year_table(frame: pd.DataFrame, period_kind: str = "month") -> pd.DataFrame:
    wide = year_over_year_frame(frame, period_kind)
    labels = _slot_labels(period_kind)
    table = wide.reset_index(drop=True)
    table.columns = [str(c) for c in table.columns]
    table.insert(0, "Trimestre" if period_kind == "quarter" else "Mois", [labels[s - 1] for s in wide.index])
    return table


def _wrap(text: str, width: int = 38) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def satisfaction_by_question(frame: pd.DataFrame, *, title: str, meeting_mode: bool = False) -> go.Figure:
    """Satisfaction per question (rows) and campaign (bars), with 95 % Wilson intervals and the 75 % line.

    `frame` has `campaign`, `question_code`, `question_label`, `rate`,
    `rate_low`, `rate_high` (fractions) and `n_expressed` (see
    `stats.with_satisfaction`). Bars resting on fewer than 30 answers are
    hatched: shown, but not to be read as a firm result.
    """
    traces = []
    order = list(dict.fromkeys(frame["question_label"]))  # as given: the référentiel's order
    campaigns = survey_campaigns.ordered(frame["campaign"])
    others = [c for c in CATEGORICAL if c != BLEU_FRANCE]
    for age, campaign in enumerate(reversed(campaigns)):
        rows = frame[frame["campaign"].astype(str) == campaign].set_index("question_label").reindex(order)
        rate = rows["rate"] * 100
        low, high = rows["rate_low"] * 100, rows["rate_high"] * 100
        n = rows["n_expressed"]
        small = (n < MIN_SAMPLE).fillna(False)
        hover = [
            f"Campagne {campaign}<br>Taux de satisfaction : {fmt.percent(r)}"
            f"<br>Intervalle de confiance à 95 % : {fmt.percent(lo)} – {fmt.percent(hi)}"
            f"<br>{fmt.number(k, 0)} avis exprimés" + (" (effectif insuffisant)" if s else "")
            for r, lo, hi, k, s in zip(rate, low, high, n, small, strict=True)
        ]
        colour = BLEU_FRANCE if age == 0 else others[(age - 1) % len(others)]
        traces.append(go.Bar(
            x=_nullable(rate), y=[_wrap(q) for q in order], name=f"Campagne {campaign}", orientation="h",
            marker={"color": colour, "pattern": {"shape": ["/" if s else "" for s in small]}},
            error_x={"type": "data", "symmetric": False, "array": _nullable(high - rate),
                     "arrayminus": _nullable(rate - low), "color": "#161616", "thickness": 1.5},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        ))
    traces.reverse()
    # Each question's row is as tall as its bars or its label, whichever is taller: in large type a
    # label of two or three lines overlapped its neighbours' when one campaign left thin rows.
    line_height = 24 if meeting_mode else 17
    bars = (30 if meeting_mode else 22) * max(1, len(campaigns)) + 18
    rows = sum(max(bars, line_height * _wrap(q).count("<br>") + line_height + 12) for q in order)
    height = max(360, 170 + rows)
    top = _legend_on_top(meeting_mode, height)
    return go.Figure(data=traces, layout=layout(
        title, meeting_mode=meeting_mode,
        barmode="group", height=height, bargap=0.25,
        title_position=top["title_position"], legend=top["legend"], margin={"t": top["margin"]["t"], "b": 70},
        **vertical_line(THRESHOLD * 100, "Seuil 75 %", {"color": ROUGE_MARIANNE, "dash": "dash", "width": 2}),
        xaxis={"range": [0, 100], "ticksuffix": " %", "title": {"text": "Taux de satisfaction (avis exprimés)"}},
        yaxis={"autorange": "reversed", "title": {"text": None}, "gridcolor": "rgba(0,0,0,0)"},
    ))


def satisfaction_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The figures behind `satisfaction_by_question` (rates in points, intervals, n)."""
    table = pd.DataFrame({
        "campaign": frame["campaign"].astype(str),
        "question": frame["question_label"],
        "rate": (frame["rate"] * 100).round(1),
        "rate_low": (frame["rate_low"] * 100).round(1),
        "rate_high": (frame["rate_high"] * 100).round(1),
        "n_expressed": frame["n_expressed"].astype("Int64"),
    })
    headers = {"campaign": "Campagne", "question": "Question", "rate": "Taux de satisfaction (%)",
               "rate_low": "Borne basse IC 95 % (%)", "rate_high": "Borne haute IC 95 % (%)",
               "n_expressed": "Avis exprimés"}
    return table, headers


def latest_month(frame: pd.DataFrame) -> date | None:
    """The last period with a value (for captions)."""
    seen = frame.loc[frame["value"].notna(), "period_start"]
    return None if seen.empty else pd.Timestamp(seen.max()).date()
