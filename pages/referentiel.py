"""Référentiel: modules, engagements, indicators with their targets, survey questions; the targets in force
(national and « notre cible ») and the référent's proposal of his prefecture's own target."""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import fmt, target_edit, targets, ui, vocab
from qualepref.access import Role, ScopeError

ui.page_header(
    "Référentiel",
    "Modules, engagements, indicateurs et questions d'enquête du label Qual-e-Pref. "
    "Seul un administrateur peut les modifier.",
)
modules = ui.query("referentiel_modules")
engagements = ui.query("referentiel_engagements")
indicators = ui.query("referentiel_indicators")
questions = ui.query("referentiel_questions")

tab_modules, tab_engagements, tab_indicators, tab_targets, tab_questions = st.tabs(
    ["Modules", "Engagements", "Indicateurs", "Cibles en vigueur", "Questions d'enquête"]
)
with tab_modules:
    st.dataframe(
        modules.assign(mandatory=modules.mandatory.map({True: "Obligatoire", False: "Optionnel"})),
        column_config={"module": "Module", "module_name": "Intitulé", "mandatory": "Statut",
                       "themes": "Thèmes"},
        hide_index=True, width="stretch",
        placeholder="–",
    )
with tab_engagements:
    module_names = dict(zip(modules.module, modules.module_name, strict=True))
    chosen = st.selectbox("Module", modules.module, format_func=lambda m: f"{m} – {module_names[m]}")
    st.dataframe(
        engagements[engagements.module == chosen][["engagement", "theme", "engagement_label"]],
        column_config={"engagement": "N°", "theme": "Thème", "engagement_label": "Engagement"},
        hide_index=True, width="stretch",
        placeholder="–",
    )
with tab_indicators:
    shown = indicators.assign(
        target=[fmt.target(t, u, d, indicative=i) for t, u, d, i in zip(
            indicators.target, indicators.unit, indicators.direction, indicators.target_indicative, strict=True)],
        direction=indicators.direction.map({c: d.hint for c, d in vocab.DIRECTIONS.items()}),
    )
    st.dataframe(
        shown[["indicator_code", "indicator_label", "module", "engagement", "unit", "direction",
               "target", "frequency", "target_source"]],
        column_config={
            "indicator_code": "Code", "indicator_label": "Indicateur", "module": "Module",
            "engagement": st.column_config.NumberColumn("Engagement", format="%d"),
            "unit": "Unité", "direction": "Sens", "target": "Cible", "frequency": "Fréquence",
            "target_source": "Source de la cible",
        },
        hide_index=True, width="stretch",
        placeholder="–",
    )
STATUS = {"proposed": "en attente d'approbation", "approved": "approuvée", "rejected": "refusée",
          "superseded": "remplacée"}
with tab_targets:
    principal = ui.current_principal()
    scope = ui.current_scope()
    site_rows = ui.query("sites", scope=scope)
    names = dict(zip(site_rows.site_code, site_rows.site_name, strict=True))
    if principal.site_code in names:
        site = principal.site_code
    else:
        site = st.selectbox("Préfecture", [None, *names], key="cibles_site",
                            format_func=lambda c: "Cibles nationales seulement" if c is None else f"{names[c]} ({c})")
    parent = None
    if site is not None:
        found = site_rows[site_rows.site_code == site].parent_code
        parent = None if found.empty or pd.isna(found.iloc[0]) else found.iloc[0]
    today = date.today()
    rows = ui.query("target_rows", scope=scope)
    table = targets.referentiel_table(indicators, rows, site_code=site, on=today, parent_code=parent)
    st.caption(f"Cibles en vigueur le {fmt.day(today)}. Chaque valeur est jugée sur la cible en vigueur pour son site "
               "le premier jour de sa période : la cible propre du site (« notre cible », approuvée par un "
               "administrateur), sinon celle de sa préfecture pour une sous-préfecture, sinon la cible nationale. "
               "« < » : cible stricte (« en moins de 15 jours » : 15,0 la manque) ; « ≤ » : la valeur cible "
               "l'atteint. Une cible « indicative » le reste tant qu'un administrateur ne l'a pas confirmée.")
    columns = {"indicator_label": "Indicateur", "national": "Cible nationale", "national_validity": "En vigueur",
               "national_source": "Source"}
    if site is not None:
        columns |= {"own": "Notre cible", "own_validity": "En vigueur ", "own_source": "Source "}
    st.dataframe(table[list(columns)].rename(columns=columns), hide_index=True, width="stretch", placeholder="–")
    if site is not None:
        local = ui.query("target_local_rows", scope=scope.narrowed([site]))
        local = local[local.site_code == site]
        st.markdown(f"**Historique des cibles propres à {ui.plain(names[site])}**")
        if local.empty:
            st.caption("Aucune cible propre : les cibles nationales s'appliquent.")
        else:
            units = dict(zip(indicators.indicator_code, indicators.unit, strict=True)) | {targets.SATISFACTION: "%"}
            st.dataframe(pd.DataFrame({
                "Indicateur": local.indicator_label.fillna("Seuil de satisfaction"),
                "Cible": [fmt.target_value(t, units.get(c, ""), d, strict=bool(x)) for t, c, d, x in zip(
                    local.target, local.indicator_code, local.direction, local.strict, strict=True)],
                "Du": [fmt.day(d) if pd.notna(d) else "toujours" for d in local.valid_from],
                "Au": [fmt.day(d) if pd.notna(d) else "" for d in local.valid_to],
                "Source": local.source, "Statut": local.status.map(STATUS),
                "Proposée par": local.proposed_by, "Décidée par": local.decided_by, "Motif": local.decision_note,
            }), hide_index=True, width="stretch", placeholder="–")
        if principal.role == Role.REFERENT:
            with st.expander("Proposer notre cible", icon=":material/edit:"):
                st.caption("Votre proposition s'applique, une fois approuvée par un administrateur, à partir de la "
                           "date choisie : les mois d'avant gardent leur cible et leur verdict.")
                choices = {r.indicator_code: r.indicator_label for r in indicators.itertuples()
                           if isinstance(r.direction, str)} | {targets.SATISFACTION: "Seuil de satisfaction (%)"}
                with st.form("proposer_cible"):
                    code = st.selectbox("Indicateur", list(choices), format_func=choices.get, key="cible_indicateur")
                    left, right = st.columns(2)
                    value = left.text_input("Cible (nombre)", key="cible_valeur")
                    strict = right.checkbox("Stricte (« en moins de … » : la valeur cible elle-même manque la cible)",
                                            key="cible_stricte")
                    start = left.date_input("En vigueur à partir du", value=date(today.year, today.month, 1),
                                            format="DD/MM/YYYY", key="cible_depuis")
                    source = right.text_input("Source (ex. « décision du COPIL du 19/10/2021 »)", key="cible_source")
                    if st.form_submit_button("Proposer", type="primary"):
                        try:
                            direction = ("hausse" if code == targets.SATISFACTION else
                                         indicators.set_index("indicator_code").at[code, "direction"])
                            change = target_edit.TargetChange(code, site, target_edit.parse_value(value), direction,
                                                              strict, start, source=source)
                            target_edit.propose(ui.get_db(), change, scope=scope, actor=principal)
                        except (target_edit.TargetError, ScopeError) as exc:
                            st.error(ui.plain(exc), icon=":material/error:")
                        else:
                            st.success("Proposition enregistrée : un administrateur l'approuvera ou la refusera.",
                                       icon=":material/check_circle:")
with tab_questions:
    st.dataframe(
        questions,
        column_config={"question_code": "Code", "question_label": "Question", "module": "Module",
                       "engagement": st.column_config.NumberColumn("Engagement", format="%d")},
        hide_index=True, width="stretch",
        placeholder="–",
    )
ui.footer()
