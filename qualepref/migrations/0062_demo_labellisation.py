"""A database holding the demonstration gets the demonstration's labelling history too.

Databases created before sites had a labelling cycle show their demonstration figures with no
label at all: the pages *Labellisation* and *Notre démarche* would open empty on them. This adds
the same deterministic history a new demonstration has (périmètre from the modules each site was
assessed on, stages, findings), flagged demonstration and removed with it. A database without
demonstration data, one whose demonstration was removed, or one that already has stages is left
alone.
"""

from datetime import date

import pandas as pd

from qualepref import sql
from qualepref.access import system_scope


def apply(cursor) -> None:
    from qualepref import demo

    if cursor.execute("select count(*) from label_events").fetchone()[0]:
        return
    dismissed = sql.execute(cursor, "meta_value", key="demo_dismissed")
    end = sql.execute(cursor, "demo_end_month")[0][0]
    if end is None or (dismissed and dismissed[0][0]):
        return
    codes = [row[0] for row in cursor.execute(
        "select site_code from sites where active and site_kind = 'prefecture' order by site_code").fetchall()]
    scope = system_scope(codes)
    modules = {code: sorted({1, *map(int, assessed)}) for code, assessed in sql.execute(
        cursor, "demo_site_modules", scope=scope)}
    if not modules:
        return
    engagements = cursor.execute("select module, engagement from engagements").df()
    end_month = pd.Timestamp(end).date().replace(day=1)
    demo.write_labelling(cursor, scope, prefectures=sorted(modules), modules=modules, engagements=engagements,
                         end_month=date(end_month.year, end_month.month, 1))
