"""The COPIL pack as a PowerPoint file with native, editable charts (python-pptx).

Charts are real chart objects with their data embedded (PowerPoint's "Modifier
les données" works), not pictures: line charts of each indicator with its
target as a second series, and a column chart of satisfaction per question
with the 75 % threshold as a line series (a bar + line combination).
"""

from __future__ import annotations

import copy
import io
from contextlib import contextmanager

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from xlsxwriter import Workbook as XlsxWorkbook

from qualepref import fmt, stats, vocab
from qualepref.export import pack_data
from qualepref.export.pack_data import PackData

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_TOP = Inches(1.35)
CONTENT_BOTTOM = Inches(6.85)
FONT = "Arial"  # Marianne is not installed everywhere; Arial/Liberation Sans are


def colour(hex_colour: str) -> RGBColor:
    """A vocabulary colour (`#RRGGBB`) for python-pptx."""
    return RGBColor(*vocab.rgb(hex_colour))


def fill_and_ink(hex_colour: str | None) -> tuple[RGBColor, RGBColor] | None:
    """A cell's fill and the text colour readable on it (None: the table's own colours)."""
    return None if hex_colour is None else (colour(hex_colour), colour(vocab.ink(hex_colour)))


BLEU_FRANCE = colour(vocab.BLEU_FRANCE)
ROUGE_MARIANNE = colour(vocab.ROUGE_MARIANNE)
GRIS = colour(vocab.GRIS)
GRIS_CLAIR = colour(vocab.GRIS_CLAIR)
NOIR = colour(vocab.NOIR)
BLANC = colour(vocab.BLANC)
ZEBRA = colour(vocab.ZEBRA)
# The colours of the web heatmap and the PDF; the result is also written in the cell.
RESULT_COLOURS = {t.code: fill_and_ink(t.colour) for t in vocab.COMPLIANCE_RESULTS}
ALERT_COLOURS = {t.label: fill_and_ink(t.colour) for t in vocab.ALERT_LEVELS}
MISSED = fill_and_ink(vocab.ALERT_LEVELS.colour("hors_cible_tendance"))
ROWS_PER_TABLE_SLIDE = 12
ROW_HEIGHT = Inches(0.34)
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


# -- text helpers --------------------------------------------------------------------------------
def _style_run(run, size: float, *, bold: bool = False, color: RGBColor = NOIR) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color


def _text_box(slide, left, top, width, height, lines, *, size: float = 14, bold: bool = False,
              color: RGBColor = NOIR, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, name: str | None = None):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for index, line in enumerate([lines] if isinstance(lines, str) else lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        _style_run(paragraph.add_run(), size, bold=bold, color=color)
        paragraph.runs[0].text = line
    return box


def _new_slide(prs, data: PackData, title: str, *, geo: bool = False):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    shape = slide.shapes.title
    # Leave room for the demonstration badge at the top right.
    width = SLIDE_W - 2 * MARGIN - (Inches(3.0) if data.is_demo else 0)
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.3), width, Inches(0.8)
    shape.text = title
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    _style_run(paragraph.runs[0], 26 if len(title) <= 55 else 20, bold=True, color=BLEU_FRANCE)
    shape.text_frame.word_wrap = True
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    # A thin band in the State's colours under the title.
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.12), Inches(1.2), Inches(0.06))
    band.fill.solid()
    band.fill.fore_color.rgb = BLEU_FRANCE
    band.line.fill.background()
    red = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN + Inches(1.2), Inches(1.12), Inches(0.6),
                                 Inches(0.06))
    red.fill.solid()
    red.fill.fore_color.rgb = ROUGE_MARIANNE
    red.line.fill.background()
    _footer(slide, data, geo=geo)
    return slide


def _footer(slide, data: PackData, *, geo: bool = False) -> None:
    _text_box(slide, MARGIN, Inches(6.95), Inches(9.5), Inches(0.4), data.footer(geo=geo), size=9,
              color=GRIS, anchor=MSO_ANCHOR.MIDDLE, name="Source")
    _text_box(slide, SLIDE_W - MARGIN - Inches(2.8), Inches(6.95), Inches(2.8), Inches(0.4),
              f"{data.site_name} · {data.period_label}", size=9, color=GRIS, align=PP_ALIGN.RIGHT,
              anchor=MSO_ANCHOR.MIDDLE)
    if data.is_demo:
        badge = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, SLIDE_W - MARGIN - Inches(2.9),
                                       Inches(0.08), Inches(2.9), Inches(0.36))
        badge.name = "Démonstration"
        badge.fill.solid()
        badge.fill.fore_color.rgb = colour(vocab.ROSE_ALERTE)
        badge.line.color.rgb = ROUGE_MARIANNE
        frame = badge.text_frame
        frame.paragraphs[0].alignment = PP_ALIGN.CENTER
        run = frame.paragraphs[0].add_run()
        run.text = pack_data.DEMO_NOTICE
        _style_run(run, 11, bold=True, color=ROUGE_MARIANNE)


def _table(slide, frame: pd.DataFrame, left, top, width, col_widths: list[float], *, size: float = 11,
           row_height=ROW_HEIGHT, cell_colours=None, name: str | None = None):
    """A native table: header in bleu France, zebra rows; `cell_colours(row, column)` may colour a cell."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, row_height * rows)
    if name:
        shape.name = name
    table = shape.table
    total = sum(col_widths)
    for index, share in enumerate(col_widths):
        table.columns[index].width = Emu(int(width * share / total))
    for c, header in enumerate(frame.columns):
        cell = table.cell(0, c)
        cell.fill.solid()
        cell.fill.fore_color.rgb = BLEU_FRANCE
        cell.text = str(header)
        _style_run(cell.text_frame.paragraphs[0].runs[0], size, bold=True, color=BLANC)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            colours = cell_colours(r - 1, frame.columns[c]) if cell_colours else None
            fill, ink = colours or ((ZEBRA if r % 2 == 0 else BLANC), NOIR)
            cell.fill.solid()
            cell.fill.fore_color.rgb = fill
            cell.text = "" if value is None else str(value)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    _style_run(run, size, color=ink, bold=colours is not None)
    for r in range(rows):
        table.rows[r].height = row_height
    return shape


# -- charts --------------------------------------------------------------------------------------
class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook (*Modifier les données*) with every text written as text.

    python-pptx writes categories and series names with xlsxwriter's `write`, which makes a formula
    of any string starting with `=`: a label such as `=HYPERLINK(…)` would run when the data are
    edited. (`qualepref.formulas` holds the rule for the other files; here no text is a formula.)
    """

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = XlsxWorkbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False})
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class TextCategoryChartData(CategoryChartData):
    """`CategoryChartData` whose embedded workbook never turns a label into a formula."""

    @property
    def _workbook_writer(self):
        return _TextWorkbookWriter(self)


def _style_axis_text(axis, size: float = 10) -> None:
    axis.tick_labels.font.size = Pt(size)
    axis.tick_labels.font.name = FONT
    axis.tick_labels.font.color.rgb = NOIR


def _line_chart(slide, series: pack_data.Series, left, top, width, height):
    chart_data = TextCategoryChartData(number_format="0.0")
    chart_data.categories = series.categories
    chart_data.add_series("Valeur", series.values)
    if series.target is not None:
        name = fmt.target(series.target, series.unit, series.direction, indicative=series.target_indicative,
                          strict=series.target_strict)
        chart_data.add_series(name.replace(" : ", " (", 1) + ")",
                              series.target_values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, chart_data)
    frame.name = f"Graphique {series.code}"
    chart = frame.chart
    chart.font.name = FONT
    chart.font.size = Pt(10)
    chart.has_title = True
    chart.chart_title.text_frame.text = series.label
    _style_run(chart.chart_title.text_frame.paragraphs[0].runs[0], 12, bold=True, color=BLEU_FRANCE)
    chart.has_legend = series.target is not None
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(9)
    value_line, *target = chart.plots[0].series
    value_line.format.line.color.rgb = BLEU_FRANCE
    value_line.format.line.width = Pt(2.25)
    value_line.smooth = False
    value_line.marker.style = XL_MARKER_STYLE.CIRCLE
    value_line.marker.size = 5
    value_line.marker.format.fill.solid()
    value_line.marker.format.fill.fore_color.rgb = BLEU_FRANCE
    value_line.marker.format.line.color.rgb = BLEU_FRANCE
    for line in target:
        line.format.line.color.rgb = ROUGE_MARIANNE
        line.format.line.width = Pt(1.75)
        line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        line.marker.style = XL_MARKER_STYLE.NONE
        line.smooth = False
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = GRIS_CLAIR
    axis.tick_labels.number_format = vocab.unit(series.unit).excel_format
    axis.tick_labels.number_format_is_linked = False
    axis.minimum_scale = 0  # values are never negative (the importer refuses them)
    _style_axis_text(axis)
    _style_axis_text(chart.category_axis, 9)
    # A missing month stays a gap in the line (never drawn as zero).
    blanks = chart._chartSpace.chart.find(qn("c:dispBlanksAs"))
    if blanks is not None:
        blanks.set("val", "gap")
    return frame


def _bar_with_threshold(slide, survey: pd.DataFrame, left, top, width, height):
    """Columns of satisfaction per question (in %) with the 75 % threshold as a line series."""
    chart_data = TextCategoryChartData(number_format='0.0" %"')
    chart_data.categories = [_short_question(label, n) for label, n in zip(
        survey.question_label, survey.n_expressed, strict=True)]
    chart_data.add_series("Taux de satisfaction", [None if pd.isna(r) else float(r) * 100 for r in survey.rate])
    chart_data.add_series("Seuil de 75 %", [stats.THRESHOLD * 100] * len(survey))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, chart_data)
    frame.name = "Graphique satisfaction"
    chart = frame.chart
    chart.font.name = FONT
    chart.font.size = Pt(10)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.gap_width = 60
    bars = plot.series[0]
    bars.format.fill.solid()
    bars.format.fill.fore_color.rgb = BLEU_FRANCE
    for index, rate in enumerate(survey.rate):
        if rate == rate and rate < stats.THRESHOLD:  # below 75 %: rouge Marianne (the label says it too)
            point = bars.points[index].format
            point.fill.solid()
            point.fill.fore_color.rgb = ROUGE_MARIANNE
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = '0.0" %"'
    labels.number_format_is_linked = False
    labels.font.size = Pt(10)
    threshold = plot.series[1]
    threshold.format.line.color.rgb = ROUGE_MARIANNE
    threshold.format.line.width = Pt(2.25)
    threshold.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    _move_series_to_line_plot(chart, 1)
    axis = chart.value_axis
    axis.minimum_scale = 0
    axis.maximum_scale = 100
    axis.major_unit = 25
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = GRIS_CLAIR
    axis.tick_labels.number_format = '0" %"'
    axis.tick_labels.number_format_is_linked = False
    _style_axis_text(axis)
    _style_axis_text(chart.category_axis, 9)
    # Horizontal, wrapped question labels rather than slanted ones.
    chart.category_axis._element.txPr.find(qn("a:bodyPr")).set("rot", "0")
    return frame


def _move_series_to_line_plot(chart, index: int) -> None:
    """Turn series `index` of a bar chart into a line drawn on the same axes (a combo chart).

    python-pptx writes one plot type per chart; the series (and its data in the
    embedded workbook) is kept and moved into a `c:lineChart` sharing the axes.
    """
    plot_area = chart._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    ser = bar_chart.findall(qn("c:ser"))[index]
    bar_chart.remove(ser)
    for tag in ("c:invertIfNegative", "c:shape", "c:pictureOptions"):
        for child in ser.findall(qn(tag)):
            ser.remove(child)
    marker = etree.SubElement(ser, qn("c:marker"))
    etree.SubElement(marker, qn("c:symbol")).set("val", "none")
    sp_pr = ser.find(qn("c:spPr"))
    (sp_pr if sp_pr is not None else ser.find(qn("c:tx"))).addnext(marker)
    # The line spans the chart as a flat threshold.
    ser.find(qn("c:val")).addnext(etree.Element(qn("c:smooth"), val="0"))
    line_chart = etree.Element(qn("c:lineChart"))
    etree.SubElement(line_chart, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line_chart, qn("c:varyColors")).set("val", "0")
    line_chart.append(ser)
    no_labels = etree.SubElement(line_chart, qn("c:dLbls"))
    for tag in ("c:showLegendKey", "c:showVal", "c:showCatName", "c:showSerName", "c:showPercent",
                "c:showBubbleSize"):
        etree.SubElement(no_labels, qn(tag)).set("val", "0")
    etree.SubElement(line_chart, qn("c:marker")).set("val", "1")
    for ax_id in bar_chart.findall(qn("c:axId")):
        line_chart.append(copy.deepcopy(ax_id))
    bar_chart.addnext(line_chart)


def _short_question(label: str, n) -> str:
    text = str(label).rstrip(" ?").strip()
    if len(text) > 42:
        text = text[:40].rstrip() + "…"
    return f"{text} (n\u00a0=\u00a0{fmt.number(n, 0)})"


# -- slides --------------------------------------------------------------------------------------
def _title_slide(prs, data: PackData) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.35), SLIDE_H)
    band.fill.solid()
    band.fill.fore_color.rgb = BLEU_FRANCE
    band.line.fill.background()
    red = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.35), 0, Inches(0.12), SLIDE_H)
    red.fill.solid()
    red.fill.fore_color.rgb = ROUGE_MARIANNE
    red.line.fill.background()
    _text_box(slide, Inches(1.2), Inches(1.4), Inches(11), Inches(0.5), "Qual-e-Pref · Comité de pilotage",
              size=18, color=GRIS)
    _text_box(slide, Inches(1.2), Inches(2.0), Inches(11), Inches(1.4), data.title, size=40, bold=True,
              color=BLEU_FRANCE, name="Titre")
    _text_box(slide, Inches(1.2), Inches(3.5), Inches(11), Inches(1.6), [
        f"Région {data.region_name}",
        f"Période : {data.period_label}",
        f"Document établi le {fmt.day(data.built_on)}",
    ], size=20)
    if data.is_demo:
        _text_box(slide, Inches(1.2), Inches(5.3), Inches(11), Inches(0.6),
                  f"{pack_data.DEMO_NOTICE} : les chiffres de ce document sont fictifs.", size=16,
                  bold=True, color=ROUGE_MARIANNE)
    _footer(slide, data, geo=True)


def _key_figures_slide(prs, data: PackData) -> None:
    slide = _new_slide(prs, data, "Chiffres clés")
    boxes = pack_data.headline_boxes(data)
    width = (SLIDE_W - 2 * MARGIN - Inches(0.3) * 3) / 4
    for index, (label, value, note) in enumerate(boxes):
        left = MARGIN + index * (width + Inches(0.3))
        card = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, CONTENT_TOP, width, Inches(1.45))
        card.fill.solid()
        card.fill.fore_color.rgb = ZEBRA
        card.line.fill.background()
        _text_box(slide, left + Inches(0.1), CONTENT_TOP + Inches(0.05), width - Inches(0.2), Inches(0.35),
                  label, size=12, color=GRIS)
        _text_box(slide, left + Inches(0.1), CONTENT_TOP + Inches(0.35), width - Inches(0.2), Inches(0.6),
                  value, size=28, bold=True, color=BLEU_FRANCE, name=f"Chiffre clé : {label}")
        _text_box(slide, left + Inches(0.1), CONTENT_TOP + Inches(0.98), width - Inches(0.2), Inches(0.4),
                  note, size=10, color=GRIS)
    table = pack_data.key_figures(data)
    top = CONTENT_TOP + Inches(1.65)
    height = CONTENT_BOTTOM - top
    row_height = min(Inches(0.32), Emu(int(height / max(len(table) + 1, 1))))
    if table.empty:
        _text_box(slide, MARGIN, top, Inches(10), Inches(0.5), "Aucun indicateur sur la période.", size=14)
        return
    _table(slide, table, MARGIN, top, SLIDE_W - 2 * MARGIN, [5, 1.4, 1.3, 1.4, 2.6], size=10,
           row_height=row_height, name="Tableau des chiffres clés",
           cell_colours=lambda r, c: (MISSED
                                      if c == "Situation" and table.Situation.iloc[r].startswith("Cible manquée")
                                      else None))


def _family_slide(prs, data: PackData, family: pack_data.Family) -> None:
    slide = _new_slide(prs, data, f"Indicateurs – {family.title}")
    n = len(family.codes)
    cols = 1 if n == 1 else 2
    rows = 1 if n <= 2 else 2
    gap = Inches(0.25)
    width = (SLIDE_W - 2 * MARGIN - gap * (cols - 1)) / cols
    height = (CONTENT_BOTTOM - CONTENT_TOP - gap * (rows - 1)) / rows
    for index, code in enumerate(family.codes):
        r, c = divmod(index, cols)
        _line_chart(slide, pack_data.indicator_series(data, code), MARGIN + c * (width + gap),
                    CONTENT_TOP + r * (height + gap), Emu(int(width)), Emu(int(height)))


def _satisfaction_slide(prs, data: PackData) -> None:
    survey = data.last_survey
    title = "Satisfaction des usagers" + (f" – campagne {data.campaign}" if data.campaign else "")
    slide = _new_slide(prs, data, title)
    if survey.empty:
        _text_box(slide, MARGIN, CONTENT_TOP, Inches(10), Inches(0.6),
                  "Aucune enquête de satisfaction jusqu'à la fin de la période.", size=16)
        return
    _text_box(slide, MARGIN, CONTENT_TOP - Inches(0.1), SLIDE_W - 2 * MARGIN, Inches(0.45),
              "Taux de satisfaction = (très satisfaits + satisfaits) / avis exprimés ; n = nombre d'avis "
              "exprimés. Sous 75 %, des actions d'amélioration sont attendues.", size=11, color=GRIS)
    _bar_with_threshold(slide, survey, MARGIN, CONTENT_TOP + Inches(0.35), SLIDE_W - 2 * MARGIN,
                        CONTENT_BOTTOM - CONTENT_TOP - Inches(0.35))


def _national_slides(prs, data: PackData) -> None:
    table = pack_data.national_position(data)
    if table.empty:
        return
    chunks = [table.iloc[i:i + ROWS_PER_TABLE_SLIDE] for i in range(0, len(table), ROWS_PER_TABLE_SLIDE)]
    for index, chunk in enumerate(chunks):
        suffix = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        slide = _new_slide(prs, data, f"Position nationale{suffix}")
        _text_box(slide, MARGIN, CONTENT_TOP - Inches(0.1), SLIDE_W - 2 * MARGIN, Inches(0.55),
                  pack_data.NATIONAL_NOTE, size=10, color=GRIS)
        _table(slide, chunk.reset_index(drop=True), MARGIN, CONTENT_TOP + Inches(0.5), SLIDE_W - 2 * MARGIN,
               [4.4, 1.4, 1.3, 1.5, 3.4, 1.3], size=10, row_height=Inches(0.36), name="Position nationale")


ALERT_ROW = Inches(0.3)


def _alerts_slide(prs, data: PackData) -> None:
    """Both alert tables, on one slide when they fit, else the indicators go on « Alertes (suite) »."""
    survey_alerts = pack_data.satisfaction_alerts(data)
    indicator_alerts = pack_data.indicator_alerts(data)
    slide = _new_slide(prs, data, "Alertes")
    top = CONTENT_TOP
    _text_box(slide, MARGIN, top, Inches(12), Inches(0.4),
              "Satisfaction : questions sous 75 %" + (f" (campagne {data.campaign})" if data.campaign else ""),
              size=15, bold=True, color=BLEU_FRANCE)
    top += Inches(0.45)
    if survey_alerts.empty:
        _text_box(slide, MARGIN, top, Inches(12), Inches(0.4), "Aucune question sous 75 %.", size=12)
        top += Inches(0.5)
    else:
        _table(slide, survey_alerts, MARGIN, top, SLIDE_W - 2 * MARGIN, [5.5, 1, 2, 0.8, 2.6], size=10,
               row_height=ALERT_ROW, name="Alertes satisfaction",
               cell_colours=lambda r, c: ALERT_COLOURS.get(survey_alerts["Niveau d'alerte"].iloc[r])
               if c == "Niveau d'alerte" else None)
        top += ALERT_ROW * (len(survey_alerts) + 1) + Inches(0.25)
    needed = Inches(0.45) + ALERT_ROW * (max(len(indicator_alerts), 1) + 1)
    if top + needed > CONTENT_BOTTOM:
        slide = _new_slide(prs, data, "Alertes (suite)")
        top = CONTENT_TOP
    _text_box(slide, MARGIN, top, Inches(12), Inches(0.4),
              "Indicateurs hors cible (dernière valeur de la période)", size=15, bold=True, color=BLEU_FRANCE)
    top += Inches(0.45)
    if indicator_alerts.empty:
        _text_box(slide, MARGIN, top, Inches(12), Inches(0.4), "Tous les indicateurs sont à la cible.",
                  size=12)
        return
    _table(slide, indicator_alerts, MARGIN, top, SLIDE_W - 2 * MARGIN, [4.2, 1.2, 1.1, 1.2, 2.4, 3], size=10,
           row_height=ALERT_ROW, name="Alertes indicateurs",
           cell_colours=lambda r, c: MISSED
           if c == "Tendance" and not indicator_alerts.Tendance.iloc[r].startswith("Première") else None)


def _actions_slides(prs, data: PackData) -> None:
    """*Suivi du plan d'actions*: late actions, decided and done during the period with their effect (native,
    editable table; the late ones flagged by ⚠ and colour, the verdict in words and colour)."""
    table = pack_data.action_table(data)
    chunks = [table.iloc[i:i + pack_data.ACTION_ROWS_PER_SLIDE]
              for i in range(0, len(table), pack_data.ACTION_ROWS_PER_SLIDE)] or [table]
    for index, chunk in enumerate(chunks):
        suffix = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        slide = _new_slide(prs, data, f"Suivi du plan d'actions{suffix}")
        _text_box(slide, MARGIN, CONTENT_TOP, SLIDE_W - 2 * MARGIN, Inches(0.4), pack_data.action_summary(data),
                  size=13, color=GRIS)
        if chunk.empty:
            _text_box(slide, MARGIN, CONTENT_TOP + Inches(0.5), SLIDE_W - 2 * MARGIN, Inches(0.5),
                      "Aucune action décidée, réalisée ou en retard sur la période.", size=14)
            continue
        shown = chunk.drop(columns=["status", "late", "verdict"]).reset_index(drop=True)
        late, verdicts = list(chunk.late), list(chunk.verdict)
        _table(slide, shown, MARGIN, CONTENT_TOP + Inches(0.5), SLIDE_W - 2 * MARGIN,
               [2.2, 0.6, 5.2, 1.7, 1.2, 1.1, 1.9], size=10, row_height=Inches(0.36), name="Suivi du plan d'actions",
               cell_colours=lambda r, c, late=late, verdicts=verdicts: (
                   fill_and_ink(vocab.LATE_COLOUR) if c == "Suivi" and late[r] else
                   fill_and_ink(vocab.ACTION_VERDICTS.colour(verdicts[r]))
                   if c == "Effet" and isinstance(verdicts[r], str) else None))


def _compliance_slides(prs, data: PackData) -> None:
    table = pack_data.compliance_table(data)
    if table.empty:
        slide = _new_slide(prs, data, "Conformité aux engagements")
        _text_box(slide, MARGIN, CONTENT_TOP, Inches(10), Inches(0.6),
                  "Aucune évaluation de conformité jusqu'à la fin de la période.", size=16)
        return
    chunks = [table.iloc[i:i + ROWS_PER_TABLE_SLIDE] for i in range(0, len(table), ROWS_PER_TABLE_SLIDE)]
    for index, chunk in enumerate(chunks):
        suffix = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        slide = _new_slide(prs, data, f"Conformité aux engagements{suffix}")
        shown = chunk.drop(columns="result").reset_index(drop=True)
        results = list(chunk.result)
        _table(slide, shown, MARGIN, CONTENT_TOP, SLIDE_W - 2 * MARGIN, [0.9, 0.6, 6.5, 2.2, 2.5], size=10,
               row_height=Inches(0.38), name="Carte de conformité",
               cell_colours=lambda r, c, results=results: RESULT_COLOURS.get(results[r])
               if c == "Résultat" else None)


def _transmissions_slide(prs, data: PackData) -> None:
    slide = _new_slide(prs, data, "Transmissions manquantes")
    missing = pack_data.missing_months(data)
    partial = pack_data.partial_months(data)
    text = (", ".join(fmt.month(m) for m in missing) if missing
            else "Aucun : chaque mois de la période a été transmis, au moins en partie.")
    if partial:
        text += f" Mois partiels ({len(partial)}) : " + ", ".join(fmt.month(m) for m in partial) + "."
    _text_box(slide, MARGIN, CONTENT_TOP, SLIDE_W - 2 * MARGIN, Inches(0.4),
              f"Mois non transmis ({len(missing)})", size=15, bold=True, color=BLEU_FRANCE)
    _text_box(slide, MARGIN, CONTENT_TOP + Inches(0.45), SLIDE_W - 2 * MARGIN, Inches(0.8), text, size=14,
              name="Mois non transmis")
    incomplete = pack_data.incomplete_indicators(data)
    top = CONTENT_TOP + Inches(1.4)
    _text_box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, Inches(0.4),
              "Indicateurs mensuels incomplets", size=15, bold=True, color=BLEU_FRANCE)
    if incomplete.empty:
        _text_box(slide, MARGIN, top + Inches(0.45), SLIDE_W - 2 * MARGIN, Inches(0.4),
                  "Aucun indicateur mensuel incomplet sur les mois transmis.", size=12)
        return
    room = max(int((CONTENT_BOTTOM - top - Inches(0.45)) / Inches(0.32)) - 2, 1)
    _table(slide, incomplete.head(room), MARGIN, top + Inches(0.45), SLIDE_W - 2 * MARGIN, [4, 6],
           size=10, row_height=Inches(0.32), name="Indicateurs incomplets")
    if len(incomplete) > room:
        _text_box(slide, MARGIN, CONTENT_BOTTOM - Inches(0.3), SLIDE_W - 2 * MARGIN, Inches(0.3),
                  f"… et {len(incomplete) - room} autres indicateurs (voir l'export des données).", size=10,
                  color=GRIS)


def build_pptx(data: PackData) -> bytes:
    """The COPIL pack of `data` as .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = f"Pack COPIL – {data.site_name} – {data.period_label}"
    prs.core_properties.author = "Qual-e-Pref"
    prs.core_properties.language = "fr-FR"
    _title_slide(prs, data)
    _key_figures_slide(prs, data)
    for family in pack_data.families(data):
        _family_slide(prs, data, family)
    _satisfaction_slide(prs, data)
    _national_slides(prs, data)
    _alerts_slide(prs, data)
    _actions_slides(prs, data)
    _compliance_slides(prs, data)
    _transmissions_slide(prs, data)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()

