"""Migrations 0060–0062 keep a database written by the code before them (every earlier migration —
0001–0005 when issue 14 began, the other engineers' since —, its demonstration data, an account) and
give its sites a kind, an article, the new tables and the demonstration's label history."""

from __future__ import annotations

import pytest

from qualepref import auth, demo
from qualepref import db as dbmod
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import DEMO_END_MONTH, table_contents

SITES_MIGRATION = 60  # 0060_sites_labellisation: every migration before it is "today's main"
FACT_TABLES = ("indicator_values", "survey_results", "compliance_assessments", "uploads", "accounts", "audit_log",
               "modules", "engagements", "indicators", "questions", "synonyms")


@pytest.fixture(scope="module")
def old_database(tmp_path_factory):
    """A database as `main` wrote it before sites had kinds: every migration before 0060, the demonstration."""
    path = tmp_path_factory.mktemp("avant") / "avant-sites.duckdb"
    previous = [m for m in dbmod._migrations() if m[0] < SITES_MIGRATION]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbmod, "_migrations", lambda: previous)
        with Database(path) as database:
            demo.load_facts(database, end_month=DEMO_END_MONTH)
            auth.create_account(database, actor="tests", email="ref87@interieur.gouv.fr", display_name="Réf 87",
                                role=Role.REFERENT, site_code="87")
            with database.cursor() as cur:
                versions = [r[0] for r in cur.execute("select version from schema_migrations").fetchall()]
                assert max(versions) < SITES_MIGRATION
                columns = {r[0] for r in cur.execute("describe sites").fetchall()}
            assert "site_kind" not in columns
            before = table_contents(database)
            columns_before = {t: [r[0] for r in database.cursor().execute(f'describe "{t}"').fetchall()]
                              for t in FACT_TABLES}
            sites_before = database.cursor().execute("select * from sites order by site_code").fetchall()
            database.checkpoint()
    return path, (before, columns_before), sites_before


def test_an_older_database_keeps_its_data_and_gains_site_kinds(old_database, tmp_path):
    path, (before, columns_before), sites_before = old_database
    copy = tmp_path / "copie.duckdb"
    copy.write_bytes(path.read_bytes())
    with Database(copy) as database:  # opening applies 0060 and later
        after = table_contents(database)
        for table in FACT_TABLES:
            # The columns the table had, row for row (a later migration may add a column of its own).
            names = ", ".join(f'"{c}"' for c in columns_before[table])
            with database.cursor() as cur:
                kept = cur.execute(f'select {names} from "{table}"').fetchall()
            assert sorted(map(repr, kept)) == before[table], table
        # Regions: the same, plus the pseudo-region of the collectivités d'outre-mer.
        assert set(after["regions"]) - set(before["regions"]) == {"('COM', \"Collectivités d'outre-mer\")"}
        with database.cursor() as cur:
            kept = cur.execute("select site_code, site_name, region_code, prefecture_city, zone, lon, lat, active "
                               "from sites where site_code in (select unnest($codes)) order by site_code",
                               {"codes": [row[0] for row in sites_before]}).fetchall()
            assert kept == sites_before  # every prefecture as it was
            assert cur.execute("select count(*), count(distinct site_kind) from v_sites").fetchone() == (101, 1)
            assert cur.execute("select tncc from sites where site_code = '59'").fetchone()[0] == 2  # le Nord
            # The demonstration's labelling history was added, flagged demonstration.
            n_events, n_demo, n_sites = cur.execute(
                "select count(*), count(*) filter (where is_demo), count(distinct site_code) from label_events"
            ).fetchone()
            assert n_events == n_demo > 0 and n_sites == 101
            # Its périmètre is what each site was assessed on (module 1 and its optional modules).
            assert cur.execute("""
                select count(*) from (
                    select site_code, module from compliance_assessments where is_demo
                    except select site_code, module from v_site_modules where until is null)""").fetchone()[0] == 0
        # The account still signs in and its scope is its prefecture (no sub-prefecture yet).
        account = auth.get_account(database, "ref87@interieur.gouv.fr")
        with database.cursor() as cur:
            parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
        assert account.principal().scope(parents).site_codes == {"87"}


def test_an_older_database_whose_demonstration_was_removed_gets_no_history(old_database, tmp_path):
    path, _, _ = old_database
    copy = tmp_path / "sans-demo.duckdb"
    copy.write_bytes(path.read_bytes())
    previous = [m for m in dbmod._migrations() if m[0] < SITES_MIGRATION]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbmod, "_migrations", lambda: previous)
        with Database(copy) as database, database.transaction() as cur:
            for table in ("indicator_values", "survey_results", "compliance_assessments", "uploads"):
                cur.execute(f"delete from {table} where is_demo")
            cur.execute("insert or replace into meta values ('demo_dismissed', 1)")
    with Database(copy) as database, database.cursor() as cur:
        assert cur.execute("select count(*) from label_events").fetchone()[0] == 0


def test_migrating_twice_changes_nothing(old_database, tmp_path):
    path, _, _ = old_database
    copy = tmp_path / "copie.duckdb"
    copy.write_bytes(path.read_bytes())
    with Database(copy) as database:
        first = table_contents(database)
    with Database(copy) as database:
        assert dbmod.apply_migrations(database) == []
        assert table_contents(database) == first
    assert Principal("x", Role.ADMIN)  # (the principal type is unchanged)
