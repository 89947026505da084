"""The upload-history page with real Streamlit (AppTest) on a real database file."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from qualepref import auth, store
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

SHA = "ab12cd34ef56" + "0" * 52


def _record_real_upload(db: Database) -> None:
    """A real (non-demonstration) upload for prefecture 87, written through the store."""
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    scope = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87").scope(codes)
    frame = pd.DataFrame({
        "site_code": ["87", "87", "87"],
        "indicator_code": ["COURRIER_DELAI"] * 3,
        "period_start": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
        "period_kind": ["month"] * 3,
        "value": [12.0, 11.0, 10.5],
        "comment": [None, None, None],
    })
    with db.transaction() as cur:
        upload_id = store.next_upload_id(cur)
        counts = store.write(cur, "indicator_values", frame, scope=scope, upload_id=upload_id)
        store.record_upload(cur, upload_id=upload_id, uploaded_by="referent87@interieur.gouv.fr",
                            file_name="tableau-de-bord-87.xlsx", sha256=SHA, kind="indicateurs",
                            site_codes=["87"], period_min="2025-01", period_max="2025-03", counts=counts)


def sign_in(at: AppTest, db_path, principal: Principal) -> AppTest:
    """Act as `principal`: its account exists in the database and the session holds it."""
    with Database(db_path) as db:
        if auth.get_account(db, principal.user) is None:
            auth.create_account(db, actor="tests", email=principal.user, display_name=principal.user,
                                role=principal.role, site_code=principal.site_code)
    at.session_state["principal"] = principal
    return at


MINISTRY = Principal("ministere@interieur.gouv.fr", Role.MINISTRY)



@pytest.fixture
def open_as(demo_db_path, monkeypatch):
    """The app on the demonstration database plus one real upload, for a given user."""
    with Database(demo_db_path) as db:
        _record_real_upload(db)
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))

    def open_app(principal: Principal) -> AppTest:
        return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), demo_db_path, principal).run()

    return open_app


def _history(at) -> pd.DataFrame:
    at.switch_page("pages/historique.py").run()
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe]
    return frames[0] if frames else pd.DataFrame()


def test_national_view_lists_real_and_demonstration_uploads(open_as):
    at = open_as(MINISTRY)
    table = _history(at)
    assert len(table) == 4
    real = table[table["Fichier"] == "tableau-de-bord-87.xlsx"].iloc[0]
    assert real["Par"] == "referent87@interieur.gouv.fr" and real["Type"] == "Indicateurs"
    assert real["Préfectures"] == "87" and real["Périodes"] == "janv. 2025 – mars 2025"
    assert (real["Lignes écrites"], real["dont remplacées"], real["Lignes supprimées"]) == (3, 3, 0)  # over demo values
    assert real["SHA-256"] == "ab12cd34ef56" and real["SHA-256 complet"] == SHA
    assert real["Origine"] == "Import"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", real["Date"])
    demo_rows = table[table["Origine"] == "Démonstration"]
    assert sorted(demo_rows["Type"]) == ["Conformité", "Enquête", "Indicateurs"]
    assert all(p.startswith("110 sites") for p in demo_rows["Préfectures"])  # 101 prefectures, 9 sub-prefectures


def test_filters_by_kind_and_prefecture(open_as):
    at = open_as(MINISTRY)
    _history(at)
    at.sidebar.selectbox(key="historique_type").set_value("enquete").run()
    table = at.dataframe[0].value
    assert list(table["Type"]) == ["Enquête"] and list(table["Origine"]) == ["Démonstration"]
    at.sidebar.selectbox(key="historique_type").set_value("__tous__").run()
    at.sidebar.selectbox(key="pref").set_value("29").run()
    assert "tableau-de-bord-87.xlsx" not in set(at.dataframe[0].value["Fichier"])
    at.sidebar.selectbox(key="pref").set_value("87").run()
    assert "tableau-de-bord-87.xlsx" in set(at.dataframe[0].value["Fichier"])


def downloaded(at, stores, label: str) -> bytes:
    """The bytes a download button serves, read from the media storage of the last run."""
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    name = button.proto.url.rsplit("/", 1)[1]
    return stores[-1].get_file(name).content


@pytest.fixture
def media_stores(monkeypatch):
    """Keep AppTest's in-memory media storages, to read what download buttons serve."""
    stores = []
    original = MemoryMediaFileStorage.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        stores.append(self)

    monkeypatch.setattr(MemoryMediaFileStorage, "__init__", keep)
    return stores


def test_history_downloads(open_as, media_stores):
    at = open_as(MINISTRY)
    table = _history(at)
    wb = openpyxl.load_workbook(io.BytesIO(downloaded(at, media_stores, "Télécharger l'historique (Excel)")))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("N°", "Date", "Par", "Fichier", "Annulé") and len(rows) == 1 + len(table)
    assert ("tableau-de-bord-87.xlsx", SHA) in {(r[3], r[-1]) for r in rows}
    text = downloaded(at, media_stores, "Télécharger l'historique (CSV)").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("N°;Date;Par;Fichier;Annulé") and SHA in text


@pytest.mark.parametrize(("site", "expected"), [("87", {"tableau-de-bord-87.xlsx"}), ("29", set())])
def test_a_referent_sees_only_uploads_within_their_prefecture(open_as, site, expected):
    at = open_as(Principal(f"referent{site}@interieur.gouv.fr", Role.REFERENT, site))
    table = _history(at)
    # Demonstration uploads span every prefecture: outside a single prefecture's scope.
    assert set(table.get("Fichier", [])) == expected
    if not expected:
        assert any("Aucun import" in i.value for i in at.info)


REFERENT_87 = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87")
REFERENT_29 = Principal("referent29@interieur.gouv.fr", Role.REFERENT, "29")


def _values_87(path) -> list:
    with Database(path) as db, db.cursor() as cur:
        return cur.execute("select strftime(period_start, '%Y-%m'), value, is_demo from indicator_values "
                           "where site_code = '87' and indicator_code = 'COURRIER_DELAI' "
                           "and period_start >= date '2025-01-01' and period_start < date '2025-04-01' "
                           "order by 1").fetchall()


def test_a_referent_undoes_its_import_from_the_history(open_as, demo_db_path):
    """The real upload replaced three demonstration values: undoing it brings them back, audited."""
    assert [demo for _, _, demo in _values_87(demo_db_path)] == [False, False, False]
    at = open_as(REFERENT_87)
    _history(at)
    box = at.selectbox(key="historique_annuler")
    assert [o for o in box.options if "tableau-de-bord-87.xlsx" in o] == box.options
    box.select_index(0).run()
    assert not at.exception, at.exception
    [notice] = [w.value for w in at.warning if "reprendront leur état" in w.value]
    assert notice.startswith("3 valeur\\(s\\) reprendront leur état d'avant l'import")  # as ui.plain escapes it
    at.button(key="historique_confirmer_annulation").click().run()
    assert not at.exception, at.exception
    assert any("annulé : 3 valeur" in s.value for s in at.success), [e.value for e in at.error]
    values = _values_87(demo_db_path)
    assert values and all(demo for _, _, demo in values), "the demonstration values are back"
    table = _history(at)
    undone = table[table["Fichier"] == "tableau-de-bord-87.xlsx"].iloc[0]
    assert undone["Annulé"].startswith("le ") and undone["Annulé"].endswith(REFERENT_87.user)
    with Database(demo_db_path) as db:
        assert auth.audit_history(db, entities=("import",)).action.tolist() == ["annulation"]


def test_another_prefectures_referent_and_the_ministry_cannot_undo(open_as):
    for principal in (REFERENT_29, MINISTRY):
        at = open_as(principal)
        _history(at)
        options = [] if not at.get("selectbox") else [
            o for s in at.selectbox if s.key == "historique_annuler" for o in s.options]
        assert not any("tableau-de-bord-87.xlsx" in o for o in options), principal
        assert not [b for b in at.button if b.key == "historique_confirmer_annulation"]
