"""Roles and site scope: forged scopes refused, navigation by role, imports outside the scope refused."""

import dataclasses

import pandas as pd
import pytest

from qualepref import access, sql, store
from qualepref.access import Principal, Role, ScopeError, SiteScope
from tests.conftest import ROOT, national_scope

CODES = {"29", "87", "2A", "971"}
REFERENT_87 = Principal("ref87@interieur.gouv.fr", Role.REFERENT, "87")


def test_scopes_cannot_be_built_outside_access():
    with pytest.raises(ScopeError):
        SiteScope(frozenset({"29", "87"}), national=True, can_write=True)
    with pytest.raises(ScopeError):
        SiteScope(frozenset({"87"}))
    mine = REFERENT_87.scope(CODES)
    with pytest.raises(ScopeError):
        dataclasses.replace(mine, site_codes=frozenset(CODES))
    with pytest.raises(ScopeError):
        dataclasses.replace(mine, national=True)


def test_forged_scope_never_reaches_the_data_layer(demo_db):
    class FakeScope:  # duck-typed look-alike of a national scope
        site_codes = frozenset(CODES)
        national = True
        can_write = True

        def as_param(self):
            return sorted(CODES)

        def require(self, *args, **kwargs):
            return None

    with pytest.raises(ScopeError):
        sql.run(demo_db, "sites", scope=FakeScope())
    with pytest.raises(ScopeError):
        sql.run(demo_db, "available_months", scope=None)
    batch = pd.DataFrame({
        "site_code": ["29"], "indicator_code": ["COURRIEL_DELAI"], "period_start": pd.to_datetime(["2026-01-01"]),
        "period_kind": ["month"], "value": [1.0], "comment": [None],
    })
    with pytest.raises(ScopeError), demo_db.transaction() as cur:
        # The write path re-checks the scope even if the check in `store` were bypassed.
        cur.register("classified_indicator_values", store._staging("indicator_values", batch).assign(status="replaced"))
        sql.execute(cur, "delete_classified_indicator_values", scope=FakeScope())


def test_narrowing_only_shrinks():
    mine = REFERENT_87.scope(CODES)
    assert mine.narrowed({"29", "87"}) is mine  # nothing to drop
    assert mine.narrowed({"29"}) is mine  # outside: unchanged, never widened to 29
    national = Principal("m@x.fr", Role.MINISTRY).scope(CODES)
    region = national.narrowed({"29", "2A", "99"})
    assert region.site_codes == {"29", "2A"} and region.national and not region.can_write


def test_role_rights():
    referent = REFERENT_87.scope(CODES)
    assert referent.site_codes == {"87"} and referent.can_write and not referent.names_visible
    copil = Principal("c@x.fr", Role.COPIL, "87").scope(CODES)
    assert copil.site_codes == {"87"} and not copil.can_write and not copil.names_visible
    ministry = Principal("m@x.fr", Role.MINISTRY).scope(CODES)
    assert ministry.site_codes == CODES and ministry.names_visible and not ministry.can_write
    admin = Principal("a@x.fr", Role.ADMIN).scope(CODES)
    assert admin.site_codes == CODES and admin.can_write
    with pytest.raises(ScopeError):
        Principal("c@x.fr", Role.COPIL).scope(CODES)  # a local role needs its prefecture
    with pytest.raises(ScopeError):
        copil.require({"87"}, write=True)
    with pytest.raises(ScopeError):
        ministry.require({"87"}, write=True)


# Haute-Vienne (87) with its two sub-prefectures, and the Finistère with one.
TREE = {"29": None, "29019": "29", "87": None, "87011": "87", "87126": "87", "2A": None}


def test_a_prefecture_scope_holds_its_sub_prefectures_and_a_sub_prefecture_scope_only_itself():
    referent = REFERENT_87.scope(TREE)
    assert referent.site_codes == {"87", "87011", "87126"} and referent.can_write and not referent.national
    copil = Principal("c@x.fr", Role.COPIL, "87").scope(TREE)
    assert copil.site_codes == {"87", "87011", "87126"} and not copil.can_write
    bellac = Principal("b@x.fr", Role.REFERENT, "87011").scope(TREE)
    assert bellac.site_codes == {"87011"} and bellac.can_write
    with pytest.raises(ScopeError):
        bellac.require({"87"}, write=True)  # never its prefecture, nor its sibling
    with pytest.raises(ScopeError):
        bellac.require({"87126"})
    referent.require({"87011"}, write=True)
    # Narrowing to a sub-prefecture stays inside; a national scope sees every site.
    assert referent.narrowed({"87011"}).site_codes == {"87011"}
    assert Principal("m@x.fr", Role.MINISTRY).scope(TREE).site_codes == set(TREE)


def test_navigation_by_role_covers_every_page_file():
    files = {p.stem for p in (ROOT / "pages").glob("*.py")}
    offered = {stem for role in Role for stems in access.navigation(role).values() for stem in stems}
    assert files == offered | {access.SIGN_IN_PAGE, *access.PUBLIC_PAGES}, \
        "a page file is in no role's navigation (or vice versa)"
    admin_pages = set(access.ADMIN_PAGES)
    for role in (Role.REFERENT, Role.COPIL, Role.MINISTRY):
        pages = {s for stems in access.navigation(role).values() for s in stems}
        assert not pages & admin_pages, role
    assert "import_donnees" in {s for v in access.navigation(Role.REFERENT).values() for s in v}
    for role in (Role.COPIL, Role.MINISTRY):  # read-only roles are not offered the import
        assert "import_donnees" not in {s for v in access.navigation(role).values() for s in v}


def test_referent_cannot_write_another_prefecture(demo_db):
    scope = REFERENT_87.scope(national_scope(demo_db).site_codes)
    batch = pd.DataFrame({
        "site_code": ["29"], "indicator_code": ["COURRIEL_DELAI"], "period_start": pd.to_datetime(["2026-01-01"]),
        "period_kind": ["month"], "value": [1.0], "comment": [None],
    })
    before = sql.run(demo_db, "sites", scope=national_scope(demo_db))
    with pytest.raises(ScopeError, match="29"), demo_db.transaction() as cur:
        store.write(cur, "indicator_values", batch, scope=scope, upload_id=store.next_upload_id(demo_db.cursor()))
    assert len(sql.run(demo_db, "sites", scope=national_scope(demo_db))) == len(before)


def test_import_naming_another_prefecture_is_rejected_with_a_clear_error(demo_db):
    from qualepref import ingest

    scope = REFERENT_87.scope(national_scope(demo_db).site_codes)
    content = "Site;Indicateur;Période;Valeur\nFinistère;COURRIEL_DELAI;2026-01;4,5\n".encode()
    # Refused either as an error of the import report or by the scope check of the
    # write path (ScopeError); both name the prefecture outside the scope.
    try:
        plan = ingest.analyse(content, "finistere.csv", db=demo_db, scope=scope, kind="auto")
    except ScopeError as exc:
        messages = str(exc)
    else:
        assert not plan.ok
        messages = " ".join(issue.message for issue in plan.errors)
        with pytest.raises(Exception):  # noqa: B017 - committing a refused plan is refused, whatever the type
            ingest.commit(plan, db=demo_db, scope=scope, uploaded_by=REFERENT_87.user)
    assert "périmètre" in messages.lower() and ("29" in messages or "Finistère" in messages), messages
    with demo_db.cursor() as cur:
        n = cur.execute("select count(*) from uploads where not is_demo").fetchone()[0]
    assert n == 0
