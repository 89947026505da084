"""Vue d'ensemble: key figures of the selected scope for the last complete period."""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import alerts, filters, fmt, overview, satisfaction, sites, targets, transmissions, ui

ui.page_header(
    "Vue d'ensemble",
    "Chiffres clés de votre sélection (une préfecture, une région ou la France entière) pour la dernière "
    "période complète. Chaque chiffre mène à sa page de détail.",
)
selection = filters.sidebar_filters(period=False)
scope = selection.scope
n_scope = len(scope.site_codes)
# "préfectures", or "sites" when the selection holds sub-prefectures or other sites too.
word = sites.noun(ui.query("sites", scope=scope).site_kind)
link_params = {k: v for k, v in (("pref", selection.site_code), ("region", selection.region_code)) if v}

reporting = ui.query("overview_reporting", scope=scope)
survey = ui.query("trend_survey_by_question", scope=scope, first_year=0, last_year=9999)
if reporting.empty and survey.empty:
    st.info("Aucune donnée pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()

# "Did we send this month?": the Transmissions page's status (every expected indicator sent), over the
# twelve months up to the latest month anyone sent.
month = None
status = transmissions.status(pd.DataFrame())
if not reporting.empty:
    latest = pd.Timestamp(reporting.period_start.max()).date()
    status = transmissions.status(ui.query(
        "transmission_grid", scope=scope,
        **transmissions.query_params(alerts.window_start(latest, 12), latest, "month")))
    complete = transmissions.last_complete(status, overview.COMPLETE_SHARE)
    share = fmt.percent(overview.COMPLETE_SHARE * 100, 0)
    if complete is not None:
        month = complete.date()
        st.subheader(f"Dernière période complète : {fmt.month(month)}")
        one = "la préfecture" if word == "préfectures" else "le site"
        who = (f"{one} de la sélection était à jour" if n_scope == 1 else
               f"au moins {share} des {fmt.number(n_scope, 0)} {word} de la sélection étaient à jour")
        st.caption(f"Le dernier mois pour lequel {who} (tous les indicateurs mensuels attendus transmis) ; les "
                   "mois suivants sont encore incomplets.")
    else:
        month = latest
        st.subheader(f"Dernier mois transmis : {fmt.month(month)}")
        st.warning(f"Aucun mois n'atteint {share} de {word} à jour : les chiffres du dernier mois reçu "
                   "sont partiels.")

if month is not None:
    window_values = targets.judged(ui.query("alert_indicator_values", scope=scope, start=alerts.window_start(month),
                                            end=month), ui.query("target_rows", scope=scope))
    on_target = overview.target_summary(alerts.indicator_status(window_values))
    sent = transmissions.count_at(status, month)
else:
    on_target = overview.TargetSummary(0, 0)
    window_values = None
    sent = None

headline = satisfaction.global_rate(survey)
survey_results = ui.query("alert_survey_results", scope=scope, first_year=0,
                          last_year=month.year if month is not None else 9999)
open_alerts = alerts.open_alerts(survey_results, window_values, ui.query("target_rows", scope=scope))
counts = alerts.count_by_level(open_alerts)

reports, target_col, satisfaction_col, alert_col = st.columns(4, border=True)
with reports:
    st.metric(f"{word.capitalize()} à jour", f"{sent.n_sent} / {sent.n_sites}" if sent else f"0 / {n_scope}",
              help=f"Même définition que la page Suivi des transmissions — {transmissions.DEFINITION}.")
    st.caption(sent.sentence() if sent else "Aucun indicateur transmis")
    if sent and scope.names_visible and sent.not_sent:
        st.caption(ui.plain("Non transmis : " + ", ".join(sent.not_sent[:10])
                            + (f" et {len(sent.not_sent) - 10} autres" if len(sent.not_sent) > 10 else "") + "."))
    st.page_link("pages/transmissions.py", label="Suivi des transmissions", icon=":material/fact_check:",
                 query_params=link_params)
with target_col:
    st.metric("Indicateurs à la cible", fmt.percent(on_target.share))
    st.caption(f"{fmt.number(on_target.n_meeting, 0)} sur {fmt.number(on_target.n_with_target, 0)} "
               "(préfecture × indicateur ayant une cible) : dernière valeur "
               + (f"({alerts.window_text(month)})" if month else "–")
               + ", mensuelle ou trimestrielle ; la même règle que les alertes et le pack COPIL.")
    st.page_link("pages/tendances.py", label="Voir les tendances", icon=":material/show_chart:",
                 query_params=link_params)
with satisfaction_col:
    st.metric(satisfaction.LABEL, "–" if headline is None else fmt.percent(headline.rate, fraction=True))
    if headline is None:
        st.caption("La question de satisfaction globale n'a pas été posée.")
    else:
        st.caption(f"Campagne {headline.campaign}, {satisfaction.DEFINITION} : intervalle de confiance à 95 % "
                   f"{fmt.percent(headline.low, fraction=True)} – {fmt.percent(headline.high, fraction=True)}, "
                   f"{fmt.number(headline.n, 0)} répondants")
    st.page_link("pages/tendances.py", label="Satisfaction par question", icon=":material/sentiment_satisfied:",
                 query_params={**link_params, "vue": "satisfaction"})
with alert_col:
    st.metric("Alertes ouvertes", fmt.number(len(open_alerts), 0))
    st.caption(alerts.OPEN_DEFINITION[0].upper() + alerts.OPEN_DEFINITION[1:]
               + (f" ({alerts.window_text(month)})." if month else "."))
    # The same month on the Alertes page, so its counts match these.
    alert_period = {"fin": month.strftime("%Y-%m")} if month is not None else {}
    st.page_link("pages/alertes.py", label="Voir les alertes", icon=":material/notifications:",
                 query_params={**link_params, **alert_period})

st.subheader("Alertes ouvertes par niveau")
for column, (level, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(level, fmt.number(count, 0))

st.subheader("Conformité par module")
compliance = overview.compliance_rates(ui.query("compliance_module_counts", scope=scope, as_of=date.today()))
if compliance.empty:
    st.info("Aucune évaluation de conformité pour cette sélection.")
else:
    st.caption("Dernière évaluation de chaque engagement de chaque préfecture ; les engagements non "
               "applicables sont exclus, un engagement partiellement conforme n'est pas compté conforme.")
    st.dataframe(
        pd.DataFrame({
            "Module": [f"{m} – {name}" for m, name in zip(compliance.module, compliance.module_name, strict=True)],
            "Taux de conformité": [fmt.percent(r) for r in compliance.rate],
            "Conformes": compliance.n_conforme,
            "Partiellement conformes": compliance.n_partiel,
            "Non conformes": compliance.n_non_conforme,
            "Évalués (hors non applicables)": compliance.n_applicable,
            "Préfectures": compliance.n_sites,
            "Dernière évaluation": [fmt.day(d) for d in compliance.last_assessed_on],
        }),
        hide_index=True,
        width="stretch",
        placeholder="–",
    )
    st.page_link("pages/conformite.py", label="Voir la conformité en détail", icon=":material/grid_on:",
                 query_params=link_params)
ui.footer()
