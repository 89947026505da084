"""Historique des imports: who imported which file, when, and what it changed."""

import re

import pandas as pd
import streamlit as st

from qualepref import filters, fmt, ui, undo, vocab
from qualepref.access import ScopeError
from qualepref.export import tables

KIND_LABELS = vocab.UPLOAD_KINDS.short_labels()
ALL = "__tous__"
SHORT_SHA = 12
MAX_SITES_LISTED = 6


def period_label(value) -> str:
    """`2025-01` → `janv. 2025` (a month), `2025-03-15` → `15/03/2025` (an assessment date);
    a campaign year, or anything else, is shown as stored."""
    if value is None or pd.isna(value) or value == "":
        return ""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return fmt.day(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return fmt.month(f"{text}-01")
    return text


def periods_label(low, high) -> str:
    low, high = period_label(low), period_label(high)
    if not low and not high:
        return "–"
    return low if low == high or not high else f"{low} – {high}" if low else high


def sites_label(codes) -> str:
    codes = list(codes)
    if len(codes) <= MAX_SITES_LISTED:
        return ", ".join(codes)
    return f"{len(codes)} sites ({', '.join(codes[:3])}…)"


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The history as shown and downloaded: French headers, readable values, full digest kept."""
    return pd.DataFrame({
        "N°": history.upload_id,
        "Date": pd.to_datetime(history.uploaded_at).dt.strftime("%d/%m/%Y %H:%M"),
        "Par": history.uploaded_by,
        "Fichier": history.file_name,
        "Annulé": [f"le {pd.Timestamp(at).strftime('%d/%m/%Y %H:%M')} par {by}" if pd.notna(at) else ""
                   for at, by in zip(history.undone_at, history.undone_by, strict=True)],
        "Type": history.kind.map(KIND_LABELS).fillna(history.kind),
        "Préfectures": history.site_codes.map(sites_label),
        "Périodes": [periods_label(a, b) for a, b in zip(history.period_min, history.period_max, strict=True)],
        "Lignes écrites": history.rows_written,
        "dont remplacées": history.rows_replaced,
        "Lignes supprimées": history.rows_deleted,
        "Origine": history.is_demo.map({True: "Démonstration", False: "Import"}),
        "SHA-256": history.sha256.str[:SHORT_SHA],
        "SHA-256 complet": history.sha256,
    })


ui.page_header(
    "Historique des imports",
    "Chaque import enregistré : qui l'a fait, quand, quel fichier (avec son empreinte SHA-256, qui "
    "identifie le contenu exact), quelles préfectures et périodes, et le nombre de lignes écrites, "
    "remplacées ou supprimées.",
)
scope = ui.current_scope()
chosen = filters.sidebar_filters(period=False)
kind = ui.filter_panel().selectbox(
    "Type de données", [ALL, *KIND_LABELS], key="historique_type",
    format_func=lambda k: "Tous les types" if k == ALL else KIND_LABELS[k],
)
history = ui.query(
    "upload_history", scope=scope,
    selected_sites=sorted(chosen.scope.site_codes),
    kinds=list(KIND_LABELS) if kind == ALL else [kind],
)

if message := st.session_state.pop("historique_message", None):
    st.success(message, icon=":material/undo:")
if history.empty:
    st.info("Aucun import ne correspond à ces critères.")
else:
    n_real = int((~history.is_demo).sum())
    st.markdown(
        f"**{fmt.number(len(history), 0)}** import(s) : {fmt.number(n_real, 0)} fichier(s) déposé(s) et "
        f"{fmt.number(len(history) - n_real, 0)} chargement(s) de données de démonstration ; "
        f"{fmt.number(int(history.rows_written.sum()), 0)} lignes écrites au total."
    )
    table = history_table(history)
    st.dataframe(
        table, hide_index=True, width="stretch",
        column_config={
            "Lignes écrites": st.column_config.NumberColumn(help="Nouvelles lignes et lignes remplacées."),
            "dont remplacées": st.column_config.NumberColumn(help="Lignes qui ont remplacé une valeur existante."),
            "Lignes supprimées": st.column_config.NumberColumn(
                help="Valeurs supprimées par un marqueur de valeur manquante (NC, -)."),
            "SHA-256": st.column_config.TextColumn(
                help="Début de l'empreinte du fichier ; l'empreinte complète est dans la dernière colonne."),
            "SHA-256 complet": st.column_config.TextColumn(width="small"),
        },
        placeholder="–",
    )
    undoable = history[~history.is_demo & history.journaled & history.undone_at.isna()
                       & ~history.kind.isin(list(undo.NOT_UNDONE))]
    if scope.can_write and not undoable.empty:
        st.subheader("Annuler un import", anchor=False)
        st.caption("Les valeurs que l'import a remplacées ou supprimées reviennent ; celles qu'il a ajoutées "
                   "disparaissent. Une valeur modifiée depuis par un import ultérieur garde sa valeur actuelle "
                   "(annuler aussi cet import-là ramène l'état d'avant les deux). L'annulation est tracée.")
        ids = {f"n° {r.upload_id} — {r.file_name} ({pd.Timestamp(r.uploaded_at):%d/%m/%Y %H:%M}, {r.uploaded_by})":
               int(r.upload_id) for r in undoable.itertuples()}
        chosen_label = st.selectbox("Import à annuler", list(ids), key="historique_annuler", index=None,
                                    placeholder="Choisissez un import")
        chosen_id = ids.get(chosen_label)
        if chosen_id is not None:
            try:
                preview = undo.plan(ui.get_db(), scope, chosen_id)
            except undo.UndoError as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.warning(ui.plain(preview.sentence), icon=":material/undo:")
                if st.button(f"Annuler l'import n° {chosen_id}", key="historique_confirmer_annulation",
                             type="primary"):
                    try:
                        principal = ui.current_principal()
                        done = undo.undo(ui.get_db(), scope, chosen_id, actor=principal)
                    except (undo.UndoError, ScopeError) as exc:
                        st.error(str(exc), icon=":material/block:")
                    else:
                        st.session_state["historique_message"] = (
                            f"Import n° {done.upload_id} annulé : {done.restored} valeur(s) rétablie(s)"
                            + (f", {done.kept} gardée(s) car modifiées depuis" if done.kept else "") + ".")
                        st.session_state.pop("historique_annuler", None)
                        st.rerun()
    left, right = st.columns(2)
    left.download_button("Télécharger l'historique (CSV)", tables.to_csv_bytes(table),
                         file_name="historique-imports.csv", mime="text/csv")
    right.download_button(
        "Télécharger l'historique (Excel)", tables.to_xlsx_bytes(table, sheet="Historique des imports"),
        file_name="historique-imports.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
ui.footer()
