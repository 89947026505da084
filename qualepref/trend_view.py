"""What the Tendances page draws: which indicators, and how to name the scope's line."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from qualepref import anonymity, fmt, targets
from qualepref.charts import trends as charts


@dataclass(frozen=True)
class ScopeLabel:
    name: str  # legend of the scope's line
    description: str  # sentence for captions
    file_part: str  # for download file names
    is_nation: bool  # the line already is the national median


def scope_label(sites: pd.DataFrame, *, whole_nation: bool) -> ScopeLabel:
    """Name the line drawn for `sites` (rows of `queries/sites.sql`): one site's value or a median."""
    n = len(sites)
    if n == 1:
        site = sites.iloc[0]
        name = f"{site.site_name} ({site.site_code})"
        return ScopeLabel(name, f"Préfecture : {name}", str(site.site_code), False)
    if whole_nation:
        return ScopeLabel("Médiane nationale", f"Médiane des {n} préfectures", "national", True)
    regions = sites.region_code.unique()
    if len(regions) == 1:
        region = sites.region_name.iloc[0]
        return ScopeLabel(f"Médiane {region}", f"Médiane des {n} préfectures de la région {region}",
                          f"region-{regions[0]}", False)
    return ScopeLabel("Médiane du périmètre", f"Médiane des {n} préfectures du périmètre", "perimetre", False)


def chosen_indicators(indicators: pd.DataFrame, *, module: int | None, indicator: str | None) -> pd.DataFrame:
    """The indicator chosen, else every indicator of the module (of every module when none is chosen)."""
    if indicator:
        return indicators[indicators.indicator_code == indicator]
    if module:
        return indicators[indicators.module == module]
    return indicators


@dataclass(frozen=True)
class TrendChart:
    """One indicator's chart on the Tendances page, with the table behind it."""

    key: str  # widget key
    figure: go.Figure
    table: pd.DataFrame
    headers: dict[str, str] | None
    file_stem: str
    has_values: bool  # False: the scope's line is empty over the period
    national_note: str | None = None  # why the national band is missing, where it is withheld


def indicator_charts(indicators: pd.DataFrame, values: pd.DataFrame, national: pd.DataFrame, *,
                     line: ScopeLabel, start, end, yearly: bool = False, moving_average: bool = False,
                     meeting_mode: bool = False, target_rows: pd.DataFrame | None = None,
                     site_code: str | None = None, parent_code: str | None = None) -> list[TrendChart]:
    """A chart per row of `indicators` (`queries/referentiel_indicators.sql`), in their order.

    The target line is the target in force at each period (`queries/target_rows.sql`,
    `qualepref.targets`): the site's own when one site is shown (`site_code`), the
    national default otherwise; a step where it changed over the period.

    `values` are rows of `queries/trend_scope_values.sql` for those indicators
    over [start, end], `national` those of `trend_national_quartiles.sql` as
    `anonymity.trend_band` leaves them for the caller (withheld rows blanked).
    """
    own_by_code = dict(tuple(values.groupby("indicator_code", sort=False)))
    national_by_code = dict(tuple(national.groupby("indicator_code", sort=False)))
    out = []
    for indicator in indicators.itertuples():
        code = indicator.indicator_code
        own = own_by_code.get(code, values.iloc[:0])
        kind = charts.period_kind_of(own.period_kind, indicator.frequency)
        own = own[own.period_kind == kind]
        nat = national_by_code.get(code, national.iloc[:0])
        nat = nat[nat.period_kind == kind]
        note = _withheld_note(nat, kind)
        frame = charts.trend_frame(own, nat, start=start, end=end, period_kind=kind)
        target = None if pd.isna(indicator.target) else float(indicator.target)
        direction = None if pd.isna(indicator.direction) else indicator.direction
        steps = None
        if target_rows is not None:
            in_force = targets.series(target_rows, code, site_code, list(frame["period_start"]),
                                      parent_code=parent_code)
            known = [t for t in in_force if t is not None]
            target = known[-1].target if known else None
            direction = known[-1].direction if known else direction
            if targets.changes(in_force):
                steps = [None if t is None else t.target for t in in_force]
        if yearly:
            figure = charts.year_over_year(frame, title=f"{indicator.indicator_label} — année par année",
                                           unit=indicator.unit, target=target, direction=direction,
                                           target_indicative=bool(indicator.target_indicative),
                                           period_kind=kind, meeting_mode=meeting_mode)
            table, headers = charts.year_over_year_table(frame, kind), None
        else:
            figure = charts.indicator_trend(frame, title=indicator.indicator_label, unit=indicator.unit,
                                            label=line.name, target=target, direction=direction,
                                            target_indicative=bool(indicator.target_indicative),
                                            period_kind=kind, moving_average=moving_average,
                                            national_median=not line.is_nation, meeting_mode=meeting_mode,
                                            target_steps=steps)
            table, headers = charts.trend_table(frame, kind, moving_average=moving_average,
                                                national_median=not line.is_nation)
        out.append(TrendChart(key=f"tendance-{code}", figure=figure, table=table, headers=headers,
                              file_stem=f"tendance-{code.lower()}-{line.file_part}",
                              has_values=bool(frame["value"].notna().any()), national_note=note))
    return out


def _withheld_note(national: pd.DataFrame, kind: str) -> str | None:
    """Say when the national band is withheld for anonymity (every period, or some of them)."""
    if "withheld" not in national or not national["withheld"].any():
        return None
    withheld = national[national["withheld"].astype(bool)]
    if len(withheld) == len(national):
        return f"Situation nationale : {anonymity.TOO_FEW.lower()} sur la période."
    periods = ", ".join(fmt.period(p, kind) for p in sorted(withheld.period_start))
    return (f"Situation nationale non montrée pour {periods} : {anonymity.TOO_FEW.lower()} "
            f"(il faut au moins {anonymity.MIN_OTHERS_QUARTILES} autres préfectures que la vôtre).")


# Columns of `charts.trend_table` that hold a value of the indicator (in its unit).
_VALUE_COLUMNS = ("value", "low", "high", "moving_average", "national_q1", "national_median", "national_q3")
# Columns that count something (prefectures that reported, cases treated).
_COUNT_COLUMNS = ("n_sites", "n_total")


def table_formats(table: pd.DataFrame, unit: str) -> dict:
    """How the screen writes the figures of a trend table (`ui.chart_with_table(formats=…)`): each value
    with its unit (`12,3 j`, `82,5 %`) and its interval, counts as counts; the files keep the numbers.

    Works for `charts.trend_table` and `charts.year_over_year_table` (one column per year).
    """
    def value(v) -> str:
        return fmt.with_unit(v, unit)

    formats = {c: value for c in table.columns if c in _VALUE_COLUMNS or str(c).isdigit()}
    for column in _COUNT_COLUMNS:
        if column in table.columns:
            formats[column] = lambda n: fmt.number(n, 0)
    return formats


# `charts.satisfaction_table`: rates in points, with their interval, and the number of answers.
SATISFACTION_FORMATS = {"rate": fmt.percent, "rate_low": fmt.percent, "rate_high": fmt.percent,
                        "n_expressed": lambda n: fmt.number(n, 0)}
