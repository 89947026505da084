"""How far the plan d'actions follows what is wrong, per prefecture (the ministry's reading).

The open alerts are those of the Alertes page at the month `end` (`alerts.open_alerts`, indicators judged on
the targets in force), the non-conformities the latest assessments *non conformes* at the end of that month;
each is followed when an open action (à lancer, en cours) follows the same indicator or question, or the same
module and engagement (`actions.coverage`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from qualepref import actions, alerts, targets
from qualepref.access import SiteScope


def by_site(query: Callable[..., pd.DataFrame], scope: SiteScope, end: date, today: date) -> pd.DataFrame:
    """`query(name, scope=…, **params)`: the page's cached reader (`ui.query`) or `sql.run` bound to a database."""
    target_rows = query("target_rows", scope=scope)
    values = targets.judged(query("alert_indicator_values", scope=scope, start=alerts.window_start(end), end=end),
                            target_rows)
    survey = query("alert_survey_results", scope=scope, first_year=0, last_year=end.year)
    open_ = alerts.open_alerts(survey, values, target_rows)
    as_of = (pd.Timestamp(end) + pd.offsets.MonthEnd(0)).date()
    latest = query("compliance_latest", scope=scope, as_of=as_of)
    return actions.coverage(open_, latest, query("actions", scope=scope), today)
