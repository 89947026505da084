"""Notre démarche: one site's périmètre, the stages of its label, its readiness for the audit, and
what its audits found (référent and COPIL; the ministry and the administrator choose a site).

The checklist is computed from the data with the press kit's rules; each line says what is
missing and links to the page that fixes it. The référent records stages, périmètre decisions
and findings here (the national history is loaded through the import, kind `labellisation`).
"""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import access, actions, filters, fmt, labelling_store, labellisation, sites, ui, vocab
from qualepref.access import ScopeError
from qualepref.charts import labelling as charts

ui.page_header(
    "Notre démarche",
    "Le périmètre retenu, les étapes du label, ce qui reste à faire avant l'audit et les constats des audits.",
)
principal = ui.current_principal()
selection = filters.sidebar_filters(period=False)
today = date.today()
site_rows = ui.query("sites", scope=selection.scope)
site_code = selection.site_code
if site_code is None and principal.site_code in set(site_rows.site_code):
    site_code = principal.site_code  # a prefecture's référent: its own prefecture first
if site_code is None:
    st.info("Choisissez un site (préfecture ou sous-préfecture) dans le panneau latéral.", icon=":material/flag:")
    ui.footer()
    st.stop()
scope = selection.scope.narrowed([site_code])
site = site_rows.set_index("site_code").loc[site_code]
title = sites.title(site.site_kind, site.site_name, int(site.tncc))
events = ui.query("label_events", scope=scope)
status = labellisation.site_status(site_code, events, today)
can_write = scope.can_write
db = ui.get_db()
KINDS = vocab.LABEL_EVENT_KINDS
RESULTS = vocab.LABEL_RESULTS

st.subheader(ui.plain(title))
term = vocab.LABEL_STATUSES[status.status]
# Two by two: at 1280 px four key figures side by side cut the dates short.
top, bottom = st.columns(2, border=True), st.columns(2, border=True)
top[0].metric("Statut", f"{term.symbol} {term.label}", help=status.detail)
top[1].metric("Labellisé depuis", fmt.day(status.label_since))
bottom[0].metric("Label valable jusqu'au", fmt.day(status.valid_until))
bottom[1].metric("Prochain audit de suivi", fmt.day(status.next_due),
                 help="Un an après la décision, le dernier audit de suivi ou le renouvellement, sauf échéance donnée.")
if status.status == "suivi_en_retard":
    st.warning(ui.plain(status.detail), icon=":material/schedule:")
elif status.planned is not None:
    st.info(f"Prochain audit programmé le {fmt.day(status.planned)}.", icon=":material/event:")

# -- périmètre --------------------------------------------------------------------------------------
st.subheader("Périmètre : modules retenus")
periods = ui.query("site_modules", scope=scope)
if periods.empty:
    st.info("Aucun module retenu n'est enregistré pour ce site. Le module 1 est obligatoire ; enregistrez la "
            "décision (COPIL) qui fixe le périmètre ci-dessous, ou importez-la (type « labellisation »).")
else:
    now = pd.Timestamp(today)
    in_force = periods[(pd.to_datetime(periods.since) <= now)
                       & (periods.until.isna() | (pd.to_datetime(periods.until) > now))]
    st.dataframe(pd.DataFrame({
        "Module": [f"{m} – {n}" for m, n in zip(in_force.module, in_force.module_name, strict=True)],
        "Obligatoire": ["oui" if m else "non" for m in in_force.mandatory],
        "Retenu depuis": in_force.since.map(fmt.day),
        "Décision": in_force.decision.fillna("–"),
    }), hide_index=True, width="stretch", placeholder="–")
    with st.expander(f"Historique du périmètre ({fmt.count(len(periods), 'période')})"):
        st.dataframe(pd.DataFrame({
            "Module": [f"{m} – {n}" for m, n in zip(periods.module, periods.module_name, strict=True)],
            "Depuis": periods.since.map(fmt.day), "Décision": periods.decision.fillna("–"),
            "Jusqu'au": periods.until.map(fmt.day), "Décision d'arrêt": periods.until_decision.fillna("–"),
        }), hide_index=True, width="stretch", placeholder="–")

# -- stages -----------------------------------------------------------------------------------------
st.subheader("Étapes de la démarche")
if events.empty:
    st.info("Aucune étape enregistrée : l'engagement (décision du COPIL), l'auto-évaluation, l'enquête mystère, "
            "l'audit interne, l'audit externe, la décision, puis les audits de suivi.")
else:
    fig = charts.timeline(events, title=f"Étapes du label, {ui.plain(site.site_name)}", today=today,
                          meeting_mode=selection.meeting_mode)
    table = pd.DataFrame({
        "Date": events.event_date.map(fmt.day),
        "Étape": events.event_kind.map(KINDS.label),
        "Organisme": events.organisme.fillna("–"),
        "Résultat": events.result.map(lambda r: RESULTS.label(r) if isinstance(r, str) else "–"),
        "Rapport du": events.report_date.map(fmt.day),
        "Référentiel": events.referentiel_version.fillna("–"),
        "Valable jusqu'au": events.valid_until.map(fmt.day),
        "Prochaine échéance": events.next_due.map(fmt.day),
        "Commentaire": events.comment.fillna(""),
    })
    ui.chart_with_table(fig, table, file_stem=f"demarche-{site_code}", key="dem_timeline")

# -- readiness ---------------------------------------------------------------------------------------
st.subheader("Prêt pour l'audit ?")
findings = actions.finding_actions(ui.query("audit_findings", scope=scope), ui.query("actions", scope=scope))
open_nc = findings[(findings.finding_kind == "non_conformite") & findings.closed_on.isna()]
checks = labellisation.readiness(
    events=events,
    tracked=ui.query("readiness_indicators", scope=scope, today=today),
    mystery_assessments=[pd.Timestamp(d).date() for d in ui.query("mystery_assessments", scope=scope).assessed_on],
    campaigns=[str(c) for c in ui.query("site_campaigns", scope=scope).campaign],
    open_non_conformities=len(open_nc), actions_tracked=True, without_action=int((~open_nc.has_action).sum()),
    today=today, next_due=status.next_due)
target = labellisation.target_audit(events, today, status.next_due)
st.caption("Les règles du dossier de presse de la labellisation (indicateurs suivis au moins 3 mois, audit interne "
           "1 à 3 mois avant l'audit externe, enquête mystère en amont, enquête annuelle), vérifiées sur les données"
           + (f" ; audit de référence : {'prévu le' if target[1] else 'audit externe du'} {fmt.day(target[0])}."
              if target else "."))
ICONS = {"ok": ":material/check_circle:", "manquant": ":material/cancel:", "a_verifier": ":material/help:"}
offered = {stem for stems in access.navigation(principal.role).values() for stem in stems}
for check in checks:
    with st.container(border=True):
        left, right = st.columns([3, 1])
        left.markdown(f"{ICONS[check.state]} **{check.label}** — {labellisation.CHECK_STATES[check.state]}")
        left.caption(ui.plain(check.detail))
        if check.page in offered:
            right.page_link(f"pages/{check.page}.py", label=check.page_label, icon=":material/arrow_forward:",
                            query_params={"pref": site_code})
        elif check.page:  # a page of another profile (the Import is the référent's)
            right.caption(f"Par le référent qualité : {check.page_label}")

# -- findings -------------------------------------------------------------------------------------
st.subheader("Constats d'audit")
if findings.empty:
    st.info("Aucun constat d'audit enregistré (points forts, non-conformités, pistes d'amélioration).")
else:
    st.caption(f"{len(open_nc)} non-conformité(s) ouverte(s), dont {int((~open_nc.has_action).sum())} sans action. "
               "Chaque constat garde son numéro : « Créer ou voir l'action » ouvre l'action qui y répond (même "
               "constat, ou même module et engagement), ou le formulaire du plan d'actions prérempli.")
    st.dataframe(pd.DataFrame({
        "N°": findings.finding_id,
        "Audit": [f"{KINDS.short(k)} du {fmt.day(d)}" for k, d in zip(findings.audit_kind, findings.audit_date,
                                                                        strict=True)],
        "Nature": findings.finding_kind.map(vocab.FINDING_KINDS.label),
        "Module": findings.module.astype("Int64"),
        "Engagement": findings.engagement.astype("Int64"),
        "Constat": findings.finding_text,
        "Levée le": [fmt.day(c) if k == "non_conformite" else "" for k, c in zip(findings.finding_kind,
                                                                                  findings.closed_on, strict=True)],
        "Plan d'actions": [a if k == "non_conformite" else "" for a, k in zip(findings.action, findings.finding_kind,
                                                                             strict=True)],
        "Action": findings.action_link,
    }), hide_index=True, width="stretch", placeholder="–", column_config={"Action": st.column_config.LinkColumn(
        "Action", display_text="Créer ou voir l'action", width="small")})


# -- recording (référent of the site, administrator) --------------------------------------------------
def saved(action, message: str) -> None:
    try:
        action()
    except (ValueError, ScopeError) as exc:
        st.error(ui.plain(exc), icon=":material/error:")
    else:
        st.session_state["demarche_message"] = message
        st.rerun()


if message := st.session_state.pop("demarche_message", None):
    st.success(message, icon=":material/task_alt:")
if can_write:
    st.subheader("Enregistrer")
    stage_tab, perimetre_tab, finding_tab = st.tabs(["Une étape", "Une décision de périmètre", "Un constat"])
    with stage_tab, st.form("dem_stage", clear_on_submit=False):
        kind = st.selectbox("Étape", KINDS.codes, format_func=KINDS.label, key="dem_kind")
        left, right = st.columns(2)
        on = left.date_input("Date (future : étape programmée)", value=today, format="DD/MM/YYYY", key="dem_on")
        result = right.selectbox("Résultat", ["", *RESULTS.codes], format_func=lambda r: RESULTS.label(r, "–"),
                                 key="dem_result")
        organisme = left.text_input("Organisme (audits)", key="dem_organisme")
        report = right.date_input("Date du rapport", value=None, format="DD/MM/YYYY", key="dem_report")
        version = left.text_input("Version du référentiel (décision)", key="dem_version")
        valid_until = right.date_input("Label valable jusqu'au (décision, renouvellement)", value=None,
                                       format="DD/MM/YYYY", key="dem_valid")
        next_due = left.date_input("Prochain audit de suivi", value=None, format="DD/MM/YYYY", key="dem_due",
                                   help="Vide : un an après une décision, un audit de suivi ou un renouvellement "
                                        "favorable.")
        comment = right.text_input("Commentaire (ex. « COPIL du 01/07/2021 »)", key="dem_comment")
        if st.form_submit_button("Enregistrer l'étape", type="primary"):
            problems = labellisation.event_problems(kind, on, result=result or None, report_date=report,
                                                    valid_until=valid_until, next_due=next_due, today=today)
            if problems:
                st.error(" ".join(problems), icon=":material/error:")
            else:
                row = {"site_code": site_code, "event_kind": kind, "event_date": on, "organisme": organisme or None,
                       "report_date": report, "result": result or None, "referentiel_version": version or None,
                       "valid_until": valid_until, "comment": comment or None,
                       "next_due": labellisation.completed_next_due(kind, on, result or None, next_due)}
                saved(lambda: labelling_store.save(db, "label_events", row, scope=scope, actor=principal),
                      f"Étape « {KINDS.label(kind)} » du {fmt.day(on)} enregistrée.")
    with perimetre_tab, st.form("dem_perimetre"):
        modules = ui.query("referentiel_modules", scope=scope)
        names = dict(zip(modules.module, modules.module_name, strict=True))
        module = st.selectbox("Module", list(names), format_func=lambda m: f"{m} – {names[m]}", key="dem_module")
        left, right = st.columns(2)
        decided = left.date_input("Date de la décision", value=today, format="DD/MM/YYYY", key="dem_decided")
        retained = right.radio("Décision", [True, False], horizontal=True, key="dem_retained",
                               format_func=lambda r: "Module retenu" if r else "Module abandonné")
        decision = st.text_input("Instance et date (ex. « COPIL du 01/07/2021 »)", key="dem_decision")
        if st.form_submit_button("Enregistrer la décision", type="primary"):
            if decided > today:
                st.error("Une décision de périmètre ne peut pas être datée dans le futur.", icon=":material/error:")
            elif module == 1 and not retained:
                st.error("Le module 1 est obligatoire : il ne peut pas être abandonné.", icon=":material/error:")
            else:
                row = {"site_code": site_code, "module": int(module), "decided_on": decided, "retained": retained,
                       "decision": decision or None}
                saved(lambda: labelling_store.save(db, "site_modules", row, scope=scope, actor=principal),
                      f"Décision sur le module {module} enregistrée.")
    with finding_tab:
        audits = events[events.event_kind.isin(("audit_interne", "audit_externe", "audit_suivi", "renouvellement",
                                                "enquete_mystere"))
                        & (pd.to_datetime(events.event_date) <= pd.Timestamp(today))]
        if audits.empty:
            st.info("Enregistrez d'abord l'audit dont viennent les constats.")
        else:
            with st.form("dem_finding"):
                choices = list(zip(audits.event_kind, pd.to_datetime(audits.event_date).dt.date, strict=True))[::-1]
                audit = st.selectbox("Audit", choices, key="dem_audit",
                                     format_func=lambda a: f"{KINDS.label(a[0])} du {fmt.day(a[1])}")
                nature = st.selectbox("Nature", vocab.FINDING_KINDS.codes, format_func=vocab.FINDING_KINDS.label,
                                      key="dem_nature")
                left, right = st.columns(2)
                f_module = left.number_input("Module (facultatif)", min_value=1, max_value=99, value=None, step=1,
                                             key="dem_f_module")
                f_engagement = right.number_input("Engagement (facultatif)", min_value=1, max_value=999, value=None,
                                                  step=1, key="dem_f_engagement")
                text = st.text_area("Constat", key="dem_text", max_chars=1000)
                if st.form_submit_button("Enregistrer le constat", type="primary"):
                    if not text.strip():
                        st.error("Écrivez le constat.", icon=":material/error:")
                    else:
                        row = {"site_code": site_code, "audit_kind": audit[0], "audit_date": audit[1],
                               "finding_kind": nature, "module": f_module, "engagement": f_engagement,
                               "finding_text": text.strip(), "closed_on": None}
                        saved(lambda: labelling_store.save(db, "findings", row, scope=scope, actor=principal),
                              "Constat enregistré.")
        if len(open_nc):
            with st.form("dem_close"):
                labels = dict(zip(open_nc.finding_id, open_nc.finding_text, strict=True))
                finding = st.selectbox("Non-conformité levée", list(labels), key="dem_close_id",
                                       format_func=lambda i: f"N° {i} – {labels[i][:90]}")
                closed = st.date_input("Levée le", value=today, max_value=today, format="DD/MM/YYYY",
                                       key="dem_closed_on")
                if st.form_submit_button("Enregistrer la levée"):
                    saved(lambda: labelling_store.close_finding(db, finding, closed, scope=scope,
                                                                actor=principal),
                          f"Non-conformité n° {finding} levée le {fmt.day(closed)}.")
ui.footer()
