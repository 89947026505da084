"""Conformité: compliance heatmap module × prefecture (national, regional) or engagement × assessment (one prefecture).

A cell opens the engagements behind it, by clicking it or with the selectboxes
below the chart (keyboard users).
"""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import actions, charts, filters, fmt, perimetre, ui, vocab
from qualepref.charts.compliance import module_column_label, module_label

ui.page_header(
    "Conformité",
    "Conformité aux engagements du référentiel selon la dernière évaluation de chaque engagement "
    "(auto-évaluation, audit interne ou externe, enquête mystère). Les engagements non applicables "
    "sont exclus du taux.",
)
selection = filters.sidebar_filters(module=True)
scope = selection.scope
today = date.today()
as_of = (pd.Timestamp(selection.end) + pd.offsets.MonthEnd(0)).date() if selection.end else today
start = selection.start or date(as_of.year - 2, 1, 1)
HEADERS = {"site_code": "Code", "site_name": "Préfecture", "module": "Module", "module_name": "Intitulé du module",
           "engagement": "Engagement", "engagement_label": "Intitulé de l'engagement",
           "assessed_on": "Date d'évaluation", "assessment_type": "Type", "result": "Résultat",
           "rate": "Taux de conformité (%)", "n_conforme": "Conformes", "n_partiel": "Partiellement conformes",
           "n_non_conforme": "Non conformes", "n_non_applicable": "Non applicables",
           "n_applicable": "Applicables",
           "state": "Périmètre"}


NC_HEADERS = {"engagement_text": "Engagement", "origin_label": "Évaluation", "action": "Plan d'actions",
              "action_link": "Action"}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Result and assessment codes in French words, dates as dd/mm/yyyy."""
    out = frame.copy()
    if "result" in out:
        out["result"] = out.result.map(vocab.COMPLIANCE_RESULTS.labels())
    if "assessment_type" in out:
        out["assessment_type"] = out.assessment_type.map(vocab.ASSESSMENT_TYPES.labels())
    if "assessed_on" in out:
        out["assessed_on"] = out.assessed_on.map(fmt.day)
    return out


def selected_point(state) -> dict | None:
    points = (state or {}).get("selection", {}).get("points", []) if state else []
    return points[0] if points else None


if not selection.single_site:
    counts = ui.query("compliance_module_counts", scope=scope, as_of=as_of)
    if selection.module:
        counts = counts[counts.module == selection.module]
    if counts.empty:
        st.info("Aucune évaluation de conformité pour ce périmètre et cette période.")
        ui.footer()
        st.stop()
    rates = charts.module_rates(counts)
    # The périmètre tells a module retained but not assessed (« ? ») from one not retained (blank).
    retained = ui.query("site_modules_at", scope=scope, as_of=as_of)
    if selection.module:
        retained = retained[retained.module == selection.module]
    rates = perimetre.with_states(rates, retained, ui.query("referentiel_modules", scope=scope))
    # Shared across reruns and sessions (read-only): a row per prefecture × module at most.
    fig = ui.shared(charts.module_site_heatmap)(
        rates, title=f"Taux d'engagements conformes par module et par préfecture au {fmt.day(as_of)}",
        meeting_mode=selection.meeting_mode)
    blank = ("case vide : module non retenu par le site ; « ? » : module retenu mais non évalué"
             if "state" in rates else "case vide : module non suivi")
    st.caption(f"Chaque case donne le pourcentage d'engagements conformes ({blank}). "
               "Cliquez sur une case pour voir les engagements qui la composent.")
    state = ui.chart_with_table(
        fig, rates.drop(columns=["module_name"]).assign(
            **({"state": rates["state"].map(perimetre.STATE_LABELS)} if "state" in rates else {})),
        file_stem="conformite-modules-prefectures",
        headers=HEADERS, key="heatmap_modules", on_select="rerun", selection_mode="points",
        formats={"rate": fmt.percent})  # `66,7 %` on screen, the number in the files

    st.subheader("Engagements derrière une case")
    sites = rates[["site_code", "site_name"]].drop_duplicates().sort_values("site_code")
    # A cell's axis labels, whichever way the heatmap is drawn: module (full or "M3") and site ("87 – …" or "87").
    module_of = {module_label(m, n): m for m, n in zip(rates.module, rates.module_name, strict=True)}
    module_of |= {module_column_label(m, n): m for m, n in zip(rates.module, rates.module_name, strict=True)}
    site_of = {c: c for c in sites.site_code} | {f"{c} – {n}": c for c, n in zip(sites.site_code, sites.site_name,
                                                                                 strict=True)}
    point = selected_point(state)
    if point:
        axes = [str(point.get("x")), str(point.get("y"))]
        clicked_site = next((site_of[a] for a in axes if a in site_of), None)
        clicked_module = next((module_of[a] for a in axes if a in module_of), None)
        if clicked_site and clicked_module:
            st.session_state["conf_site"], st.session_state["conf_module"] = clicked_site, clicked_module
    left, right = st.columns(2)
    modules = sorted(rates.module.unique())
    names = dict(zip(rates.module, rates.module_name, strict=True))
    if st.session_state.get("conf_module") not in modules:
        st.session_state.pop("conf_module", None)
    module = left.selectbox("Module", modules, key="conf_module", format_func=lambda m: module_label(m, names[m], 60))
    in_module = rates[rates.module == module]
    codes = in_module.site_code.tolist()
    site_names = dict(zip(sites.site_code, sites.site_name, strict=True))
    if st.session_state.get("conf_site") not in codes:
        st.session_state.pop("conf_site", None)
    site = right.selectbox("Préfecture", codes, key="conf_site", format_func=lambda c: f"{c} – {site_names[c]}")
    # The engagements of the chosen cell only (one prefecture's query, not the whole scope's).
    latest = ui.query("compliance_latest", scope=scope.narrowed([site]), as_of=as_of)
    behind = latest[(latest.module == module) & (latest.site_code == site)]
    st.dataframe(
        readable(behind[["engagement", "engagement_label", "result", "assessment_type", "assessed_on"]]).rename(
            columns=HEADERS),
        hide_index=True, width="stretch",
        placeholder="–",
    )
else:
    site = next(iter(scope.site_codes))
    assessments = ui.query("compliance_assessments", scope=scope, start=start, as_of=as_of)
    if selection.module:
        assessments = assessments[assessments.module == selection.module]
    if assessments.empty:
        st.info("Aucune évaluation de conformité pour cette préfecture et cette période.")
        ui.footer()
        st.stop()
    counts = ui.query("compliance_module_counts", scope=scope, as_of=as_of)
    if selection.module:
        counts = counts[counts.module == selection.module]
    rates = charts.module_rates(counts)
    cols = st.columns(min(4, len(rates)) or 1)
    for i, row in enumerate(rates.itertuples()):
        cols[i % len(cols)].metric(
            f"Module {row.module}", fmt.percent(row.rate, 0),
            help=f"{row.module_name} : {row.n_conforme} engagements conformes sur {row.n_applicable} applicables")
    fig = ui.shared(charts.engagement_assessment_heatmap)(
        assessments,
        title=f"Résultat de chaque évaluation par engagement, {fmt.month(start)} – {fmt.month(as_of)}",
        meeting_mode=selection.meeting_mode)
    st.caption("Chaque case donne le résultat de l'évaluation. Cliquez sur une case pour voir l'historique "
               "de l'engagement.")
    state = ui.chart_with_table(
        fig, readable(assessments.drop(columns=["module_name"])), file_stem=f"conformite-{site}",
        headers=HEADERS, key="heatmap_engagements", on_select="rerun", selection_mode="points")

    st.subheader("Non-conformités et plan d'actions")
    latest = ui.query("compliance_latest", scope=scope, as_of=as_of)
    if selection.module:
        latest = latest[latest.module == selection.module]
    nc = actions.non_conformities(latest, ui.query("actions", scope=scope), today)
    if nc.empty:
        st.success("Aucun engagement non conforme à sa dernière évaluation.", icon=":material/task_alt:")
    else:
        st.caption("Engagements non conformes à leur dernière évaluation. « Créer ou voir l'action » ouvre l'action "
                   "en cours sur l'engagement, ou le formulaire prérempli (origine : l'évaluation).")
        st.dataframe(
            nc[["engagement_text", "origin_label", "action", "action_link"]].rename(columns=NC_HEADERS),
            hide_index=True, width="stretch", placeholder="–", key="conf_nc",
            column_config={NC_HEADERS["action_link"]: st.column_config.LinkColumn(
                NC_HEADERS["action_link"], display_text="Créer ou voir l'action", width="small")})

    st.subheader("Historique d'un engagement")
    keys = assessments[["module", "engagement", "engagement_label"]].drop_duplicates().sort_values(
        ["module", "engagement"])
    options = list(zip(keys.module, keys.engagement, strict=True))
    labels = {charts.compliance.engagement_label(m, e, lab): (m, e)
              for m, e, lab in zip(keys.module, keys.engagement, keys.engagement_label, strict=True)}
    full = {(m, e): charts.compliance.engagement_label(m, e, lab, 90)
            for m, e, lab in zip(keys.module, keys.engagement, keys.engagement_label, strict=True)}
    point = selected_point(state)
    if point and point.get("y") in labels:
        st.session_state["conf_engagement"] = labels[point["y"]]
    if st.session_state.get("conf_engagement") not in options:
        st.session_state.pop("conf_engagement", None)
    chosen = st.selectbox("Engagement", options, key="conf_engagement", format_func=full.get)
    behind = assessments[(assessments.module == chosen[0]) & (assessments.engagement == chosen[1])]
    st.dataframe(readable(behind[["assessed_on", "assessment_type", "result"]]).rename(columns=HEADERS),
                 hide_index=True, width="stretch", placeholder="–")
ui.footer()
