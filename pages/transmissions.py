"""Suivi des transmissions: which prefectures have not sent which month (or which survey campaign).

Missing is not zero: a month a prefecture did not send is listed here, never
counted as a value elsewhere.
"""

import functools

import streamlit as st

from qualepref import charts, filters, fmt, transmissions, ui
from qualepref.export import tables

ui.page_header(
    "Suivi des transmissions",
    "Pour chaque préfecture du périmètre et chaque mois de la période : transmis (tous les indicateurs mensuels "
    "attendus), partiel (certains manquent) ou non transmis ; de même par trimestre pour les indicateurs "
    "trimestriels. Puis les campagnes d'enquête reçues.",
)
selection = filters.sidebar_filters()
scope = selection.scope
if selection.start is None:
    st.info("Aucune donnée transmise pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()
HEADERS = {"site_code": "Code", "site_name": "Préfecture", "month": "Mois", "status": "Statut",
           "n_sent": "Indicateurs transmis", "n_expected": "Indicateurs suivis", "missing": "Indicateurs manquants",
           "campaign": "Campagne", "n_questions": "Questions reçues"}

# kind, adjective of the grid, the period word, its plural, adjective of the indicators.
GRIDS = (("month", "mensuelles", "Mois", "Mois", "mensuels"),
         ("quarter", "trimestrielles", "Trimestre", "Trimestres", "trimestriels"))
st.caption(f"Définition — {transmissions.DEFINITION}.")


def draw_grid(kind: str, adjective: str, period_word: str, plural: str, indicators_word: str) -> None:
    grid = ui.query("transmission_grid", scope=scope, **transmissions.query_params(selection.start, selection.end,
                                                                                   kind))
    status = transmissions.status(grid)
    if status.empty:
        st.info(f"Aucun indicateur {indicators_word[:-1]} attendu pour ce périmètre sur la période.")
        return
    label = functools.partial(fmt.period, kind=kind)
    last = status.period_start.max()
    count = transmissions.count_at(status, last)
    cols = st.columns(3)
    cols[0].metric(f"À jour en {label(last)}", f"{count.n_sent} / {count.n_sites}",
                   help=f"Préfectures ayant transmis tous leurs indicateurs {indicators_word} attendus")
    cols[1].metric(f"Non transmis en {label(last)}", fmt.number(count.n_missing, 0),
                   help="Préfectures n'ayant transmis aucun indicateur attendu")
    late = status[status.status != transmissions.SENT]
    cols[2].metric(f"{plural} incomplets sur la période", fmt.number(len(late), 0),
                   help=f"Nombre de couples préfecture × {period_word.lower()} partiels ou non transmis")
    # The non-transmitters named next to their count (a local user's scope is its own site anyway).
    if scope.names_visible and (count.not_sent or count.partial):
        named = []
        if count.not_sent:
            named.append(f"Non transmis en {label(last)} : " + ", ".join(count.not_sent) + ".")
        if count.partial:
            named.append(f"Partiels en {label(last)} : " + ", ".join(count.partial) + ".")
        st.caption(ui.plain(" ".join(named)))

    names = {m: label(m) for m in status.period_start.unique()}  # 24 labels, not one per row
    shown = status.assign(month=status.period_start.map(names),
                          status=status.status.map(transmissions.STATUSES.labels()))
    table = shown[["site_code", "site_name", "month", "status", "n_sent", "n_expected", "missing"]]
    headers = HEADERS | {"month": period_word}
    fig = charts.transmission_grid(
        status, title=f"Transmissions {adjective}, {fmt.month(selection.start)} – {fmt.month(selection.end)}",
        month_label=label, meeting_mode=selection.meeting_mode)
    ui.chart_with_table(fig, table, file_stem=f"transmissions-{adjective}", headers=headers, key=f"tr_grid_{kind}")

    st.subheader(f"{plural} manquants ou incomplets")
    missing = table[status.status != transmissions.SENT]
    if missing.empty:
        st.success(f"Toutes les préfectures du périmètre ont transmis chaque {period_word.lower()} de la période.")
        return
    st.dataframe(missing.rename(columns=headers), hide_index=True, width="stretch", placeholder="–")
    left, right = st.columns(2)
    # Files built on click, not on every run (as in ui.chart_with_table).
    left.download_button("Télécharger la liste (CSV)", lambda: tables.to_csv_bytes(missing, headers),
                         file_name=f"transmissions-{adjective}-manquantes.csv", mime="text/csv",
                         key=f"tr_missing_csv_{kind}")
    right.download_button("Télécharger la liste (Excel)", lambda: tables.to_xlsx_bytes(missing, headers),
                          file_name=f"transmissions-{adjective}-manquantes.xlsx", key=f"tr_missing_xlsx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


for kind, adjective, period_word, plural, indicators_word in GRIDS:
    if kind == "quarter":
        st.subheader("Indicateurs trimestriels")
    draw_grid(kind, adjective, period_word, plural, indicators_word)

st.subheader("Campagnes d'enquête de satisfaction")
campaigns = ui.query("transmission_campaigns", scope=scope, start_year=selection.start.year,
                     end_year=selection.end.year)
if campaigns.empty:
    st.info("Aucune campagne d'enquête sur les années de la période.")
else:
    grid = campaigns.pivot(index=["site_code", "site_name"], columns="campaign", values="n_questions").reset_index()
    grid.columns.name = None
    not_sent = campaigns[campaigns.n_questions == 0]
    if not_sent.empty:
        st.success("Toutes les préfectures du périmètre ont transmis chaque campagne de la période.")
    else:
        st.warning(f"{len(not_sent)} campagne(s) non transmise(s) : "
                   + " ; ".join(f"{c} – {n} ({k})" for c, n, k in zip(not_sent.site_code, not_sent.site_name,
                                                                        not_sent.campaign, strict=True)))
    st.caption("Nombre de questions reçues par préfecture et par campagne (0 = campagne non transmise).")
    st.dataframe(grid.rename(columns=HEADERS), hide_index=True, width="stretch", placeholder="–")
    st.download_button("Télécharger (CSV)", lambda: tables.to_csv_bytes(campaigns, HEADERS),
                       file_name="transmissions-campagnes.csv", mime="text/csv", key="tr_campaigns_csv")
ui.footer()
