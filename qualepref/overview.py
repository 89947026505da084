"""Key figures of the Vue d'ensemble page, pure functions over query results.

The *last complete period* is the latest month for which at least 80 % of
the sites in scope sent their monthly values: the very latest month is
often partial (late senders), and a share computed on the few early
senders would mislead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from qualepref import stats

COMPLETE_SHARE = 0.8
HEADLINE_QUESTION = "GLOBAL"  # "Globalement, êtes-vous satisfait du service rendu ?"


def last_complete_period(reporting: pd.DataFrame, n_sites: int, share: float = COMPLETE_SHARE) -> date | None:
    """Latest `period_start` where `n_sites` (reporting sites) ≥ `share` × sites in scope; None if none."""
    if reporting.empty or n_sites <= 0:
        return None
    complete = reporting[reporting["n_sites"] >= share * n_sites]
    if complete.empty:
        return None
    return pd.Timestamp(complete["period_start"].max()).date()


@dataclass(frozen=True)
class TargetSummary:
    n_meeting: int
    n_with_target: int

    @property
    def share(self) -> float | None:
        """Share of values meeting their target, in points (None without any value)."""
        return self.n_meeting / self.n_with_target * 100 if self.n_with_target else None


def target_summary(values: pd.DataFrame) -> TargetSummary:
    """How many values (rows with `value`, `target`, `direction`) meet their target."""
    judged = values[values["target"].notna() & values["direction"].notna() & values["value"].notna()]
    missed = stats.misses_target(judged["value"], judged["target"], judged["direction"])
    return TargetSummary(int((~missed).sum()), len(judged))


@dataclass(frozen=True)
class Satisfaction:
    campaign: str
    rate: float  # fraction
    low: float
    high: float
    n: int
    question_label: str | None  # None when pooled over every question

    @property
    def level(self) -> stats.AlertLevel:
        return stats.alert_level(self.rate, self.n, self.high)


def headline_satisfaction(by_question: pd.DataFrame, campaign: str | None = None) -> Satisfaction | None:
    """The satisfaction rate of a campaign (default: the latest) with its interval and n.

    The overall-satisfaction question when it was asked: one answer per
    respondent, so the Wilson interval is sound. Otherwise every question
    pooled (answers then outnumber respondents: the interval is too narrow,
    which the label says).
    """
    rows = by_question[by_question["n_expressed"] > 0]
    if rows.empty:
        return None
    campaign = campaign or str(rows["campaign"].astype(str).max())
    rows = rows[rows["campaign"].astype(str) == campaign]
    if rows.empty:
        return None
    headline = rows[rows["question_code"] == HEADLINE_QUESTION]
    pooled = headline.empty
    chosen = rows if pooled else headline
    satisfied = int((chosen["n_tres_satisfait"] + chosen["n_satisfait"]).sum())
    n = int(chosen["n_expressed"].sum())
    low, high = stats.wilson_interval(satisfied, n)
    return Satisfaction(campaign, satisfied / n, low, high, n,
                        None if pooled else str(headline["question_label"].iloc[0]))


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
