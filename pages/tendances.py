"""Tendances: each indicator over the selected period, and satisfaction per question across campaigns."""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import anonymity, filters, fmt, stats, trend_view, ui
from qualepref.charts import trends as charts

ui.page_header(
    "Tendances",
    "Évolution de chaque indicateur sur la période choisie, comparée à la cible et à la situation "
    "nationale (médiane et moitié centrale des préfectures), et satisfaction des usagers par question.",
)
selection = filters.sidebar_filters(module=True, indicator=True, all_indicators=True)
scope = selection.scope
sites = ui.query("sites", scope=scope)
line_label = trend_view.scope_label(sites, whole_nation=ui.current_scope().national and selection.site_code is None
                                and selection.region_code is None)
SATISFACTION = "Satisfaction des usagers"
# Only the open tab is drawn (sixteen charts or one: the browser draws them all even when hidden);
# the open tab is kept in the URL (`vue=satisfaction`) like every other choice on the page.
# The default tab is part of the widget's identity: taken from the URL on arrival only, then kept,
# or switching tabs would make a new widget opened on the URL's tab again.
if "onglet_tendances" not in st.session_state:
    st.session_state["onglet_tendances_arrivee"] = (
        SATISFACTION if st.query_params.get("vue") == "satisfaction" else "Indicateurs")
tab_indicators, tab_satisfaction = st.tabs(
    ["Indicateurs", SATISFACTION], default=st.session_state["onglet_tendances_arrivee"],
    key="onglet_tendances", on_change="rerun",
)
if tab_satisfaction.open:
    st.query_params["vue"] = "satisfaction"
else:
    st.query_params.pop("vue", None)


def draw_indicators() -> None:
    if selection.start is None:
        st.info("Aucune donnée d'indicateur pour votre périmètre : commencez par la page « Import ».")
        return
    left, right = st.columns(2)
    moving = filters.url_toggle("Moyenne mobile 3 mois", "mm3", left)
    yearly = filters.url_toggle("Comparaison d'une année sur l'autre", "annuel", right)
    indicators = ui.query("referentiel_indicators", scope=scope)
    indicators = trend_view.chosen_indicators(indicators, module=selection.module,
                                              indicator=selection.indicator_code)
    # Year over year compares whole calendar years: from January of the first year.
    start = date(selection.start.year, 1, 1) if yearly else selection.start
    codes = list(indicators.indicator_code)
    values = ui.query("trend_scope_values", scope=scope, indicators=codes, start=start, end=selection.end)
    national = anonymity.trend_band(
        ui.query("trend_national_quartiles", scope=scope, indicators=codes, start=start, end=selection.end),
        names_visible=scope.names_visible)
    if indicators.empty:
        st.info("Aucun indicateur suivi pour ce module.")
    st.caption(
        f"{line_label.description} · {fmt.month_range(start, selection.end)}. "
        "Un mois sans donnée est un trou dans la courbe, jamais un zéro."
        + ("" if scope.names_visible else
           " La situation nationale n'est montrée que pour les mois où au moins "
           f"{anonymity.MIN_OTHERS_QUARTILES} autres préfectures que la vôtre ont transmis : "
           "en deçà, elle permettrait de retrouver leurs valeurs.")
    )
    # Shared across reruns and sessions: sixteen figures cost most of the page's time to build.
    # The target in force at each period: the site's own when one site is shown, else the national default.
    shown = selection.site_code or (min(scope.site_codes) if selection.single_site else None)
    one_site = sites[sites.site_code == shown] if shown else sites.iloc[:0]
    parent = None if one_site.empty or pd.isna(one_site.parent_code.iloc[0]) else one_site.parent_code.iloc[0]
    charts_ = ui.shared(trend_view.indicator_charts)(
        indicators, values, national, line=line_label, start=start, end=selection.end, yearly=yearly,
        moving_average=moving, meeting_mode=selection.meeting_mode, target_rows=ui.query("target_rows", scope=scope),
        site_code=None if one_site.empty else shown, parent_code=parent)
    # Indicators with no value of the scope over the period are named in one folded list, not drawn as
    # empty full-width charts (unless the one indicator asked for).
    labels = list(indicators.indicator_label)
    without = [] if len(charts_) == 1 else [label for label, c in zip(labels, charts_, strict=True)
                                            if not c.has_values]
    if without:
        with st.expander(f"Indicateurs sans donnée ({len(without)})", icon=":material/visibility_off:"):
            st.caption(f"{line_label.name} : aucune valeur transmise {fmt.month_range(start, selection.end)} "
                       "pour ces indicateurs.")
            st.markdown("\n".join(f"- {ui.plain(label)}" for label in without))
    for chart, unit in zip(charts_, indicators["unit"], strict=True):
        if without and not chart.has_values:
            continue
        ui.chart_with_table(chart.figure, chart.table, file_stem=chart.file_stem, headers=chart.headers,
                            key=chart.key, formats=trend_view.table_formats(chart.table, unit))
        if not chart.has_values:
            st.caption(f"{line_label.name} : aucune valeur transmise sur la période pour cet indicateur.")
        if chart.national_note:
            st.caption(chart.national_note)


def draw_satisfaction() -> None:
    # Campaigns of the selected period's years; every campaign when no indicator gives a period.
    first, last = (selection.start.year, selection.end.year) if selection.start else (0, 9999)
    survey = ui.query("trend_survey_by_question", scope=scope, first_year=first, last_year=last)
    if selection.module:
        survey = survey[survey.module == selection.module]
    if survey.empty:
        st.info("Aucun résultat d'enquête de satisfaction pour ce périmètre et cette période.")
    else:
        rated = stats.with_satisfaction(survey)
        st.caption(
            f"{line_label.description} · "
            + (f"campagnes {first} à {last}" if selection.start else "toutes les campagnes")
            + ". Taux = (très satisfaits + satisfaits) / "
            "avis exprimés (hors « sans avis »), avec son intervalle de confiance à 95 % (Wilson). "
            "Sous 75 %, des actions d'amélioration sont attendues. Les barres hachurées reposent sur "
            "moins de 30 avis : à lire avec prudence."
        )
        fig = ui.shared(charts.satisfaction_by_question)(
            rated, title=f"Satisfaction par question — {line_label.name}", meeting_mode=selection.meeting_mode)
        table, headers = charts.satisfaction_table(rated)
        ui.chart_with_table(fig, table, file_stem=f"satisfaction-{line_label.file_part}", headers=headers,
                            key="satisfaction", formats=trend_view.SATISFACTION_FORMATS)


with tab_indicators:
    if tab_indicators.open:
        draw_indicators()
with tab_satisfaction:
    if tab_satisfaction.open:
        draw_satisfaction()
ui.footer()
