"""French formatting of numbers, rates and periods (Babel), for labels and tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import pandas as pd
from babel.core import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from qualepref import vocab

LOCALE = "fr_FR"
_LOCALE = Locale.parse(LOCALE)


def _missing(value) -> bool:
    """None, NaN, NaT and pd.NA all mean 'no value' (never zero)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes are values
        return False


def number(value, decimals: int = 1) -> str:
    """`1234.5` → `1 234,5` (narrow no-break space as Babel writes it)."""
    if _missing(value):
        return "–"
    return _pattern(decimals).apply(value, _LOCALE)


@lru_cache(maxsize=8)
def _pattern(decimals: int) -> NumberPattern:
    # Parsed once: `format_decimal` parses its pattern on every call, a third of the
    # cost of the thousands of hover labels a chart page writes.
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def percent(value, decimals: int = 1, *, fraction: bool = False) -> str:
    """Points (`82.5`) or a fraction (`0.825`, with `fraction=True`) → `82,5 %`."""
    if _missing(value):
        return "–"
    points = value * 100 if fraction else value
    return f"{number(points, decimals)}\u00a0%"


def with_unit(value, unit: str, decimals: int = 1) -> str:
    """An indicator value with its short unit: `4,2 j`, `12 min`, `7,5 %`, `31`."""
    if _missing(value):
        return "–"
    suffix = vocab.unit(unit).suffix
    if suffix == "%":
        return percent(value, decimals)
    text = number(value, decimals if suffix else 0)
    return f"{text}\u00a0{suffix}" if suffix else text


def with_units(values: Iterable, unit: str, decimals: int = 1) -> list[str]:
    """`with_unit` of each value (hover labels of a whole series)."""
    return [with_unit(v, unit, decimals) for v in values]


def compact(value, decimals: int = 1) -> str:
    """A number without decimals when it is whole: `20` → `20`, `2.5` → `2,5`, `1234` → `1 234`."""
    if _missing(value):
        return "–"
    return number(value, 0 if float(value).is_integer() else decimals)


def target_value(target, unit: str, direction: str | None, *, indicative: bool = False, strict: bool = False
                 ) -> str:
    """A target with its direction and unit: `≤ 15 j`, `≥ 90 %`, strict `< 15 j` (`Sans cible` without one);
    `≥ 90 % (indicative)` while an administrator has not confirmed it."""
    if _missing(target):
        return "Sans cible"
    known = vocab.DIRECTIONS.get(direction) if isinstance(direction, str) else None
    decimals = 0 if float(target).is_integer() else 1
    value = with_unit(target, unit, decimals)
    text = f"{known.strict_sign if strict else known.sign} {value}" if known else value
    return f"{text} (indicative)" if indicative else text


def target(target, unit: str, direction: str | None, *, indicative: bool = False, strict: bool = False) -> str:
    """`Cible : ≤ 15 j`, or `Cible indicative : ≤ 15 j` while an administrator has not confirmed it."""
    text = target_value(target, unit, direction, strict=strict)
    if text == "Sans cible":
        return text
    name = vocab.ILLUSTRATIVE_TARGET_LABEL if indicative else vocab.TARGET_LABEL
    return f"{name} : {text}"


def file_size(n_bytes) -> str:
    """`20971520` → `20 Mo`, `1572864` → `1,5 Mo` (1 Mo = 1 048 576 octets, as the size limit)."""
    if _missing(n_bytes):
        return "–"
    return f"{compact(n_bytes / 1_048_576)}\u00a0Mo"


def month(value) -> str:
    """`2025-01-01` → `janv. 2025`."""
    if _missing(value):
        return "–"
    ts = pd.Timestamp(value)
    return _month(ts.year, ts.month)


def month_range(start, end) -> str:
    """`de nov. 2024 à oct. 2026`, `d'avr. 2025 à août 2026` (never "du … au oct.", which reads wrong)."""
    first = month(start)
    article = "d'" if first[:1].lower() in "aeiouéèâ" else "de "
    return f"{article}{first} à {month(end)}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 préfecture`, `12 préfectures`, `1 234 préfectures` (never "des 1 préfectures")."""
    word = singular if abs(n) < 2 else (plural or singular + "s")
    return f"{number(n, 0)} {word}"


@lru_cache(maxsize=1024)
def _month(year: int, month_number: int) -> str:
    return format_date(date(year, month_number, 1), format="MMM y", locale=LOCALE)


def period(value, kind: str = "month") -> str:
    """A period start with its kind → `janv. 2025`, `T1 2025`, `2025`."""
    if _missing(value):
        return "–"
    ts = pd.Timestamp(value)
    if kind == "quarter":
        return f"T{(ts.month - 1) // 3 + 1} {ts.year}"
    if kind == "year":
        return str(ts.year)
    return month(ts)


def day(value: date | None) -> str:
    """`2025-03-14` → `14/03/2025`."""
    if _missing(value):
        return "–"
    return format_date(pd.Timestamp(value).date(), format="dd/MM/y", locale=LOCALE)
