"""How the Alertes page lays the alert table out for its readers (the alert rules are `qualepref.alerts`).

A COPIL reads, for its own prefecture, what is wrong and by how much: the
question or indicator, its value, the target or threshold it misses, the
period, the level, a link to its trend, and what the plan d'actions does
about it (the open action and its due date, or a link that creates one) —
in that order, on one screen width. Codes, prefecture and type matter only when the table spans
prefectures (national scopes). The statistics behind a survey alert
(answers, interval, misses in a row) and the référent's comment are one
switch away, and always in the downloads.
"""

from __future__ import annotations

import pandas as pd

from qualepref import alerts

# The last two: what the plan d'actions does about the alert (`with_actions`).
MAIN = ["subject", "value", "reference", "period", "level", "link", "action", "action_link"]
NATIONAL = ["site_code", "site_name", "kind"]
DETAIL = ["n", "interval", "misses_in_a_row", "comment"]

# Quick views: code → label (the code is kept in the URL: `?alertes=enquetes`).
ALL = "toutes"
SURVEYS_BELOW_75 = "enquetes"
INDICATORS_OFF_TARGET = "indicateurs"
QUICK_VIEWS = {
    ALL: "Toutes les alertes",
    SURVEYS_BELOW_75: "Enquêtes sous 75 %",
    INDICATORS_OFF_TARGET: "Indicateurs hors cible",
}


def screen_columns(*, national: bool, detail: bool = False) -> list[str]:
    """Columns of the on-screen table, in reading order."""
    return (NATIONAL if national else []) + MAIN + (DETAIL if detail else [])


def quick_view(table: pd.DataFrame, view: str) -> pd.DataFrame:
    """The rows of a quick view. "Enquêtes sous 75 %" keeps the survey questions under the threshold
    with enough answers to say so (the two ranked levels), not the samples too small to conclude."""
    if view == SURVEYS_BELOW_75:
        return alerts.filter_table(table, kinds=[alerts.SURVEY],
                                   levels=[alerts.LEVEL_SIGNIFICANT, alerts.LEVEL_BELOW])
    if view == INDICATORS_OFF_TARGET:
        return alerts.filter_table(table, kinds=[alerts.INDICATOR])
    return table


ACTION = "action"  # what the plan d'actions does about the alert (text)
ACTION_LINK = "action_link"  # the link that creates the action, or opens the open one
ACTION_HEADERS = {ACTION: "Plan d'actions", ACTION_LINK: "Action"}


def with_actions(table: pd.DataFrame, stored_actions: pd.DataFrame, today) -> pd.DataFrame:
    """The alerts with their open action (« action en cours, échéance 31/03/2027 ») and a link: to that action,
    else to the plan d'actions' creation form prefilled with the alert (prefecture, module, origin, period)."""
    from qualepref import actions

    follow = actions.open_follow_ups(stored_actions, today)
    texts, links = [], []
    for row in table.itertuples(index=False):
        kind, key, label = actions.alert_origin(row.kind, row.site_code, row.subject_code, row.period_start,
                                                row.period, row.value, row.subject, row.misses_in_a_row)
        found = follow.get((row.site_code, kind, actions.subject(kind, key)))
        if found:
            texts.append(found[1])
            links.append(actions.action_link(found[0]))
        else:
            texts.append("aucune action")
            links.append(actions.create_link(row.site_code, kind, key, module=row.module, origin_label=label))
    return table.assign(**{ACTION: texts, ACTION_LINK: links})
