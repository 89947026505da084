"""The COPIL pack as a PDF, for those without PowerPoint, and the transparency poster (PDF and PNG).

Same outline as the .pptx: text and tables are real PDF text (searchable,
readable by screen readers), charts are images rendered by kaleido.
Assembled with fpdf2 (pure Python, offline).
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from qualepref import fmt, vocab
from qualepref.export import figures, pack_data, render
from qualepref.export.pack_data import PackData

PDF_MIME = "application/pdf"
PAGE_W, PAGE_H = 297, 210  # A4 landscape, mm
MARGIN = 12
CONTENT_W = PAGE_W - 2 * MARGIN
IMAGE_PX = (1500, 660)  # chart images: width, height in CSS pixels (rendered at scale 2)
BLEU = vocab.rgb(vocab.BLEU_FRANCE)
ROUGE = vocab.rgb(vocab.ROUGE_MARIANNE)
GRIS = vocab.rgb(vocab.GRIS)
NOIR = vocab.rgb(vocab.NOIR)
BLANC = vocab.rgb(vocab.BLANC)
ZEBRA = vocab.rgb(vocab.ZEBRA)


def fill_and_ink(hex_colour: str | None):
    """A cell's fill and the text colour readable on it, as fpdf2 RGB tuples."""
    return None if hex_colour is None else (vocab.rgb(hex_colour), vocab.rgb(vocab.ink(hex_colour)))


# The colours of the web heatmap and the slides; the result is also written in the cell.
RESULT_FILLS = {t.code: fill_and_ink(t.colour) for t in vocab.COMPLIANCE_RESULTS}
ALERT_FILLS = {t.label: fill_and_ink(t.colour) for t in vocab.ALERT_LEVELS}
MISSED = fill_and_ink(vocab.ALERT_LEVELS.colour("hors_cible_tendance"))
# A Unicode TrueType font if the system has one (Debian: fonts-liberation, fonts-dejavu-core);
# otherwise the PDF core font with the text reduced to Latin-1.
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_LATIN1 = str.maketrans({"\u202f": " ", "\u00a0": " ", "–": "-", "—": "-", "…": "...", "’": "'", "≤": "<=",
                         "≥": ">=", "œ": "oe", "Œ": "OE", "·": "-"})


class _Document(FPDF):
    def __init__(self, data: PackData, *, orientation: str = "L"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.data = data
        self.geo_credit = False
        self.unicode = False
        for regular, bold in FONT_CANDIDATES:
            if Path(regular).is_file() and Path(bold).is_file():
                self.add_font("Sans", "", regular)
                self.add_font("Sans", "B", bold)
                self.unicode = True
                break
        self.family = "Sans" if self.unicode else "helvetica"
        self.set_auto_page_break(True, margin=16)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_title(f"Pack COPIL – {data.site_name} – {data.period_label}")
        self.set_author("Qual-e-Pref")
        self.set_lang("fr-FR")

    def t(self, text) -> str:
        text = "" if text is None else str(text)
        if self.unicode:  # Liberation and DejaVu lack the narrow no-break space Babel writes
            return text.replace("\u202f", "\u00a0")
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, *, bold: bool = False, color=NOIR) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)

    def footer(self) -> None:
        with self.local_context():  # a page break inside a table must not change the table's colours
            self._footer()

    def _footer(self) -> None:
        self.set_y(-12)
        self.font(8, color=GRIS)
        self.cell(self.epw * 0.72, 6, self.t(self.data.footer(geo=self.geo_credit)))
        self.cell(self.epw * 0.28, 6, self.t(f"{self.data.site_name} · {self.data.period_label} · "
                                             f"page {self.page_no()}"), align="R")
        if self.data.is_demo:
            self.set_xy(self.w - MARGIN - 60, 4)
            self.font(9, bold=True, color=ROUGE)
            self.set_draw_color(*ROUGE)
            self.cell(60, 6, self.t(pack_data.DEMO_NOTICE), border=1, align="C")

    def page_title(self, title: str) -> None:
        self.add_page()
        self.geo_credit = False
        self.set_y(MARGIN)
        self.font(20 if len(title) <= 60 else 16, bold=True, color=BLEU)
        self.multi_cell(0, 9, self.t(title), new_x="LMARGIN", new_y="NEXT")
        self.set_fill_color(*BLEU)
        self.rect(MARGIN, self.get_y() + 1, 22, 1.2, style="F")
        self.set_fill_color(*ROUGE)
        self.rect(MARGIN + 22, self.get_y() + 1, 11, 1.2, style="F")
        self.set_y(self.get_y() + 6)

    def heading(self, text: str) -> None:
        self.font(13, bold=True, color=BLEU)
        self.cell(0, 8, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: float = 11, color=NOIR) -> None:
        self.font(size, color=color)
        self.multi_cell(0, 6, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def data_table(self, frame, widths, *, fills=None, size: float = 9) -> None:
        """A table with a bleu France header; `fills(row, column)` may colour a cell (text stays)."""
        self.font(size)
        self.set_fill_color(*ZEBRA)
        heading = FontFace(emphasis="BOLD", color=BLANC, fill_color=BLEU)
        with self.table(col_widths=widths, headings_style=heading, line_height=5.5, text_align="LEFT",
                        cell_fill_color=ZEBRA, cell_fill_mode="ROWS", first_row_as_headings=True,
                        borders_layout="NONE", padding=1.2) as table:
            header = table.row()
            for column in frame.columns:
                header.cell(self.t(column))
            for r, values in enumerate(frame.itertuples(index=False)):
                row = table.row()
                for column, value in zip(frame.columns, values, strict=True):
                    colours = fills(r, column) if fills else None
                    style = (FontFace(emphasis="BOLD", color=colours[1], fill_color=colours[0])
                             if colours else None)
                    row.cell(self.t(value), style=style)
        self.ln(3)


def _images(data: PackData) -> tuple[list[pack_data.Family], list[bytes]]:
    families = pack_data.families(data)
    wanted = [render.Image(figures.family_figure(data, f), *IMAGE_PX) for f in families]
    if not data.last_survey.empty:
        wanted.append(render.Image(figures.satisfaction_figure(data), *IMAGE_PX))
    return families, render.render(wanted)


def build_pdf(data: PackData) -> bytes:
    """The COPIL pack of `data` as PDF bytes (same pages as the slides)."""
    families, images = _images(data)
    doc = _Document(data)
    _title_page(doc, data)
    _key_figures_page(doc, data)
    for family, image in zip(families, images, strict=False):
        doc.page_title(f"Indicateurs – {family.title}")
        doc.image(io.BytesIO(image), x=MARGIN, w=CONTENT_W)
    doc.page_title("Satisfaction des usagers" + (f" – campagne {data.campaign}" if data.campaign else ""))
    if data.last_survey.empty:
        doc.paragraph("Aucune enquête de satisfaction jusqu'à la fin de la période.", 14)
    else:
        doc.paragraph("Taux de satisfaction = (très satisfaits + satisfaits) / avis exprimés ; n = nombre "
                      "d'avis exprimés ; barres d'erreur : intervalle de confiance à 95 % (Wilson). Sous 75 %, "
                      "des actions d'amélioration sont attendues.", 10, GRIS)
        doc.image(io.BytesIO(images[-1]), x=MARGIN, w=CONTENT_W)
    _national_page(doc, data)
    _alerts_page(doc, data)
    _actions_page(doc, data)
    _compliance_pages(doc, data)
    _transmissions_page(doc, data)
    return bytes(doc.output())


def _title_page(doc: _Document, data: PackData) -> None:
    doc.add_page()
    doc.geo_credit = True
    doc.set_fill_color(*BLEU)
    doc.rect(0, 0, 9, PAGE_H, style="F")
    doc.set_fill_color(*ROUGE)
    doc.rect(9, 0, 3, PAGE_H, style="F")
    doc.set_xy(30, 45)
    doc.font(16, color=GRIS)
    doc.cell(0, 10, doc.t("Qual-e-Pref · Comité de pilotage"), new_x="LMARGIN", new_y="NEXT")
    doc.set_x(30)
    doc.font(34 if len(data.title) <= 36 else 26, bold=True, color=BLEU)
    doc.cell(0, 18, doc.t(data.title), new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    for line in (f"Région {data.region_name}", f"Période : {data.period_label}",
                 f"Document établi le {fmt.day(data.built_on)}"):
        doc.set_x(30)
        doc.font(16)
        doc.cell(0, 9, doc.t(line), new_x="LMARGIN", new_y="NEXT")
    if data.is_demo:
        doc.ln(8)
        doc.set_x(30)
        doc.font(14, bold=True, color=ROUGE)
        doc.cell(0, 9, doc.t(f"{pack_data.DEMO_NOTICE} : les chiffres de ce document sont fictifs."))


def _key_figures_page(doc: _Document, data: PackData) -> None:
    doc.page_title("Chiffres clés")
    boxes = pack_data.headline_boxes(data)
    top = doc.get_y()
    width = (CONTENT_W - 3 * 5) / 4
    for index, (label, value, note) in enumerate(boxes):
        x = MARGIN + index * (width + 5)
        doc.set_fill_color(*ZEBRA)
        doc.rect(x, top, width, 30, style="F")
        doc.set_xy(x + 3, top + 2)
        doc.font(10, color=GRIS)
        doc.cell(width - 6, 6, doc.t(label))
        doc.set_xy(x + 3, top + 9)
        doc.font(22, bold=True, color=BLEU)
        doc.cell(width - 6, 11, doc.t(value))
        doc.set_xy(x + 3, top + 21)
        doc.font(8, color=GRIS)
        doc.multi_cell(width - 6, 4, doc.t(note))
    doc.set_y(top + 35)
    table = pack_data.key_figures(data)
    if table.empty:
        doc.paragraph("Aucun indicateur sur la période.")
        return
    doc.data_table(table, (50, 14, 12, 13, 25), fills=lambda r, c: (
        MISSED if c == "Situation" and table.Situation.iloc[r].startswith("Cible manquée")
        else None))


def _national_page(doc: _Document, data: PackData) -> None:
    table = pack_data.national_position(data)
    if table.empty:
        return
    doc.page_title("Position nationale")
    doc.paragraph(pack_data.NATIONAL_NOTE, 10, GRIS)
    doc.data_table(table, (62, 22, 20, 22, 50, 22))


def _alerts_page(doc: _Document, data: PackData) -> None:
    doc.page_title("Alertes")
    survey_alerts = pack_data.satisfaction_alerts(data)
    doc.heading("Satisfaction : questions sous 75 %" + (f" (campagne {data.campaign})" if data.campaign else ""))
    if survey_alerts.empty:
        doc.paragraph("Aucune question sous 75 %.")
    else:
        doc.data_table(survey_alerts, (50, 10, 18, 7, 22), fills=lambda r, c: ALERT_FILLS.get(
            survey_alerts["Niveau d'alerte"].iloc[r]) if c == "Niveau d'alerte" else None)
    indicator_alerts = pack_data.indicator_alerts(data)
    doc.heading("Indicateurs hors cible (dernière valeur de la période)")
    if indicator_alerts.empty:
        doc.paragraph("Tous les indicateurs sont à la cible.")
    else:
        doc.data_table(indicator_alerts, (33, 10, 10, 12, 32, 28), fills=lambda r, c: (
            MISSED
            if c == "Tendance" and not indicator_alerts.Tendance.iloc[r].startswith("Première") else None))


def _actions_page(doc: _Document, data: PackData) -> None:
    doc.page_title("Suivi du plan d'actions")
    doc.paragraph(pack_data.action_summary(data), 10, GRIS)
    table = pack_data.action_table(data)
    if table.empty:
        doc.paragraph("Aucune action décidée, réalisée ou en retard sur la période.", 14)
        return
    late, verdicts = list(table.late), list(table.verdict)
    # The PDF fonts have no ⚠: the words and the colour say it.
    shown = table.drop(columns=["status", "late", "verdict"]).assign(Suivi=table.Suivi.str.removeprefix("⚠ "))
    doc.data_table(shown, (30, 8, 90, 28, 20, 20, 30),
                   fills=lambda r, c: fill_and_ink(vocab.LATE_COLOUR) if c == "Suivi" and late[r] else (
                       fill_and_ink(vocab.ACTION_VERDICTS.colour(verdicts[r]))
                       if c == "Effet" and isinstance(verdicts[r], str) else None))


def _compliance_pages(doc: _Document, data: PackData) -> None:
    doc.page_title("Conformité aux engagements")
    table = pack_data.compliance_table(data)
    if table.empty:
        doc.paragraph("Aucune évaluation de conformité jusqu'à la fin de la période.", 14)
        return
    results = list(table.result)
    doc.data_table(table.drop(columns="result"), (7, 5, 60, 20, 22),
                   fills=lambda r, c: RESULT_FILLS.get(results[r]) if c == "Résultat" else None)


def _transmissions_page(doc: _Document, data: PackData) -> None:
    doc.page_title("Transmissions manquantes")
    missing = pack_data.missing_months(data)
    partial = pack_data.partial_months(data)
    doc.heading(f"Mois non transmis ({len(missing)})")
    doc.paragraph(", ".join(fmt.month(m) for m in missing) if missing
                  else "Aucun : chaque mois de la période a été transmis, au moins en partie.", 12)
    if partial:
        doc.heading(f"Mois partiels ({len(partial)})")
        doc.paragraph(", ".join(fmt.month(m) for m in partial), 12)
    doc.heading("Indicateurs mensuels incomplets")
    incomplete = pack_data.incomplete_indicators(data)
    if incomplete.empty:
        doc.paragraph("Aucun indicateur mensuel incomplet sur les mois transmis.")
    else:
        doc.data_table(incomplete, (40, 60))


def build_poster(data: PackData) -> tuple[bytes, bytes]:
    """The transparency poster as (PDF, PNG), from one figure rendered in one kaleido call."""
    fig = figures.poster_figure(data)
    pdf, png = render.render([
        render.Image(fig, figures.POSTER_WIDTH, figures.POSTER_HEIGHT, "pdf", 1),
        render.Image(fig, figures.POSTER_WIDTH, figures.POSTER_HEIGHT, "png", 1.5),
    ])
    return pdf, png
