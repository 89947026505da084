"""Periods (months, quarters, years) as first days, and the grid of them between two dates (pure).

One grid for every chart, table and rule: a chart's x axis, a pack slide's
categories and the consecutive-miss rule all walk the same periods, so a
period without data is the same gap everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FREQUENCIES = {"month": "MS", "quarter": "QS", "year": "YS"}
_PANDAS_PERIOD = {"month": "M", "quarter": "Q", "year": "Y"}


def period_range(start, end, kind: str = "month") -> pd.DatetimeIndex:
    """Every start of a period of `kind` falling within [start, end].

    The queries select periods *starting* within [start, end]: so does the grid
    (a quarter that began before `start` is not on it).
    """
    code = _PANDAS_PERIOD.get(kind, "M")
    first, last = pd.Timestamp(start).to_period(code), pd.Timestamp(end).to_period(code)
    if first.start_time < pd.Timestamp(start):
        first += 1
    return pd.date_range(first.start_time, last.start_time, freq=FREQUENCIES.get(kind, "MS"))


def period_index(periods, kinds) -> np.ndarray:
    """Consecutive integers for consecutive periods of the same kind (month n+1 follows month n, T2 follows T1)."""
    periods = pd.to_datetime(pd.Series(periods))
    kinds = pd.Series(kinds, index=periods.index)
    year, month = periods.dt.year.to_numpy(), periods.dt.month.to_numpy()
    return np.select([kinds.to_numpy() == "quarter", kinds.to_numpy() == "year"],
                     [year * 4 + (month - 1) // 3, year], default=year * 12 + month - 1)


def window_start(end, months: int) -> pd.Timestamp:
    """First month of the `months`-month window ending with the month of `end`."""
    return (pd.Timestamp(end).to_period("M") - (months - 1)).start_time
