"""The plan d'actions' data layer: scoped writes by role, the change log, the checks, v_actions."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qualepref import actions, actions_store, sql
from qualepref.access import Principal, Role, ScopeError
from qualepref.actions import ActionError
from tests.conftest import table_contents

TODAY = date(2026, 11, 15)
SITES = {"87": None, "87011": "87", "29": None}
REFERENT = Principal("ref87@interieur.gouv.fr", Role.REFERENT, "87")
REFERENT_BELLAC = Principal("bellac@interieur.gouv.fr", Role.REFERENT, "87011")
COPIL = Principal("copil87@interieur.gouv.fr", Role.COPIL, "87")
MINISTRY = Principal("ministere@interieur.gouv.fr", Role.MINISTRY)
ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN)
VISITOR = Principal("decouverte", Role.REFERENT, "87", demo=True)


def scope_of(principal: Principal, db):
    with db.cursor() as cur:
        parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
    return principal.scope(parents)


def fields(**changes) -> dict:
    return {"site_code": "87", "module": 1, "engagement": 4, "origin_kind": "indicateur",
            "origin_key": actions.indicator_key("COURRIEL_DELAI", "87", date(2026, 9, 1)),
            "origin_label": "COURRIEL_DELAI hors cible 3 mois de suite", "title": "Relancer les services",
            "owner": "BLI", "decided_on": date(2026, 10, 2), "due_on": date(2026, 12, 31), "status": "a_lancer",
            **changes}


def test_a_referent_creates_and_edits_its_prefectures_actions_and_every_change_is_kept(demo_db):
    scope = scope_of(REFERENT, demo_db)
    action_id = actions_store.create(demo_db, fields(), scope=scope, actor=REFERENT, today=TODAY)
    assert actions_store.update(demo_db, action_id, {"status": "en_cours", "owner": "SIDSIC"}, scope=scope,
                                actor=REFERENT, today=TODAY)
    assert not actions_store.update(demo_db, action_id, {"status": "en_cours"}, scope=scope, actor=REFERENT,
                                    today=TODAY)  # nothing differs: no change line
    assert actions_store.close(demo_db, action_id, date(2026, 11, 10), scope=scope, actor=REFERENT, today=TODAY)
    row = sql.run(demo_db, "actions", scope=scope).set_index("action_id").loc[action_id]
    assert (row.status, row.owner, str(row.done_on)[:10]) == ("realisee", "SIDSIC", "2026-11-10")
    changes = sql.run(demo_db, "action_changes", scope=scope)
    changes = changes[changes.action_id == action_id].iloc[::-1]
    assert list(changes.change) == ["creation", "modification", "modification"]
    assert set(changes.actor) == {REFERENT.user}
    second = changes.iloc[1]
    assert json.loads(second.before) == {"status": "a_lancer", "owner": "BLI"}
    assert json.loads(second.after) == {"status": "en_cours", "owner": "SIDSIC"}
    assert json.loads(changes.iloc[2].after) == {"status": "realisee", "done_on": "2026-11-10"}
    with demo_db.cursor() as cur:
        view = cur.execute("select * from v_actions where action_id = ?", [action_id]).df()
    assert list(view.columns) == ["action_id", "site_code", "module", "engagement", "origin_kind", "origin_key",
                                  "title", "owner", "decided_on", "due_on", "status", "done_on"]


def test_a_prefectures_referent_acts_for_its_sub_prefectures_not_the_reverse(demo_db):
    mine = actions_store.create(demo_db, fields(site_code="87011", origin_kind="libre", origin_key=None),
                                scope=scope_of(REFERENT, demo_db), actor=REFERENT, today=TODAY)
    assert mine
    bellac = scope_of(REFERENT_BELLAC, demo_db)
    before = table_contents(demo_db)
    with pytest.raises(ScopeError):
        actions_store.create(demo_db, fields(), scope=bellac, actor=REFERENT_BELLAC, today=TODAY)
    prefecture = actions_store.create(demo_db, fields(), scope=scope_of(ADMIN, demo_db), actor=ADMIN, today=TODAY)
    before = table_contents(demo_db)
    with pytest.raises(ActionError, match="introuvable"):
        actions_store.update(demo_db, prefecture, {"title": "x"}, scope=bellac, actor=REFERENT_BELLAC, today=TODAY)
    assert table_contents(demo_db) == before


def test_who_may_write_what(demo_db):
    admin_scope = scope_of(ADMIN, demo_db)
    action_id = actions_store.create(demo_db, fields(), scope=admin_scope, actor=ADMIN, today=TODAY)
    other = actions_store.create(demo_db, fields(site_code="29", origin_key=actions.indicator_key(
        "COURRIEL_DELAI", "29", date(2026, 9, 1))), scope=admin_scope, actor=ADMIN, today=TODAY)
    before = table_contents(demo_db)
    # Another prefecture's référent: neither create nor change.
    with pytest.raises(ScopeError):
        actions_store.create(demo_db, fields(site_code="29"), scope=scope_of(REFERENT, demo_db), actor=REFERENT,
                             today=TODAY)
    with pytest.raises(ActionError):
        actions_store.update(demo_db, other, {"title": "x"}, scope=scope_of(REFERENT, demo_db), actor=REFERENT,
                             today=TODAY)
    # COPIL: status, done date and comment only; never a new action.
    copil = scope_of(COPIL, demo_db)
    with pytest.raises(ScopeError, match="COPIL"):
        actions_store.create(demo_db, fields(), scope=copil, actor=COPIL, today=TODAY)
    with pytest.raises(ScopeError, match="COPIL"):
        actions_store.update(demo_db, action_id, {"title": "Autre"}, scope=copil, actor=COPIL, today=TODAY)
    # Ministry: reads everything, writes nothing.
    for changes in ({"status": "en_cours"}, {"title": "Autre"}):
        with pytest.raises(ScopeError, match="consulte"):
            actions_store.update(demo_db, action_id, changes, scope=scope_of(MINISTRY, demo_db), actor=MINISTRY,
                                 today=TODAY)
    # Discovery: nothing, whatever the role.
    with pytest.raises(ScopeError, match="Mode découverte"):
        actions_store.create(demo_db, fields(), scope=scope_of(VISITOR, demo_db), actor=VISITOR, today=TODAY)
    with pytest.raises(ScopeError, match="Mode découverte"):
        actions_store.update(demo_db, action_id, {"status": "en_cours"}, scope=scope_of(VISITOR, demo_db),
                             actor=VISITOR, today=TODAY)
    assert table_contents(demo_db) == before
    assert actions_store.update(demo_db, action_id, {"status": "en_cours", "comment": "Point au COPIL"},
                                scope=copil, actor=COPIL, today=TODAY)
    assert actions_store.close(demo_db, action_id, date(2026, 11, 2), scope=copil, actor=COPIL, today=TODAY)
    assert sql.run(demo_db, "actions", scope=copil).set_index("action_id").loc[action_id].status == "realisee"
    assert sql.run(demo_db, "actions", scope=scope_of(MINISTRY, demo_db)).action_id.isin([action_id, other]).sum() == 2
    assert set(sql.run(demo_db, "actions", scope=copil).site_code) <= {"87", "87011", "87085"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": " "}, "Intitulé obligatoire"),
    ({"status": "fini"}, "Statut inconnu"),
    ({"status": "realisee"}, "Date de réalisation obligatoire"),
    ({"done_on": date(2026, 11, 1)}, "seulement pour une action réalisée"),
    ({"due_on": date(2026, 9, 1)}, "Échéance antérieure"),
    ({"decided_on": date(2027, 1, 1), "due_on": None}, "futur"),
    ({"status": "realisee", "done_on": date(2026, 12, 1)}, "futur"),
    ({"origin_kind": "question", "origin_key": "ACCUEIL_ATTENTE"}, "code de la question|campagne"),
    ({"origin_kind": "libre", "origin_key": "X"}, "libre"),
    ({"origin_kind": "conformite", "origin_key": "1|x|2025-10-12"}, "mal formée"),
])
def test_an_action_that_breaks_a_rule_is_refused_and_nothing_is_written(demo_db, changes, message):
    before = table_contents(demo_db)
    with pytest.raises(ActionError, match=message):
        actions_store.create(demo_db, fields(**changes), scope=scope_of(REFERENT, demo_db), actor=REFERENT,
                             today=TODAY)
    assert table_contents(demo_db) == before


def test_late_actions_and_progress_counts():
    import pandas as pd

    frame = pd.DataFrame({"status": ["a_lancer", "en_cours", "en_cours", "realisee", "abandonnee"],
                          "due_on": [date(2026, 11, 1), date(2026, 11, 15), None, date(2026, 1, 1),
                                     date(2026, 1, 1)]})
    assert actions.progress_counts(frame, TODAY) == {"a_lancer": 1, "en_cours": 2, "realisee": 1, "abandonnee": 1,
                                                     "en_retard": 1}
    assert actions.late_text("a_lancer", date(2026, 11, 1), TODAY) == "⚠ en retard de 14 j"
    assert actions.late_text("en_cours", date(2026, 11, 15), TODAY) == ""  # due today: not late yet
    assert actions.follow_up_text("en_cours", date(2027, 3, 31), TODAY) == "action en cours, échéance 31/03/2027"


def test_origin_keys_follow_the_subject_whatever_the_period():
    key = actions.indicator_key("COURRIEL_DELAI", "87", "2026-09-01")
    assert key == "COURRIEL_DELAI|87|2026-09-01"
    assert actions.subject("indicateur", key) == "COURRIEL_DELAI"
    assert actions.subject("question", actions.question_key("ACCUEIL_ATTENTE", "2025 en ligne")) == "ACCUEIL_ATTENTE"
    assert actions.subject("conformite", actions.compliance_key(2, 7, date(2025, 10, 12))) == "2|7"
    assert actions.subject("libre", None) is None


def test_the_demonstration_plan_is_flagged_and_removed_with_it_real_actions_stay(demo_db):
    from qualepref import demo
    from tests.conftest import national_scope

    scope = national_scope(demo_db)
    plan = sql.run(demo_db, "actions", scope=scope)
    assert len(plan) > 100 and plan.is_demo.all()
    reading = actions.with_reading(plan, date(2026, 11, 1))
    assert {"realisee", "en_cours", "a_lancer"} <= set(plan.status) and reading.late.any()
    assert {"indicateur", "question", "conformite", "libre"} <= set(plan.origin_kind)
    assert (plan.site_code == "87").sum() >= 3
    real = actions_store.create(demo_db, fields(), scope=scope_of(REFERENT, demo_db), actor=REFERENT, today=TODAY)
    demo.remove(demo_db, actor="tests")
    left = sql.run(demo_db, "actions", scope=scope)
    assert left.action_id.tolist() == [real]
    with demo_db.cursor() as cur:
        assert cur.execute("select count(*) from action_changes where is_demo").fetchone()[0] == 0
        assert cur.execute("select count(*) from action_changes where action_id = ?", [real]).fetchone()[0] == 1


def test_a_finding_is_answered_by_its_own_action_or_one_on_the_same_engagement():
    import pandas as pd

    findings = pd.DataFrame({"finding_id": [1, 2, 3], "site_code": ["87", "87", "87"],
                             "finding_kind": ["non_conformite"] * 3, "module": [1, 2, None],
                             "engagement": [4, 7, None], "finding_text": ["a", "b", "c"]})
    stored = pd.DataFrame({"action_id": [10, 11, 12], "site_code": ["87", "87", "87"],
                           "origin_kind": ["constat", "conformite", "libre"],
                           "origin_key": ["3", "2|7|2025-10-12", None],
                           "module": [None, 2, 1], "engagement": [None, 7, 4],
                           "status": ["en_cours", "realisee", "abandonnee"]})
    out = actions.finding_actions(findings, stored).set_index("finding_id")
    assert out.has_action.to_dict() == {1: False, 2: True, 3: True}  # an abandoned action answers nothing
    assert out.action_link[3] == "plan_actions?action=10" and out.action[2] == "n° 11 — réalisée"
    assert out.action_link[1].startswith("plan_actions?pref=87&origine=constat&cle=1&module=1&engagement=4")


def test_a_demonstration_database_from_before_the_plan_gets_the_demonstration_plan(demo_db_path):
    import duckdb

    from qualepref.db import Database
    from tests.conftest import national_scope

    conn = duckdb.connect(str(demo_db_path))
    expected = conn.execute("select count(*), count(distinct site_code) from actions").fetchone()
    conn.execute("delete from action_changes")
    conn.execute("delete from actions")
    conn.execute("delete from schema_migrations where version = 71")  # as a database upgraded from before 0071
    conn.close()
    with Database(demo_db_path) as db:
        plan = sql.run(db, "actions", scope=national_scope(db))
        assert (len(plan), plan.site_code.nunique()) == expected and plan.is_demo.all()


def test_a_round1_database_upgrades_with_a_demonstration_plan_removed_with_the_demonstration(round1_db_path):
    from qualepref import demo
    from qualepref.db import Database
    from tests.conftest import national_scope

    with Database(round1_db_path) as db:
        plan = sql.run(db, "actions", scope=national_scope(db))
        assert len(plan) > 50 and plan.is_demo.all()
        demo.remove(db, actor="tests")
        assert sql.run(db, "actions", scope=national_scope(db)).empty
