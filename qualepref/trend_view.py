"""What the Tendances page draws: which indicators, and how to name the scope's line."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# National medians and quartiles are shown only for periods where at least
# this many sites reported: fewer, and the "quartiles" would give away
# individual prefectures' values.
MIN_NATIONAL_SITES = 5


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
