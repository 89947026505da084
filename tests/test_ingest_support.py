"""Helpers shared by the import tests (files are written by test code into tmp dirs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from qualepref import ingest
from qualepref.access import Principal, Role

DATA = Path(__file__).resolve().parent / "data"
# Fixed so "a period in the future" does not depend on the day the tests run.
TODAY = date(2026, 11, 15)


def national_scope(db):
    """The administrator's scope (all sites), as the command line uses."""
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    return Principal("tests", Role.ADMIN).scope(codes)


def analyse(db, path: Path, *, scope=None, **kwargs):
    return ingest.analyse(Path(path).read_bytes(), Path(path).name, db=db, scope=scope or national_scope(db),
                          today=TODAY, **kwargs)


def import_file(db, path: Path, **kwargs):
    """Analyse and commit; fails the test with the plan's errors if the file is refused."""
    plan = analyse(db, path, **kwargs)
    assert plan.ok, plan.errors_frame().to_string()
    return plan, ingest.commit(plan, db=db, scope=national_scope(db), uploaded_by="tests")


def indicator_rows(db, site=None) -> list[tuple]:
    """(site, indicator, 'YYYY-MM-DD', kind, value) from the analysts' view."""
    where = "where site_code = $site" if site else ""
    with db.cursor() as cur:
        rows = cur.execute(
            f"select site_code, indicator_code, strftime(period_start, '%Y-%m-%d'), period_kind, round(value, 6) "
            f"from v_indicator_values {where} order by 1, 2, 3", {"site": site} if site else {}).fetchall()
    return rows


def survey_rows(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select site_code, campaign, question_code, n_tres_satisfait, n_satisfait, n_peu_satisfait, "
            "n_pas_du_tout_satisfait, n_sans_avis, n_expressed, round(satisfaction_rate, 6) "
            "from v_survey_results order by 1, 2, 3").fetchall()


def compliance_rows(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select site_code, module, engagement, strftime(assessed_on, '%Y-%m-%d'), assessment_type, result "
            "from v_compliance order by 1, 2, 3, 4, 5").fetchall()


def upload_count(db) -> int:
    with db.cursor() as cur:
        return cur.execute("select count(*) from uploads").fetchone()[0]
