"""The preview's detail table (`ImportPlan.summary_frame`): counted in SQL, identical to the row-by-row
reference it replaced (one row per data kind × site × item, first and last period, rows per status)."""

from __future__ import annotations

import pandas as pd

from qualepref import fmt, ingest
from qualepref.ingest import report, samples
from tests.test_ingest_support import analyse, import_file, indicator_rows, national_scope

LONG = ["Site", "Indicateur", "Période", "Valeur"]
SURVEY = ["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait", "Pas du tout satisfait",
          "Sans avis"]
COMPLIANCE = ["Site", "Module", "Engagement", "Date d'évaluation", "Type", "Résultat"]


def _before(tmp_path):
    return samples.write_rows_xlsx(tmp_path / "avant.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["87", "COURRIER_DELAI", "2025-02", 8],
                        ["87", "APPELS_PERDUS", "2025-01", 5], ["13", "COURRIER_DELAI", "2025-01", 3]],
        "Enquête": [SURVEY, ["87", "2024", "ACCUEIL_COURTOIS", 10, 5, 1, 0, 2],
                    ["87", "2024", "ORIENTATION", 4, 4, 4, 4, 4]],
        "Conformité": [COMPLIANCE, ["87", 1, 1, "15/03/2025", "Audit interne", "Conforme"]],
    })


def _after(tmp_path):
    """Replaced, unchanged, deleted (NC), new and "absente" (NC on nothing stored) rows, several
    periods per item (months and a quarter), two sites, the three kinds of data."""
    return samples.write_rows_xlsx(tmp_path / "apres.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-03", 7], ["87", "COURRIER_DELAI", "2025-01", 9],
                        ["87", "COURRIER_DELAI", "2025-02", 10], ["87", "COURRIER_DELAI", "T1 2025", 8],
                        ["87", "APPELS_PERDUS", "2025-01", "NC"], ["87", "APPELS_PERDUS", "2025-02", "NC"],
                        ["13", "COURRIER_DELAI", "2025-01", 3], ["13", "ATTENTE_GUICHET", "2024", 12],
                        ["13", "ATTENTE_GUICHET", "2023", 11]],
        "Enquête": [SURVEY, ["87", "2024", "ACCUEIL_COURTOIS", 10, 5, 1, 0, 2],
                    ["87", "2024", "ORIENTATION", 5, 4, 4, 4, 4], ["87", "2025", "ORIENTATION", 1, 1, 1, 1, 1],
                    ["13", "2023", "ACCUEIL_COURTOIS", 1, 2, 3, 4, 5]],
        "Conformité": [COMPLIANCE, ["87", 1, 1, "15/03/2025", "Audit interne", "Non conforme"],
                       ["87", 1, 1, "01/06/2025", "Audit interne", "Conforme"],
                       ["87", 1, 2, "01/06/2025", "Auto-évaluation", "Partiel"],
                       ["13", 2, 1, "01/02/2024", "Audit externe", "Conforme"]],
    })


def _row_statuses(db, batch_kind: str, batch: pd.DataFrame) -> pd.DataFrame:
    """Per staged row: site, item, its period and what writing it would do (plain pandas)."""
    batch = batch.astype({c: "object" for c in batch.columns if c in ("site_code", "indicator_code",
                                                                      "period_kind", "question_code")})
    with db.cursor() as cur:
        if batch_kind == "indicator_values":
            stored = cur.execute("select site_code, indicator_code, period_start, period_kind, value as old "
                                 "from indicator_values").df()
            key = ["site_code", "indicator_code", "period_start", "period_kind"]
            stored["period_start"] = pd.to_datetime(stored["period_start"]).astype("datetime64[s]")
            rows = batch.merge(stored.astype({"site_code": "object", "indicator_code": "object",
                                              "period_kind": "object"}), on=key, how="left")
            status = [("absente" if pd.isna(old) else "supprimée") if pd.isna(new)
                      else "nouvelle" if pd.isna(old) else "inchangée" if new == old else "remplacée"
                      for new, old in zip(rows["value"], rows["old"], strict=True)]
            return rows.assign(item=rows["indicator_code"], status=status)
        if batch_kind == "survey_results":
            levels = ["n_tres_satisfait", "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait", "n_sans_avis"]
            stored = cur.execute(f"select site_code, campaign, question_code, {', '.join(levels)}, true as present "
                                 "from survey_results").df().astype("object")
            rows = batch.astype("object").merge(stored, on=["site_code", "campaign", "question_code"], how="left",
                                                suffixes=("", "_old"))
            status = ["nouvelle" if pd.isna(r["present"]) else
                      "inchangée" if all(r[c] == r[c + "_old"] for c in levels) else "remplacée"
                      for r in rows.to_dict("records")]
            return rows.assign(item=rows["question_code"], status=status)
        stored = cur.execute("select site_code, module, engagement, assessed_on, assessment_type, result as old "
                             "from compliance_assessments").df()
        stored["assessed_on"] = pd.to_datetime(stored["assessed_on"]).astype("datetime64[s]")
        rows = batch.astype({"site_code": "object", "assessment_type": "object"}).merge(
            stored.astype({"site_code": "object", "assessment_type": "object"}),
            on=["site_code", "module", "engagement", "assessed_on", "assessment_type"], how="left")
        status = ["nouvelle" if pd.isna(old) else "inchangée" if new == old else "remplacée"
                  for new, old in zip(rows["result"], rows["old"], strict=True)]
        item = [f"Module {m}, engagement {e}" for m, e in zip(rows["module"], rows["engagement"], strict=True)]
        return rows.assign(item=item, status=status)


def _reference(plan, db) -> pd.DataFrame:
    """The former implementation: a Python loop over the groups of the per-row statuses."""
    labels = {"indicator_values": "Indicateurs", "survey_results": "Enquête", "compliance": "Conformité"}
    status_columns = {"nouvelle": "Nouvelles", "remplacée": "Remplacées", "inchangée": "Inchangées",
                      "supprimée": "Supprimées"}
    order_col = {"indicator_values": "period_start", "survey_results": "campaign", "compliance": "assessed_on"}
    parts = []
    for batch_kind, batch in plan.batches.items():
        if batch.empty:
            continue
        status = _row_statuses(db, batch_kind, batch).sort_values(order_col[batch_kind], kind="stable")
        for (site, item), group in status.groupby(["site_code", "item"], sort=True):
            counts = group["status"].value_counts()
            first, last = group.iloc[0], group.iloc[-1]

            def label(row, batch_kind=batch_kind):
                if batch_kind == "indicator_values":
                    return fmt.period(row["period_start"], row["period_kind"])
                if batch_kind == "survey_results":
                    return str(row["campaign"])
                return fmt.day(row["assessed_on"])

            record = {"Données": labels[batch_kind], "Préfecture": site, "Élément": item,
                      "Première période": label(first), "Dernière période": label(last), "Lignes": len(group)}
            for status_name, column in status_columns.items():
                record[column] = int(counts.get(status_name, 0))
            parts.append(record)
    return pd.DataFrame(parts, columns=report.SUMMARY_COLUMNS)


def test_summary_matches_the_row_by_row_reference(db, tmp_path):
    import_file(db, _before(tmp_path))
    plan = analyse(db, _after(tmp_path))
    assert plan.ok, plan.errors_frame().to_string()
    summary = plan.summary_frame()
    expected = _reference(plan, db)
    assert len(summary) == 10
    pd.testing.assert_frame_equal(summary.reset_index(drop=True), expected, check_dtype=False)
    rows = summary.set_index(["Données", "Préfecture", "Élément"])
    courrier = rows.loc[("Indicateurs", "87", "COURRIER_DELAI")]
    assert (courrier["Première période"], courrier["Dernière période"]) == ("janv. 2025", "mars 2025")
    assert (courrier["Lignes"], courrier["Nouvelles"], courrier["Remplacées"], courrier["Inchangées"]) == (4, 2, 1, 1)
    perdus = rows.loc[("Indicateurs", "87", "APPELS_PERDUS")]
    assert (perdus["Lignes"], perdus["Supprimées"], perdus["Nouvelles"]) == (2, 1, 0)  # one NC on nothing stored
    guichet = rows.loc[("Indicateurs", "13", "ATTENTE_GUICHET")]
    assert (guichet["Première période"], guichet["Dernière période"]) == ("2023", "2024")
    orientation = rows.loc[("Enquête", "87", "ORIENTATION")]
    assert (orientation["Première période"], orientation["Remplacées"], orientation["Nouvelles"]) == ("2024", 1, 1)
    engagement = rows.loc[("Conformité", "87", "Module 1, engagement 1")]
    assert (engagement["Première période"], engagement["Dernière période"]) == ("15/03/2025", "01/06/2025")
    assert (engagement["Remplacées"], engagement["Nouvelles"]) == (1, 1)


def test_summary_of_a_plan_without_data_is_empty(db, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "vide.xlsx", {"Feuil1": [LONG]})
    plan = analyse(db, path)
    assert list(plan.summary_frame().columns) == report.SUMMARY_COLUMNS
    assert plan.summary_frame().empty


def test_a_preview_made_stale_by_another_import_is_counted_again_at_commit(db, tmp_path):
    """The commit reuses the preview's counts only when nothing was written since: here the other
    file writes the same keys in between, so the first one must replace them (not insert twice)."""
    first = samples.write_rows_xlsx(tmp_path / "premier.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["87", "COURRIER_DELAI", "2025-02", 8]]})
    other = samples.write_rows_xlsx(tmp_path / "autre.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 4]]})
    plan = analyse(db, first)
    assert plan.counts["indicator_values"].new == 2  # previewed on an empty base
    import_file(db, other)
    result = ingest.commit(plan, db=db, scope=national_scope(db), uploaded_by="tests")
    assert (result.rows_written, result.rows_replaced) == (2, 1)
    assert indicator_rows(db, "87") == [("87", "COURRIER_DELAI", "2025-01-01", "month", 9.0),
                                        ("87", "COURRIER_DELAI", "2025-02-01", "month", 8.0)]
