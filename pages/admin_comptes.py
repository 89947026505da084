"""Comptes: create accounts, change role or prefecture, reset a password, deactivate; history."""

import streamlit as st

from qualepref import auth, ui
from qualepref.access import ROLE_LABELS, Role, ScopeError

ui.page_header("Comptes", "Qui peut se connecter, avec quel profil et pour quelle préfecture.")
admin = ui.require_role(Role.ADMIN)
db = ui.get_db()
sites = ui.query("sites")
site_names = dict(zip(sites.site_code, sites.site_name, strict=True))
NATIONAL = ""
site_options = [NATIONAL, *site_names]
ROLES = [Role.REFERENT, Role.COPIL, Role.MINISTRY, Role.ADMIN]


def site_label(code: str) -> str:
    return "— aucune (profil national)" if code == NATIONAL else f"{code} – {site_names[code]}"


def show_result(action, success: str) -> None:
    try:
        action()
    except (auth.AccountError, ScopeError) as exc:
        st.error(ui.plain(exc), icon=":material/error:")
    else:
        st.session_state["comptes_message"] = success
        st.rerun()


if message := st.session_state.pop("comptes_message", None):
    st.success(ui.plain(message), icon=":material/check_circle:")

accounts = auth.list_accounts(db)
if accounts.empty:
    st.info("Aucun compte n'existe encore.")
else:
    shown = accounts.assign(
        role=accounts.role.map(lambda r: ROLE_LABELS[Role(r)]),
        active=accounts.active.map({True: "actif", False: "désactivé"}),
        has_password=accounts.has_password.map({True: "oui", False: "non (OIDC)"}),
    )
    st.dataframe(
        shown[["email", "display_name", "role", "site_code", "site_name", "active", "has_password",
               "locked_until", "last_login_at"]],
        column_config={
            "email": "Adresse", "display_name": "Nom", "role": "Profil", "site_code": "Préfecture",
            "site_name": "Département", "active": "État", "has_password": "Mot de passe local",
            "locked_until": st.column_config.DatetimeColumn("Verrouillé jusqu'à (UTC)", format="DD/MM/YYYY HH:mm"),
            "last_login_at": st.column_config.DatetimeColumn("Dernière connexion (UTC)", format="DD/MM/YYYY HH:mm"),
        },
        hide_index=True, width="stretch",
        placeholder="–",
    )

if admin.demo:
    st.info(
        "**Mode découverte** : les comptes ne se créent pas ici tant qu'aucun administrateur n'existe. "
        "Créez le premier administrateur sur le serveur (application arrêtée) :\n\n"
        "`.venv/bin/python -m qualepref compte creer --email prenom.nom@interieur.gouv.fr --role admin`\n\n"
        "Le mode découverte disparaît alors, et cette page permet de créer les autres comptes.",
        icon=":material/admin_panel_settings:",
    )
    ui.footer()
    st.stop()

tab_create, tab_edit, tab_password, tab_history = st.tabs(
    ["Créer un compte", "Modifier un compte", "Réinitialiser un mot de passe", "Historique des changements"]
)
# The typed passwords are emptied once the form is handled, success or not: they never stay in
# the form or the session. After a creation every field is emptied; after a refusal, the address,
# name, profile and prefecture stay for the correction.
CREATE_FIELDS = {"creer_email": "", "creer_nom": "", "creer_role": ROLES[0], "creer_pref": NATIONAL}
CREATE_PASSWORDS = ("creer_mdp", "creer_mdp2")
for key in st.session_state.pop("creer_effacer", ()):
    st.session_state[key] = CREATE_FIELDS.get(key, "")


def create(email, name, role, site, password, confirm) -> None:
    """Create the account, remember what to say and what to empty, and run the page again."""
    st.session_state["creer_effacer"] = CREATE_PASSWORDS
    if password != confirm:
        st.session_state["creer_erreur"] = "Les deux saisies du mot de passe diffèrent."
    else:
        try:
            auth.create_account(db, actor=admin, email=email, display_name=name, role=role, site_code=site or None,
                                password=password or None)
        except (auth.AccountError, ScopeError) as exc:
            st.session_state["creer_erreur"] = str(exc)
        else:
            st.session_state["comptes_message"] = f"Compte créé : {auth.normalize_email(email)}."
            st.session_state["creer_effacer"] = (*CREATE_FIELDS, *CREATE_PASSWORDS)
    st.rerun()


with tab_create:
    if refusal := st.session_state.pop("creer_erreur", None):
        st.error(ui.plain(refusal), icon=":material/error:")
    with st.form("creer_compte"):
        email = st.text_input("Adresse électronique", key="creer_email")
        name = st.text_input("Nom affiché", key="creer_nom")
        role = st.selectbox("Profil", ROLES, format_func=ROLE_LABELS.get, key="creer_role")
        site = st.selectbox("Préfecture (référent et COPIL)", site_options, format_func=site_label,
                            key="creer_pref")
        password = st.text_input("Mot de passe initial (laisser vide pour une connexion OIDC uniquement)",
                                 type="password", key="creer_mdp")
        confirm = st.text_input("Confirmez le mot de passe", type="password", key="creer_mdp2")
        if st.form_submit_button("Créer le compte", type="primary"):
            create(email, name, role, site, password, confirm)

emails = list(accounts.email)
with tab_edit:
    if not emails:
        st.caption("Aucun compte à modifier.")
    else:
        chosen = st.selectbox("Compte", emails, key="modifier_compte")
        current = auth.get_account(db, chosen)
        with st.form("modifier_compte_form"):
            name = st.text_input("Nom affiché", value=current.display_name)
            role = st.selectbox("Profil", ROLES, index=ROLES.index(current.role), format_func=ROLE_LABELS.get)
            site = st.selectbox("Préfecture", site_options, format_func=site_label,
                                index=site_options.index(current.site_code or NATIONAL))
            active = st.checkbox("Compte actif", value=current.active,
                                 help="Un compte désactivé ne peut plus se connecter ; il reste dans l'historique.")
            if st.form_submit_button("Enregistrer", type="primary"):
                show_result(
                    lambda: auth.update_account(db, actor=admin, email=chosen, display_name=name, role=role,
                                                site_code=site or None, active=active),
                    f"Compte modifié : {chosen}.",
                )

with tab_password:
    if not emails:
        st.caption("Aucun compte.")
    else:
        with st.form("mot_de_passe", clear_on_submit=True):
            chosen = st.selectbox("Compte", emails, key="mdp_compte")
            password = st.text_input("Nouveau mot de passe", type="password")
            confirm = st.text_input("Confirmez le nouveau mot de passe", type="password")
            st.caption(f"Au moins {auth.MIN_PASSWORD_LENGTH} caractères. Le compte est aussi déverrouillé. "
                       "Transmettez le mot de passe à son titulaire par un canal sûr.")
            if st.form_submit_button("Réinitialiser", type="primary"):
                if password != confirm:
                    st.error("Les deux saisies du mot de passe diffèrent.")
                else:
                    show_result(lambda: auth.set_password(db, actor=admin, email=chosen, password=password),
                                f"Mot de passe réinitialisé pour {chosen}.")

with tab_history:
    history = auth.audit_history(db, entities=("compte",))
    st.dataframe(
        history,
        column_config={"changed_at": st.column_config.DatetimeColumn("Quand (UTC)", format="DD/MM/YYYY HH:mm"),
                       "actor": "Par", "action": "Action", "entity": None, "key": "Compte",
                       "before": "Avant", "after": "Après"},
        hide_index=True, width="stretch",
        placeholder="–",
    )
ui.footer()
