"""The error/warning record every step produces (pure)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Issue:
    """One problem, located as the user sees it.

    `row` is the row number Excel shows (CSV: the line number, header = 1);
    `column` the letter and the header text, e.g. "C (Valeur)"; `sheet` is
    None for a CSV file and for problems with the whole file.
    """

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def shown(value: object, limit: int = 80) -> str | None:
    """A cell value as the error shows it."""
    if value is None:
        return None
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return None
    except TypeError:
        pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a whole number read as a float (a column of numbers): `120`, not `120.0`
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
