"""Reads the series an action is linked to and judges its effect (`qualepref.actions` holds the rule).

One function for the page *Plan d'actions* and the COPIL pack: the indicator's values of the action's
site (in the indicator's usual period kind), or the question's results campaign by campaign (two
campaigns of a year pooled), before and after the action.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualepref import actions, sql
from qualepref.access import SiteScope


@dataclass(frozen=True)
class Linked:
    """What an action on an indicator or a question is judged on."""

    name: str  # the indicator's or question's label
    series: pd.DataFrame  # period_start, value (a fraction for a rate), and satisfied, n_expressed for a rate
    period_kind: str
    unit: str | None  # None: a satisfaction rate
    effect: actions.Effect


def linked(run, scope: SiteScope, row, indicators: pd.DataFrame, questions: pd.DataFrame) -> Linked | None:
    """`run(name, scope, **params)` reads a query (`sql.run` bound to a database, or the page's cache);
    `row` an action (rows of `queries/actions.sql`); None when it follows no indicator or question."""
    if row.origin_kind not in ("indicateur", "question"):
        return None
    code = actions.subject(row.origin_kind, row.origin_key)
    site_scope = scope.narrowed([row.site_code])
    if row.origin_kind == "indicateur":
        found = indicators[indicators.indicator_code == code]
        if found.empty:
            return None
        item = found.iloc[0]
        series, kind = actions.indicator_series(run("action_indicator_series", site_scope, site_code=row.site_code,
                                                    indicator_code=code))
        effect = actions.effect_of("indicateur", series, decided_on=row.decided_on, done_on=row.done_on,
                                   direction=item.direction)
        return Linked(str(item.indicator_label), series, kind, str(item.unit), effect)
    found = questions[questions.question_code == code]
    if found.empty:
        return None
    series = actions.question_series(run("action_question_series", site_scope, site_code=row.site_code,
                                         question_code=code))
    effect = actions.effect_of("question", series, decided_on=row.decided_on, done_on=row.done_on)
    return Linked(str(found.iloc[0].question_label), series, "year", None, effect)


def database_reader(db):
    """A `run` for `linked` that reads `db` directly (the pack, the command line)."""
    def run(name: str, scope: SiteScope, **params) -> pd.DataFrame:
        return sql.run(db, name, scope=scope, **params)
    return run
