"""Référentiel: modules, engagements, indicators with their targets, survey questions (read-only)."""

import streamlit as st

from qualepref import fmt, ui, vocab

ui.page_header(
    "Référentiel",
    "Modules, engagements, indicateurs et questions d'enquête du label Qual-e-Pref. "
    "Seul un administrateur peut les modifier.",
)
modules = ui.query("referentiel_modules")
engagements = ui.query("referentiel_engagements")
indicators = ui.query("referentiel_indicators")
questions = ui.query("referentiel_questions")

tab_modules, tab_engagements, tab_indicators, tab_questions = st.tabs(
    ["Modules", "Engagements", "Indicateurs", "Questions d'enquête"]
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
with tab_questions:
    st.dataframe(
        questions,
        column_config={"question_code": "Code", "question_label": "Question", "module": "Module",
                       "engagement": st.column_config.NumberColumn("Engagement", format="%d")},
        hide_index=True, width="stretch",
        placeholder="–",
    )
ui.footer()
