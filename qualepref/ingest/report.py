"""The plan as tables for people: errors and what will be written."""

from __future__ import annotations

import pandas as pd

from qualepref import fmt, sql, store

ERROR_COLUMNS = ["gravité", "feuille", "ligne", "colonne", "valeur", "message"]
SUMMARY_COLUMNS = ["Données", "Préfecture", "Élément", "Première période", "Dernière période", "Lignes",
                   "Nouvelles", "Remplacées", "Inchangées", "Supprimées"]
_DATA_LABELS = {"indicator_values": "Indicateurs", "survey_results": "Enquête", "compliance": "Conformité"}


def errors_frame(plan) -> pd.DataFrame:
    """Errors then warnings: gravité, feuille, ligne, colonne, valeur, message."""
    rows = [("erreur", i) for i in plan.errors] + [("avertissement", i) for i in plan.warnings]
    frame = pd.DataFrame(
        [(g, i.sheet, i.row, i.column, i.value, i.message) for g, i in rows], columns=ERROR_COLUMNS,
    )
    frame["ligne"] = frame["ligne"].astype("Int64")
    return frame


_STATUS_COUNTS = {"Nouvelles": "n_new", "Remplacées": "n_replaced", "Inchangées": "n_unchanged",
                  "Supprimées": "n_deleted"}


def _worded(values, word) -> list[str]:
    """`word` applied once per distinct value."""
    values = list(values)
    labels = {value: word(value) for value in set(values)}
    return [labels[value] for value in values]


def _period_labels(batch_kind: str, summary: pd.DataFrame, which: str) -> list[str]:
    """How the summary shows the first or last period of each row."""
    if batch_kind == "indicator_values":
        pairs = zip(summary[f"{which}_start"], summary[f"{which}_kind"], strict=True)
        return _worded(pairs, lambda pair: fmt.period(*pair))
    if batch_kind == "survey_results":
        return _worded(summary[f"{which}_campaign"], str)
    return _worded(summary[f"{which}_day"], fmt.day)


def _summarise(batch_kind: str, summary: pd.DataFrame) -> pd.DataFrame:
    """The statement's rows (one per site × item, counted in SQL) as the preview shows them."""
    frame = pd.DataFrame({
        "Données": _DATA_LABELS[batch_kind],
        "Préfecture": summary["site_code"],
        "Élément": summary["item"],
        "Première période": _period_labels(batch_kind, summary, "first"),
        "Dernière période": _period_labels(batch_kind, summary, "last"),
        "Lignes": summary["n_rows"].astype("int64"),
    })
    for column, name in _STATUS_COUNTS.items():
        frame[column] = summary[name].astype("int64")
    return frame


def _statuses(cur, batch_kind: str, batch: pd.DataFrame, scope, counts=None) -> pd.DataFrame:
    cur.register(f"classified_{batch_kind}", store.classify(cur, batch_kind, batch, scope, counts=counts))
    try:
        return sql.run(cur, f"ingest_status_{batch_kind}", scope=scope)
    finally:
        cur.unregister(f"classified_{batch_kind}")


def summary_frame(plan, db, scope) -> pd.DataFrame:
    """What will be written, per data kind × site × indicator/question/engagement."""
    parts = []
    if db is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    with db.cursor() as cur:
        for batch_kind, batch in plan.batches.items():
            if batch.empty or batch_kind not in store.STAGING_COLUMNS:  # labelling and sites: counts only
                continue
            summary = _statuses(cur, batch_kind, batch, scope, plan.counts_given(batch_kind))
            if len(summary):
                parts.append(_summarise(batch_kind, summary))
    if not parts:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS]
