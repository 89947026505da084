"""The Import page with real Streamlit (AppTest `file_uploader`) on a real database file."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from qualepref import auth, sql, store
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT, table_contents

REFERENT = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# No site column: the référent's own prefecture is used. One value replaces a
# stored one, one is new, and an explicit missing marker deletes a stored value.
GOOD_CSV = (
    "Indicateur;Période;Valeur;Commentaire\n"
    "COURRIER_DELAI;janv. 2025;12,5;après relance\n"
    "Taux d'appels perdus;01/2025;7,5 %;\n"
    "COURRIEL_DELAI;2025-01;NC;\n"
).encode()


def _scope(db, principal):
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    return principal.scope(codes)


def sign_in(at: AppTest, db_path, principal: Principal) -> AppTest:
    """Act as `principal`: its account exists in the database and the session holds it."""
    with Database(db_path) as db:
        if auth.get_account(db, principal.user) is None:
            auth.create_account(db, actor="tests", email=principal.user, display_name=principal.user,
                                role=principal.role, site_code=principal.site_code)
    at.session_state["principal"] = principal
    return at



@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """A database without demonstration data, holding two values of prefecture 87 for January 2025."""
    path = tmp_path / "app.duckdb"
    with Database(path) as db:
        frame = pd.DataFrame({
            "site_code": ["87", "87"],
            "indicator_code": ["COURRIER_DELAI", "COURRIEL_DELAI"],
            "period_start": pd.to_datetime(["2025-01-01", "2025-01-01"]),
            "period_kind": ["month", "month"],
            "value": [14.0, 4.0],
            "comment": [None, None],
        })
        with db.transaction() as cur:
            sql.execute(cur, "set_meta", key="demo_dismissed", value=1)
            upload_id = store.next_upload_id(cur)
            counts = store.write(cur, "indicator_values", frame, scope=_scope(db, REFERENT), upload_id=upload_id)
            store.record_upload(cur, upload_id=upload_id, uploaded_by="avant@interieur.gouv.fr",
                                file_name="avant.xlsx", sha256="0" * 64, kind="indicateurs", site_codes=["87"],
                                period_min="2025-01", period_max="2025-01", counts=counts)
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    return path


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


def downloaded(at, stores, label: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    return stores[-1].get_file(button.proto.url.rsplit("/", 1)[1]).content


def open_page(db_path, principal: Principal) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), db_path, principal)
    at.run()
    at.switch_page("pages/import_donnees.py").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="import_files").upload(name, content, mime).run()
    assert not at.exception, at.exception
    return at


def confirm_buttons(at):
    return [b for b in at.button if b.label == "Confirmer l'import"]


def indicator_values(path) -> dict:
    with Database(path) as db, db.cursor() as cur:
        rows = cur.execute("select site_code, indicator_code, period_start, period_kind, value "
                           "from v_indicator_values order by all").fetchall()
    return {(s, i, p, k): v for s, i, p, k, v in rows}


def test_referent_previews_confirms_and_sees_the_summary(app_db, monkeypatch):
    from qualepref import ingest

    analysed = []
    real_analyse = ingest.analyse

    def counting_analyse(*args, **kwargs):
        analysed.append(args[1])
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(ingest, "analyse", counting_analyse)
    at = upload(open_page(app_db, REFERENT), "tableau-87.csv", GOOD_CSV)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Nouvelles"], metrics["Remplacées"], metrics["Supprimées"], metrics["Inchangées"]) == \
        ("1", "1", "1", "0")
    assert any("87 – Haute-Vienne" in m.value and "janv. 2025" in m.value for m in at.markdown)
    assert indicator_values(app_db)[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 14.0, \
        "nothing is written before confirmation"

    [button] = confirm_buttons(at)
    assert not button.disabled
    button.click().run()
    assert not at.exception, at.exception
    [success] = at.success
    assert "2 ligne(s) écrite(s), dont 1 remplacée(s) ; 1 valeur(s) supprimée(s)" in success.value
    assert not confirm_buttons(at), "a confirmed file cannot be confirmed twice"
    assert analysed == ["tableau-87.csv"], "confirming writes the previewed plan without parsing the file again"

    assert indicator_values(app_db) == {
        ("87", "COURRIER_DELAI", date(2025, 1, 1), "month"): 12.5,
        ("87", "APPELS_PERDUS", date(2025, 1, 1), "month"): 7.5,
    }
    with Database(app_db) as db, db.cursor() as cur:
        upload_row = cur.execute("select uploaded_by, file_name, sha256, kind, site_codes, rows_written, "
                                 "rows_replaced, rows_deleted from uploads order by upload_id desc limit 1").fetchone()
        comment = cur.execute("select comment from indicator_values where indicator_code = 'COURRIER_DELAI'").fetchone()
    assert upload_row == (REFERENT.user, "tableau-87.csv", hashlib.sha256(GOOD_CSV).hexdigest(),
                          "indicateurs", ["87"], 2, 1, 1)
    assert comment == ("après relance",)


def test_identical_reupload_changes_nothing_and_says_so(app_db):
    at = upload(open_page(app_db, REFERENT), "tableau-87.csv", GOOD_CSV)
    confirm_buttons(at)[0].click().run()
    with Database(app_db) as db:
        before = table_contents(db)
    # A new session (the next day, say) drops the identical file again.
    again = upload(open_page(app_db, REFERENT), "copie-du-tableau.csv", GOOD_CSV)
    assert any("aucune modification" in i.value for i in again.info)
    assert not confirm_buttons(again)
    with Database(app_db) as db:
        assert table_contents(db) == before


def _bad_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(["Site", "Indicateur", "Période", "Valeur"])
    ws.append(["87", "Délai de traitement des pigeons voyageurs", "2025-01", 3])  # unknown indicator
    ws.append(["87", "APPELS_PERDUS", "2025-02", "150 %"])  # a rate above 100 %
    ws.append(["87", "COURRIER_DELAI", "pas une date", 5])  # not a period
    ws.append(["87", "COURRIER_DELAI", "2025-03", 9])  # a good row: still not written
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_bad_file_lists_every_error_with_its_cell_and_writes_nothing(app_db, media_stores):
    at = open_page(app_db, REFERENT)
    with Database(app_db) as db:
        before = table_contents(db)
    upload(at, "mauvais.xlsx", _bad_workbook(), XLSX)
    assert any("3 erreur(s)" in e.value for e in at.error)
    errors = at.dataframe[0].value
    assert list(errors.columns) == ["Feuille", "Ligne", "Colonne", "Valeur", "Message"]
    located = {(s, int(r), c[0]) for s, r, c in zip(errors["Feuille"], errors["Ligne"], errors["Colonne"],
                                                      strict=True)}
    assert located == {("Indicateurs", 2, "B"), ("Indicateurs", 3, "D"), ("Indicateurs", 4, "C")}
    assert list(errors["Ligne"]) == [2, 3, 4], "listed top to bottom, in the order the user fixes them"
    unknown = errors[errors["Ligne"] == 2].iloc[0]
    assert unknown["Valeur"] == "Délai de traitement des pigeons voyageurs"
    [button] = confirm_buttons(at)
    assert button.disabled

    wb = openpyxl.load_workbook(io.BytesIO(downloaded(at, media_stores, "Télécharger les erreurs (Excel)")))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("Feuille", "Ligne", "Colonne", "Valeur", "Message") and len(rows) == 4
    csv_text = downloaded(at, media_stores, "Télécharger les erreurs (CSV)").decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Feuille;Ligne;Colonne;Valeur;Message" and "pigeons" in csv_text

    with Database(app_db) as db:
        assert table_contents(db) == before


def test_a_referent_importing_another_prefecture_gets_a_report_error(app_db):
    """Rows naming another site are an error of the report (feuille, ligne, colonne, valeur, message),
    listed with the others: no exception from the data layer, nothing written."""
    content = ("Site;Indicateur;Période;Valeur\n"
               "87;COURRIER_DELAI;2025-02;4\n"
               "Gironde;COURRIER_DELAI;2025-02;5\n"
               "87;Indicateur des pigeons;2025-02;6\n").encode()
    at = open_page(app_db, REFERENT)
    with Database(app_db) as db:
        before = table_contents(db)
    upload(at, "deux-prefectures.csv", content)
    assert any("2 erreur(s)" in e.value for e in at.error)
    errors = at.dataframe[0].value
    outside = errors[errors["Ligne"] == 3].iloc[0]
    assert (outside["Feuille"], outside["Colonne"], outside["Valeur"]) == ("–", "A (Site)", "Gironde")
    assert outside["Message"] == "La préfecture 33 n'est pas dans votre périmètre (vous pouvez importer pour : 87)."
    assert list(errors["Ligne"]) == [3, 4], "listed with the other errors"
    assert [b.disabled for b in confirm_buttons(at)] == [True]
    with Database(app_db) as db:
        assert table_contents(db) == before


def test_several_files_at_once_each_with_its_own_preview(app_db):
    at = open_page(app_db, REFERENT)
    at.file_uploader(key="import_files").set_value([
        ("bon.csv", GOOD_CSV, "text/csv"), ("mauvais.xlsx", _bad_workbook(), XLSX),
    ]).run()
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader] == ["bon.csv", "mauvais.xlsx"]
    buttons = confirm_buttons(at)
    assert [b.disabled for b in buttons] == [False, True]
    buttons[0].click().run()
    assert len(at.success) == 1 and len(confirm_buttons(at)) == 1
    assert indicator_values(app_db)[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 12.5
    assert at.session_state["import_plans"]
    at.file_uploader(key="import_files").clear().run()
    assert not at.session_state["import_plans"], "plans of removed files are forgotten"


def test_national_user_chooses_a_default_site(app_db):
    admin = Principal("admin@interieur.gouv.fr", Role.ADMIN)
    at = open_page(app_db, admin)
    at.selectbox(key="import_site").set_value("2A").run()
    upload(at, "corse-du-sud.csv", GOOD_CSV)
    assert any("2A – Corse-du-Sud" in m.value for m in at.markdown)
    confirm_buttons(at)[0].click().run()
    values = indicator_values(app_db)
    assert values[("2A", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 12.5
    assert values[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 14.0


def test_template_download_names_the_referents_prefecture(app_db, media_stores):
    at = open_page(app_db, REFERENT)
    wb = openpyxl.load_workbook(io.BytesIO(downloaded(at, media_stores, "Télécharger le modèle (Excel)")))
    assert wb.sheetnames[2:] == ["Indicateurs", "Enquête", "Conformité"]
    assert any("Votre préfecture : 87 – Haute-Vienne" in str(c.value) for c in wb["Instructions"]["A"])
    assert any("20 Mo" in c.value for c in at.caption)


def test_copil_members_cannot_import(app_db):
    # The page itself refuses, whatever the navigation shows.
    at = AppTest.from_file(str(ROOT / "pages" / "import_donnees.py"), default_timeout=60)
    at.session_state["principal"] = Principal("copil87@interieur.gouv.fr", Role.COPIL, "87")
    at.run()
    assert not at.exception, at.exception
    assert any("pas d'en importer" in i.value for i in at.info)
    assert not at.get("file_uploader")


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "enregistrez-le au format .xlsx"),
    ("enorme.csv", GOOD_CSV * 20, "au-delà du maximum autorisé"),
])
def test_refused_files_are_explained_in_french_and_write_nothing(app_db, monkeypatch, name, content, expected):
    monkeypatch.setenv("QUALEPREF_MAX_UPLOAD_MB", "0.001")  # about 1 kB
    at = open_page(app_db, REFERENT)
    with Database(app_db) as db:
        before = table_contents(db)
    upload(at, name, content, "application/octet-stream")
    [refusal] = [e.value for e in at.error]
    assert refusal.startswith("**Fichier refusé**") and expected in refusal
    assert not at.dataframe  # no table of cells: the file as a whole is refused
    assert [b.disabled for b in confirm_buttons(at)] == [True]
    with Database(app_db) as db:
        assert table_contents(db) == before


def test_the_campaign_chosen_on_the_page_applies_to_a_raw_survey_export(app_db, tmp_path):
    from qualepref.ingest import samples

    questions = ["L'accueil a-t-il été attentif et courtois ?", "Globalement, êtes-vous satisfait du service rendu ?"]
    answers = [["Très satisfait", 3], ["Plutôt satisfait", 4], ["Plutôt mécontent", None], ["Sans avis", 1]]
    content = samples.write_raw_survey_xlsx(tmp_path / "reponses.xlsx", questions, answers).read_bytes()
    at = open_page(app_db, REFERENT)
    at.radio(key="import_kind").set_value("enquete").run()
    at.text_input(key="import_campaign").set_value("2024 en ligne").run()
    upload(at, "reponses.xlsx", content, XLSX)
    confirm_buttons(at)[0].click().run()
    assert not at.exception and len(at.success) == 1
    with Database(app_db) as db, db.cursor() as cur:
        rows = cur.execute("select site_code, campaign, question_code, n_tres_satisfait, n_satisfait, "
                           "n_peu_satisfait, n_pas_du_tout_satisfait, n_sans_avis from v_survey_results "
                           "order by question_code").fetchall()
    assert rows == [("87", "2024 en ligne", "ACCUEIL_COURTOIS", 1, 1, 1, 0, 1),
                    ("87", "2024 en ligne", "GLOBAL", 1, 1, 0, 1, 0)]


# -- issue 17 §4: a preview the référent can check, corrected files, several files, warnings ----------------
def _values_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Indicateur reconnu" in d.value.columns)


def test_the_preview_shows_labels_read_and_matched_and_old_to_new_values(app_db):
    at = upload(open_page(app_db, REFERENT), "janvier.csv", GOOD_CSV)
    table = _values_table(at).set_index("Libellé lu dans le fichier")
    assert table.loc["Taux d'appels perdus", "Indicateur reconnu"] == "Taux d'appels perdus (APPELS_PERDUS)"
    assert table.loc["Taux d'appels perdus", "janv. 2025"] == "7,5"
    assert table.loc["COURRIER_DELAI", "Indicateur reconnu"].endswith("(COURRIER_DELAI)")
    assert table.loc["COURRIER_DELAI", "janv. 2025"] == "14 → 12,5"
    assert table.loc["COURRIEL_DELAI", "janv. 2025"] == "4 → supprimée"
    assert "Préfecture" not in table.columns  # one prefecture: named above the table


def test_a_corrected_file_replaces_the_failed_one(app_db):
    bad = GOOD_CSV.replace(b"12,5", b"douze")
    at = open_page(app_db, REFERENT)
    at.file_uploader(key="import_files").set_value([("janvier.csv", bad, "text/csv")]).run()
    assert any("1 erreur(s)" in e.value for e in at.error)
    at.file_uploader(key="import_files").set_value([("janvier.csv", bad, "text/csv"),
                                                   ("janvier.csv", GOOD_CSV, "text/csv")]).run()
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader] == ["janvier\\.csv"] or [h.value for h in at.subheader] == ["janvier.csv"]
    assert not at.error, [e.value for e in at.error]
    assert any("Remplacé par la version déposée ensuite" in c.value for c in at.caption)
    [button] = confirm_buttons(at)
    button.click().run()
    assert len(at.success) == 1 and not at.error
    assert indicator_values(app_db)[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 12.5


def test_tout_confirmer_writes_every_valid_file(app_db):
    february = b"Indicateur;P\xc3\xa9riode;Valeur\nCOURRIER_DELAI;2025-02;11\n"
    at = open_page(app_db, REFERENT)
    at.file_uploader(key="import_files").set_value([("janvier.csv", GOOD_CSV, "text/csv"),
                                                   ("fevrier.csv", february, "text/csv")]).run()
    at.button(key="import_all").click().run()
    assert not at.exception, at.exception
    assert len(at.success) == 2 and not confirm_buttons(at)
    values = indicator_values(app_db)
    assert values[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 12.5
    assert values[("87", "COURRIER_DELAI", date(2025, 2, 1), "month")] == 11.0
    with Database(app_db) as db, db.cursor() as cur:
        assert cur.execute("select count(*) from uploads").fetchone()[0] == 3  # one per file, plus the one before


def test_the_preview_warns_before_a_campaign_of_250_answers_is_replaced_by_12(app_db, tmp_path):
    from tests.test_campaigns import _online_export, _paper_survey
    from tests.test_ingest_support import import_file

    with Database(app_db) as db:
        import_file(db, _paper_survey(tmp_path / "papier.xlsx"), site="87")
    at = upload(open_page(app_db, REFERENT), "en-ligne.xlsx", _online_export(tmp_path / "en-ligne.xlsx").read_bytes(),
                XLSX)
    [notice] = [w.value for w in at.warning if "campagne" in w.value]
    assert "250 réponses par question" in notice and "\\(12 réponses\\)" in notice  # escaped by ui.plain
    survey = next(d.value for d in at.dataframe if "Question reconnue" in d.value.columns)
    assert set(survey["Réponses (n)"]) == {12} and survey["Remplace"].str.contains("n = 250").all()
