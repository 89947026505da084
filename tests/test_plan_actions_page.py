"""AppTest of the plan d'actions: create from an alert, edit, close; who sees which form; Alertes shows the
open action instead of an abandoned alert."""

from __future__ import annotations

import shutil
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import actions_store, auth, sql
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

ACCOUNTS = {
    "referent": Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87"),
    "copil": Principal("copil87@interieur.gouv.fr", Role.COPIL, "87"),
    "ministere": Principal("ministere@interieur.gouv.fr", Role.MINISTRY),
    "admin": Principal("admin@interieur.gouv.fr", Role.ADMIN),
}


@pytest.fixture(scope="module")
def accounts_db(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        for p in ACCOUNTS.values():
            auth.create_account(db, actor="tests", email=p.user, display_name=p.user.split("@")[0], role=p.role,
                                site_code=p.site_code)
        db.checkpoint()
    return path


@pytest.fixture
def db_path(accounts_db, tmp_path):
    path = tmp_path / "copie.duckdb"
    shutil.copy(accounts_db, path)
    return path


def _open(path, who: str, stem: str, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["principal"] = ACCOUNTS[who]
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{stem}.py").run()
    assert not at.exception, at.exception
    return at


def _actions(path, who="admin"):
    with Database(path) as db, db.cursor() as cur:
        parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
        return sql.run(db, "actions", scope=ACCOUNTS[who].scope(parents))


def _demo_free(path):
    with Database(path) as db:
        return len(sql.run(db, "actions", scope=ACCOUNTS["admin"].scope(
            [r[0] for r in db.cursor().execute("select site_code from sites").fetchall()])))


def test_create_from_an_alert_then_edit_then_close(db_path, monkeypatch):
    at = _open(db_path, "referent", "alertes", monkeypatch)
    table = at.dataframe[0].value
    assert {"Plan d'actions", "Action"} <= set(table.columns)
    row = table[table["Plan d'actions"] == "aucune action"].iloc[0]
    link = row["Action"]
    assert link.startswith("plan_actions?")
    params = dict(parse_qsl(urlsplit(link).query))
    assert params["pref"] == "87" and params["origine"] in ("indicateur", "question") and params["cle"]
    before = _demo_free(db_path)
    # Following the link: the form is prefilled with the origin.
    at = _open(db_path, "referent", "plan_actions", monkeypatch, **params)
    assert any(params["libelle"][:20] in i.value.replace("\\", "") for i in at.info), [i.value for i in at.info]
    at.text_input(key="pa_c_title").set_value("Renforcer l'accueil aux heures de pointe")
    at.date_input(key="pa_c_due").set_value(date(2027, 3, 31))
    form_buttons = [b for b in at.button if b.label == "Créer l'action"]
    form_buttons[0].click().run()
    assert not at.exception, at.exception
    stored = _actions(db_path)
    assert len(stored) == before + 1
    assert not [i for i in at.info if i.value.startswith("Origine :")]  # the form is not prefilled again
    assert "origine" not in at.query_params and "cle" not in at.query_params
    new = stored[stored.title == "Renforcer l'accueil aux heures de pointe"].iloc[0]
    assert (new.site_code, new.origin_kind, new.origin_key) == ("87", params["origine"], params["cle"])
    assert new.engagement > 0  # the engagement of the indicator or question, from the référentiel
    action_id = int(new.action_id)
    # The alert now shows its open action and links to it.
    alerts_page = _open(db_path, "referent", "alertes", monkeypatch)
    table = alerts_page.dataframe[0].value
    followed = table[table["Action"] == f"plan_actions?action={action_id}"]
    assert len(followed) >= 1
    assert followed["Plan d'actions"].iloc[0] == "action à lancer, échéance 31/03/2027"
    # Edit: status and owner.
    at = _open(db_path, "referent", "plan_actions", monkeypatch, action=str(action_id))
    assert at.selectbox(key="pa_choix").value == action_id
    at.selectbox(key=f"pa_e_status_{action_id}").set_value("en_cours")
    at.text_input(key=f"pa_e_wg_{action_id}").set_value("GT accueil")
    next(b for b in at.button if b.label == "Enregistrer les modifications").click().run()
    assert not at.exception, at.exception
    row = _actions(db_path).set_index("action_id").loc[action_id]
    assert (row.status, row.working_group) == ("en_cours", "GT accueil")
    # Close.
    at.button(key=f"pa_close_{action_id}").click().run()
    assert not at.exception, at.exception
    row = _actions(db_path).set_index("action_id").loc[action_id]
    assert row.status == "realisee" and str(row.done_on)[:10] == date.today().isoformat()
    with Database(db_path) as db:
        history = db.cursor().execute("select change, actor from action_changes where action_id = ? "
                                      "order by changed_at", [action_id]).fetchall()
    assert [c for c, _ in history] == ["creation", "modification", "modification"]
    assert {a for _, a in history} == {ACCOUNTS["referent"].user}


def test_a_copil_member_updates_the_status_only_and_the_ministry_reads(db_path, monkeypatch):
    with Database(db_path) as db, db.cursor() as cur:
        parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
        action_id = actions_store.create(db, {"site_code": "87", "title": "Former les agents d'accueil",
                                              "decided_on": date(2026, 1, 5), "due_on": date(2026, 6, 30)},
                                         scope=ACCOUNTS["referent"].scope(parents), actor=ACCOUNTS["referent"])
    at = _open(db_path, "copil", "plan_actions", monkeypatch, action=str(action_id))
    assert at.text_input(key="pa_c_title") is None if False else not [t for t in at.text_input
                                                                     if t.key == "pa_c_title"]
    assert not [t for t in at.text_input if t.key == f"pa_e_title_{action_id}"]
    assert [d for d in at.get("download_button") if "Télécharger le plan" in d.proto.label]
    listing = at.dataframe[0].value
    late = listing[listing["N°"] == action_id].iloc[0]
    assert late["Retard"].startswith("⚠ en retard de")
    at.selectbox(key=f"pa_e_status_{action_id}").set_value("abandonnee")
    at.text_area(key=f"pa_e_comment_{action_id}").set_value("Remplacée par la formation nationale")
    next(b for b in at.button if b.label == "Enregistrer les modifications").click().run()
    assert not at.exception, at.exception
    row = _actions(db_path).set_index("action_id").loc[action_id]
    assert (row.status, row.comment) == ("abandonnee", "Remplacée par la formation nationale")
    ministry = _open(db_path, "ministere", "plan_actions", monkeypatch)
    assert not [b for b in ministry.button if b.label in ("Créer l'action", "Enregistrer les modifications")]
    assert "Site" in ministry.dataframe[0].value.columns or ministry.dataframe[0].value.empty is False


def test_create_from_a_non_conformity_on_conformite(db_path, monkeypatch):
    with Database(db_path) as db, db.cursor() as cur:
        scope = ACCOUNTS["admin"].scope([r[0] for r in cur.execute("select site_code from sites").fetchall()])
        latest = sql.run(db, "compliance_latest", scope=scope, as_of=date.today())
    site = sorted(latest[latest.result == "non_conforme"].site_code)[0]
    at = _open(db_path, "admin", "conformite", monkeypatch, pref=site)
    frames = [d.value for d in at.dataframe if "Évaluation" in d.value.columns]
    assert frames, "the non-conformities of the prefecture are listed"
    table = frames[0]
    assert table["Évaluation"].str.startswith("Non conforme — ").all()
    todo = table[table["Plan d'actions"] == "aucune action"]
    if todo.empty:  # every non-conformity of the demonstration has its action: the link opens it
        assert table["Action"].str.startswith("plan_actions?action=").all()
        return
    params = dict(parse_qsl(urlsplit(todo["Action"].iloc[0]).query))
    assert params["origine"] == "conformite" and params["engagement"]
    at = _open(db_path, "admin", "plan_actions", monkeypatch, **params)
    at.text_input(key="pa_c_title").set_value("Mettre à jour la procédure")
    next(b for b in at.button if b.label == "Créer l'action").click().run()
    assert not at.exception, at.exception
    new = _actions(db_path)
    new = new[new.title == "Mettre à jour la procédure"].iloc[0]
    assert (new.origin_kind, new.origin_key, int(new.engagement)) == ("conformite", params["cle"],
                                                                      int(params["engagement"]))


def test_the_ministry_reads_per_prefecture_how_far_the_plan_follows_alerts_and_non_conformities(db_path,
                                                                                               monkeypatch):
    at = _open(db_path, "ministere", "plan_actions", monkeypatch)
    table = next(d.value for d in at.dataframe if "Part suivie par une action (%)" in d.value.columns)
    assert len(table) >= 90 and table["Code"].is_unique
    assert {"Alertes ouvertes", "Alertes suivies par une action", "Non-conformités", "Actions en retard"} <= set(
        table.columns)
    assert (table["Alertes suivies par une action"].astype(int) <= table["Alertes ouvertes"].astype(int)).all()
    assert any(m.label == "Actions en retard" and int(m.value.replace("\u202f", "")) > 0 for m in at.metric)
    # Comparaison: the column for national scopes only.
    cmp = _open(db_path, "ministere", "comparaison", monkeypatch)
    columns = {c for d in cmp.dataframe for c in d.value.columns}
    assert "Plan d'actions : alertes et non-conformités suivies (%)" in columns and "Actions en retard" in columns
    local = _open(db_path, "referent", "comparaison", monkeypatch)
    assert not {c for d in local.dataframe for c in d.value.columns} & {"Actions en retard"}


def test_an_action_done_on_an_indicator_shows_its_effect_before_and_after(db_path, monkeypatch):
    stored = _actions(db_path, "referent")
    done = stored[(stored.site_code == "87") & (stored.origin_kind == "indicateur") & (stored.status == "realisee")]
    action_id = int(done.action_id.iloc[0])
    at = _open(db_path, "referent", "plan_actions", monkeypatch, action=str(action_id))
    effect = [m.value for m in at.markdown if m.value.startswith("**Effet sur")]
    assert effect and any(word in effect[0] for word in ("Amélioration", "Pas de changement net", "Dégradation"))
    assert any("Avant : " in c.value and "périodes" in c.value for c in at.caption)
    assert at.get("plotly_chart"), "the small before/after chart"


def test_the_plan_goes_round_through_excel_on_the_import_page(db_path, monkeypatch):
    from tests.test_actions_import import download, edited

    with Database(db_path) as db, db.cursor() as cur:
        parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
        scope = ACCOUNTS["referent"].scope(parents)
        content = download(db, scope)
        first = sql.run(db, "actions", scope=scope).iloc[0]
    content = edited(content, {(2, "Échéance"): date(2027, 6, 30), (2, "Commentaire"): "Revue au COPIL de juin"},
                     [{"Site": "87", "Intitulé": "Permanence le samedi matin", "Statut": "À lancer",
                       "Pilote": "Accueil général", "Échéance": date(2027, 3, 1)}])
    at = _open(db_path, "referent", "import_donnees", monkeypatch)
    at.file_uploader(key="import_files").upload("plan.xlsx", content,
                                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    assert not at.exception, at.exception
    changes = next(d.value for d in at.dataframe if "Changement" in d.value.columns)
    assert list(changes["Changement"]).count("nouvelle action") == 1
    changed = changes[changes["N°"] == str(int(first.action_id))]["Changement"].iloc[0]
    assert "Échéance : " in changed and "→ 30/06/2027" in changed and "→ Revue au COPIL de juin" in changed
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    assert not at.exception, at.exception
    row = _actions(db_path).set_index("action_id").loc[int(first.action_id)]
    assert (str(row.due_on)[:10], row.comment) == ("2027-06-30", "Revue au COPIL de juin")
    assert (_actions(db_path).title == "Permanence le samedi matin").sum() == 1


def test_notre_demarche_links_each_finding_to_the_plan_and_counts_the_uncovered_non_conformities(db_path,
                                                                                                  monkeypatch):
    at = _open(db_path, "referent", "demarche", monkeypatch)
    findings = next(d.value for d in at.dataframe if "Constat" in d.value.columns)
    assert findings["Action"].str.startswith("plan_actions?").all()
    created = findings[findings["Action"].str.contains("origine=constat")]
    assert created.empty or created["Action"].str.contains("cle=").all()
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Non-conformités ouvertes sans action" in texts
    assert "pas encore suivi dans l'outil" not in texts
