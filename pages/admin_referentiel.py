"""Édition du référentiel: targets, labels, synonyms, new indicators, engagements and survey questions; history."""

import pandas as pd
import streamlit as st

from qualepref import auth, fmt, referentiel_edit, target_edit, ui, vocab
from qualepref.access import DISCOVERY_READ_ONLY, Role, ScopeError
from qualepref.referentiel_edit import FREQUENCIES, Engagement, ReferentielError

ui.page_header(
    "Édition du référentiel",
    "Cibles, libellés, synonymes reconnus à l'import, nouveaux indicateurs et engagements. "
    "Chaque changement est tracé (qui, quand, avant, après).",
)
admin = ui.require_role(Role.ADMIN)
db = ui.get_db()
modules = ui.query("referentiel_modules")
engagements = ui.query("referentiel_engagements")
indicators = ui.query("referentiel_indicators")
questions = ui.query("referentiel_questions")
module_names = dict(zip(modules.module.astype(int), modules.module_name, strict=True))
DIRECTION_LABELS = {"": f"— {vocab.NO_TARGET}",
                    **{code: f"{code} ({d.hint})" for code, d in vocab.DIRECTIONS.items()}}


def apply(action, success: str) -> None:
    try:
        action()
    except (ReferentielError, target_edit.TargetError, ScopeError) as exc:
        st.error(ui.plain(exc), icon=":material/error:")
    else:
        st.session_state["referentiel_message"] = success
        st.rerun()


def blank(value) -> str:
    return "" if value is None or str(value) in ("nan", "<NA>", "None") else str(value)


def engagement_options(module: int) -> list:
    return [None, *engagements[engagements.module == module].engagement.astype(int)]


if admin.demo:
    st.info(DISCOVERY_READ_ONLY, icon=":material/visibility:")
if message := st.session_state.pop("referentiel_message", None):
    st.success(message, icon=":material/check_circle:")  # user text in it is escaped where it is written

tab_edit, tab_new, tab_targets, tab_eng, tab_questions, tab_syn, tab_history = st.tabs(
    ["Modifier un indicateur", "Ajouter un indicateur", "Cibles des sites", "Engagements", "Questions d'enquête",
     "Synonymes", "Historique des changements"]
)

with tab_edit:
    labels = dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))
    code = st.selectbox("Indicateur", list(labels), format_func=lambda c: f"{labels[c]} ({c})", key="ind_choisi")
    row = indicators[indicators.indicator_code == code].iloc[0]
    module = int(row.module)
    if bool(row.target_indicative):
        shown = fmt.target(row.target, row.unit, row.direction, indicative=True)
        st.warning(f"{ui.plain(shown)} — cible marquée indicative dans le référentiel. Elle est affichée « cible "
                   "indicative » et n'est pas imprimée comme objectif sur l'affiche tant qu'elle n'est pas "
                   "confirmée.", icon=":material/info:")
        if st.button("Confirmer cette cible", key=f"confirmer_{code}"):
            apply(lambda: referentiel_edit.confirm_target(db, code, actor=admin),
                  f"Cible de l'indicateur {code} confirmée.")
    with st.form(f"modifier_{code}"):
        label = st.text_input("Libellé", value=row.indicator_label)
        left, right = st.columns(2)
        direction = left.selectbox("Sens", list(DIRECTION_LABELS), format_func=DIRECTION_LABELS.get,
                                   index=list(DIRECTION_LABELS).index(blank(row.direction)))
        target = right.text_input("Cible (nombre ; vide = sans cible)", key=f"cible_{code}",
                                  value="" if pd.isna(row.target) else fmt.compact(row.target, 3))
        unit = left.text_input("Unité", value=row.unit)
        frequency = right.selectbox("Fréquence", FREQUENCIES, index=list(FREQUENCIES).index(row.frequency)
                                    if row.frequency in FREQUENCIES else 0)
        options = engagement_options(module)
        current = None if blank(row.engagement) == "" else int(row.engagement)
        engagement = left.selectbox(f"Engagement (module {module})", options,
                                    index=options.index(current) if current in options else 0,
                                    format_func=lambda e: "—" if e is None else str(e))
        source = right.text_input("Source de la cible", value=blank(row.target_source))
        target_from = left.date_input(
            "Nouvelle cible en vigueur à partir du", value=referentiel_edit.first_of_month(), format="DD/MM/YYYY",
            key=f"cible_depuis_{code}",
            help="Une cible changée vaut à partir de cette date : les périodes d'avant gardent leur cible et leur "
                 "verdict. Sans changement de cible ou de sens, la date est ignorée.")
        if st.form_submit_button("Enregistrer", type="primary"):
            def save():
                ind = referentiel_edit.clean_indicator(
                    indicator_code=code, indicator_label=label, module=module, engagement=engagement, unit=unit,
                    direction=direction, target=target, frequency=frequency, target_source=source)
                referentiel_edit.save_indicator(db, ind, actor=admin, new=False, target_from=target_from)
            apply(save, f"Indicateur {code} enregistré.")

with tab_new:
    module = st.selectbox("Module", list(module_names), format_func=lambda m: f"{m} – {module_names[m]}",
                          key="nouvel_ind_module")
    with st.form("nouvel_indicateur"):
        left, right = st.columns(2)
        code = left.text_input("Code (majuscules, ex. DELAI_VISA)")
        label = right.text_input("Libellé")
        options = engagement_options(module)
        engagement = left.selectbox("Engagement", options, format_func=lambda e: "—" if e is None else str(e))
        unit = right.text_input("Unité", value="jours")
        direction = left.selectbox("Sens", list(DIRECTION_LABELS), format_func=DIRECTION_LABELS.get)
        target = right.text_input("Cible (nombre ; vide = sans cible)")
        frequency = left.selectbox("Fréquence", FREQUENCIES)
        source = right.text_input("Source de la cible")
        if st.form_submit_button("Ajouter l'indicateur", type="primary"):
            def add():
                ind = referentiel_edit.clean_indicator(
                    indicator_code=code, indicator_label=label, module=module, engagement=engagement, unit=unit,
                    direction=direction, target=target, frequency=frequency, target_source=source)
                referentiel_edit.save_indicator(db, ind, actor=admin, new=True)
            apply(add, f"Indicateur {code.strip().upper()} ajouté.")

with tab_eng:
    module = st.selectbox("Module", list(module_names), format_func=lambda m: f"{m} – {module_names[m]}",
                          key="eng_module")
    in_module = engagements[engagements.module == module]
    st.dataframe(in_module[["engagement", "theme", "engagement_label"]], hide_index=True, width="stretch",
                 column_config={"engagement": "N°", "theme": "Thème", "engagement_label": "Engagement"},
                 placeholder="–")
    numbers = [int(n) for n in in_module.engagement]
    choice = st.selectbox("Modifier l'engagement, ou en ajouter un", ["nouveau", *numbers], key="eng_choisi",
                          format_func=lambda n: "➕ nouvel engagement" if n == "nouveau" else f"n° {n}")
    new = choice == "nouveau"
    existing = None if new else in_module[in_module.engagement == choice].iloc[0]
    with st.form(f"engagement_{module}_{choice}"):
        default_number = (max(numbers) + 1) if numbers else 1
        number = st.number_input("Numéro", min_value=1, step=1, disabled=not new,
                                 value=default_number if new else int(choice))
        theme = st.text_input("Thème", value="" if new else blank(existing.theme))
        label = st.text_area("Libellé", value="" if new else existing.engagement_label)
        if st.form_submit_button("Ajouter l'engagement" if new else "Enregistrer", type="primary"):
            eng = Engagement(module=int(module), engagement=int(number), theme=theme.strip() or None,
                             engagement_label=label.strip())
            apply(lambda: referentiel_edit.save_engagement(db, eng, actor=admin, new=new),
                  f"Engagement {int(number)} du module {module} enregistré.")

with tab_questions:
    st.caption("Les questions des enquêtes de satisfaction : l'import reconnaît une colonne de réponses ou une "
               "ligne d'enquête par le libellé de sa question (ou un synonyme). Une question ajoutée ici est "
               "reconnue dès le prochain import.")
    st.dataframe(questions[["question_code", "question_label", "module", "engagement"]], hide_index=True,
                 width="stretch", column_config={"question_code": "Code", "question_label": "Question",
                                                 "module": "Module", "engagement": "Engagement"}, placeholder="–")
    q_labels = dict(zip(questions.question_code, questions.question_label, strict=True))
    q_choice = st.selectbox("Modifier une question, ou en ajouter une", ["nouvelle", *q_labels], key="question_choisie",
                            format_func=lambda c: "➕ nouvelle question" if c == "nouvelle" else f"{q_labels[c]} ({c})")
    q_new = q_choice == "nouvelle"
    q_row = None if q_new else questions[questions.question_code == q_choice].iloc[0]
    q_module = (st.selectbox("Module", list(module_names), format_func=lambda m: f"{m} – {module_names[m]}",
                             key="question_module") if q_new else int(q_row.module))
    with st.form(f"question_{q_choice}_{q_module}"):
        q_code = st.text_input("Code (majuscules, ex. ACCUEIL_RDV)", value="" if q_new else q_choice,
                               disabled=not q_new, key="question_code")
        q_label = st.text_input("Libellé de la question", value="" if q_new else q_row.question_label,
                                key="question_libelle")
        q_options = engagement_options(q_module)
        q_current = None if q_new or blank(q_row.engagement) == "" else int(q_row.engagement)
        q_engagement = st.selectbox(f"Engagement (module {q_module})", q_options, key="question_engagement",
                                    index=q_options.index(q_current) if q_current in q_options else 0,
                                    format_func=lambda e: "— question générale" if e is None else str(e))
        if st.form_submit_button("Ajouter la question" if q_new else "Enregistrer", type="primary"):
            def save_question():
                question = referentiel_edit.clean_question(
                    question_code=q_code if q_new else q_choice, question_label=q_label, module=q_module,
                    engagement=q_engagement)
                referentiel_edit.save_question(db, question, actor=admin, new=q_new)
            apply(save_question, f"Question {(q_code if q_new else q_choice).strip().upper()} enregistrée.")

with tab_syn:
    st.caption("Un synonyme est un autre libellé reconnu à l'import (en-tête de ligne ou de colonne d'un "
               "classeur) ; majuscules, accents et ponctuation sont ignorés à la comparaison.")
    kind = st.radio("Type", ["indicateur", "question"], horizontal=True, key="syn_type")
    items = (dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True)) if kind == "indicateur"
             else dict(zip(questions.question_code, questions.question_label, strict=True)))
    with st.form("nouveau_synonyme", clear_on_submit=True):
        item = st.selectbox(kind.capitalize(), list(items), format_func=lambda c: f"{items[c]} ({c})")
        synonym = st.text_input("Synonyme")
        if st.form_submit_button("Ajouter le synonyme", type="primary"):
            apply(lambda: referentiel_edit.add_synonym(db, kind, item, synonym, actor=admin),
                  f"Synonyme ajouté : « {ui.plain(synonym)} ».")
    synonyms = ui.query("ingest_synonyms")
    st.dataframe(synonyms[synonyms.item_kind == kind][["item_code", "synonym"]], hide_index=True, width="stretch",
                 column_config={"item_code": "Code", "synonym": "Synonyme"}, placeholder="–")

with tab_targets:
    st.caption("Les référents proposent la cible propre de leur préfecture (« notre cible ») ; elle ne compte qu'une "
               "fois approuvée ici, à partir de sa date (les mois d'avant gardent leur cible et leur verdict). Un "
               "refus demande un motif, que le référent lit sur la page Référentiel. Tout est tracé.")
    local = ui.query("target_local_rows")
    pending = local[local.status == "proposed"]
    if pending.empty:
        st.info("Aucune proposition en attente.", icon=":material/check_circle:")
    for item in pending.itertuples():
        unit = "%" if item.indicator_code == "SATISFACTION" else (item.unit or "")
        shown = fmt.target_value(item.target, unit, item.direction, strict=bool(item.strict))
        since = fmt.day(item.valid_from) if pd.notna(item.valid_from) else "toujours"
        with st.container(border=True):
            st.markdown(ui.plain(f"{item.site_name} ({item.site_code}) · {item.indicator_label or item.indicator_code}"
                                 f" : {shown} à partir du {since} — source : {item.source} — proposée par "
                                 f"{item.proposed_by}"))
            left, middle, right = st.columns([1, 2, 1])
            if left.button("Approuver", key=f"approuver_{item.target_id}", type="primary"):
                apply(lambda tid=item.target_id: target_edit.decide(db, tid, approve=True, actor=admin),
                      "Cible approuvée : elle compte à partir de sa date.")
            motif = middle.text_input("Motif du refus", key=f"motif_{item.target_id}")
            if right.button("Refuser", key=f"refuser_{item.target_id}"):
                apply(lambda tid=item.target_id, m=motif: target_edit.decide(db, tid, approve=False, actor=admin,
                                                                              note=m),
                      "Proposition refusée.")
    decided = local[local.status != "proposed"]
    if not decided.empty:
        st.markdown("**Cibles propres des sites (approuvées, refusées, remplacées)**")
        # The target as everywhere on screen (« ≤ 10 j »), not the bare number.
        decided = decided.assign(target=[
            fmt.target_value(t, "%" if code == "SATISFACTION" else (u or ""), d, strict=bool(strict))
            for t, code, u, d, strict in zip(decided.target, decided.indicator_code, decided.unit, decided.direction,
                                             decided.strict, strict=True)])
        st.dataframe(decided[["site_code", "site_name", "indicator_code", "target", "strict", "valid_from", "valid_to",
                              "source", "status", "proposed_by", "decided_by", "decision_note"]],
                     hide_index=True, width="stretch", placeholder="–",
                     column_config={"site_code": "Code", "site_name": "Site", "indicator_code": "Indicateur",
                                    "target": "Cible", "strict": "Stricte",
                                    "valid_from": st.column_config.DateColumn("Du", format="DD/MM/YYYY"),
                                    "valid_to": st.column_config.DateColumn("Au", format="DD/MM/YYYY"),
                                    "source": "Source", "status": "Statut", "proposed_by": "Proposée par",
                                    "decided_by": "Décidée par", "decision_note": "Motif"})

with tab_history:
    history = auth.audit_history(db, entities=("indicateur", "engagement", "question", "synonyme", "cible"))
    st.dataframe(
        history,
        column_config={"changed_at": st.column_config.DatetimeColumn("Quand (UTC)", format="DD/MM/YYYY HH:mm"),
                       "actor": "Par", "action": "Action", "entity": "Élément", "key": "Code",
                       "before": "Avant", "after": "Après"},
        hide_index=True, width="stretch",
        placeholder="–",
    )
ui.footer()
