"""Rates measured with their counts (issue 15): « traités » and « dans le délai » for each period.

- `indicators.counted`: an indicator measured as a share of two counts (letters processed within the
  announced délai out of letters processed…). Its value is still `indicator_values.value`, in points
  (100 × n_within / n_total); the counts are kept beside it.
- `indicator_counts`: the two counts of a value, written by the upload that wrote the value (`upload_id`):
  the analysts' view joins them on that upload, so a value re-imported as a bare percentage has no counts,
  and undoing an import gives back the counts of the value it restores.
- `v_indicator_values` gains `n_total` and `n_within` at the end (NULL for plain values).
- Four new indicators of module 1 (indicateurs.csv): Courriers traités dans le délai annoncé, Courriels
  traités en moins de 5 jours ouvrés, Réclamations traitées en moins de 15 jours, Appels décrochés; their
  illustrative national target (90 %) is indicative until an administrator confirms it. A database seeded
  before them gets them here (a newer one already has them from 0002).
"""

import csv

from qualepref.config import REFERENTIEL_DIR

COUNTED = ("COURRIERS_DANS_DELAI", "COURRIELS_5_JOURS", "RECLAMATIONS_15_JOURS", "APPELS_DECROCHES")


def apply(cursor) -> None:
    cursor.execute("alter table indicators add column counted boolean not null default false")
    with open(REFERENTIEL_DIR / "indicateurs.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"] in COUNTED]
    for r in rows:
        cursor.execute(
            "insert into indicators (indicator_code, indicator_label, module, engagement, unit, direction, target, "
            "frequency, target_source, target_indicative) "
            "select ?, ?, ?, ?, ?, ?, ?, ?, ?, true "
            "where not exists (select 1 from indicators where indicator_code = ?)",
            [r["code"], r["libelle"], int(r["module"]), int(r["engagement"]) if r["engagement"] else None,
             r["unite"], r["sens"] or None, float(r["cible"]) if r["cible"] else None, r["frequence"],
             r["source_cible"], r["code"]])
        cursor.execute(
            "insert into targets (target_id, indicator_code, site_code, target, direction, strict, valid_from, "
            "valid_to, source, indicative, status) "
            "select (select coalesce(max(target_id), 0) + 1 from targets), indicator_code, null, target, direction, "
            "false, null, null, 'référentiel national', target_indicative, 'approved' "
            "from indicators where indicator_code = ? and target is not null and direction is not null "
            "and not exists (select 1 from targets where indicator_code = ? and site_code is null)",
            [r["code"], r["code"]])
    cursor.execute("update indicators set counted = true where list_contains(?, indicator_code)", [list(COUNTED)])
    cursor.execute("""
        create table indicator_counts (
            site_code varchar not null,
            indicator_code varchar not null,
            period_start date not null,
            period_kind varchar not null,
            n_total integer not null check (n_total > 0),
            n_within integer not null check (n_within >= 0 and n_within <= n_total),
            upload_id integer not null,
            is_demo boolean not null default false,
            primary key (site_code, indicator_code, period_start, period_kind, upload_id)
        )""")
    cursor.execute("""
        create or replace view v_indicator_values as
        select v.site_code, v.indicator_code, v.period_start, v.period_kind, v.value, v.comment,
               c.n_total, c.n_within,
        from indicator_values as v
        left join indicator_counts as c
            on c.site_code = v.site_code and c.indicator_code = v.indicator_code
            and c.period_start = v.period_start and c.period_kind = v.period_kind and c.upload_id = v.upload_id""")
