"""Connexion: OIDC (the State's SSO) when configured, otherwise a local account."""

import streamlit as st

from qualepref import auth, chrome, sessions, ui
from qualepref.access import ROLE_LABELS, Principal

st.title("Qual-e-Pref · Tableau de bord")
st.caption("Tableau de bord de la démarche qualité des préfectures — Ministère de l'Intérieur.")
db = ui.get_db()

signed_in = st.session_state.get("principal")
if isinstance(signed_in, Principal) and not signed_in.demo:
    where = f", {ui.plain(ui.site_title(signed_in.site_code))}" if signed_in.site_code else ""
    st.success(f"Connecté : **{ui.plain(signed_in.label)}** ({ROLE_LABELS[signed_in.role]}{where}).",
               icon=":material/account_circle:")
    if st.button("Se déconnecter", icon=":material/logout:"):
        chrome.sign_out(db)
elif ui.discovery_mode():
    st.info("**Mode découverte** : aucun compte n'existe encore. Choisissez un profil dans la barre latérale "
            "pour parcourir les données de démonstration (consultation seulement : rien n'est enregistré).",
            icon=":material/explore:")
elif ui.oidc_configured():
    refusal = st.session_state.pop("refus_connexion", None)
    if refusal:
        st.error(ui.plain(refusal), icon=":material/person_off:")
        if st.button("Se déconnecter du service d'identité", icon=":material/logout:"):
            st.logout()
    else:
        st.write("Connectez-vous avec votre compte professionnel (ProConnect / AgentConnect).")
        if st.button("Se connecter", type="primary", icon=":material/login:"):
            st.login()
elif not auth.accounts_exist(db):  # no account and no discovery (no demonstration, or real data loaded)
    st.info(
        "**Premier démarrage** : aucun compte n'existe encore. Sur le serveur, arrêtez l'application "
        "(la base n'accepte qu'un programme à la fois), créez le premier administrateur, redémarrez "
        "l'application puis connectez-vous ici avec son adresse et son mot de passe :",
        icon=":material/admin_panel_settings:",
    )
    st.code(".venv/bin/python -m qualepref compte creer --email prenom.nom@interieur.gouv.fr --role admin",
            language="bash")
    st.caption("Le mot de passe est demandé au clavier (jamais passé en argument). L'administrateur crée "
               "ensuite les autres comptes depuis la page « Comptes ».")
else:
    asked = st.session_state.get("page_demandee")
    if asked:
        st.info(f"Connectez-vous pour ouvrir la page « {asked} » : elle s'affichera aussitôt, avec les "
                "choix du lien (préfecture, période…).", icon=":material/link:")
    # Cleared on submit: the password does not linger in the session.
    with st.form("connexion", clear_on_submit=True):
        email = st.text_input("Adresse électronique", key="connexion_email", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", key="connexion_mot_de_passe",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter", type="primary", icon=":material/login:")
    if submitted:
        try:
            principal = auth.authenticate(db, email, password)
        except auth.AuthError as exc:
            st.error(str(exc), icon=":material/lock:")
        else:
            # A web session, so that a reload or a link opened in a new tab finds the user signed in.
            token = sessions.open_session(db, principal.user)
            st.session_state["principal"] = principal
            st.session_state["session_token_hash"] = sessions.token_hash(token)
            st.session_state["ticket_session"] = sessions.ticket_for(token)
            st.session_state["vers_accueil"] = True
            st.rerun()
    st.caption(
        f"Après {auth.MAX_FAILURES} essais infructueux, le compte est verrouillé "
        f"{int(auth.LOCKOUT.total_seconds() // 60)} minutes. Mot de passe oublié : demandez à un "
        "administrateur de le réinitialiser."
    )
ui.footer()
