""""Satisfaction globale": the overall-satisfaction question with its respondents, one definition (pure).

The survey asks one overall question ("Globalement, êtes-vous satisfait du
service rendu ?") among about nine. Each respondent answers it once, so its
rate counts people and its Wilson interval is sound. Pooling every question
instead counts answers (about nine per respondent): a "n = 1 029 avis" for 114
people, an interval three times too narrow. Wherever a figure is called
*satisfaction globale* or *usagers satisfaits* (Vue d'ensemble, the pack's key
figure, the transparency poster, the Comparaison default), it is `global_rate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualepref import campaigns, stats

GLOBAL_QUESTION = "GLOBAL"
LABEL = "Satisfaction globale"
DEFINITION = ("question « Globalement, êtes-vous satisfait du service rendu ? » : (très satisfaits + satisfaits) "
              "/ répondants ayant exprimé un avis")


@dataclass(frozen=True)
class Satisfaction:
    campaign: str
    rate: float  # fraction
    low: float  # 95 % Wilson interval
    high: float
    n: int  # respondents who expressed an opinion on the overall question
    question_label: str

    @property
    def level(self) -> stats.AlertLevel:
        return stats.alert_level(self.rate, self.n, self.high)

    @property
    def met(self) -> bool:
        return self.rate >= stats.THRESHOLD


def global_rate(by_question: pd.DataFrame, campaign: str | None = None) -> Satisfaction | None:
    """The overall question's rate for `campaign` (default: the latest campaign that asked it).

    `by_question` has `campaign`, `question_code`, `question_label`,
    `n_tres_satisfait`, `n_satisfait` and `n_expressed` (one site's rows, or the
    rows of a scope summed per question: respondents of different sites are
    different people). None when the question was not answered.
    """
    if by_question.empty:
        return None
    rows = by_question[(by_question["question_code"] == GLOBAL_QUESTION) & (by_question["n_expressed"] > 0)]
    if rows.empty:
        return None
    labels = rows["campaign"].astype(str)
    campaign = str(campaign) if campaign is not None else campaigns.latest(labels)
    rows = rows[labels == campaign]
    if rows.empty:
        return None
    satisfied = int((rows["n_tres_satisfait"] + rows["n_satisfait"]).sum())
    n = int(rows["n_expressed"].sum())
    low, high = stats.wilson_interval(satisfied, n)
    return Satisfaction(campaign, satisfied / n, low, high, n, str(rows["question_label"].iloc[0]))
