"""Plotly figures of the pack's PDF and of the transparency poster (pure: PackData → Figure)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from qualepref import fmt, satisfaction, stats, vocab
from qualepref.charts.theme import BLEU_FRANCE, FONT, GRIS, ROUGE_MARIANNE, base_layout
from qualepref.export import pack_data
from qualepref.export.pack_data import PackData


def family_figure(data: PackData, family: pack_data.Family) -> go.Figure:
    """Small multiples: each indicator of the family with its target (dashed, rouge Marianne)."""
    series = [pack_data.indicator_series(data, code) for code in family.codes]
    cols = 1 if len(series) == 1 else 2
    rows = -(-len(series) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[s.label for s in series],
                        vertical_spacing=0.2 if rows > 1 else 0.1, horizontal_spacing=0.08)
    for index, item in enumerate(series):
        row, col = index // cols + 1, index % cols + 1
        fig.add_trace(go.Scatter(
            x=item.categories, y=item.values, mode="lines+markers", name="Valeur",
            line={"color": BLEU_FRANCE, "width": 2.5}, marker={"size": 6}, connectgaps=False,
            showlegend=index == 0,
        ), row=row, col=col)
        if item.target is not None:
            fig.add_trace(go.Scatter(
                x=item.categories, y=item.target_values, mode="lines", name="Cible",
                line={"color": ROUGE_MARIANNE, "width": 2, "dash": "dash"},
                showlegend=not any(t.name == "Cible" and t.showlegend for t in fig.data),
            ), row=row, col=col)
        fig.update_yaxes(ticksuffix=_suffix(item.unit), rangemode="tozero", row=row, col=col)
        fig.update_xaxes(type="category", tickangle=-45, tickfont={"size": 10}, row=row, col=col)
    base_layout(fig, "")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "xanchor": "right", "x": 1})
    fig.update_annotations(font={"size": 15, "color": BLEU_FRANCE, "family": FONT})
    return fig


def _suffix(unit: str) -> str:
    suffix = vocab.unit(unit).suffix
    return f" {suffix}" if suffix else ""


def satisfaction_figure(data: PackData) -> go.Figure:
    """Satisfaction per question (columns, with n) and the 75 % threshold as a line."""
    survey = data.last_survey
    labels = [_wrap(label) + f"<br>n = {fmt.number(n, 0)}"
              for label, n in zip(survey.question_label, survey.n_expressed, strict=True)]
    rates = [None if r != r else r * 100 for r in survey.rate]  # NaN → gap
    colours = [ROUGE_MARIANNE if r is not None and r < stats.THRESHOLD * 100 else BLEU_FRANCE for r in rates]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=labels, y=rates, name="Taux de satisfaction", marker={"color": colours},
        text=[fmt.percent(r) for r in rates], textposition="inside", insidetextanchor="start",
        textfont={"size": 14, "color": "white"},
        error_y={"type": "data", "symmetric": False, "color": GRIS,
                 "array": [None if r is None else (h * 100 - r) for r, h in zip(rates, survey.rate_high,
                                                                              strict=True)],
                 "arrayminus": [None if r is None else (r - lo * 100) for r, lo in zip(rates, survey.rate_low,
                                                                                      strict=True)]},
    ))
    fig.add_trace(go.Scatter(x=labels, y=[stats.THRESHOLD * 100] * len(labels), mode="lines",
                             name="Seuil de 75 %", line={"color": ROUGE_MARIANNE, "width": 2.5, "dash": "dash"}))
    base_layout(fig, "")
    fig.update_yaxes(range=[0, 109], ticksuffix=" %", dtick=25)
    fig.update_xaxes(tickfont={"size": 11})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 10}, legend={"y": -0.3}, bargap=0.35)
    return fig


def _wrap(text: str, width: int = 22) -> str:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines[:4]) + ("…" if len(lines) > 4 else "")


# -- transparency poster ------------------------------------------------------------------------
POSTER_WIDTH, POSTER_HEIGHT = 1190, 1684  # A4 portrait proportions


def poster_figure(data: PackData) -> go.Figure:
    """A one-page poster of the published indicators, large type, for the reception hall and the website."""
    fig = go.Figure()
    fig.update_layout(
        width=POSTER_WIDTH, height=POSTER_HEIGHT, paper_bgcolor="white", plot_bgcolor="white",
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False, separators=", ",
        font={"family": FONT, "color": vocab.NOIR},
        xaxis={"visible": False, "range": [0, 1], "fixedrange": True},
        yaxis={"visible": False, "range": [0, 1], "fixedrange": True},
    )
    shapes, notes = [], []

    def text(x, y, value, size, *, color=vocab.NOIR, bold=False, anchor="left"):
        notes.append({"x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False, "xanchor": anchor,
                      "yanchor": "middle", "align": anchor, "text": f"<b>{value}</b>" if bold else value,
                      "font": {"size": size, "color": color, "family": FONT}})

    def box(x0, y0, x1, y1, fill, line=None):
        shapes.append({"type": "rect", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "xref": "x", "yref": "y",
                       "fillcolor": fill, "line": {"width": 3 if line else 0, "color": line or fill}})

    box(0, 0.86, 1, 1, BLEU_FRANCE)
    box(0, 0.855, 1, 0.862, ROUGE_MARIANNE)
    title = data.site_title  # "Préfecture de la Haute-Vienne", on one line whatever the name's length
    # Below the demonstration badge (top right, 0.93–0.975).
    text(0.06, 0.895, title, max(34, min(60, 1900 // max(len(title), 1))), color="white", bold=True)
    text(0.06, 0.815, "Nos engagements de qualité de service : nos résultats", 30, color=BLEU_FRANCE, bold=True)
    text(0.06, 0.78, f"Dernières valeurs publiées · période {data.period_label}", 22, color=GRIS)

    items = pack_data.poster_figures(data)
    overall = satisfaction.global_rate(data.last_survey)
    cards = [(i["label"], i["value"], f"Objectif : {i['target']}" + (f" ({i['source']})" if i.get("source") else "")
              if i["target"] else "",
              i["period"] + ("" if i["met"] is None else
                             " · " + ("objectif atteint" if i["met"] else "objectif non atteint")), i["met"])
             for i in items]
    if overall is not None:  # the overall question: people, not the answers to nine questions
        cards.append(("Usagers satisfaits", fmt.percent(overall.rate, fraction=True),
                      f"Objectif : ≥ {fmt.percent(stats.THRESHOLD, 0, fraction=True)}",
                      f"Enquête {overall.campaign} · n = {fmt.number(overall.n, 0)} répondants",
                      overall.met))
    top, height, gap = 0.74, 0.098, 0.012
    for index, (label, value, target, note, met) in enumerate(cards):
        y1 = top - index * (height + gap)
        y0 = y1 - height
        box(0.05, y0, 0.95, y1, vocab.ZEBRA)
        box(0.05, y0, 0.062, y1, vocab.GRIS_CLAIR if met is None else BLEU_FRANCE if met else vocab.ORANGE)
        text(0.09, y1 - 0.026, label, 26, bold=True)
        text(0.09, y0 + 0.042, target, 21, color=GRIS)
        text(0.09, y0 + 0.017, note, 19, color=GRIS)
        text(0.92, (y0 + y1) / 2, value, 64, color=BLEU_FRANCE, bold=True, anchor="right")
    if not cards:
        text(0.06, 0.6, "Aucun indicateur publié sur la période.", 30)
    footer_y = 0.045
    box(0, 0, 1, 0.09, vocab.FOND_PIED)
    text(0.05, footer_y + 0.015, data.footer(), 17, color=GRIS)
    text(0.05, footer_y - 0.015, "Qual-e-Pref · Ministère de l'Intérieur · démarche qualité des préfectures",
         17, color=GRIS)
    if data.is_demo:
        box(0.52, 0.93, 0.96, 0.975, ROUGE_MARIANNE)
        text(0.74, 0.9525, f"{pack_data.DEMO_NOTICE} : chiffres fictifs", 22, color="white", bold=True,
             anchor="center")
    fig.update_layout(shapes=shapes, annotations=notes)
    return fig

