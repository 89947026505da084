"""Entry point: page configuration, who is acting, navigation by role.

Every page of `PAGE_INFO` always has its address, signed in or not: signed
out, each shows the sign-in form and, once signed in, the page asked for (a
link from an e-mail opens its view, not an English "Page not found"); a page
the role is not offered says so. The sidebar menu is ours
(`chrome.sidebar_navigation`, links in valid markup), built from
`access.navigation`. Pages re-check the role themselves (`ui.require_role`)
and every query is filtered by the caller's scope, so hiding a page is not
the only guard.
"""

import streamlit as st

from qualepref import access, auth, chrome, events, sessions, ui
from qualepref.access import LOCAL_ROLES, ROLE_LABELS, Principal, Role
from qualepref.config import ROOT

st.set_page_config(
    page_title="Qual-e-Pref · Tableau de bord",
    # A local file: a Material icon here makes the browser fetch it from Google Fonts (offline: no).
    page_icon=str(ROOT / "static" / "favicon.png"),
    layout="wide",
    initial_sidebar_state=chrome.sidebar_state(),
)


# Title and icon of each page; which role sees which is `access.navigation`.
PAGE_INFO = {
    "connexion": ("Connexion", "login"),
    "vue_ensemble": ("Vue d'ensemble", "dashboard"),
    "tendances": ("Tendances", "show_chart"),
    "alertes": ("Alertes", "notifications"),
    "conformite": ("Conformité", "grid_on"),
    "plan_actions": ("Plan d'actions", "checklist"),
    "comparaison": ("Comparaison nationale", "map"),
    "transmissions": ("Suivi des transmissions", "fact_check"),
    "labellisation": ("Labellisation", "verified"),
    "demarche": ("Notre démarche", "flag"),
    "import_donnees": ("Import", "upload_file"),
    "historique": ("Historique des imports", "history"),
    "exports": ("Pack COPIL et exports", "slideshow"),
    "referentiel": ("Référentiel", "menu_book"),
    "accessibilite": ("Déclaration d'accessibilité", "accessibility"),
    "admin_comptes": ("Comptes", "manage_accounts"),
    "admin_referentiel": ("Édition du référentiel", "edit_note"),
    "admin_sites": ("Sites", "location_city"),
    "demonstration": ("Données de démonstration", "science"),
}
HOME = "vue_ensemble"
PUBLIC_PAGES = access.PUBLIC_PAGES


def page(stem: str, **kwargs) -> st.Page:
    title, icon = PAGE_INFO[stem]
    return st.Page(f"pages/{stem}.py", title=title, icon=f":material/{icon}:", url_path=stem, **kwargs)


def sign_in_page(url_path: str, *, default: bool = False) -> st.Page:
    title, icon = PAGE_INFO["connexion"]
    return st.Page("pages/connexion.py", title=title, icon=f":material/{icon}:", url_path=url_path, default=default)


def signed_out_pages() -> list[st.Page]:
    """Every address answers with the sign-in form; signing in reruns the same address."""
    return [sign_in_page("", default=True),
            *(page(stem) if stem in PUBLIC_PAGES else sign_in_page(stem) for stem in PAGE_INFO)]


def go_home() -> None:
    """The site's root address opens the overview at its own address, so that every menu link names
    its page (a link to the root page would be `href=""`: opened in a new tab, the current page)."""
    st.switch_page(page(HOME), query_params=st.query_params.to_dict())


def not_offered() -> None:
    ui.page_header("Page non proposée à votre profil")
    st.info("Cette page n'est pas proposée à votre profil. Le menu ne montre que les pages qui vous "
            "sont ouvertes.", icon=":material/block:")
    st.page_link(page(HOME), label="Aller à la vue d'ensemble", icon=":material/dashboard:")
    ui.footer()


def signed_in_pages(role: Role) -> tuple[dict[str, list[st.Page]], list[st.Page]]:
    """The menu (section → pages offered to `role`) and the pages reachable by address only."""
    sections = {section: [page(stem) for stem in stems] for section, stems in access.navigation(role).items()}
    offered = {p.url_path for pages in sections.values() for p in pages}
    hidden = [st.Page(go_home, title=PAGE_INFO[HOME][0], url_path="", default=True, visibility="hidden")]
    hidden += [page(stem, visibility="hidden") for stem in ("connexion", *PUBLIC_PAGES) if stem not in offered]
    offered |= {"connexion", *PUBLIC_PAGES}
    hidden += [st.Page(not_offered, title=PAGE_INFO[stem][0], url_path=stem, visibility="hidden")
               for stem in PAGE_INFO if stem not in offered]
    return sections, hidden


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


def password_principal(db) -> Principal | None:
    """The account signed in with a password: in this tab, or resumed from the session cookie."""
    signed_in = st.session_state.get("principal")
    hashed = st.session_state.get("session_token_hash")
    if isinstance(signed_in, Principal) and not signed_in.demo:
        if hashed is not None:
            still, touched = sessions.still_open(db, hashed, last_touch=st.session_state.get("session_touched"))
            st.session_state["session_touched"] = touched
            if not still:
                return None
        return auth.refresh(db, signed_in)
    token = st.context.cookies.get(sessions.COOKIE_NAME)
    email = sessions.resume(db, token) if isinstance(token, str) else None
    if email is None:
        return None
    account = auth.get_account(db, email)
    if account is None or not account.active:
        return None
    st.session_state["session_token_hash"] = sessions.token_hash(token)
    return account.principal()


def identify(db) -> Principal | None:
    """Who is acting on this run, re-read from the accounts table (a deactivation applies at once)."""
    if ui.oidc_configured():
        principal = oidc_principal(db)
    elif ui.discovery_mode():
        principal = discovery_selector()
    else:
        principal = password_principal(db)
    if principal is None:
        st.session_state.pop("principal", None)
        if st.session_state.pop("session_token_hash", None) is not None:
            chrome.forget_session_cookie()
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


def account_box(principal: Principal, container) -> None:
    if principal.demo:
        return
    with container:
        st.markdown(f":material/account_circle: **{ui.plain(principal.label)}**")
        where = f" · {ui.plain(ui.site_title(principal.site_code))}" if principal.site_code else ""
        st.caption(ROLE_LABELS[principal.role] + where)
        if st.button("Se déconnecter", icon=":material/logout:", key="deconnexion"):
            chrome.sign_out(ui.get_db())


db = ui.get_db()
ui.set_filter_panel(None)
chrome.french_and_accessible()
# The meeting-mode switch comes first in the sidebar; signed out, the sidebar stays empty (hidden).
if ui.discovery_mode():
    meeting = chrome.meeting_toggle(st.sidebar)
    current = identify(db)
else:
    current = identify(db)
    meeting = current is not None and chrome.meeting_toggle(st.sidebar)
if st.session_state.pop("effacer_cookie", False):
    chrome.forget_session_cookie()
if current is None:
    navigation = st.navigation(signed_out_pages(), position="hidden")
    asked = navigation.url_path
    # The sign-in form names the page a link asked for; signing in reruns the same address.
    st.session_state["page_demandee"] = None if asked in ("", "connexion", HOME) else PAGE_INFO[asked][0]
else:
    sections, hidden = signed_in_pages(current.role)
    navigation = st.navigation({**sections, "": hidden}, position="hidden")
    if st.session_state.pop("vers_accueil", False) and navigation.url_path in ("", "connexion"):
        st.switch_page(sections["Pilotage"][0])  # signed in from the sign-in page: start on the overview
    chrome.sidebar_navigation(sections, current=navigation)
    ui.set_filter_panel(st.sidebar.container())
    account_box(current, st.sidebar.container())
    chrome.set_session_cookie(st.session_state.pop("ticket_session", None))
chrome.meeting_layout(meeting)
navigation.run()
