"""Text normalisation shared by header, site and label matching (pure)."""

from __future__ import annotations

import functools
import re
import unicodedata

_PUNCT = re.compile(r"[^0-9a-z]+")
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")
# Articles and linking words are ignored on both sides, so "Préfecture de la
# Haute-Vienne", "HAUTE VIENNE" and "haute-vienne" all meet.
_STOP_WORDS = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "un", "une", "en", "et", "a", "au", "aux"})


@functools.lru_cache(maxsize=65536)
def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def norm(text: object, *, drop_unit: bool = False) -> str:
    """Lowercase, no accents, no punctuation nor articles, single spaces.

    `drop_unit` also removes a unit in parentheses at the end
    ("Délai moyen (jours ouvrés)" → "delai moyen").
    """
    if text is None:
        return ""
    value = str(text)
    if drop_unit:
        value = _TRAILING_PARENS.sub("", value)
    value = _PUNCT.sub(" ", unaccent(value).lower())
    return " ".join(t for t in value.split() if t not in _STOP_WORDS)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_name(index: int, header: object) -> str:
    """How an error names a column: letter and header text, e.g. "C (Valeur)"."""
    header_text = "" if header is None else str(header).strip()
    letter = column_letter(index)
    return f"{letter} ({header_text})" if header_text else letter


def find_header(sheet, keys: dict[str, set[str]], accept, rows_scanned: int = 15) -> tuple[int, dict[str, int]] | None:
    """(header row, role → column) of the first of the sheet's first rows whose headers `accept` takes.

    `keys`: role → its normalised header names, in the order roles are looked up (a cell gives one role);
    `accept(roles)`: whether the roles found make the header (e.g. `Intitulé` and `Statut`).
    """
    width = sheet.frame.shape[1]
    for i in range(min(rows_scanned, sheet.n_rows)):
        found: dict[str, int] = {}
        for j in range(width):
            key = norm(sheet.cell(i, j))
            for role, names in keys.items():
                if role not in found and key in names:
                    found[role] = j
                    break
        if accept(set(found)):
            return i, found
    return None
