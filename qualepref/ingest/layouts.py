"""Recognise a sheet's layout and reshape it to records (pure).

A sheet becomes `SheetData`: the kind of data, the layout recognised, and a
frame of *records* still holding raw cell text with where each came from
(row number, column name), so `validate` can parse and point at cells.
Layouts (DESIGN §4): long, wide tableau de bord (title block allowed),
aggregated survey, raw survey export, compliance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qualepref.ingest import parse
from qualepref.ingest.issues import Issue, shown
from qualepref.ingest.readers import Sheet
from qualepref.ingest.text import column_name, norm, unaccent

HEADER_ROWS_SCANNED = 30

_ROLE_NAMES = {
    "site": ("site", "departement", "prefecture", "code departement", "code site", "dept", "numero departement",
             "n departement", "no departement", "nom departement", "code dep", "dep", "sous prefecture"),
    "indicator": ("indicateur", "code indicateur", "libelle indicateur", "indicateurs", "intitule indicateur",
                  "intitule", "libelle", "nom indicateur"),
    "period": ("periode", "mois", "mois annee", "trimestre", "periode mois"),
    "date": ("date",),
    "value": ("valeur", "valeurs", "value", "mesure", "resultat indicateur", "valeur indicateur"),
    "comment": ("commentaire", "commentaires", "observations", "observation", "remarque", "remarques"),
    # A rate given as its two counts (indicators measured with their counts, issue 15).
    "n_total": ("traites", "nombre traites", "nb traites", "total traites", "recus traites"),
    "n_within": ("dans le delai", "traites dans le delai", "nombre dans le delai", "nb dans le delai",
                 "dans les delais"),
    "campaign": ("campagne", "annee campagne", "campagne annee", "annee enquete"),
    "year": ("annee",),
    "question": ("question", "code question", "libelle question", "questions", "intitule question"),
    "module": ("module", "n module", "numero module", "code module", "no module"),
    "engagement": ("engagement", "n engagement", "numero engagement", "engagements", "no engagement",
                   "code engagement"),
    "assessed_on": ("date evaluation", "date audit", "date evaluation conformite", "evalue le"),
    "type": ("type", "type evaluation", "modalite", "type controle"),
    "result": ("resultat", "conformite", "resultat evaluation", "niveau conformite", "evaluation"),
    "timestamp": ("horodatage", "date reponse", "horodateur", "timestamp", "date heure", "date saisie",
                  "date heure reponse"),
}
ROLES = {norm(name): role for role, names in _ROLE_NAMES.items() for name in names}
# Columns a wide tableau de bord may carry besides its months: used or ignored.
WIDE_EXTRAS = frozenset(norm(x) for x in (
    "cible", "objectif", "unite", "moyenne", "total", "cumul", "frequence", "sens", "ecart", "tendance",
    "engagement", "module", "n", "no", "numero", "code", "commentaire", "commentaires", "observations",
    "observation", "remarque", "remarques", "source", "valeur cible", "cible annuelle", "moyenne annuelle",
    "evolution", "seuil", "theme", "rubrique", "responsable", "mode calcul", "periodicite", "annee precedente",
))

# Identifier columns a wide tableau de bord puts before its indicators (not imported; an engagement
# number helps recognise the indicator), aggregate columns after its periods (computed from them,
# or another year's figure: not imported), rows that sum the indicators above them.
IDENTIFIER_HEADERS = frozenset(norm(x) for x in (
    "n", "no", "num", "numero", "ref", "refs", "reference", "references", "code", "codes", "id", "identifiant",
    "rang", "ordre", "n ordre", "item", "n indicateur", "no indicateur", "numero indicateur", "ref indicateur",
    "reference indicateur", "n engagement", "no engagement", "numero engagement", "engagement", "engagements",
    "code engagement", "ref engagement", "module", "n module", "numero module", "fiche", "n fiche",
))
ENGAGEMENT_HEADERS = frozenset(norm(x) for x in (
    "n engagement", "no engagement", "numero engagement", "engagement", "engagements", "code engagement",
    "ref engagement",
))
AGGREGATE_WORDS = frozenset((
    "total", "totaux", "cumul", "cumule", "cumulee", "cumuls", "moyenne", "moyennes", "moy", "mediane", "ecart",
    "ecarts", "evolution", "evol", "variation", "var", "rappel", "tendance", "tendances", "progression", "somme",
    "min", "minimum", "max", "maximum", "bilan", "synthese", "objectif", "objectifs", "cible", "cibles", "seuil",
    "realisation", "atteinte", "delta", "realise",
))
PREVIOUS_YEAR = frozenset(("n 1", "annee n 1", "annee precedente", "annee derniere", "an dernier"))
TOTAL_ROW_WORDS = frozenset(("total", "totaux", "cumul", "moyenne", "moy", "somme", "ensemble", "sous"))

# The downloadable template's sheets of instructions and drop-down lists (`qualepref.template`):
# in a workbook holding both, they are skipped without a word, and so are its data sheets left
# empty (the instructions say so).
TEMPLATE_HELP_SHEETS = ("Instructions", "Listes")

KIND_OF_LAYOUT = {"long": "indicateurs", "wide": "indicateurs", "survey": "enquete", "raw_survey": "enquete",
                  "compliance": "conformite"}
LAYOUT_LABELS = {"long": "format long", "wide": "tableau de bord (une colonne par période)",
                 "survey": "enquête agrégée", "raw_survey": "export brut d'enquête", "compliance": "conformité"}


@dataclass
class SheetData:
    sheet: Sheet
    layout: str
    records: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)  # warnings
    errors: list[Issue] = field(default_factory=list)
    title_site: str | None = None
    title_text: str = ""
    default_year: int | None = None
    rows_read: int = 0
    header_row: int = 1
    header_index: int = 0  # the header's logical row in the sheet

    @property
    def kind(self) -> str:
        return KIND_OF_LAYOUT[self.layout]

    @property
    def sheet_name(self) -> str | None:
        return None if self.sheet.is_csv else self.sheet.name


def _roles(sheet: Sheet, i: int) -> dict[int, str]:
    found = {}
    for j in range(sheet.frame.shape[1]):
        text = sheet.cell(i, j)
        if text is None:
            continue
        key = norm(text, drop_unit=True)
        if key in ROLES:
            found[j] = ROLES[key]
        elif parse.level_of_header(text):
            found[j] = "level:" + parse.level_of_header(text)
    return found


def _title(sheet: Sheet, header: int) -> str:
    lines = []
    for i in range(header):
        cells = [c for j in range(sheet.frame.shape[1]) if (c := sheet.cell(i, j))]
        if cells:
            lines.append(" ".join(cells))
    return "\n".join(lines)


def _title_year(text: str) -> int | None:
    match = re.search(r"ann[ée]e\s*:?\s*(20\d{2})", text, re.IGNORECASE) or re.search(r"\b(20\d{2})\b", text)
    return int(match.group(1)) if match else None


def detect(sheet: Sheet, *, questions: parse.ItemMatcher, wanted: str = "auto") -> tuple[str, int] | None:
    """(layout, header row index in the frame) or None when nothing is recognised."""
    width = sheet.frame.shape[1]
    for i in range(min(HEADER_ROWS_SCANNED, sheet.n_rows)):
        roles = _roles(sheet, i)
        values = set(roles.values())
        levels = {v for v in values if v.startswith("level:")}
        candidates = []
        if {"module", "engagement", "result"} <= values:
            candidates.append("compliance")
        if "question" in values and len(levels) >= 2:
            candidates.append("survey")
        if "indicator" in values and values & {"period", "date"} and values & {"value", "n_total", "n_within"}:
            candidates.append("long")
        periods = [j for j in range(width) if j not in roles and (t := sheet.cell(i, j))
                   and parse.looks_like_period(t) and not re.fullmatch(r"\d{4}(\.0)?", t)]
        year_headers = [j for j in range(width) if (t := sheet.cell(i, j))
                        and re.fullmatch(r"20\d{2}(\.0)?", t)]
        has_indicator = "indicator" in values
        if len(periods) >= 2 or (periods and has_indicator) or (len(year_headers) >= 2 and has_indicator):
            candidates.append("wide")
        if "question" not in values and _answers_below(sheet, i, [
            j for j in range(width) if j not in roles and (t := sheet.cell(i, j)) and questions.match(t)
        ]):
            candidates.append("raw_survey")
        if wanted != "auto":
            candidates = [c for c in candidates if KIND_OF_LAYOUT[c] == wanted]
        if candidates:
            if candidates[0] == "wide" and year_headers and i + 1 < sheet.n_rows and _periods_in_row(sheet, i + 1) >= 2:
                return "wide", i + 1  # two header rows: the years above, the months (the header) below
            return candidates[0], i
    return None


def _periods_in_row(sheet: Sheet, i: int) -> int:
    """Cells of row `i` naming a month or a quarter (with or without its year)."""
    return sum(1 for j in range(sheet.frame.shape[1]) if (t := sheet.cell(i, j)) and parse.looks_like_period(t)
               and not re.fullmatch(r"\d{4}(\.0)?", t))


def _answers_below(sheet: Sheet, header: int, columns: list[int]) -> bool:
    """Question headers with satisfaction answers under them (not a list of labels)."""
    for j in columns:
        below = sheet.body(header).iloc[:50, j].dropna()
        below = below[below.astype("str").str.strip().ne("")]
        if len(below) and below.map(parse.answer_level).notna().mean() >= 0.5:
            return True
    return False


def reshape(sheet: Sheet, layout: str, header: int, *, sites: parse.SiteMatcher,
            questions: parse.ItemMatcher, indicators: parse.ItemMatcher | None = None) -> SheetData:
    title = _title(sheet, header)
    data = SheetData(sheet=sheet, layout=layout, records=pd.DataFrame(), title_text=title,
                     title_site=sites.find_in_text(title) if title else None, default_year=_title_year(title))
    data.header_row = sheet.row_number(header)
    data.header_index = header
    headers = {j: sheet.cell(header, j) for j in range(sheet.frame.shape[1])}
    names = {j: column_name(sheet.columns[j], headers[j]) for j in headers}
    body = sheet.body(header)
    rows = sheet.row_numbers()[header + 1:]
    roles = _roles(sheet, header)
    builder = {"long": _long, "wide": _wide, "survey": _survey, "raw_survey": _raw_survey,
               "compliance": _compliance}[layout]
    builder(data, body, rows, headers, names, roles, questions=questions, indicators=indicators)
    return data


def _first(roles: dict[int, str], *wanted: str) -> int | None:
    for role in wanted:
        for j, r in roles.items():
            if r == role:
                return j
    return None


def _column(body: pd.DataFrame, j: int | None) -> pd.Series:
    if j is None:  # an absent column: all empty (NaN: cheaper to build and to scan than None objects)
        return pd.Series(np.nan, index=body.index, dtype="float64")
    return body.iloc[:, j]


def _const(value, n: int) -> pd.Categorical:
    """A column repeating one value (None → NaN): one byte per row, and no text conversion of every copy."""
    if value is None:
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype=object))
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype=object))


def _records(data: SheetData, columns: dict) -> pd.DataFrame:
    """The records of a sheet: its columns, and where they come from (sheet, title) on every row."""
    n = len(columns["row"])
    columns["sheet"] = _const(data.sheet_name, n)
    columns["default_year"] = np.full(n, np.nan if data.default_year is None else float(data.default_year))
    columns["title_site"] = _const(data.title_site, n)
    return pd.DataFrame(columns, copy=False)


def _kept(series: pd.Series, keep: np.ndarray, every: bool) -> pd.Series:
    """The kept cells of a column, in its own dtype (no conversion to Python objects)."""
    return (series if every else series[keep]).reset_index(drop=True)


def _pct_mask(sheet: Sheet, rows: np.ndarray, j: int | None) -> np.ndarray:
    if j is None or not sheet.percent_cells:
        return np.zeros(len(rows), dtype=bool)
    col = sheet.columns[j]
    wanted = {r for r, c in sheet.percent_cells if c == col}
    return np.isin(rows, list(wanted)) if wanted else np.zeros(len(rows), dtype=bool)


def _nonblank(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.notna()
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        # Straight on the Arrow strings: blank = null, empty or only spaces.
        cells = pa.array(series.array)
        blank = pc.or_kleene(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells))
        return pd.Series(~pc.fill_null(blank, True).to_numpy(zero_copy_only=False), index=series.index)
    text = series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")
    return series.notna() & text.str.strip().ne("")


def _warn_ignored(data: SheetData, headers, names, used: set[int], header_row: int) -> None:
    for j, text in headers.items():
        if j not in used and text:
            data.issues.append(Issue(data.sheet_name, header_row, names[j], shown(text),
                                     "Colonne ignorée : son en-tête n'est pas reconnu pour ce format."))


# The two counts of a rate, read as pseudo-items of their indicator (`ingest_reference.sql`).
COUNT_SUFFIXES = {"n_total": " – traités", "n_within": " – dans le délai"}


def _long(data, body, rows, headers, names, roles, **_):
    site_j = _first(roles, "site")
    item_j = _first(roles, "indicator")
    period_j = _first(roles, "period", "date")
    value_j = _first(roles, "value")
    count_js = {role: _first(roles, role) for role in COUNT_SUFFIXES}
    comment_j = _first(roles, "comment")
    items = _column(body, item_j)
    header_row = data.header_row
    _warn_ignored(data, headers, names, {j for j in (site_j, item_j, period_j, value_j, comment_j, *count_js.values())
                                         if j is not None}, header_row)
    parts, n_rows = [], 0
    # The value column, and the two counts columns of a rate given as counts: one record per filled cell.
    for j, suffix in [(value_j, ""), *((j, COUNT_SUFFIXES[r]) for r, j in count_js.items())]:
        if j is None:
            continue
        values = _column(body, j)
        keep = (_nonblank(values) | (_nonblank(items) if not suffix else False)).to_numpy()
        n = int(keep.sum())
        every = n == len(keep)
        kept_items = _kept(items, keep, every)
        if suffix:
            kept_items = kept_items.map(lambda v, s=suffix: v if v is None or (isinstance(v, float) and np.isnan(v))
                                        else f"{v}{s}")
        parts.append(_records(data, {
            "row": rows if every else rows[keep],
            "site_raw": _kept(_column(body, site_j), keep, every),
            "site_col": _const(names.get(site_j), n),
            "item_raw": kept_items,
            "item_col": _const(names[item_j], n),
            "period_raw": _kept(_column(body, period_j), keep, every),
            "period_col": _const(names[period_j], n),
            "value_raw": _kept(values, keep, every),
            "value_col": _const(names[j], n),
            "pct_fmt": _pct_mask(data.sheet, rows, j)[keep],
            "comment": _kept(_column(body, comment_j), keep, every) if not suffix or value_j is None
            else pd.Series(np.nan, index=range(n), dtype="float64"),
        }))
        n_rows = max(n_rows, n)
    data.records = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    data.rows_read = n_rows


def _wide(data, body, rows, headers, names, roles, *, indicators: parse.ItemMatcher | None = None, **_):
    sheet = data.sheet
    header_row = data.header_row
    band = _header_band(sheet, data.header_index)
    headers = {j: text if text is not None else band.texts.get(j) for j, text in headers.items()}
    roles = {**{j: ROLES[key] for j, text in band.texts.items() if headers.get(j) == text
                and (key := norm(text, drop_unit=True)) in ROLES}, **roles}
    site_j = _first(roles, "site")
    comment_j = _first(roles, "comment")
    periods: dict[int, tuple[str, int | None]] = {}
    named, identifiers, aggregates, others = [], [], [], []
    for j, text in headers.items():
        if text is None or j in (site_j, comment_j):
            continue
        role = roles.get(j)
        if role == "indicator":
            named.append(j)
        elif role in ("engagement", "module") or norm(text, drop_unit=True) in IDENTIFIER_HEADERS:
            identifiers.append(j)
        elif _is_aggregate(text):
            aggregates.append(j)
        elif re.fullmatch(r"20\d{2}(\.0)?", text) or (parse.looks_like_period(text) and role is None):
            year = band.years.get(j, data.default_year)
            if parse.parse_period(text, year) is None:
                data.errors.append(Issue(
                    data.sheet_name, header_row, names[j], shown(text),
                    "Période sans année : indiquez l'année dans l'en-tête (« janv. 2025 ») "
                    "ou dans le titre au-dessus du tableau (« année 2025 »)."))
                continue
            periods[j] = (text, year)
        else:
            others.append(j)
    item_j, alt_j = _item_columns(body, named, identifiers, others, periods, site_j, indicators)
    others = [j for j in others if j not in (item_j, alt_j)]
    engagement_j = next((j for j in identifiers if roles.get(j) == "engagement"
                         or norm(headers[j], drop_unit=True) in ENGAGEMENT_HEADERS), None)
    for j in others:
        if norm(headers[j], drop_unit=True) in WIDE_EXTRAS:
            continue
        col = body.iloc[:, j]
        numbers = parse.parse_numbers(col[_nonblank(col)])
        if numbers.value.notna().any():
            data.errors.append(Issue(
                data.sheet_name, header_row, names[j], shown(headers[j]),
                f"La colonne « {headers[j]} » contient des nombres mais son en-tête n'est ni une période (« janv. "
                "2025 », « 2025-01 », « T1 2025 »…) ni une colonne connue d'un tableau de bord (N°, Cible, Total, "
                "Cumul, Moyenne, Écart, Évolution, Rappel N-1, Tendance…) : renommez l'en-tête en période si ce "
                "sont des valeurs à importer, sinon supprimez la colonne (ou nommez-la « Total », « Moyenne »…)."))
        else:
            data.issues.append(Issue(data.sheet_name, header_row, names[j], shown(headers[j]),
                                     "Colonne ignorée : son en-tête n'est pas une période."))
    if aggregates:
        data.issues.append(Issue(
            data.sheet_name, header_row, None, None,
            "Colonnes de synthèse non importées (calculées à partir des périodes ou d'une autre année) : "
            + ", ".join(f"« {headers[j]} »" for j in aggregates) + "."))
    if item_j is None or not periods:
        data.errors.append(Issue(data.sheet_name, header_row, None, None,
                                 "Tableau de bord sans colonne « Indicateur » reconnue."))
        data.records = pd.DataFrame()
        return
    period_cols = list(periods)
    cells = body.iloc[:, period_cols]
    filled = cells.notna() & cells.apply(lambda c: c.astype("str").str.strip().ne(""))
    has_values = filled.any(axis=1).to_numpy()
    # Blank rows, section titles and footnotes hold no value under a period: skipped. So are
    # total rows (« Total », « Moyenne »): sums of the indicators above, not an indicator.
    items = body.iloc[:, item_j].to_numpy()
    totals = _total_rows(items, indicators) & has_values
    if totals.any():
        data.issues.append(Issue(
            data.sheet_name, int(rows[totals][0]), names[item_j], shown(items[totals][0]),
            f"Ligne « {items[totals][0]} » ignorée : une ligne de synthèse n'est pas un indicateur."))
        has_values = has_values & ~totals
    parts = []
    sites = _column(body, site_j).to_numpy()
    comments = _column(body, comment_j).to_numpy()
    alternates = _column(body, alt_j).to_numpy()
    engagements = _column(body, engagement_j).to_numpy()
    for k, j in enumerate(period_cols):
        mask = filled.iloc[:, k].to_numpy() & has_values
        if not mask.any():
            continue
        n = int(mask.sum())
        text, year = periods[j]
        part = _records(data, {
            "row": rows[mask],
            "site_raw": sites[mask],
            "site_col": _const(names.get(site_j), n),
            "item_raw": items[mask],
            "item_col": _const(names[item_j], n),
            "item_alt_raw": alternates[mask],
            "engagement_raw": engagements[mask],
            "period_raw": _const(text, n),
            "period_col": _const(names[j], n),
            "value_raw": cells.iloc[:, k].to_numpy()[mask],
            "value_col": _const(names[j], n),
            "pct_fmt": _pct_mask(sheet, rows, j)[mask],
            "comment": comments[mask],
        })
        if year is not None:  # the year written above this column (two header rows)
            part["default_year"] = float(year)
        parts.append(part)
    data.records = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    data.rows_read = int(has_values.sum())


@dataclass
class _Band:
    """The row above a wide header when it completes it: years above the months, labels merged down."""

    texts: dict[int, str] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)


_YEAR_CELL = re.compile(r"^(?:annee|exercice)?\s*:?\s*((?:19|20|21)\d{2})(?:\.0)?$")


def _header_band(sheet: Sheet, header: int) -> _Band:
    """Years written above the period columns (each one for the columns up to the next year, as a
    merged cell spans them), and the labels of columns whose header cell is empty (merged down)."""
    band = _Band()
    if header < 1:
        return band
    width = sheet.frame.shape[1]
    above = {j: sheet.cell(header - 1, j) for j in range(width)}
    years = {j: int(m.group(1)) for j, t in above.items() if t and (m := _YEAR_CELL.match(unaccent(t).lower()))}
    if not years:
        return band
    year = None
    for j in range(min(years), width):
        year = years.get(j, year)
        band.years[j] = year
    band.texts = {j: t for j, t in above.items() if t and j not in years and sheet.cell(header, j) is None}
    return band


def _is_aggregate(header: str) -> bool:
    """A column computed from the periods (or another year's figure): Total, Cumul, Moyenne, Écart, Rappel N-1…"""
    key = norm(header, drop_unit=True)
    if not key:
        return True  # a symbol only: %, Δ, +/-
    return key.split()[0] in AGGREGATE_WORDS or key in PREVIOUS_YEAR or key.endswith(" n 1")


def _total_rows(items: np.ndarray, indicators: parse.ItemMatcher | None) -> np.ndarray:
    """Rows labelled as a sum or an average (« Total », « Moyenne générale ») that name no indicator."""
    def is_total(label) -> bool:
        if label is None or (isinstance(label, float) and label != label):
            return False
        key = norm(label)
        return bool(key) and key.split()[0] in TOTAL_ROW_WORDS and not (indicators and indicators.match(label))

    verdicts = {label: is_total(label) for label in pd.unique(items)}
    return np.array([verdicts[label] for label in items], dtype=bool)


def _item_columns(body, named, identifiers, others, periods, site_j, indicators) -> tuple[int | None, int | None]:
    """The column naming the indicators, and another that may name them too (a code of the référentiel).

    Among the « Indicateur » columns (else the text columns), the one whose values name the most
    indicators of the référentiel; an identifier column (Code, Réf.) is only a fallback per row.
    """
    text_columns = []
    for j in range(body.shape[1]):
        if j in periods or j == site_j:
            continue
        col = body.iloc[:, j]
        nb = col[_nonblank(col)]
        if len(nb) and pd.to_numeric(nb, errors="coerce").isna().mean() > 0.5:
            text_columns.append(j)
    candidates = named or [j for j in text_columns if j in others or j not in identifiers]
    scores = {j: _matches(body.iloc[:, j], indicators) for j in set(candidates) | set(identifiers) | set(named)}
    item_j = max(candidates, key=lambda j: (scores.get(j, 0), -candidates.index(j))) if candidates else None
    fallbacks = [j for j in (*named, *identifiers) if j != item_j and scores.get(j, 0) > 0]
    alt_j = max(fallbacks, key=lambda j: scores[j]) if fallbacks else None
    return item_j, alt_j


def _matches(column: pd.Series, indicators: parse.ItemMatcher | None) -> int:
    if indicators is None:
        return 0
    return sum(1 for value in pd.unique(column.dropna()) if indicators.match(value))


def _survey(data, body, rows, headers, names, roles, **_):
    site_j = _first(roles, "site")
    campaign_j = _first(roles, "campaign", "year")
    item_j = _first(roles, "question")
    level_js = {r.split(":", 1)[1]: j for j, r in roles.items() if r.startswith("level:")}
    items = body.iloc[:, item_j]
    keep = _nonblank(items).to_numpy()
    header_row = data.header_row
    used = {j for j in (site_j, campaign_j, item_j) if j is not None} | set(level_js.values())
    for j, text in headers.items():
        if j not in used and text and norm(text) not in {"total", "taux", "taux satisfaction", "commentaire"}:
            data.issues.append(Issue(data.sheet_name, header_row, names[j], shown(text),
                                     "Colonne ignorée : son en-tête n'est pas reconnu pour ce format."))
    n = int(keep.sum())
    records = {
        "row": rows[keep],
        "site_raw": _column(body, site_j).to_numpy()[keep],
        "site_col": _const(names.get(site_j), n),
        "campaign_raw": _column(body, campaign_j).to_numpy()[keep],
        "campaign_col": _const(names.get(campaign_j), n),
        "item_raw": items.to_numpy()[keep],
        "item_col": _const(names[item_j], n),
    }
    for level in parse.LEVELS:
        j = level_js.get(level)
        records[level + "_raw"] = _column(body, j).to_numpy()[keep]
        records[level + "_col"] = _const(names.get(j), n)
    data.records = _records(data, records)
    data.rows_read = int(keep.sum())


def _raw_survey(data, body, rows, headers, names, roles, *, questions: parse.ItemMatcher, **_):
    header_row = data.header_row
    site_j = _first(roles, "site")
    campaign_j = _first(roles, "campaign", "year")
    stamp_j = _first(roles, "timestamp", "date")
    question_js = []
    for j, text in headers.items():
        if text is None or j in roles:
            continue
        if questions.match(text):
            question_js.append(j)
            continue
        col = body.iloc[:, j]
        answers = col[_nonblank(col)]
        if len(answers) >= 3 and answers.map(parse.answer_level).notna().mean() >= 0.6:
            suggestions = questions.suggest(text)
            hint = (" Questions proches : " + " ; ".join(suggestions) + ".") if suggestions else ""
            data.errors.append(Issue(
                data.sheet_name, header_row, names[j], shown(text),
                "Question inconnue : cette colonne contient des réponses de satisfaction mais son en-tête "
                "ne correspond à aucune question du référentiel." + hint))
        elif stamp_j is None and len(answers) and answers.map(parse.parse_date).notna().mean() >= 0.8:
            stamp_j = j
        else:
            data.issues.append(Issue(data.sheet_name, header_row, names[j], shown(text),
                                     "Colonne ignorée (ni question du référentiel ni réponse de satisfaction)."))
    respondents = np.zeros(len(body), dtype=bool)
    parts = []
    sites = _column(body, site_j).to_numpy()
    campaigns = _column(body, campaign_j).to_numpy()
    stamps = _column(body, stamp_j).to_numpy()
    for j in question_js:
        col = body.iloc[:, j]
        mask = _nonblank(col).to_numpy()
        respondents |= mask
        n = int(mask.sum())
        parts.append(_records(data, {
            "row": rows[mask],
            "site_raw": sites[mask],
            "site_col": _const(names.get(site_j), n),
            "campaign_raw": campaigns[mask],
            "campaign_col": _const(names.get(campaign_j), n),
            "stamp_raw": stamps[mask],
            "stamp_col": _const(names.get(stamp_j), n),
            "item_raw": _const(headers[j], n),
            "item_col": _const(names[j], n),
            "answer_raw": col.to_numpy()[mask],
            "answer_col": _const(names[j], n),
        }))
    data.records = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    data.rows_read = int(respondents.sum())


def _compliance(data, body, rows, headers, names, roles, **_):
    header_row = data.header_row
    cols = {role: _first(roles, *alts) for role, alts in (
        ("site", ("site",)), ("module", ("module",)), ("engagement", ("engagement",)),
        ("date", ("assessed_on", "date", "period")), ("type", ("type",)), ("result", ("result",)))}
    _warn_ignored(data, headers, names, {j for j in cols.values() if j is not None} | {
        j for j, r in roles.items() if r == "comment"}, header_row)
    keep = (_nonblank(_column(body, cols["result"])) | _nonblank(_column(body, cols["engagement"]))).to_numpy()
    records = {"row": rows[keep]}
    n = int(keep.sum())
    for role, j in cols.items():
        records[role + "_raw"] = _column(body, j).to_numpy()[keep]
        records[role + "_col"] = _const(names.get(j), n)
    data.records = _records(data, records)
    data.rows_read = int(keep.sum())
