"""Key figures of the Vue d'ensemble page, pure functions over query results.

The *last complete period* is the latest month for which at least 80 % of
the sites in scope are up to date (`transmissions.last_complete`: every
expected monthly indicator sent): the very latest month is often partial
(late senders), and a share computed on the few early senders would mislead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COMPLETE_SHARE = 0.8


@dataclass(frozen=True)
class TargetSummary:
    n_meeting: int
    n_with_target: int

    @property
    def share(self) -> float | None:
        """Share of values meeting their target, in points (None without any value)."""
        return self.n_meeting / self.n_with_target * 100 if self.n_with_target else None


def target_summary(status: pd.DataFrame) -> TargetSummary:
    """How many site × indicator pairs meet their target, from `alerts.indicator_status` (one row each,
    its latest value in the alert window): the same rule as the Alertes table and the pack."""
    return TargetSummary(int((~status["missed"].astype(bool)).sum()), len(status))


def compliance_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Per module of the scope, from the site × module rows of `queries/compliance_module_counts.sql`.

    Counts of each result summed over the sites, `n_applicable` (non applicable
    engagements excluded), `n_sites` (sites with an assessment in the module),
    `last_assessed_on`, and `rate` (points): conforme over applicable engagements,
    a partial one counting as not conforme — the rule of the module × prefecture heatmap.
    """
    columns = ["module", "module_name", "n_conforme", "n_partiel", "n_non_conforme", "n_non_applicable",
               "n_applicable", "n_sites", "last_assessed_on", "rate"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    per_module = counts.groupby(["module", "module_name"], as_index=False, sort=True).agg(
        n_conforme=("n_conforme", "sum"), n_partiel=("n_partiel", "sum"),
        n_non_conforme=("n_non_conforme", "sum"), n_non_applicable=("n_non_applicable", "sum"),
        n_sites=("site_code", "nunique"), last_assessed_on=("last_assessed_on", "max"))
    per_module["n_applicable"] = per_module.n_conforme + per_module.n_partiel + per_module.n_non_conforme
    applicable = per_module["n_applicable"].astype(float)
    per_module["rate"] = np.where(applicable > 0, per_module["n_conforme"] / applicable.where(applicable > 0) * 100,
                                  np.nan)
    return per_module[columns]
