"""The product's vocabulary: each code with its French label, its order and its colour, written once.

Pages, charts, the COPIL pack (pptx and PDF), the poster, the template and the
exports all take their labels, orders and colours from here, so that
*Conforme* reads and looks the same on the web heatmap, the slides and the PDF.
Colours are hex strings (`#2166AC`); `rgb()` converts them for fpdf2 and
python-pptx (`pack.py` wraps the tuple in `RGBColor`).

A label set is a `Vocabulary`: an ordered tuple of `Term`s (the order is the
one tables, legends and filters use). Add a new set here rather than a dict in
a page: action statuses, site kinds, label events…
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

# -- brand colours (Marque de l'État) and neutral tones --------------------------------------------
BLEU_FRANCE = "#000091"
ROUGE_MARIANNE = "#E1000F"
NOIR = "#161616"  # body text
BLANC = "#FFFFFF"
GRIS = "#666666"  # secondary text, national median
GRIS_CLAIR = "#DDDDDD"  # grid lines
ZEBRA = "#F2F2F9"  # alternate table rows, key-figure cards
FOND_PIED = "#F6F6F6"  # poster footer band
ROSE_ALERTE = "#FFE9E6"  # demonstration badge background
# Okabe–Ito palette: distinguishable by colour-blind readers (series of a chart, in this order).
CATEGORICAL = ("#000091", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#666666")
ORANGE = CATEGORICAL[1]  # stands out from the State blue for every reader (highlight, "not met")
# Blue–orange diverging tones, distinct in hue and lightness (colour-blind and greyscale readers):
# the good state in blue, the bad in dark orange, in between light orange, "not applicable" grey.
GOOD = "#2166AC"
MIDDLE = "#FDB863"
BAD = "#B35806"
NEUTRAL = "#E0E0E0"
# The light tones between them, for a diverging scale (maps anchored on a target): light blue on the
# good side, almost white at the anchor.
GOOD_LIGHT = "#92C5DE"
PALE = "#F7F7F7"
NO_DATA = "#D9D9D9"  # a cell or area without a figure (never a colour of a value scale)


def rgb(colour: str) -> tuple[int, int, int]:
    """`#2166AC` → `(33, 102, 172)` (fpdf2 takes the tuple, python-pptx `RGBColor(*rgb(...))`)."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #RRGGBB")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


@cache
def ink(fill: str) -> str:
    """The text colour readable on `fill`: white on dark tones, near-black on light ones (WCAG luminance)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white vs with NOIR: the larger wins.
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.0596
    return BLANC if on_white >= on_black else NOIR


# -- label sets ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    code: str
    label: str
    short: str = ""  # where room is scarce (heatmap cells); the label when empty
    colour: str | None = None  # hex
    symbol: str = ""  # a sign that carries the meaning without colour (RGAA 3.1)

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def ink(self) -> str:
        """Text colour on this term's colour."""
        return ink(self.colour or BLANC)


class Vocabulary:
    """An ordered set of terms: `labels()`, `label(code)`, `colour(code)`, `codes`, iteration in order."""

    def __init__(self, *terms: Term):
        self.terms: tuple[Term, ...] = terms
        self._by_code = {t.code: t for t in terms}
        if len(self._by_code) != len(terms):
            raise ValueError("duplicate code in a vocabulary")

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, code) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Term:
        return self._by_code[code]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def label(self, code, default: str | None = None) -> str:
        """The French label of `code` (`default`, else the code itself, when unknown)."""
        term = self._by_code.get(code)
        if term is not None:
            return term.label
        return str(code) if default is None else default

    def short(self, code) -> str:
        term = self._by_code.get(code)
        return term.short_label if term is not None else str(code)

    def labels(self) -> dict[str, str]:
        """code → label, in order (a fresh dict: callers may keep or change it)."""
        return {t.code: t.label for t in self.terms}

    def short_labels(self) -> dict[str, str]:
        """code → short label (the label where none is shorter), in order."""
        return {t.code: t.short_label for t in self.terms}

    def colour(self, code) -> str | None:
        term = self._by_code.get(code)
        return None if term is None else term.colour

    def colours(self) -> dict[str, str | None]:
        return {t.code: t.colour for t in self.terms}

    def position(self, code) -> int:
        """Rank of `code` in the order (unknown codes after every known one)."""
        return self.codes.index(code) if code in self._by_code else len(self.terms)


# Compliance results, worst first (heatmap scale, legends, sort order).
COMPLIANCE_RESULTS = Vocabulary(
    Term("non_conforme", "Non conforme", colour=BAD),
    Term("partiel", "Partiellement conforme", short="Partiel", colour=MIDDLE),
    Term("conforme", "Conforme", colour=GOOD),
    Term("non_applicable", "Non applicable", short="N/A", colour=NEUTRAL),
)

# Assessment types in their same-day precedence: on the same date, an external audit outweighs an
# internal one, which outweighs a mystery visit and a self-assessment. The compliance queries take
# this order as their `$assessment_precedence` parameter (`sql.CONSTANTS`): written nowhere else.
ASSESSMENT_TYPES = Vocabulary(
    Term("audit_externe", "Audit externe"),
    Term("audit_interne", "Audit interne"),
    Term("enquete_mystere", "Enquête mystère"),
    Term("auto_evaluation", "Auto-évaluation"),
)
# The order people list them in (forms, the template's drop-down): from the first step of the process.
ASSESSMENT_FORM_ORDER = ("auto_evaluation", "audit_interne", "audit_externe", "enquete_mystere")

# What an upload holds (`uploads.kind`).
UPLOAD_KINDS = Vocabulary(
    Term("indicateurs", "Indicateurs"),
    Term("enquete", "Enquête de satisfaction", short="Enquête"),
    Term("conformite", "Conformité"),
    Term("labellisation", "Labellisation (périmètre, étapes, constats)", short="Labellisation"),
    Term("sites", "Sites"),
    Term("actions", "Plan d'actions"),
    Term("cibles", "Cibles"),
    Term("mixte", "Plusieurs types"),
)

# Survey answer levels, from the best; the column of `survey_results` holding each count.
SURVEY_ANSWERS = Vocabulary(
    Term("n_tres_satisfait", "Très satisfait"),
    Term("n_satisfait", "Satisfait"),
    Term("n_peu_satisfait", "Peu satisfait"),
    Term("n_pas_du_tout_satisfait", "Pas du tout satisfait"),
    Term("n_sans_avis", "Sans avis"),
)

# Alert levels, most severe first (this order sorts the alert table and lists the levels in filters).
ALERT_LEVELS = Vocabulary(
    Term("significativement_sous_75", "Significativement sous 75 %", colour=CATEGORICAL[5]),
    # A rate measured with its counts (issue 15) whose whole 95 % interval misses its target.
    Term("significativement_hors_cible", "Significativement hors cible", colour=CATEGORICAL[5]),
    Term("hors_cible_tendance", "Hors cible (tendance)", colour=CATEGORICAL[5]),
    Term("sous_75", "Sous 75 %", colour=ORANGE),
    Term("hors_cible", "Hors cible", colour=ORANGE),
    Term("effectif_insuffisant", "Effectif insuffisant", colour=GRIS_CLAIR),
)
# What an alert is about.
ALERT_KINDS = Vocabulary(
    Term("enquete", "Enquête de satisfaction"),
    Term("indicateur", "Indicateur"),
)

# Where a prefecture's value falls among the national quartiles: what a one-prefecture scope is told
# instead of its rank (see anonymity.py), best first. `short` fits a key-figure card.
NATIONAL_POSITIONS = Vocabulary(
    Term("meilleur_quart", "parmi les 25 % de préfectures aux meilleurs résultats", short="Meilleur quart"),
    Term("mieux_que_mediane", "mieux que la médiane", short="2e quart"),
    Term("a_la_mediane", "à la médiane", short="Médiane"),
    Term("moins_bien_que_mediane", "moins bien que la médiane", short="3e quart"),
    Term("dernier_quart", "parmi les 25 % de préfectures aux moins bons résultats", short="Dernier quart"),
)

# Monthly transmission of a site: all its expected indicators, some, none.
TRANSMISSION_STATUSES = Vocabulary(
    Term("manquant", "Non transmis", colour=BAD, symbol="✗"),
    Term("partiel", "Partiel", colour=MIDDLE, symbol="½"),
    Term("transmis", "Transmis", colour=GOOD),
)

# Kinds of site (`sites.site_kind`). National statistics and rankings compare prefectures only.
SITE_KINDS = Vocabulary(
    Term("prefecture", "Préfecture", short="Préfectures"),
    Term("sous_prefecture", "Sous-préfecture", short="Sous-préfectures"),
    Term("haut_commissariat", "Haut-commissariat", short="Hauts-commissariats"),
    Term("prefecture_police", "Préfecture de police", short="Préfecture de police"),
    Term("autre", "Autre service", short="Autres services"),
)

# Stages of the labelling cycle (`label_events.event_kind`), in the order they happen.
LABEL_EVENT_KINDS = Vocabulary(
    Term("engagement", "Engagement dans la démarche", short="Engagement"),
    Term("auto_evaluation", "Diagnostic / auto-évaluation", short="Auto-évaluation"),
    Term("enquete_mystere", "Enquête mystère"),
    Term("audit_interne", "Audit interne"),
    Term("audit_externe", "Audit externe (labellisation)", short="Audit externe"),
    Term("decision", "Décision de labellisation", short="Décision"),
    Term("audit_suivi", "Audit de suivi"),
    Term("renouvellement", "Renouvellement du label", short="Renouvellement"),
)
# An audit's or a decision's outcome (`label_events.result`).
LABEL_RESULTS = Vocabulary(
    Term("favorable", "Favorable", colour=GOOD),
    Term("defavorable", "Défavorable", colour=BAD),
)
# Where a site stands in the cycle, on a given day (qualepref.labellisation.site_status). Colours of
# the Okabe–Ito palette; the symbol repeats the meaning without colour (map markers, tables).
LABEL_STATUSES = Vocabulary(
    Term("labellise", "Labellisé", colour=GOOD, symbol="●"),
    Term("suivi_en_retard", "Audit de suivi en retard", short="Suivi en retard", colour=CATEGORICAL[5], symbol="✖"),
    Term("audit_externe_programme", "Audit externe programmé", short="Audit programmé", colour=CATEGORICAL[3],
         symbol="■"),
    Term("audit_interne_fait", "Audit interne fait", colour=CATEGORICAL[4], symbol="◆"),
    Term("en_preparation", "En préparation", colour=CATEGORICAL[1], symbol="▲"),
    Term("non_engage", "Non engagé", colour=NO_DATA, symbol="○"),
)
# What an audit found (`audit_findings.finding_kind`).
FINDING_KINDS = Vocabulary(
    Term("non_conformite", "Non-conformité", colour=BAD),
    Term("piste_amelioration", "Piste d'amélioration", colour=MIDDLE),
    Term("point_fort", "Point fort", colour=GOOD),
)


# The plan d'actions (`actions.status`): where an action stands. "En retard" is not a status but a
# reading (open and past its due date), shown with its own symbol.
ACTION_STATUSES = Vocabulary(
    Term("a_lancer", "À lancer", colour=NEUTRAL, symbol="○"),
    Term("en_cours", "En cours", colour=GOOD_LIGHT, symbol="◐"),
    Term("realisee", "Réalisée", colour=GOOD, symbol="●"),
    Term("abandonnee", "Abandonnée", colour=GRIS, symbol="✕"),
)
LATE_COLOUR = CATEGORICAL[5]  # a late action: dark orange, with the symbol ⚠
# What triggered an action (`actions.origin_kind`).
ACTION_ORIGINS = Vocabulary(
    Term("indicateur", "Indicateur hors cible", short="Indicateur"),
    Term("question", "Question d'enquête sous 75 %", short="Enquête"),
    Term("conformite", "Non-conformité (évaluation)", short="Conformité"),
    Term("constat", "Constat d'audit", short="Constat"),
    Term("libre", "Action libre (COPIL, comité des usagers…)", short="Libre"),
)
# The verdict on an action's effect (`qualepref.actions.effect`).
ACTION_VERDICTS = Vocabulary(
    Term("amelioration", "Amélioration", colour=GOOD, symbol="▲"),
    Term("pas_de_changement", "Pas de changement net", colour=NEUTRAL, symbol="="),
    Term("degradation", "Dégradation", colour=BAD, symbol="▼"),
    Term("trop_tot", "Trop tôt pour conclure", colour=PALE, symbol="…"),
    Term("sans_reference", "Pas de mesure avant l'action", colour=PALE, symbol="?"),
)


@dataclass(frozen=True)
class Unit:
    code: str  # as in indicateurs.csv
    suffix: str  # after a number: `4,2 j`; empty for counts
    axis_title: str  # a chart's value axis

    @property
    def excel_format(self) -> str:
        """Number format of a chart axis in PowerPoint / Excel (`0" j"`)."""
        return f'0" {self.suffix}"' if self.suffix else "0"


UNITS = {u.code: u for u in (
    Unit("jours ouvrés", "j", "jours ouvrés"),
    Unit("jours", "j", "jours"),
    Unit("minutes", "min", "minutes"),
    Unit("%", "%", "%"),
    Unit("nombre", "", "nombre"),
)}


def unit(code) -> Unit:
    """The unit `code` (an unknown unit written after the number as it is)."""
    found = UNITS.get(code)
    return found if found is not None else Unit(str(code), str(code), str(code))


@dataclass(frozen=True)
class Direction:
    code: str  # indicators.direction
    hint: str  # "plus bas = mieux"
    sign: str  # before the target: "≤ 15 j"
    strict_sign: str = ""  # before a strict target: "< 15 j" (15,0 misses it)


DIRECTIONS = {d.code: d for d in (
    Direction("baisse", "plus bas = mieux", "≤", "<"),
    Direction("hausse", "plus haut = mieux", "≥", ">"),
)}
NO_TARGET = "suivi sans cible"

# How often an indicator is reported (indicateurs.csv) → the period kind of its values.
FREQUENCY_KINDS = {"mensuelle": "month", "trimestrielle": "quarter", "annuelle": "year"}
PERIOD_KINDS = Vocabulary(
    Term("month", "Mois"),
    Term("quarter", "Trimestre"),
    Term("year", "Année"),
)

# A target indicateurs.csv marks illustrative (`indicators.target_indicative`) is shown as a
# "cible indicative" until an administrator confirms it, and never printed as an "Objectif".
TARGET_LABEL = "Cible"
ILLUSTRATIVE_TARGET_LABEL = "Cible indicative"
