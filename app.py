"""Entry point: page configuration, who is acting, navigation by role.

`st.navigation` is always called: signed out, it holds only the sign-in
page (otherwise Streamlit would list the `pages/` folder to anyone).
Pages re-check the role themselves (`ui.require_role`) and every query is
filtered by the caller's scope, so hiding a page is not the only guard.
"""

import streamlit as st

from qualepref import access, auth, events, serving, ui
from qualepref.access import LOCAL_ROLES, ROLE_LABELS, Principal, Role
from qualepref.config import ROOT

serving.tune()  # lock-free reads of Streamlit's configuration: see qualepref/serving.py
st.set_page_config(
    page_title="Qual-e-Pref · Tableau de bord",
    # A local file: a Material icon here makes the browser fetch it from Google Fonts (offline: no).
    page_icon=str(ROOT / "static" / "favicon.png"),
    layout="wide",
)


# Title and icon of each page; which role sees which is `access.navigation`.
PAGE_INFO = {
    "connexion": ("Connexion", "login"),
    "vue_ensemble": ("Vue d'ensemble", "dashboard"),
    "tendances": ("Tendances", "show_chart"),
    "alertes": ("Alertes", "notifications"),
    "conformite": ("Conformité", "grid_on"),
    "comparaison": ("Comparaison nationale", "map"),
    "transmissions": ("Suivi des transmissions", "fact_check"),
    "import_donnees": ("Import", "upload_file"),
    "historique": ("Historique des imports", "history"),
    "exports": ("Pack COPIL et exports", "slideshow"),
    "referentiel": ("Référentiel", "menu_book"),
    "admin_comptes": ("Comptes", "manage_accounts"),
    "admin_referentiel": ("Édition du référentiel", "edit_note"),
    "demonstration": ("Données de démonstration", "science"),
}


def page(stem: str) -> st.Page:
    title, icon = PAGE_INFO[stem]
    return st.Page(f"pages/{stem}.py", title=title, icon=f":material/{icon}:",
                   default=stem == "vue_ensemble")


def pages_for(role: Role) -> dict[str, list[st.Page]]:
    sections = {section: [page(stem) for stem in stems] for section, stems in access.navigation(role).items()}
    # Reachable by its address only: who is signed in, and signing out.
    sections["Référence"].append(st.Page("pages/connexion.py", title="Connexion", icon=":material/login:",
                                         visibility="hidden"))
    return sections


def oidc_principal(db) -> Principal | None:
    """The account matching the OIDC identity; a polite refusal is kept for the sign-in page."""
    if not st.user.is_logged_in:
        return None
    try:
        principal = auth.oidc_principal(db, st.user.to_dict(), ui.oidc_policy())
    except auth.AuthError as exc:
        st.session_state["refus_connexion"] = str(exc)
        if not st.session_state.get("refus_journalise"):  # one line per refused session, not per rerun
            st.session_state["refus_journalise"] = True
            events.emit("sign_in", outcome="failure", method="oidc", reason=exc.reason or "refused",
                        user=auth.normalize_email(st.user.get("email") or ""))
        return None
    if st.session_state.get("principal") is None:  # this session's first run since the provider said yes
        events.emit("sign_in", outcome="success", method="oidc", user=principal.user, role=str(principal.role))
    return principal


def identify(db) -> Principal | None:
    """Who is acting on this run, re-read from the accounts table (a deactivation applies at once)."""
    if ui.oidc_configured():
        principal = oidc_principal(db)
    elif ui.discovery_mode():
        principal = discovery_selector()
    else:
        signed_in = st.session_state.get("principal")
        valid = isinstance(signed_in, Principal) and not signed_in.demo
        principal = auth.refresh(db, signed_in) if valid else None
    if principal is None:
        st.session_state.pop("principal", None)
    else:
        st.session_state["principal"] = principal
    return principal


def discovery_selector() -> Principal:
    """Try each role on the demonstration data while no account exists."""
    scope = ui.DISCOVERY_DEFAULT.scope(ui.all_site_codes())
    sites = ui.query("sites", scope=scope)
    names = dict(zip(sites.site_code, sites.site_name, strict=True))
    with st.sidebar.container(border=True):
        st.markdown(":material/explore: **Mode découverte**")
        st.caption(
            "Aucun compte n'existe encore : essayez chaque profil sur les données de démonstration, "
            "en consultation seulement (rien n'est enregistré). Ce sélecteur disparaît dès qu'un compte "
            "ou une donnée réelle existe."
        )
        roles = [Role.ADMIN, Role.MINISTRY, Role.REFERENT, Role.COPIL]
        role = st.selectbox("Agir en tant que", roles, format_func=ROLE_LABELS.get, key="decouverte_role")
        site_code = None
        if role in LOCAL_ROLES:
            codes = list(names)
            site_code = st.selectbox("Préfecture", codes, key="decouverte_pref",
                                     index=codes.index("87") if "87" in codes else 0,
                                     format_func=lambda c: f"{c} – {names[c]}")
    return Principal(user="decouverte", role=role, site_code=site_code,
                     display_name=f"Découverte – {ROLE_LABELS[role]}", demo=True)


def account_box(principal: Principal) -> None:
    if principal.demo:
        return
    with st.sidebar:
        st.markdown(f":material/account_circle: **{ui.plain(principal.label)}**")
        where = f" · préfecture {principal.site_code}" if principal.site_code else ""
        st.caption(ROLE_LABELS[principal.role] + where)
        if st.button("Se déconnecter", icon=":material/logout:", key="deconnexion"):
            st.session_state.pop("principal", None)
            if ui.oidc_configured():
                st.logout()
            st.rerun()


db = ui.get_db()
current = identify(db)
if current is None:
    st.navigation([st.Page("pages/connexion.py", title="Connexion", icon=":material/login:")]).run()
else:
    account_box(current)
    sections = pages_for(current.role)
    navigation = st.navigation(sections, expanded=True)
    if st.session_state.pop("vers_accueil", False):  # just signed in: start on the overview
        st.switch_page(sections["Pilotage"][0])
    navigation.run()
