"""Plan d'actions: the actions decided on alerts, non-conformities, audit findings or freely; their progress,
late ones flagged, the effect of each on the figure that triggered it; create, edit, close.

Who writes what is decided by the data layer (`qualepref.actions_store`): the référent its scope's
actions, a COPIL member their status, date done and comment, the administrator everything.
"""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import action_coverage, action_effects, actions, actions_store, events, filters, fmt, ui, vocab
from qualepref.access import ScopeError
from qualepref.actions import ActionError
from qualepref.charts.actions import effect_chart
from qualepref.export import tables
from qualepref.ingest import actions_kind

STATUSES = vocab.ACTION_STATUSES
ORIGINS = vocab.ACTION_ORIGINS
ALL = "__toutes__"

# A link from Alertes or Conformité (« Créer une action ») carries the origin: read before the filters
# rewrite the address, kept for the session.
prefill = actions.prefill_from(st.query_params)
if prefill is not None:
    st.session_state["pa_prefill"] = prefill
if st.query_params.get("action"):
    st.session_state["pa_action"] = st.query_params.get("action")
# Read once: a rerun after « Créer l'action » must not prefill the form again from the address (the site stays,
# it is the sidebar's filter).
for name in [*(n for n in actions.LINK_PARAMS if n != "pref"), "action"]:
    st.query_params.pop(name, None)

ui.page_header(
    "Plan d'actions",
    "Les actions décidées sur les alertes, les non-conformités, les constats d'audit ou librement (COPIL, comité "
    "des usagers) : où elles en sont, celles en retard, et l'effet de chacune sur le chiffre qui l'a déclenchée.",
)
principal = ui.current_principal()
selection = filters.sidebar_filters(period=False, module=True)
scope = selection.scope
today = date.today()
db = ui.get_db()
can_create = actions_store.may_create(scope, principal)
can_edit = actions_store.may_edit(scope, principal)
national = scope.national and not selection.single_site
stored = actions.with_reading(ui.query("actions", scope=scope), today)
if selection.module:
    stored = stored[stored.module == selection.module]

if message := st.session_state.pop("pa_message", None):
    st.success(message, icon=":material/task_alt:")

# -- progress ---------------------------------------------------------------------------------------
counts = actions.progress_counts(stored, today)
cols = st.columns(5, border=True)
for col, code in zip(cols, STATUSES.codes, strict=False):
    col.metric(f"{STATUSES[code].symbol} {STATUSES.label(code)}", fmt.number(counts[code], 0))
cols[4].metric("⚠ En retard", fmt.number(counts["en_retard"], 0),
               help="Actions à lancer ou en cours dont l'échéance est passée.")

# -- list --------------------------------------------------------------------------------------------
left, middle, right = st.columns([2, 2, 1])
chosen_statuses = left.multiselect("Statut", STATUSES.codes, default=list(actions.OPEN_STATUSES),
                                   format_func=STATUSES.label, key="pa_statuts",
                                   placeholder="Tous les statuts")
chosen_origins = middle.multiselect("Origine", ORIGINS.codes, format_func=ORIGINS.label, key="pa_origines",
                                    placeholder="Toutes les origines")
late_only = right.toggle("En retard", key="pa_retard", help="Seulement les actions à lancer ou en cours dont "
                                                            "l'échéance est passée.")
shown = stored
if chosen_statuses:
    shown = shown[shown.status.isin(chosen_statuses)]
if chosen_origins:
    shown = shown[shown.origin_kind.isin(chosen_origins)]
if late_only:
    shown = shown[shown.late]


def list_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The list as read on screen: late actions flagged by a symbol and words (colour is never the only sign)."""
    frame = pd.DataFrame({
        "N°": rows.action_id.astype(int),
        **({"Site": [f"{c} – {n}" for c, n in zip(rows.site_code, rows.site_name, strict=True)]} if national else {}),
        "Action": rows.title,
        "Statut": [f"{STATUSES[s].symbol} {STATUSES.label(s)}" for s in rows.status],
        "Retard": [actions.late_text(s, d, today) for s, d in zip(rows.status, rows.due_on, strict=True)],
        "Échéance": rows.due_on.map(fmt.day),
        "Pilote": rows.owner.fillna("–"),
        "Module": rows.module.astype("Int64"),
        "Origine": [ORIGINS[k].short_label for k in rows.origin_kind],
        "Décidée le": rows.decided_on.map(fmt.day),
        "Réalisée le": rows.done_on.map(fmt.day),
    })
    return frame


if stored.empty:
    st.info("Aucune action enregistrée pour cette sélection. Créez-en une ci-dessous, depuis une alerte (page "
            "Alertes) ou une non-conformité (page Conformité).", icon=":material/checklist:")
elif shown.empty:
    st.info("Aucune action ne correspond à ces filtres.")
else:
    frame = list_frame(shown)
    late_rows = set(frame.index[frame["Retard"] != ""])
    styled = frame.style.apply(
        lambda row: [f"color: {vocab.LATE_COLOUR}; font-weight: bold" if row.name in late_rows else ""
                     for _ in row], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", key="pa_liste", placeholder="–",
                 column_config={"Action": st.column_config.TextColumn(width="large"),
                                "N°": st.column_config.NumberColumn(width="small", format="%d"),
                                "Module": st.column_config.NumberColumn(width="small", format="%d")})
    st.caption(f"{fmt.number(len(shown), 0)} action(s) sur {fmt.number(len(stored), 0)}. « ⚠ en retard » : à "
               "lancer ou en cours, échéance passée.")


def plan_file() -> bytes:
    content = actions_kind.to_xlsx(stored)
    events.emit("export", outcome="success", user=principal.user, kind="xlsx", file=f"{stem}.xlsx",
                bytes=len(content))
    return content


if not stored.empty:
    stem = "plan-actions" + (f"-{selection.site_code}" if selection.site_code else "")
    st.download_button("Télécharger le plan (Excel)", plan_file, file_name=f"{stem}.xlsx", key="pa_download",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:",
                       help="Une ligne par action, son numéro en première colonne. Modifiez-le dans Excel puis "
                            "déposez-le sur la page Import (type « Plan d'actions ») : une ligne avec un numéro "
                            "met à jour l'action, une ligne sans numéro en crée une ; une cellule vide ne change "
                            "rien.")


if national:
    # The ministry's reading: per prefecture, how far the plan follows what is wrong, and the late actions.
    st.subheader("Par préfecture : alertes et non-conformités suivies par une action")
    months = ui.query("available_months", scope=scope).period_start
    if len(months):
        end = pd.Timestamp(months.max()).date()
        followed = action_coverage.by_site(ui.query, scope, end, today)
        names = ui.query("sites", scope=scope)
        followed = followed.merge(names[["site_code", "site_name", "site_kind"]], on="site_code")
        followed = followed.sort_values(["share_followed", "n_late"], ascending=[True, False], na_position="last")
        with_items = followed[(followed.n_alerts + followed.n_nc) > 0]
        share = ((with_items.n_alerts_followed.sum() + with_items.n_nc_followed.sum())
                 / max(int(with_items.n_alerts.sum() + with_items.n_nc.sum()), 1) * 100)
        left, right = st.columns(2, border=True)
        left.metric("Alertes et non-conformités suivies", fmt.percent(share, 0),
                    help=f"Alertes ouvertes à fin {fmt.month(end)} (règle de la page Alertes) et dernières évaluations "
                         "non conformes, suivies par une action à lancer ou en cours sur le même indicateur, la même "
                         "question ou le même engagement.")
        right.metric("Actions en retard", fmt.number(int(followed.n_late.sum()), 0))
        columns = list(actions.COVERAGE_HEADERS)
        st.dataframe(ui.formatted(followed[columns], {"share_followed": lambda v: fmt.percent(v, 0)}).rename(
            columns=actions.COVERAGE_HEADERS), hide_index=True, width="stretch", placeholder="–", key="pa_national")
        st.caption("Les moins suivies d'abord. Part suivie : (alertes + non-conformités suivies) / (alertes + "
                   "non-conformités) ; « – » : rien d'ouvert.")
        st.download_button("Télécharger le tableau (Excel)",
                           lambda: tables.to_xlsx_bytes(followed[columns], actions.COVERAGE_HEADERS,
                                                        sheet="Par préfecture"),
                           file_name="plan-actions-par-prefecture.xlsx", key="pa_national_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def saved(action, message: str) -> None:
    try:
        action()
    except (ActionError, ScopeError) as exc:
        st.error(ui.plain(exc), icon=":material/error:")
    else:
        st.session_state["pa_message"] = message
        st.rerun()


site_rows = ui.query("sites", scope=scope)
site_names = dict(zip(site_rows.site_code, site_rows.site_name, strict=True))
modules = ui.query("referentiel_modules", scope=scope)
module_names = dict(zip(modules.module, modules.module_name, strict=True))
owners = ui.query("action_owners", scope=scope).owner.tolist()

def show_effect(row) -> None:
    """The linked figure before and after the action, its means and the verdict (indicator or question)."""
    found = action_effects.linked(lambda name, site_scope, **params: ui.query(name, scope=site_scope, **params),
                                  scope, row, ui.query("referentiel_indicators", scope=scope),
                                  ui.query("referentiel_questions", scope=scope))
    if found is None:
        return
    effect, unit, series, kind = found.effect, found.unit, found.series, found.period_kind
    st.markdown(f"**Effet sur « {ui.plain(found.name)} »** : {vocab.ACTION_VERDICTS[effect.verdict].symbol} "
                f"**{effect.label}**")
    st.caption(actions.effect_text(effect, unit) + (
        " · après = depuis la réalisation" if pd.notna(row.done_on) else " · après = depuis la décision")
        + (" · taux : amélioration seulement si les intervalles de confiance à 95 % ne se chevauchent pas"
           if unit is None else "")
        + f" · moins de {actions.MIN_PERIODS_AFTER} périodes après : trop tôt pour conclure.")
    if series.empty:
        return
    fig = effect_chart(series[["period_start", "value"]], effect,
                       title=f"Avant et après l'action, {ui.plain(found.name)}", unit=unit, period_kind=kind,
                       meeting_mode=selection.meeting_mode)
    table = pd.DataFrame({"Période": [fmt.period(p, kind) for p in series.period_start],
                          "Valeur": [fmt.percent(v, fraction=True) if unit is None else fmt.with_unit(v, unit)
                                     for v in series.value]})
    ui.chart_with_table(fig, table, file_stem=f"action-{int(row.action_id)}-effet", key=f"pa_effet_{row.action_id}")


# -- one action: origin, effect, changes, edit ----------------------------------------------------------
if not stored.empty:
    st.subheader("Une action")
    ids = stored.sort_values(["late", "due_on"], ascending=[False, True]).action_id.astype(int).tolist()
    wanted = st.session_state.pop("pa_action", None)
    if wanted is not None and str(wanted).isdigit() and int(wanted) in ids:
        st.session_state["pa_choix"] = int(wanted)
    titles = dict(zip(stored.action_id.astype(int), stored.title, strict=True))
    action_id = st.selectbox("Action", ids, key="pa_choix", format_func=lambda i: f"N° {i} – {titles[i][:90]}")
    row = stored.set_index(stored.action_id.astype(int)).loc[action_id]
    with st.container(border=True):
        st.markdown(f"**{ui.plain(row.title)}** — {STATUSES[row.status].symbol} {STATUSES.label(row.status)}"
                    + (f" · **{actions.late_text(row.status, row.due_on, today)}**" if row.late else ""))
        facts = [f"Site : {row.site_code} – {ui.plain(row.site_name)}",
                 f"Origine : {ORIGINS.label(row.origin_kind)}"
                 + (f" — {ui.plain(row.origin_label)}" if isinstance(row.origin_label, str) else ""),
                 f"Module {int(row.module)}" + (f", engagement {int(row.engagement)}" if pd.notna(row.engagement)
                                                else "") if pd.notna(row.module) else "Module : –",
                 f"Pilote : {ui.plain(row.owner) if isinstance(row.owner, str) else '–'}"
                 + (f" · groupe de travail : {ui.plain(row.working_group)}"
                    if isinstance(row.working_group, str) else ""),
                 f"Décidée le {fmt.day(row.decided_on)} · échéance {fmt.day(row.due_on)}"
                 + (f" · réalisée le {fmt.day(row.done_on)}" if pd.notna(row.done_on) else "")]
        st.markdown("\n".join(f"- {f}" for f in facts))
        if isinstance(row.description, str):
            st.caption(ui.plain(row.description))
        if isinstance(row.comment, str):
            st.caption("Commentaire : " + ui.plain(row.comment))
    show_effect(row)
    history = ui.query("action_changes", scope=scope.narrowed([row.site_code]))
    history = history[history.action_id == action_id]
    with st.expander(f"Historique des changements ({len(history)})"):
        st.dataframe(pd.DataFrame({
            "Quand": pd.to_datetime(history.changed_at).dt.strftime("%d/%m/%Y %H:%M"),
            "Qui": history.actor, "Changement": history.change.map({"creation": "création",
                                                                      "modification": "modification",
                                                                      "import": "import"}),
            "Avant": history.before.fillna("–"), "Après": history.after.fillna("–"),
        }), hide_index=True, width="stretch", placeholder="–")
    if can_edit:
        full = can_create  # a COPIL member changes the status, the date done and the comment only
        with st.form(f"pa_edit_{action_id}"):
            st.markdown("**Modifier l'action**" if full else "**Mettre à jour (membre du COPIL)**")
            changes = {}
            if full:
                changes["title"] = st.text_input("Intitulé", value=row.title, max_chars=actions.MAX_TITLE,
                                                 key=f"pa_e_title_{action_id}")
                changes["description"] = st.text_area(
                    "Description", value=row.description if isinstance(row.description, str) else "",
                    key=f"pa_e_desc_{action_id}")
                a, b = st.columns(2)
                current_owner = row.owner if isinstance(row.owner, str) else None
                owner_options = sorted({*owners, *([current_owner] if current_owner else [])})
                changes["owner"] = a.selectbox(
                    "Pilote (service)", owner_options, accept_new_options=True, key=f"pa_e_owner_{action_id}",
                    index=owner_options.index(current_owner) if current_owner else None,
                    placeholder="BLI, SIDSIC, Cabinet…")
                changes["working_group"] = b.text_input(
                    "Groupe de travail", value=row.working_group if isinstance(row.working_group, str) else "",
                    key=f"pa_e_wg_{action_id}")
                changes["decided_on"] = a.date_input("Décidée le (COPIL)", value=actions.as_date(row.decided_on),
                                                     format="DD/MM/YYYY", key=f"pa_e_decided_{action_id}")
                changes["due_on"] = b.date_input("Échéance", value=actions.as_date(row.due_on), format="DD/MM/YYYY",
                                                 key=f"pa_e_due_{action_id}")
            a, b = st.columns(2)
            changes["status"] = a.selectbox("Statut", STATUSES.codes, index=STATUSES.codes.index(row.status),
                                            format_func=STATUSES.label, key=f"pa_e_status_{action_id}")
            changes["done_on"] = b.date_input("Réalisée (ou abandonnée) le", value=actions.as_date(row.done_on),
                                              format="DD/MM/YYYY", key=f"pa_e_done_{action_id}")
            changes["comment"] = st.text_area("Commentaire", value=row.comment if isinstance(row.comment, str) else "",
                                              key=f"pa_e_comment_{action_id}")
            if st.form_submit_button("Enregistrer les modifications", type="primary"):
                saved(lambda: actions_store.update(db, action_id, changes, scope=scope, actor=principal),
                      f"Action n° {action_id} enregistrée.")
        if row.status in actions.OPEN_STATUSES and st.button("Clore : réalisée aujourd'hui",
                                                             key=f"pa_close_{action_id}",
                                                             icon=":material/task_alt:"):
            saved(lambda: actions_store.close(db, action_id, today, scope=scope, actor=principal),
                  f"Action n° {action_id} réalisée le {fmt.day(today)}.")

# -- create ------------------------------------------------------------------------------------------------
if can_create:
    prefill = dict(st.session_state.get("pa_prefill") or {})
    if prefill.get("engagement") is None and prefill.get("origin_kind") in ("indicateur", "question"):
        # The engagement of the indicator or question the alert is about, from the référentiel.
        items = ui.query("referentiel_indicators" if prefill["origin_kind"] == "indicateur" else
                         "referentiel_questions", scope=scope)
        code_column = "indicator_code" if prefill["origin_kind"] == "indicateur" else "question_code"
        found = items[items[code_column] == actions.subject(prefill["origin_kind"], prefill.get("origin_key"))]
        if not found.empty and pd.notna(found.engagement.iloc[0]):
            prefill["engagement"] = int(found.engagement.iloc[0])
    st.subheader("Créer une action")
    with st.expander("Nouvelle action", expanded=bool(prefill), icon=":material/add_task:"):
        if not prefill:
            st.caption("Action libre (décidée par le COPIL, le comité local des usagers…). Pour une action sur une "
                       "alerte ou une non-conformité, partez de la page Alertes ou Conformité (« Créer ou voir "
                       "l'action ») : l'origine est alors gardée avec l'action, et son effet mesuré.")
        if prefill:
            st.info("Origine : " + ui.plain(prefill.get("origin_label") or ORIGINS.label(prefill["origin_kind"])),
                    icon=":material/link:")
        site_options = list(site_names)
        default_site = prefill.get("site_code") if prefill.get("site_code") in site_names else (
            principal.site_code if principal.site_code in site_names else None)
        with st.form("pa_create"):
            site_code = st.selectbox("Site", site_options, format_func=lambda c: f"{c} – {site_names[c]}",
                                     index=site_options.index(default_site) if default_site else None,
                                     key="pa_c_site", placeholder="Choisissez le site")
            title = st.text_input("Intitulé", max_chars=actions.MAX_TITLE, key="pa_c_title",
                                  placeholder="Ex. : Renforcer l'accueil téléphonique aux heures de pointe")
            description = st.text_area("Description", key="pa_c_desc")
            a, b = st.columns(2)
            module_list = list(module_names)
            module = a.selectbox("Module", module_list, format_func=lambda m: f"{m} – {module_names[m]}",
                                 index=module_list.index(prefill["module"]) if prefill.get("module") in module_list
                                 else None, key="pa_c_module", placeholder="Aucun")
            engagement = b.number_input("Engagement", min_value=1, max_value=999, step=1,
                                        value=prefill.get("engagement"), key="pa_c_engagement")
            owner = a.selectbox("Pilote (service)", owners, accept_new_options=True, index=None, key="pa_c_owner",
                                placeholder="BLI, SIDSIC, Cabinet…")
            working_group = b.text_input("Groupe de travail", key="pa_c_wg")
            decided_on = a.date_input("Décidée le (COPIL)", value=today, max_value=today, format="DD/MM/YYYY",
                                      key="pa_c_decided")
            due_on = b.date_input("Échéance", value=None, format="DD/MM/YYYY", key="pa_c_due")
            status = a.selectbox("Statut", STATUSES.codes, format_func=STATUSES.label, key="pa_c_status")
            comment = b.text_input("Commentaire", key="pa_c_comment")
            if st.form_submit_button("Créer l'action", type="primary"):
                fields = {"site_code": site_code, "origin_kind": prefill.get("origin_kind", "libre"),
                          "origin_key": prefill.get("origin_key"), "origin_label": prefill.get("origin_label"),
                          "module": module, "engagement": engagement, "title": title, "description": description,
                          "owner": owner, "working_group": working_group, "decided_on": decided_on,
                          "due_on": due_on, "status": status, "comment": comment}
                if site_code is None:
                    st.error("Choisissez le site.", icon=":material/error:")
                else:
                    def create():
                        new_id = actions_store.create(db, fields, scope=scope, actor=principal)
                        st.session_state.pop("pa_prefill", None)
                        st.session_state["pa_action"] = new_id

                    saved(create, "Action créée.")
        if prefill and st.button("Oublier l'origine (action libre)", key="pa_c_forget"):
            st.session_state.pop("pa_prefill", None)
            st.rerun()
elif not can_edit:
    st.caption("Votre profil consulte le plan d'actions ; le référent qualité de la préfecture le tient à jour.")
ui.footer()
