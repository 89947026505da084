"""Which national figures a one-prefecture scope may see: the anonymity rule, written once.

A référent or a COPIL member compares its prefecture with the nation without
ever learning another prefecture's figure. A statistic over few prefectures
gives them away: the median of two values is their mean, so with its own value
a prefecture solves for the other's; five centiles of six values, with the own
value and rank, give back every value. Hence:

- the median and the quartiles reach a local scope only when at least
  `MIN_OTHERS_QUARTILES` prefectures *other than its own* contribute to them,
  the 10th and 90th centiles only with `MIN_OTHERS_DECILES`; below that the
  figure is replaced by `TOO_FEW`;
- a local scope never gets its exact rank. With its own value, the rank tells
  which order statistics the interpolated quartiles are made of (with 12
  values, q1 = x₃ + 0.75 (x₄ − x₃)): ranked 3rd, a prefecture solves q1 for
  its neighbour's exact value. It gets instead its *position* (which quarter of
  the distribution), computed from the quartiles it may see and its own value
  only: nothing the figures on screen do not already say.

National scopes (ministry, administrator) see every prefecture by name: the
rule does not apply to them. The queries return every figure with the count of
contributors; this module decides what is shown (pages, Tendances band, pack).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualepref import vocab

MIN_OTHERS_QUARTILES = 10  # other prefectures needed for the median and the quartiles
MIN_OTHERS_DECILES = 20  # … for the 10th and 90th centiles
TOO_FEW = "Pas assez de préfectures pour une comparaison anonyme"
QUARTILES = ("q1", "median", "q3")
DECILES = ("p10", "p90")

# Codes of vocab.NATIONAL_POSITIONS (its labels are what users read).
BEST_QUARTER, BETTER, AT_MEDIAN, WORSE, WORST_QUARTER = vocab.NATIONAL_POSITIONS.codes
POSITIONS = vocab.NATIONAL_POSITIONS.codes
POSITION_HELP = ("Position parmi les préfectures comparées, d'après les quartiles nationaux : « meilleur quart » = "
                 "parmi les 25 % de préfectures aux meilleurs résultats, « dernier quart » = parmi les 25 % aux "
                 "moins bons. Le rang exact n'est pas donné : avec votre valeur, il permettrait de retrouver celle "
                 "d'une autre préfecture.")


def position_text(code: str) -> str:
    """`2e quart (mieux que la médiane)`: a position written out in full (tables, the pack)."""
    return f"{vocab.NATIONAL_POSITIONS.short(code)} ({vocab.NATIONAL_POSITIONS.label(code)})"


def others(n_contributors, own_contributes: bool) -> int:
    """How many prefectures other than the caller's contribute to a statistic."""
    n = 0 if n_contributors is None or pd.isna(n_contributors) else int(n_contributors)
    return max(0, n - (1 if own_contributes else 0))


def shows_quartiles(n_others: int, *, names_visible: bool) -> bool:
    return names_visible or n_others >= MIN_OTHERS_QUARTILES


def shows_deciles(n_others: int, *, names_visible: bool) -> bool:
    return names_visible or n_others >= MIN_OTHERS_DECILES


def too_few_text(n_others: int, needed: int = MIN_OTHERS_QUARTILES) -> str:
    """`TOO_FEW`, with how many other prefectures contribute and how many are needed."""
    if n_others == 0:
        have = "aucune autre préfecture n'a de valeur"
    elif n_others == 1:
        have = "une seule autre préfecture a une valeur"
    else:
        have = f"{n_others} autres préfectures ont une valeur"
    return f"{TOO_FEW} : {have}, il en faut au moins {needed} en plus de la vôtre."


def position(own, q1, median, q3, *, lower_is_better: bool) -> str | None:
    """The quarter of the national distribution `own` falls in (None without a value or quartiles)."""
    if any(v is None or pd.isna(v) for v in (own, q1, median, q3)):
        return None
    own, q1, median, q3 = (float(v) for v in (own, q1, median, q3))
    if math.isclose(own, median, rel_tol=1e-9, abs_tol=1e-9):
        return AT_MEDIAN
    if lower_is_better:  # the best quarter holds the lowest values
        own, q1, median, q3 = -own, -q3, -median, -q1
    if own > q3:
        return BEST_QUARTER
    if own > median:
        return BETTER
    if own >= q1:
        return WORSE
    return WORST_QUARTER


@dataclass(frozen=True)
class NationalFigures:
    """The national figures one caller may see; a withheld figure is None."""

    n_sites: int  # contributing prefectures (the caller's included when it contributes)
    n_others: int  # contributing prefectures other than the caller's
    p10: float | None
    q1: float | None
    median: float | None
    q3: float | None
    p90: float | None
    rank: int | None  # exact rank: national scopes only
    position: str | None  # code of vocab.NATIONAL_POSITIONS (None: no value, no direction or no quartiles)

    @property
    def quartiles_shown(self) -> bool:
        return self.median is not None

    @property
    def deciles_shown(self) -> bool:
        return self.p10 is not None

    @property
    def withheld_text(self) -> str | None:
        """Why the median and quartiles are not given (None when they are)."""
        return None if self.quartiles_shown else too_few_text(self.n_others)

    @property
    def deciles_withheld_text(self) -> str | None:
        return None if self.deciles_shown else too_few_text(self.n_others, MIN_OTHERS_DECILES)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("p10", "q1", "median", "q3", "p90")}


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def national_figures(summary: Mapping, *, names_visible: bool, own_value=None, own_contributes: bool,
                     direction: str | None) -> NationalFigures:
    """What a caller sees of one row of `national_indicator_summary` / `national_satisfaction_summary`.

    `summary` holds n_sites, p10, q1, median, q3, p90 and own_rank, in the
    unit shown (satisfaction in points, not fractions). `own_contributes`:
    the caller's prefecture is among the `n_sites` (it has a value, and enough
    answers for a rate).
    """
    n_sites = int(_number(summary.get("n_sites")) or 0)
    n_others = others(n_sites, own_contributes)
    quartiles = shows_quartiles(n_others, names_visible=names_visible) and n_sites > 0
    deciles = quartiles and shows_deciles(n_others, names_visible=names_visible)
    shown = {k: _number(summary.get(k)) if quartiles else None for k in QUARTILES}
    shown |= {k: _number(summary.get(k)) if deciles else None for k in DECILES}
    rank = _number(summary.get("own_rank")) if names_visible else None
    where = None
    if direction in ("hausse", "baisse") and own_contributes:
        where = position(own_value, shown["q1"], shown["median"], shown["q3"], lower_is_better=direction == "baisse")
    return NationalFigures(n_sites=n_sites, n_others=n_others, rank=None if rank is None else int(rank),
                           position=where, **shown)


def trend_band(national: pd.DataFrame, *, names_visible: bool) -> pd.DataFrame:
    """Rows of `trend_national_quartiles` a caller may see: q1, median and q3 blanked where too few others.

    Each row (indicator × period) carries `n_sites` and `n_own` (the caller's
    sites among them). The rows are kept, blanked, so that the page can say
    which periods were withheld.
    """
    out = national.copy()
    if names_visible or out.empty:
        out["withheld"] = False
        return out
    n_others = out["n_sites"].to_numpy(dtype=float) - out["n_own"].to_numpy(dtype=float)
    withheld = n_others < MIN_OTHERS_QUARTILES
    for column in QUARTILES:
        out[column] = np.where(withheld, np.nan, out[column].to_numpy(dtype=float))
    out["withheld"] = withheld
    return out
