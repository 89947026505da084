"""The périmètre of a site: which modules it retained on a given day, and what that says of the
compliance heatmap's cells (pure).

A module a site retained but nobody assessed is *non évalué* (a gap to fill before the audit);
a module it did not retain is *non retenu* (nothing is expected). A site with no périmètre
recorded keeps the old reading: a blank cell is a module not followed.
"""

from __future__ import annotations

import pandas as pd

STATE_LABELS = {"evalue": "retenu, évalué", "non_evalue": "retenu, non évalué",
                "hors_perimetre": "non retenu, évalué"}


def with_states(rates: pd.DataFrame, retained: pd.DataFrame, modules: pd.DataFrame) -> pd.DataFrame:
    """`rates` (charts.module_rates) with a `state` per cell and a row for every retained module not
    assessed. `retained`: (site_code, site_name, module) in force on the day; `modules`: (module, module_name)."""
    if retained.empty:
        return rates
    known = set(retained["site_code"])
    pairs = set(zip(retained["site_code"], retained["module"], strict=True))
    rates = rates.copy()
    rates["state"] = ["evalue" if s not in known or (s, m) in pairs else "hors_perimetre"
                      for s, m in zip(rates["site_code"], rates["module"], strict=True)]
    assessed = set(zip(rates["site_code"], rates["module"], strict=True))
    missing = retained[[(s, m) not in assessed for s, m in zip(retained["site_code"], retained["module"],
                                                               strict=True)]]
    if missing.empty:
        return rates
    names = dict(zip(modules["module"], modules["module_name"], strict=True))
    extra = pd.DataFrame({
        "module": missing["module"].astype(rates["module"].dtype), "module_name": missing["module"].map(names),
        "site_code": missing["site_code"], "site_name": missing["site_name"], "state": "non_evalue"})
    for column in rates.columns:
        if column.startswith("n_"):
            extra[column] = 0
    extra["rate"] = float("nan")
    return pd.concat([rates, extra[rates.columns]], ignore_index=True).sort_values(
        ["module", "site_code"]).reset_index(drop=True)
