"""The benchmark's data sets, each in its own DuckDB file, written like the demonstration.

national  : the 101 prefectures × 36 months (exactly `demo.generate`),
mois_x10  : the same sites × 360 months,
sites_x10 : 1 010 sites (909 synthetic ones added to `sites`) × 36 months.
Rows go through the real write path (`store.write` in one transaction per
kind), so the files look like what the app builds itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from qualepref import access, demo, sql, store
from qualepref.access import SiteScope
from qualepref.db import Database

N_NATIONAL_SITES = 101


@dataclass(frozen=True)
class DataSetSpec:
    name: str
    n_sites: int
    n_months: int
    label: str


FULL = (
    DataSetSpec("national", N_NATIONAL_SITES, 36, "national (101 sites × 36 mois)"),
    DataSetSpec("mois_x10", N_NATIONAL_SITES, 360, "10× les mois (101 sites × 360 mois)"),
    DataSetSpec("sites_x10", 10 * N_NATIONAL_SITES, 36, "10× les sites (1 010 sites × 36 mois)"),
)
# Tiny sizes to develop and debug the benchmark itself (`--quick`).
QUICK = (
    DataSetSpec("national", 4, 4, "rapide (4 sites × 4 mois)"),
    DataSetSpec("mois_x10", 4, 40, "rapide (4 sites × 40 mois)"),
    DataSetSpec("sites_x10", 40, 4, "rapide (40 sites × 4 mois)"),
)


def synthetic_sites(real_sites: pd.DataFrame, n_extra: int) -> pd.DataFrame:
    """`n_extra` fictitious sites `X0001`…, each borrowing a real site's region and zone."""
    real = real_sites.sort_values("site_code").reset_index(drop=True)
    rows = []
    for i in range(n_extra):
        model = real.iloc[i % len(real)]
        number = f"{i + 1:04d}"
        rows.append({
            "site_code": f"X{number}",
            "site_name": f"Site fictif {number}",
            "region_code": model.region_code,
            "prefecture_city": f"Ville fictive {number}",
            "zone": model.zone,
            "lon": model.lon,
            "lat": model.lat,
            "active": True,
        })
    return pd.DataFrame(rows, columns=["site_code", "site_name", "region_code", "prefecture_city",
                                       "zone", "lon", "lat", "active"])


def _all_sites(cur) -> pd.DataFrame:
    # Bench-only read of the seeded sites (not product SQL, hence not in queries/).
    return cur.execute("select site_code, site_name, region_code, prefecture_city, zone, lon, lat, "
                       "active from sites order by site_code").df()


def _add_sites(db: Database, extra: pd.DataFrame) -> None:
    with db.transaction() as cur:
        cur.register("bench_extra_sites", extra)
        cur.execute("insert into sites (site_code, site_name, region_code, prefecture_city, zone, lon, "
                    "lat, active) select site_code, site_name, region_code, prefecture_city, zone, "
                    "lon, lat, active from bench_extra_sites")
        cur.unregister("bench_extra_sites")


def site_codes_for(all_codes, n_sites: int) -> list[str]:
    """The first `n_sites` codes in order (real prefectures first, then the `X` ones)."""
    return sorted(all_codes)[:n_sites]


def build(path: Path | str, spec: DataSetSpec, *, end_month: date | None = None,
          seed: int = demo.DEFAULT_SEED) -> dict[str, int]:
    """Create the data set's database file from nothing; returns the rows written per kind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    end_month = end_month or demo.last_complete_month()
    with Database(path) as db:
        with db.cursor() as cur:
            sites = _all_sites(cur)
        # Active sites only: the overseas collectivités listed inactive receive no data (and an
        # import naming them is refused), so a data set of N sites is N active ones.
        active = sites[sites.active.astype(bool)]
        if spec.n_sites > len(active):
            _add_sites(db, synthetic_sites(active, spec.n_sites - len(active)))
            with db.cursor() as cur:
                sites = _all_sites(cur)
            active = sites[sites.active.astype(bool)]
        codes = site_codes_for(active.site_code, spec.n_sites)
        scope = writer_scope(sites.site_code)
        data = demo.generate(
            codes,
            sql.run(db, "referentiel_indicators", scope=scope),
            sql.run(db, "referentiel_questions", scope=scope),
            sql.run(db, "referentiel_engagements", scope=scope),
            seed=seed, end_month=end_month, n_months=spec.n_months,
        )
        written = {}
        kinds = {"indicator_values": "indicateurs", "survey_results": "enquete", "compliance": "conformite"}
        with db.transaction() as cur:
            for kind, frame in (("indicator_values", data.indicator_values),
                                ("survey_results", data.survey_results),
                                ("compliance", data.compliance)):
                upload_id = store.next_upload_id(cur)
                counts = store.write(cur, kind, frame, scope=scope, upload_id=upload_id, is_demo=True)
                store.record_upload(
                    cur, upload_id=upload_id, uploaded_by="banc d'essai",
                    file_name=f"banc-{spec.name}-{kind}", sha256=f"bench-{seed}-{spec.name}-{kind}",
                    kind=kinds[kind], site_codes=codes, period_min=None, period_max=None,
                    counts=counts, is_demo=True,
                )
                written[kind] = counts.written
        db.checkpoint()
    return written


def writer_scope(site_codes) -> SiteScope:
    """Every site, read and write, minted the way the command line does."""
    mint = getattr(access, "system_scope", None)
    if mint is not None:
        return mint(site_codes)
    return SiteScope(frozenset(site_codes), national=True, can_write=True)


def national_scope(db: Database) -> SiteScope:
    with db.cursor() as cur:
        codes = [row[0] for row in sql.execute(cur, "site_codes")]
    return writer_scope(codes)
