"""Statistics that don't mislead (README « Définitions des chiffres »): rates with n, Wilson intervals, alert levels.

Pure functions over scalars or pandas objects; no I/O.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from qualepref import vocab

THRESHOLD = 0.75  # satisfaction below 75 % calls for improvement actions
MIN_SAMPLE = 30  # below this many expressed answers a rate is shown, never ranked
Z_95 = 1.959963984540054


class AlertLevel(StrEnum):
    SIGNIFICANT = "significativement_sous_75"
    BELOW = "sous_75"
    INSUFFICIENT = "effectif_insuffisant"
    NONE = "aucune"


ALERT_LABELS = {
    **{level: vocab.ALERT_LEVELS.label(level.value)
       for level in (AlertLevel.SIGNIFICANT, AlertLevel.BELOW, AlertLevel.INSUFFICIENT)},
    AlertLevel.NONE: "Pas d'alerte",
}
# Most severe first (used for sorting).
ALERT_SEVERITY = {AlertLevel.SIGNIFICANT: 0, AlertLevel.BELOW: 1, AlertLevel.INSUFFICIENT: 2, AlertLevel.NONE: 3}


def wilson_interval(successes, n, z: float = Z_95):
    """95 % Wilson score interval of a proportion; NaN where n = 0. Works on scalars and arrays."""
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low, high = centre - half, centre + half
    low = np.where(n > 0, np.clip(low, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(high, 0, 1), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def alert_level(rate: float | None, n: int, upper: float | None = None) -> AlertLevel:
    """The three-level satisfaction alert of the README (« Définitions des chiffres »).

    n < 30 → insufficient sample (whatever the rate); else upper bound < 75 %
    → significantly below; else rate < 75 % → below; else no alert.
    """
    if upper is None and rate is not None and n:
        _, upper = wilson_interval(rate * n, n)
    # One row of `alert_levels`: the rule is written once.
    return alert_levels([np.nan if rate is None else rate], [np.nan if n is None else n],
                        [np.nan if upper is None else upper])[0]


def with_satisfaction(frame: pd.DataFrame, threshold=THRESHOLD) -> pd.DataFrame:
    """Add rate, Wilson bounds and alert level to survey rows (columns of `v_survey_results`).

    `threshold`: the satisfaction threshold (fraction), one for all rows or one per row (the threshold in
    force for each site and campaign, `qualepref.targets`)."""
    out = frame.copy()
    satisfied = out["n_tres_satisfait"] + out["n_satisfait"]
    n = out["n_expressed"]
    out["rate"] = np.where(n > 0, satisfied / n.where(n > 0), np.nan)
    out["rate_low"], out["rate_high"] = wilson_interval(satisfied, n)
    out["alert"] = alert_levels(out["rate"], n, out["rate_high"], threshold)
    return out


_LEVELS = np.array([AlertLevel.SIGNIFICANT, AlertLevel.BELOW, AlertLevel.INSUFFICIENT, AlertLevel.NONE], dtype=object)


def alert_levels(rate, n, upper, threshold=THRESHOLD) -> np.ndarray:
    """The alert level of each row (arrays of rates, answer counts and upper bounds), without a Python loop;
    `threshold` (fraction) for all rows or per row."""
    rate = np.asarray(rate, dtype=float)
    n = np.asarray(n, dtype=float)
    upper = np.asarray(upper, dtype=float)
    threshold = np.asarray(threshold, dtype=float)
    small = n < MIN_SAMPLE
    no_rate = np.isnan(rate) | (n == 0) | np.isnan(n)
    below = rate < threshold
    # In order: no rate (or no count) and a small sample → insufficient; no rate → none; a small
    # sample → insufficient when under 75 %, else none; then significantly below, below (NaN compares false).
    code = np.select(
        [no_rate & small, no_rate, small & below, small, upper < threshold, below],
        [2, 3, 2, 3, 0, 1], default=3)
    return _LEVELS[code]


def misses_target(value, target, direction, strict=False):
    """True where a value misses its target given the direction; False where no target or no value.

    Each row brings its own target, direction and strictness (a target may be
    the site's own and dated). Non-strict ("au plus 15 jours", "au moins
    90 %"): the target value itself is met. Strict ("en moins de 15 jours",
    "plus de 90 %"): the target value itself misses (15,0 j misses "< 15 j").
    """
    value = pd.Series(value, dtype=float)
    target = pd.Series(target, dtype=float, index=value.index)
    direction = pd.Series(direction, dtype=object, index=value.index)
    strict = pd.Series(strict, index=value.index).fillna(False).astype(bool)
    lower = direction == "baisse"
    higher = direction == "hausse"
    worse = (lower & (value > target)) | (higher & (value < target))
    on_target = value == target
    return (worse | (strict & on_target & (lower | higher))) & target.notna() & value.notna()


def rank_bands(low, high, *, higher_is_better: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The best and worst rank each site could hold, given the 95 % intervals of all sites.

    A site is surely behind another only when their intervals do not overlap
    (the other's interval lies wholly on the better side); touching intervals
    overlap. So the best possible rank is 1 + the number of sites surely
    ahead, the worst is n − the number of sites surely behind. Disjoint
    intervals give strict ranks; overlapping ones a band ("3 à 17") instead
    of an order the data cannot support.
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    if not higher_is_better:
        low, high = -high, -low
    # ahead[i, j]: site j is surely better than site i.
    ahead = low[None, :] > high[:, None]
    behind = high[None, :] < low[:, None]
    n = len(low)
    return 1 + ahead.sum(axis=1), n - behind.sum(axis=1)


def rank_band_text(best: int, worst: int) -> str:
    """`3 à 17`, or `4` when the band is one rank."""
    return str(int(best)) if int(best) == int(worst) else f"{int(best)} à {int(worst)}"
