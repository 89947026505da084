"""The plan as tables for people: errors and what will be written."""

from __future__ import annotations

import pandas as pd

from qualepref import fmt, sql, store

ERROR_COLUMNS = ["gravité", "feuille", "ligne", "colonne", "valeur", "message"]
SUMMARY_COLUMNS = ["Données", "Préfecture", "Élément", "Première période", "Dernière période", "Lignes",
                   "Nouvelles", "Remplacées", "Inchangées", "Supprimées"]
_DATA_LABELS = {"indicator_values": "Indicateurs", "survey_results": "Enquête", "compliance": "Conformité"}
_STATUS_COLUMNS = {"nouvelle": "Nouvelles", "remplacée": "Remplacées", "inchangée": "Inchangées",
                   "supprimée": "Supprimées", "absente": None}


def errors_frame(plan) -> pd.DataFrame:
    """Errors then warnings: gravité, feuille, ligne, colonne, valeur, message."""
    rows = [("erreur", i) for i in plan.errors] + [("avertissement", i) for i in plan.warnings]
    frame = pd.DataFrame(
        [(g, i.sheet, i.row, i.column, i.value, i.message) for g, i in rows], columns=ERROR_COLUMNS,
    )
    frame["ligne"] = frame["ligne"].astype("Int64")
    return frame


def _period_label(batch_kind: str, row) -> str:
    if batch_kind == "indicator_values":
        return fmt.period(row["period_start"], row["period_kind"])
    if batch_kind == "survey_results":
        return str(row["campaign"])
    return fmt.day(row["assessed_on"])


def _statuses(cur, batch_kind: str, batch: pd.DataFrame, scope) -> pd.DataFrame:
    staged = store._staging(batch_kind, batch)
    cur.register(f"staging_{batch_kind}", staged)
    try:
        return sql.run(cur, f"ingest_status_{batch_kind}", scope=scope)
    finally:
        cur.unregister(f"staging_{batch_kind}")


def summary_frame(plan, db, scope) -> pd.DataFrame:
    """What will be written, per data kind × site × indicator/question/engagement."""
    parts = []
    if db is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    with db.cursor() as cur:
        for batch_kind, batch in plan.batches.items():
            if batch.empty:
                continue
            status = _statuses(cur, batch_kind, batch, scope)
            order_col = {"indicator_values": "period_start", "survey_results": "campaign",
                         "compliance": "assessed_on"}[batch_kind]
            status = status.sort_values(order_col)
            for (site, item), group in status.groupby(["site_code", "item"], sort=True):
                counts = group["status"].value_counts()
                first, last = group.iloc[0], group.iloc[-1]
                record = {
                    "Données": _DATA_LABELS[batch_kind], "Préfecture": site, "Élément": item,
                    "Première période": _period_label(batch_kind, first),
                    "Dernière période": _period_label(batch_kind, last),
                    "Lignes": len(group),
                }
                for status_name, column in _STATUS_COLUMNS.items():
                    if column:
                        record[column] = int(counts.get(status_name, 0))
                parts.append(record)
    return pd.DataFrame(parts, columns=SUMMARY_COLUMNS)
