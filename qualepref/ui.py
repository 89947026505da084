"""Streamlit helpers shared by the pages: the database, the caller, cached queries, banners.

The only module of the package that imports Streamlit.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from qualepref import auth, demo, events, sql
from qualepref.access import ROLE_LABELS, Principal, Role, SiteScope
from qualepref.charts import shared as shared_objects
from qualepref.config import GEO_ATTRIBUTION, db_path
from qualepref.db import Database

log = logging.getLogger(__name__)

# Characters that open an inline construct of Streamlit's Markdown wherever they stand (images,
# links, autolinks and HTML, emphasis, code, strikethrough, tables, `$` maths, `&…;` entities),
# backslash-escaped as CommonMark allows; block markers (`#`, `>`, `-`, `+`, `1.`) only matter at
# the start of the text, which is one line.
_INLINE_MARKUP = str.maketrans({c: "\\" + c for c in "\\`*_[]()!|<~$&"})
_LEADING_BLOCK_MARKER = re.compile(r"^(\d+)?([#>+=-]|(?<=\d)[.)])")
# GFM turns bare addresses into links after escapes are undone (`https://…`, `www.…`, `mailto:…`,
# e-mails), and colons open `:red[…]` colours, `:material/…:` icons and `:smile:` emoji: an
# invisible word joiner where each needs two characters side by side breaks them all.
_WORD_JOINER = "\u2060"
_SEAMS = re.compile(r"(?<=:)(?=\S)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)


def plain(text) -> str:
    """`text` for a Markdown-rendering element, shown exactly as typed: no image, link or format.

    For every user-controlled string (file and sheet names, labels an administrator edits, free
    text, messages that quote a cell) passed to `st.subheader`, `st.caption`, `st.markdown`, alerts,
    expander, tab, metric and widget labels: `![x](http://…)` in a file name would otherwise make
    the browser fetch an image. Line breaks and runs of spaces become one space (a title is one
    line; an indented line would become a code block). Where no formatting is wanted around the
    text at all, `st.text` shows it as is.
    """
    if text is None:
        return ""
    one_line = " ".join(str(text).split())
    escaped = _SEAMS.sub(_WORD_JOINER, one_line).translate(_INLINE_MARKUP)
    return _LEADING_BLOCK_MARKER.sub(lambda m: (m.group(1) or "") + "\\" + m.group(2), escaped)


@st.cache_resource(show_spinner="Ouverture de la base de données…")
def _open_db(path: str) -> Database:
    db = Database(path)
    if demo.should_autoload(db):
        log.info("base vide : chargement des données de démonstration")
        demo.load(db)
        db.checkpoint()  # fold the WAL into the file: a clean, compact database from the start
    return db


def get_db() -> Database:
    """One process-wide connection per database file; an empty database gets demonstration data."""
    _leave_folder_navigation()
    return _open_db(str(db_path()))


_folder_navigation_checked = False


def _leave_folder_navigation() -> None:
    """Make sure the first run of the process went through app.py's navigation, not the `pages/` folder.

    Until some script has called `st.navigation`, Streamlit treats an app
    with a `pages/` folder the old way: the first visit after a start, on a
    deep link such as `/tendances`, ran `pages/tendances.py` directly (no
    app.py: no navigation by role) and listed the folder's file names in the
    sidebar for the rest of that session. Every page asks for the database
    first, so here is where such a run is caught: leave the folder mode for
    the process (what `st.navigation` itself does) and run again through
    app.py. Once per process: the mode never comes back in a server (AppTest
    alone restores it before each of its runs, and a rerun there would drop
    the clicks its tests simulate).
    """
    global _folder_navigation_checked
    if _folder_navigation_checked:
        return
    _folder_navigation_checked = True
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def data_version() -> int:
    return get_db().data_version()


def _key() -> tuple[str, int]:
    """Cache key of the data: the database file and its version (two files may share a version number)."""
    return (str(db_path()), data_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _site_parents(key: tuple) -> dict[str, str | None]:
    """Active site → its parent site (None for a site without one): what scopes are minted from."""
    db = get_db()
    with db.cursor() as cur:
        return {code: parent for code, parent in sql.execute(cur, "site_parents")}


def _all_site_codes(key: tuple) -> tuple[str, ...]:
    return tuple(_site_parents(key))


# Who acts in "mode découverte" until the newcomer picks a role: the
# administrator, who sees every page (and can remove the demonstration).
DISCOVERY_DEFAULT = Principal(user="decouverte", role=Role.ADMIN, display_name="Découverte", demo=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _discovery_mode(key: tuple) -> bool:
    return demo.discovery_allowed(get_db())


def discovery_mode() -> bool:
    """Demonstration data and nothing else (no real row, no account): anyone may try each role, read-only."""
    return _discovery_mode(_key())


def all_site_codes() -> tuple[str, ...]:
    return _all_site_codes(_key())


def oidc_configured() -> bool:
    """Sign-in goes through OIDC (`st.login`) when secrets hold an `[auth]` section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def oidc_policy() -> auth.OidcPolicy:
    """Which OIDC identities are accepted: the optional `[oidc]` section of secrets.toml."""
    try:
        settings = st.secrets.get("oidc", {})
    except FileNotFoundError:
        settings = {}
    return auth.OidcPolicy.from_settings(settings)


def current_principal() -> Principal:
    """Who is using the app: the signed-in account, or the role tried in discovery mode.

    A page run without either (signed out) stops here: no page reads data
    for an anonymous visitor, even if it is reached without the navigation.
    """
    principal = st.session_state.get("principal")
    if isinstance(principal, Principal) and (not principal.demo or discovery_mode()):
        return principal
    if discovery_mode():
        return DISCOVERY_DEFAULT
    st.error("Connectez-vous pour accéder au tableau de bord.", icon=":material/lock:")
    st.stop()


def current_scope() -> SiteScope:
    return current_principal().scope(_site_parents(_key()))


def require_role(*roles: Role) -> Principal:
    """Stop the page unless the caller has one of `roles` (pages re-check what navigation hides)."""
    principal = current_principal()
    if principal.role not in roles:
        allowed = ", ".join(ROLE_LABELS[r] for r in roles)
        st.error(f"Cette page est réservée au profil : {allowed}.", icon=":material/block:")
        footer()
        st.stop()
    return principal


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(name: str, params: tuple, scope_key: str, key: tuple, _scope: SiteScope) -> pd.DataFrame:
    # `_scope` is not hashed; `scope_key` (the fingerprint of its sites and rights) keys the cache.
    return sql.run(get_db(), name, scope=_scope, **dict(params))


def query(name: str, scope: SiteScope | None = None, **params) -> pd.DataFrame:
    """Run `queries/<name>.sql` for the caller, cached on (query, params, scope, data version)."""
    scope = scope or current_scope()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    # st.cache_data hands each caller its own copy (unpickled): the caller may modify it.
    return _cached_query(name, frozen, scope.key(), _key(), scope)


def site_title(code: str, scope: SiteScope | None = None) -> str:
    """A site as a sentence names it: `Préfecture de la Haute-Vienne`, `Sous-préfecture de Bellac` (a
    sub-prefecture is never called « préfecture 87011 »); `site 87011` when the scope does not hold it."""
    from qualepref import sites

    known = query("sites", scope=scope)
    row = known[known.site_code == code]
    if row.empty:
        return f"site {code}"
    return sites.title(row.site_kind.iloc[0], row.site_name.iloc[0], int(row.tncc.iloc[0]))


# Bounded: one Tendances result (sixteen figures) holds about 1.5 MB, so at most ~100 MB here.
@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _shared_call(name: str, key: tuple, _func, *args, **kwargs):
    # `name` tells the functions apart (`_func` is not hashed); `key` is the data version: Streamlit
    # hashes only a sample of a table of 50,000 rows or more, so a change of data that kept the
    # arguments' size could otherwise hand back a stale result.
    # Read-only by construction: every session gets this very object (charts.shared.freeze).
    return shared_objects.freeze(_func(*args, **kwargs))


def shared(func):
    """`func`, a pure function, memoised across reruns and sessions on its arguments and the data version.

    For builders of figures and tables: a page of sixteen charts spent most of
    its time rebuilding identical plotly figures on every rerun. The result is
    one object shared by every caller, never copied, and frozen: a figure raises
    on any update, a table's columns are not writeable, a list is a tuple
    (`st.plotly_chart` and `chart_with_table` only read it; copy to change it).
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return functools.partial(_shared_call, name, _key(), func)


@st.cache_data(show_spinner=False, max_entries=8)
def _has_demo(key: tuple) -> bool:
    return demo.has_demo_data(get_db())


def demo_banner() -> None:
    """Say plainly, on every page, that the figures are demonstration data (one line in meeting mode)."""
    if not _has_demo(_key()):
        return
    from qualepref import chrome

    if chrome.is_meeting():  # one line on a projector: the audience needs the warning, not the procedure
        with st.container(key="qp-banner"):
            st.warning("**Données de démonstration** : chiffres fictifs.", icon=":material/science:")
        return
    if discovery_mode():  # nobody can remove them here: say what comes first
        what_next = ("En consultation seulement. Pour charger vos données réelles, créez d'abord le premier "
                     "administrateur sur le serveur (`python -m qualepref compte creer --role admin`), puis "
                     "supprimez la démonstration.")
    else:
        principal = st.session_state.get("principal")
        if isinstance(principal, Principal) and principal.role == Role.ADMIN:
            what_next = "Supprimez-les (page « Données de démonstration ») avant de charger vos données réelles."
        else:
            what_next = "Un administrateur les supprimera avant le chargement des données réelles."
    with st.container(key="qp-banner"):
        st.warning(f"**Données de démonstration** : les chiffres affichés sont fictifs. {what_next}",
                   icon=":material/science:")


ACCESSIBILITY_LINK = "Accessibilité : partiellement conforme"


def footer() -> None:
    """Credits and the accessibility statement, at the end of every page (sign-in included)."""
    st.divider()
    st.caption("Qual-e-Pref · Tableau de bord — Ministère de l'Intérieur. " + GEO_ATTRIBUTION)
    try:
        st.page_link("pages/accessibilite.py", label=ACCESSIBILITY_LINK, icon=":material/accessibility:")
    except StreamlitAPIException:  # a page run on its own (tests), outside app.py's navigation
        st.caption(ACCESSIBILITY_LINK)


def page_header(title: str, intro: str | None = None) -> None:
    """Title, demonstration banner and introduction (hidden in meeting mode: `chrome.MEETING_CSS`)."""
    st.title(title)
    demo_banner()
    if intro:
        with st.container(key="qp-intro"):
            st.caption(intro)


# The sidebar panel where pages draw their filters, set by app.py on each run (under the menu);
# a page run on its own (tests) draws them in the sidebar itself.
_filter_panel: contextvars.ContextVar = contextvars.ContextVar("qualepref_filter_panel", default=None)


def set_filter_panel(container) -> None:
    _filter_panel.set(container)


def filter_panel():
    return _filter_panel.get() or st.sidebar


def formatted(table: pd.DataFrame, formats: dict | None) -> pd.DataFrame:
    """`table` with the columns of `formats` written as text by their function (each value once)."""
    if not formats:
        return table
    out = table.copy()
    for column, write in formats.items():
        if column in out:
            texts = {v: write(v) for v in out[column].dropna().unique()}
            out[column] = [texts.get(v, "–") if not pd.isna(v) else "–" for v in out[column]]
    return out


def chart_with_table(fig, table: pd.DataFrame, *, file_stem: str, headers: dict[str, str] | None = None,
                     key: str | None = None, on_select=None, selection_mode=None, formats: dict | None = None):
    """A chart with its data table (expander) and downloads: PNG (chart toolbar), CSV and XLSX.

    Every chart is paired with its figures in text, for accessibility (RGAA)
    and for those who prefer a table. Returns the selection when `on_select` is given.
    `formats` (column → function of a value) writes numeric columns in French on screen
    (`82,5 %`); the CSV and Excel files keep them as numbers, for the spreadsheet to compute with.
    """
    from qualepref.export import tables

    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": file_stem, "scale": 2},
        # Offline: geo traces look for a world topojson; serve the local stub.
        "topojsonURL": "/app/static/topojson/",
    }
    kwargs = {"key": key, "config": config}
    if on_select is not None:
        kwargs["on_select"] = on_select
        if selection_mode is not None:
            kwargs["selection_mode"] = selection_mode
    state = st.plotly_chart(fig, **kwargs)
    title = fig.layout.title.text or file_stem
    with st.expander(f"Données du graphique : {plain(title)}"):
        shown = formatted(table, formats).rename(columns=headers or {})
        st.dataframe(shown, hide_index=True, width="stretch", placeholder="–")
        left, right = st.columns(2)
        signed_in = st.session_state.get("principal")
        user = signed_in.user if isinstance(signed_in, Principal) else DISCOVERY_DEFAULT.user

        def logged(build, kind: str):
            def run() -> bytes:
                content = build()
                events.emit("export", outcome="success", user=user, kind=kind, file=f"{file_stem}.{kind}",
                            bytes=len(content))
                return content
            return run

        # Files built on click, not on every run: an xlsx per chart per rerun was up to half of a
        # chart page's time (issue 7's benchmark), and its bytes stayed in memory for each session.
        left.download_button("Télécharger (CSV)", logged(lambda: tables.to_csv_bytes(table, headers), "csv"),
                             file_name=f"{file_stem}.csv", mime="text/csv",
                             key=None if key is None else f"{key}-csv")
        right.download_button("Télécharger (Excel)", logged(lambda: tables.to_xlsx_bytes(table, headers), "xlsx"),
                              file_name=f"{file_stem}.xlsx",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              key=None if key is None else f"{key}-xlsx")
    return state
