"""The one rule on text a spreadsheet could take for a formula (CSV / formula injection).

A cell whose text starts with `=`, `+`, `-`, `@` (or their full-width forms
`＝ ＋ － ＠`, or a tab or line break), possibly behind spaces or invisible
characters (zero-width space, joiners, byte-order mark, direction marks), may
be evaluated by Excel or LibreOffice when the file is opened or the cell
edited: `=HYPERLINK(…)`, `=WEBSERVICE(…)`, DDE. Used by every file the
application writes: the import template, the data and table exports, the
charts' workbooks in the COPIL pack; and by the référentiel editor, which
refuses such labels.
"""

from __future__ import annotations

import re

# Characters that start a formula in Excel or LibreOffice (full-width forms included: an IME
# or a spreadsheet's input normalisation may turn them into the ASCII ones).
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\t\r\n")
# Invisible characters that can hide such a start from a naive check: zero-width space,
# non-joiner, joiner, word joiner, byte-order mark, soft hyphen, Mongolian vowel separator,
# left/right-to-left marks and the bidirectional embeddings, overrides and isolates.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
            "\u2066\u2067\u2068\u2069"
_LEADING_BLANKS = re.compile(f"^[\\s{INVISIBLE}]*")
_INVISIBLE_PREFIX = re.compile(f"^[{INVISIBLE}]")


def looks_like_formula(value) -> bool:
    """A text a spreadsheet could evaluate: its first visible character starts a formula."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in FORMULA_STARTS:
        return True
    visible = _LEADING_BLANKS.sub("", value)
    return bool(visible) and visible[0] in FORMULA_STARTS


def neutralise(value):
    """For text-only formats (CSV): an apostrophe before a text that looks like a formula.

    Spreadsheets read a leading apostrophe as "this is text"; numbers and other values pass.
    """
    return "'" + value if looks_like_formula(value) else value


def set_text(cell, value) -> None:
    """Write `value` in an openpyxl cell; a text stays a text cell whatever it starts with.

    openpyxl turns any string starting with `=` into a formula cell; here it is stored as a
    string, and a risky one gets Excel's quote prefix so that editing the cell keeps it text.
    The text itself is kept as is (no apostrophe): a label copied from the file matches.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True


def label_problem(text: str | None, what: str) -> str | None:
    """Why an administrator's label is refused (French), or None.

    Refused rather than altered: the label is matched at import and shown everywhere.
    """
    if not text:
        return None
    if _INVISIBLE_PREFIX.match(text):
        return f"{what} commence par un caractère invisible : retirez-le."
    if looks_like_formula(text):
        return (f"{what} ne peut pas commencer par =, +, -, @ ni une tabulation (un tableur le prendrait "
                f"pour une formule) : « {text.strip()[:40]} ».")
    return None
