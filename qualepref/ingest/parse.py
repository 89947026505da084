"""Cell text → values: numbers, periods, dates, sites, indicators/questions, answers (pure).

Series are parsed vectorised; the few functions that work value by value
(periods, sites, labels) are applied to the *unique* values only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from qualepref.ingest.text import norm, unaccent

MISSING_MARKERS = frozenset({"-", "–", "—", "nc", "n.c.", "n.c", "n c", "nd", "n.d.", "n.d", "s.o.", "s.o", "so",
                             "n/c", "n/d"})

_NUMBER_GAPS = re.compile(r"(?<=\d)[\s\u00a0\u202f]+(?=\d{3}\b)")
_NUMBER = re.compile(
    r"^\s*(?P<num>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?)\s*(?P<pct>%?)\s*(?P<unit>[a-zà-ÿ.\s/]*)\s*$",
    re.IGNORECASE,
)


@dataclass
class Numbers:
    """Parsed numbers: `value` (NaN where missing or bad), and masks."""

    value: pd.Series
    missing: pd.Series   # explicit missing marker (NC, -…)
    empty: pd.Series     # blank cell
    bad: pd.Series       # text that is not a number
    percent: pd.Series   # written with a % sign


def parse_numbers(cells: pd.Series) -> Numbers:
    """French and English decimals, thousands spaces, `%`, units after the number."""
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        # A column of number cells: nothing to parse.
        value = cells.astype("float64")
        false = pd.Series(False, index=cells.index)
        return Numbers(value=value, missing=false, empty=value.isna(), bad=false, percent=false)
    text = cells.astype("object")
    empty = text.isna() | text.astype("str").str.strip().eq("")
    empty = empty.astype(bool)
    value = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
    percent = pd.Series(False, index=cells.index)
    missing = pd.Series(False, index=cells.index)
    slow = value.isna() & ~empty
    if slow.any():
        # Second cheap pass: a decimal comma is all most French cells need.
        comma = pd.to_numeric(text[slow].astype("str").str.replace(",", ".", regex=False), errors="coerce")
        value.loc[comma.index] = comma.astype("float64")
        slow = value.isna() & ~empty
    if slow.any():
        raw = text[slow].astype("str").str.strip()
        lowered = raw.str.lower()
        is_missing = lowered.isin(MISSING_MARKERS)
        missing.loc[is_missing[is_missing].index] = True
        rest = raw[~is_missing].str.replace(_NUMBER_GAPS, "", regex=True)
        parts = rest.str.extract(_NUMBER)
        numbers = pd.to_numeric(parts["num"].str.replace(",", ".", regex=False), errors="coerce")
        value.loc[numbers.index] = numbers.astype("float64")
        percent.loc[parts.index] = parts["pct"].eq("%").fillna(False).astype(bool)
    bad = value.isna() & ~empty & ~missing
    return Numbers(value=value, missing=missing, empty=empty, bad=bad, percent=percent)


# -- periods ---------------------------------------------------------------
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aou": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_P_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_P_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_P_MY = re.compile(r"^(\d{1,2})[-/.](\d{4}|\d{2})$")
_P_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_P_NAMED = re.compile(r"^([a-z]+)\.?(?:[\s\-/.']*(\d{4}|\d{2}))?$")
_P_QUARTER = re.compile(r"^(?:t|q|trim|trimestre)\s*([1-4])(?:[\s\-/.]*(\d{4}|\d{2}))?$")
_P_QUARTER_YF = re.compile(r"^(\d{4})[\s\-/.]*(?:t|q)([1-4])$")
_P_QUARTER_WORDS = re.compile(r"^([1-4])\s*(?:er|e|eme|nd)?\s*trimestre(?:\s*(\d{4}|\d{2}))?$")
_P_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")


def _year(text: str | None, default_year: int | None) -> int | None:
    if text is None:
        return default_year
    value = int(text)
    return 2000 + value if value < 100 else value


def parse_period(text: object, default_year: int | None = None) -> tuple[date, str] | None:
    """(first day, 'month' | 'quarter' | 'year') or None when `text` is not a period."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    raw = unaccent(str(text)).strip().lower()
    raw = re.sub(r"\s+", " ", raw)
    result = None
    if (m := _P_ISO_DATE.match(raw)) or (m := _P_YM.match(raw)):
        result = (int(m[1]), int(m[2]), "month")
    elif m := _P_DMY.match(raw):
        result = (int(m[3]), int(m[2]), "month")
    elif m := _P_MY.match(raw):
        result = (_year(m[2], None), int(m[1]), "month")
    elif m := _P_QUARTER.match(raw):
        year = _year(m[2], default_year)
        result = (year, 3 * int(m[1]) - 2, "quarter") if year else None
    elif m := _P_QUARTER_YF.match(raw):
        result = (int(m[1]), 3 * int(m[2]) - 2, "quarter")
    elif m := _P_QUARTER_WORDS.match(raw):
        year = _year(m[2], default_year)
        result = (year, 3 * int(m[1]) - 2, "quarter") if year else None
    elif m := _P_YEAR.match(raw):
        result = (int(m[1]), 1, "year")
    elif (m := _P_NAMED.match(raw)) and m[1] in MONTHS:
        year = _year(m[2], default_year)
        result = (year, MONTHS[m[1]], "month") if year else None
    if result is None:
        return None
    year, month, kind = result
    if not (1990 <= year <= 2200 and 1 <= month <= 12):
        return None
    return date(year, month, 1), kind


def looks_like_period(text: object) -> bool:
    """A header that names a period even without a year ("janv.", "T1")."""
    return parse_period(text, default_year=2000) is not None


def parse_date(text: object) -> date | None:
    """A day: a date cell, `jj/mm/aaaa`, `aaaa-mm-jj`."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    raw = str(text).strip()
    try:
        if m := _P_ISO_DATE.match(raw.lower()):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$", raw):
            return date(_year(m[3], None), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


# -- sites -------------------------------------------------------------------
_SITE_PREFIXES = ("prefecture ", "sous prefecture ", "departement ", "dept ")


class SiteMatcher:
    """Finds a site by code, name or prefecture city (case, accents, hyphens, articles ignored)."""

    def __init__(self, sites):
        """`sites`: (site_code, site_name, prefecture_city) tuples."""
        sites = list(sites)
        self.labels = {code: name for code, name, _ in sites}
        keys: dict[str, set[str]] = {}
        for code, name, city in sites:
            for key in (norm(code), norm(name), norm(city)):
                if key:
                    keys.setdefault(key, set()).add(code)
        # A key shared by two sites (a city named like another département) names neither.
        self.keys = {k: next(iter(v)) for k, v in keys.items() if len(v) == 1}
        self.codes = set(self.labels)
        self._text_keys = sorted(((k, c) for k, c in self.keys.items() if not k[:1].isdigit() and len(k) >= 3),
                                 key=lambda kc: -len(kc[0]))

    def match(self, value: object) -> str | None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        raw = str(value).strip()
        if m := re.fullmatch(r"0*(\d{1,3})(?:\.0+)?", raw):
            number = m[1]
            code = number.zfill(2) if len(number) <= 2 else number
            return code if code in self.codes else None
        if m := re.fullmatch(r"0*(2[ab])", raw, re.IGNORECASE):
            return m[1].upper()
        if m := re.fullmatch(r"(\d{4,5})(?:\.0+)?", raw):  # a commune code (sub-prefecture), maybe a number cell
            code = m[1].zfill(5)
            return code if code in self.codes else None
        key = norm(raw)
        if key in self.keys:
            return self.keys[key]
        for prefix in _SITE_PREFIXES:
            if key.startswith(prefix) and key[len(prefix):] in self.keys:
                return self.keys[key[len(prefix):]]
        # "87 - Haute-Vienne", "Haute-Vienne (87)"
        if m := re.fullmatch(r"(\d{2,3}|2[ab])\s+(.+)", key):
            code = self.match(m[1])
            if code and self.keys.get(m[2]) == code:
                return code
        return None

    def find_in_text(self, text: str) -> str | None:
        """The site a free text names (a title block), longest name first."""
        padded = f" {norm(text)} "
        best = None
        for key, code in self._text_keys:
            position = padded.find(f" {key} ")
            if position >= 0 and (best is None or position < best[0]):
                best = (position, code)
        return best[1] if best else None


# -- indicators and questions -------------------------------------------------
# A label numbered or counted the way tableaux de bord write it: « 17 - Délai … », « Engagement 10 : … »,
# « 3. … », « Nombre d'usagers … » (the référentiel says « Usagers … »).
_NUMBERING = re.compile(r"^\s*(?:(?:engagement|eng\.?|indicateur|ind\.?|n°|no|n)\s*)?[a-z]?\d+(?:[.\-]\d+)*\s*"
                        r"(?:[-–—.:)/]\s*|\s+(?=[a-zà-ÿ]))", re.IGNORECASE)
_COUNTED = re.compile(r"^\s*(?:nombre|nbre|nb)\.?\s+(?:d['’]\s*|de\s+|des\s+)?", re.IGNORECASE)


# Words too common in indicator labels to tell two of them apart.
_GENERIC_WORDS = frozenset(("nombre", "nb", "taux", "moyen", "moyenne", "total", "par", "pour", "sur", "dans"))


def _words(key: str) -> frozenset[str]:
    """The telling words of a normalised label, without a plural s or x."""
    return frozenset(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in key.split() if w not in _GENERIC_WORDS)


def _bare_labels(text: str) -> list[str]:
    """The label without its leading number, then also without « Nombre de »."""
    unnumbered = _NUMBERING.sub("", text, count=1)
    uncounted = _COUNTED.sub("", unnumbered, count=1)
    return [bare for bare in dict.fromkeys((unnumbered, uncounted)) if bare and bare != text]


def _bare_label(text: str) -> str:
    bare = _bare_labels(text)
    return bare[-1] if bare else text


class ItemMatcher:
    """Finds an indicator or question by code, label or synonym; suggests close labels."""

    def __init__(self, items, synonyms=()):
        """`items`: (code, label) pairs; `synonyms`: (code, synonym) pairs."""
        self.labels = dict(items)
        self.keys: dict[str, str] = {}
        for code, label in self.labels.items():
            self.keys[norm(code)] = code
            self.keys[norm(label, drop_unit=True)] = code
        for code, synonym in synonyms:
            if code in self.labels:
                self.keys.setdefault(norm(synonym, drop_unit=True), code)
        self._label_keys = {norm(label, drop_unit=True): code for code, label in self.labels.items()}

    def match(self, value: object) -> str | None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        raw = str(value).strip()
        if raw in self.labels:
            return raw
        found = self.keys.get(norm(raw, drop_unit=True)) or self.keys.get(norm(raw))
        for bare in (() if found else _bare_labels(raw)):
            if found := self.keys.get(norm(bare, drop_unit=True)):
                break
        return found

    def closest_among(self, value: object, codes, cutoff: float) -> str | None:
        """The one item of `codes` whose label or synonym is closest to `value`, if close enough and
        clearly closer than the others (used when an engagement number narrows the choice)."""
        words = _words(norm(_bare_label(str(value)), drop_unit=True))
        best: dict[str, float] = {}
        for other, code in self.keys.items():
            if code in codes and words and (theirs := _words(other)):
                # Share of the shorter label's words found in the other: « Durée d'attente au guichet »
                # holds every word of « Attente au guichet »; « Visiteurs accueillis » half of « Temps
                # d'attente à l'accueil »'s at best (accueil ≠ accueillis).
                best[code] = max(best.get(code, 0.0), len(words & theirs) / min(len(words), len(theirs)))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < cutoff or (len(ranked) > 1 and ranked[1][1] > ranked[0][1] - 0.1):
            return None
        return ranked[0][0]

    def suggest(self, value: object, n: int = 3) -> list[str]:
        """Closest known labels, as "label (CODE)"."""
        key = norm(str(value), drop_unit=True)
        close = difflib.get_close_matches(key, list(self.keys), n=n * 3, cutoff=0.45)
        codes = list(dict.fromkeys(self.keys[k] for k in close))[:n]
        return [f"{self.labels[c]} ({c})" for c in codes]


# -- survey answers -----------------------------------------------------------
LEVELS = ("n_tres_satisfait", "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait", "n_sans_avis")
LEVEL_NAMES = {
    "n_tres_satisfait": ("tres satisfait",),
    "n_satisfait": ("satisfait", "plutot satisfait"),
    "n_peu_satisfait": ("peu satisfait", "plutot pas satisfait", "plutot mecontent", "plutot insatisfait"),
    "n_pas_du_tout_satisfait": ("pas tout satisfait", "tres mecontent", "tres insatisfait"),
    "n_sans_avis": ("sans avis", "ne sait pas", "nsp", "ne se prononce pas"),
}
ANSWER_LEVELS = {name: level for level, names in LEVEL_NAMES.items() for name in names}
NUMERIC_ANSWERS = {4: "n_tres_satisfait", 3: "n_satisfait", 2: "n_peu_satisfait", 1: "n_pas_du_tout_satisfait",
                   0: "n_sans_avis"}


def answer_level(value: object) -> str | None:
    """Level column of one answer (text or 0–4), None if unrecognised."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    raw = str(value).strip()
    if m := re.fullmatch(r"([0-4])(?:[.,]0+)?", raw):
        return NUMERIC_ANSWERS[int(m[1])]
    return ANSWER_LEVELS.get(norm(raw))


def level_of_header(value: object) -> str | None:
    return ANSWER_LEVELS.get(norm(value)) if value is not None else None


# -- compliance ---------------------------------------------------------------
ASSESSMENT_TYPES = {
    "auto evaluation": "auto_evaluation", "autoevaluation": "auto_evaluation", "auto": "auto_evaluation",
    "audit interne": "audit_interne", "audit externe": "audit_externe", "audit certification": "audit_externe",
    "enquete mystere": "enquete_mystere", "visite mystere": "enquete_mystere", "client mystere": "enquete_mystere",
}
RESULTS = {
    "conforme": "conforme", "c": "conforme",
    "partiellement conforme": "partiel", "partiel": "partiel", "partielle": "partiel",
    "non conforme": "non_conforme",
    "non applicable": "non_applicable", "na": "non_applicable", "n a": "non_applicable",
    "sans objet": "non_applicable", "so": "non_applicable", "s o": "non_applicable",
}
AMBIGUOUS_RESULTS = frozenset({"nc", "n c"})
