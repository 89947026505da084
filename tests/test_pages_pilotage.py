"""Vue d'ensemble, Tendances, Alertes with real Streamlit (AppTest) on the demonstration data."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import fmt, overview
from qualepref.db import Database
from tests.conftest import N_SITES, ROOT


@pytest.fixture
def app(demo_db_path, monkeypatch):
    """The app on a copy of the demonstration database, started on `page` with URL parameters."""
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))

    def start(page: str, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def _up_to_date_by_month(path, site: str | None = None) -> pd.DataFrame:
    """Independent of the app's SQL: per month, sites that sent every monthly indicator they ever sent."""
    with Database(path) as db, db.cursor() as cur:
        values = cur.execute("select v.site_code, v.indicator_code, v.period_start from v_indicator_values v "
                             "join indicators i using (indicator_code) join sites s using (site_code) "
                             "where v.period_kind = 'month' and i.frequency = 'mensuelle' and s.active").df()
        n_active = cur.execute("select count(*) from sites where active").fetchone()[0]
    if site:
        values = values[values.site_code == site]
        n_active = 1
    expected = values.groupby("site_code").indicator_code.nunique()
    sent = values.groupby(["period_start", "site_code"]).indicator_code.nunique().reset_index()
    sent["up"] = sent.indicator_code.to_numpy() == expected.reindex(sent.site_code).to_numpy()
    return sent.groupby("period_start").agg(up=("up", "sum"), n_sent=("site_code", "nunique")).assign(
        n_sites=n_active)


def test_overview_shows_key_figures_of_the_last_complete_month(app, demo_db_path):
    up = _up_to_date_by_month(demo_db_path)
    at = app("pages/vue_ensemble.py")
    complete = up[up.up >= overview.COMPLETE_SHARE * up.n_sites]
    month = complete.index.max().date()
    assert at.subheader[0].value == f"Dernière période complète : {fmt.month(month)}"
    metrics = {m.label: m.value for m in at.metric}
    # "Did we send it?": a month with part of the indicators is not sent (it counted as sent before).
    # The demonstration's 101 prefectures and 9 sub-prefectures: "sites".
    assert metrics["Sites à jour"] == f"{int(up.up[pd.Timestamp(month)])} / {N_SITES}"
    for label in ("Indicateurs à la cible", "Satisfaction globale"):
        assert metrics[label].endswith("\u00a0%") and "," in metrics[label]
    # Open alerts: the total is the sum of the levels.
    levels = ["Significativement sous 75 %", "Significativement hors cible", "Hors cible (tendance)", "Sous 75 %",
              "Hors cible", "Effectif insuffisant"]
    assert int(metrics["Alertes ouvertes"].replace("\u202f", "")) == sum(
        int(metrics[level].replace("\u202f", "")) for level in levels)
    assert any("intervalle de confiance à 95 %" in c.value for c in at.caption)
    # Each figure leads to its detail page.
    linked = {link.proto.page for link in at.get("page_link")}
    assert {"transmissions", "tendances", "alertes", "conformite"} <= linked
    compliance = at.dataframe[0].value
    assert compliance["Module"].iloc[0].startswith("1 – ") and compliance["Taux de conformité"].str.endswith("%").all()
    # The alerts link opens the Alertes page on the same campaign and months: the same count.
    to_alerts = next(link.proto for link in at.get("page_link") if link.proto.page == "alertes")
    params = dict(pair.split("=") for pair in to_alerts.query_string.split("&"))
    alerts_page = app("pages/alertes.py", **params)
    assert sum(int(m.value.replace("\u202f", "")) for m in alerts_page.metric) == int(
        metrics["Alertes ouvertes"].replace("\u202f", ""))


def test_overview_for_one_prefecture_and_transmissions_say_the_same(app, demo_db_path):
    """"Did we send it?" has one answer: the overview's count for a month is the Transmissions page's."""
    at = app("pages/vue_ensemble.py", pref="87")
    metrics = {m.label: m.value for m in at.metric}
    shown = next(s.value for s in at.subheader if s.value.startswith("Derni")).split(" : ")[1]
    month = next(m for m in _up_to_date_by_month(demo_db_path, "87").index if fmt.month(m) == shown)
    up = _up_to_date_by_month(demo_db_path, "87")
    assert metrics["Préfectures à jour"] == f"{int(up.up[month])} / 1"
    national = {m.label: m.value for m in app("pages/vue_ensemble.py").metric}
    assert metrics["Satisfaction globale"] != national["Satisfaction globale"]
    key = month.strftime("%Y-%m")
    page = app("pages/transmissions.py", pref="87", debut=key, fin=key)
    grid = {m.label: m.value for m in page.metric}
    assert grid[f"À jour en {shown}"] == metrics["Préfectures à jour"]


def shown_numbers(column: pd.Series) -> pd.Series:
    """A table column as shown on screen (« 12,3 j », « 1 234 », « – ») read back as numbers."""
    digits = column.astype("string").str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.extract(
        r"(-?\d+(?:,\d+)?)")[0]
    return pd.to_numeric(digits.str.replace(",", "."), errors="coerce").astype(float)


def test_trends_one_chart_per_indicator_and_the_indicator_filter(app, demo_db_path):
    at = app("pages/tendances.py", pref="87", module="1")
    assert [t.label for t in at.tabs] == ["Indicateurs", "Satisfaction des usagers"]
    assert {t.key for t in at.toggle} >= {"mm3", "annuel"}
    with Database(demo_db_path) as db, db.cursor() as cur:
        n_module_1 = cur.execute("select count(*) from indicators where module = 1").fetchone()[0]
    # One chart table per indicator of module 1; the satisfaction tab, closed, is not drawn.
    assert len(at.dataframe) == n_module_1
    at.sidebar.selectbox(key="indicateur").set_value("COURRIER_DELAI").run()
    assert not at.exception and len(at.dataframe) == 1
    mail = at.dataframe[0].value
    assert mail["Période"].iloc[-1] == "oct. 2026" and "Médiane nationale" in mail
    at.sidebar.selectbox(key="indicateur").set_value("COURRIEL_DELAI").run()
    email = at.dataframe[0].value
    assert at.query_params["indicateur"] in ("COURRIEL_DELAI", ["COURRIEL_DELAI"])
    assert not email["Valeur"].equals(mail["Valeur"])
    assert shown_numbers(email["Médiane nationale"]).median() < shown_numbers(mail["Médiane nationale"]).median()


def test_trends_moving_average_and_year_over_year(app):
    at = app("pages/tendances.py", pref="87", indicateur="COURRIER_DELAI")
    assert "Moyenne mobile 3 mois" not in at.dataframe[0].value
    at.toggle(key="mm3").set_value(True).run()
    table = at.dataframe[0].value
    assert not at.exception and "Moyenne mobile 3 mois" in table
    values, average = shown_numbers(table["Valeur"]), shown_numbers(table["Moyenne mobile 3 mois"])
    # Both read at one decimal on screen: the mean of the shown values is within rounding of the shown mean.
    assert average.iloc[-1] == pytest.approx(values.iloc[-3:].mean(), abs=0.1) or values.iloc[-3:].isna().any()
    at.toggle(key="annuel").set_value(True).run()
    yearly = at.dataframe[0].value
    assert not at.exception and yearly["Mois"].tolist()[:2] == ["janv.", "févr."]
    assert {"2025", "2026"} <= set(yearly.columns)


def test_trends_satisfaction_per_question(app):
    at = app("pages/tendances.py", pref="87", vue="satisfaction")
    assert len(at.dataframe) == 1  # only the open tab is drawn
    table = at.dataframe[-1].value
    assert set(table["Campagne"]) == {"2024", "2025", "2026"}
    assert (table["Borne basse IC 95 % (%)"] <= table["Taux de satisfaction (%)"]).all()
    assert (table["Taux de satisfaction (%)"] <= table["Borne haute IC 95 % (%)"]).all()


def test_alerts_filters_and_links(app):
    national = app("pages/alertes.py")
    everything = national.dataframe[0].value
    assert everything["Code"].nunique() > 1
    at = app("pages/alertes.py", pref="87")
    table = at.dataframe[0].value
    # One prefecture: read as its COPIL reads it, without code, name and type columns.
    assert "Code" not in table and "Type" not in table and len(table) < len(everything)
    assert table["Tendance"].str.startswith("tendances?pref=87").all()
    indicator_rows = table[table["Niveau"].isin(["Hors cible (tendance)", "Hors cible"])]
    assert indicator_rows["Tendance"].str.contains("indicateur=").all()
    # Sorted by severity.
    order = ["Significativement sous 75 %", "Significativement hors cible", "Hors cible (tendance)", "Sous 75 %",
             "Hors cible", "Effectif insuffisant"]
    ranks = table["Niveau"].map(order.index)
    assert ranks.is_monotonic_increasing
    at.multiselect(key="types").set_value(["Indicateur"]).run()
    # Indicators: hors cible, and for a rate with its counts also on significance (issue 15).
    assert set(at.dataframe[0].value["Niveau"]) <= {"Significativement hors cible", "Hors cible (tendance)",
                                                    "Hors cible", "Effectif insuffisant"}
    at.multiselect(key="niveaux").set_value(["Hors cible (tendance)"]).run()
    only_trends = at.dataframe[0].value if at.dataframe else pd.DataFrame({"Niveau": []})
    assert set(only_trends["Niveau"]) <= {"Hors cible (tendance)"}
    labels = [b.label for b in national.get("download_button")]
    assert "Télécharger les alertes (Excel)" in labels and "Télécharger les alertes (CSV)" in labels
