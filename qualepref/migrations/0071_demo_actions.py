"""A database holding the demonstration gets the demonstration's plan d'actions too.

Databases created before the plan d'actions existed show their demonstration figures with an empty plan:
the page *Plan d'actions*, the « action en cours » of *Alertes* and the pack's slide would open empty on
them. This adds the same deterministic plan a new demonstration has (drawn from the demonstration's own
figures, `qualepref.demo_actions`), flagged demonstration and removed with it. A database without
demonstration data, one whose demonstration was removed, or one that already has actions is left alone.
"""

from datetime import date

import pandas as pd

from qualepref import sql
from qualepref.access import system_scope


def apply(cursor) -> None:
    from qualepref import actions_store, demo, demo_actions

    if cursor.execute("select count(*) from actions").fetchone()[0]:
        return
    dismissed = sql.execute(cursor, "meta_value", key="demo_dismissed")
    end = sql.execute(cursor, "demo_end_month")[0][0]
    if end is None or (dismissed and dismissed[0][0]):
        return
    codes = [row[0] for row in cursor.execute(
        "select site_code from sites where active and site_kind = 'prefecture' order by site_code").fetchall()]
    if not codes:
        return
    scope = system_scope(codes)
    sources = sql.run(cursor, "demo_plan_sources", scope=scope)
    values = sources[sources.part == "indicateur"].rename(columns={"code": "indicator_code", "day": "period_start",
                                                                    "kind": "period_kind"})
    surveys = sources[sources.part == "question"].rename(columns={
        "code": "question_code", "kind": "campaign", "n1": "n_tres_satisfait", "n2": "n_satisfait",
        "n3": "n_peu_satisfait", "n4": "n_pas_du_tout_satisfait", "n5": "n_sans_avis"})
    compliance = sources[sources.part == "conformite"].rename(columns={
        "code": "assessment_type", "day": "assessed_on", "kind": "result", "n1": "module", "n2": "engagement"})
    end_month = pd.Timestamp(end).date().replace(day=1)
    today = (pd.Timestamp(end_month) + pd.DateOffset(months=1)).date()
    plan = demo_actions.generate(values, surveys, compliance, sql.run(cursor, "referentiel_indicators", scope=scope),
                                 sql.run(cursor, "referentiel_questions", scope=scope), prefectures=codes,
                                 today=date(today.year, today.month, 1), seed=demo.DEFAULT_SEED)
    actions_store.write_batch(cursor, plan, scope=scope, actor="démonstration", upload_id=None, today=today,
                              is_demo=True)
