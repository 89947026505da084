"""The frame around every page: sidebar menu, meeting mode, French chrome, session cookie.

`app.py` calls these on every run; pages never do.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

from qualepref import i18n, web

MEETING_KEY = "reunion"
MEETING_LABEL = "Mode réunion (vidéoprojecteur)"


# -- French and accessible chrome -----------------------------------------------
@functools.cache
def _chrome_script() -> str:
    config = {"exact": i18n.EXACT, "patterns": i18n.PATTERNS}
    source = (Path(__file__).with_name("chrome.js")).read_text(encoding="utf-8")
    # Streamlit's HTML sanitiser (DOMPurify) drops a script whose text looks like markup ("<" then a
    # letter, "/" or "!"): chrome.js has no "<" (comparisons are written the other way round), and
    # every "<" of the table is written as a JavaScript escape.
    if "<" in source:
        raise ValueError("chrome.js must not contain '<' (see _chrome_script)")
    return source.replace("__CONFIG__", json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"))


def french_and_accessible() -> None:
    """Translate Streamlit's and Plotly's English chrome; mark the menu as navigation (see chrome.js).

    Streamlit has no language setting: a translation table applied by a
    MutationObserver is the least fragile way (it touches only texts and
    attributes it knows, word for word). The browser test fails on any
    English string left in the visible text and accessible names of a page.
    """
    with st.container(key="qp-chrome"):
        st.html("<style>" + _CHROME_CSS + "</style><script>" + _chrome_script() + "</script>",
                unsafe_allow_javascript=True)


# Every element reached with the keyboard shows where the focus is (RGAA 10.7): one ring, the State's blue,
# whatever each widget draws or not.
_CHROME_CSS = (".st-key-qp-chrome{display:none}"
               " :focus-visible{outline:3px solid #000091 !important;outline-offset:2px !important}")


# -- meeting mode ---------------------------------------------------------------
def meeting_requested() -> bool:
    """Meeting mode as asked on this run, before its switch is drawn (to collapse the sidebar)."""
    if MEETING_KEY in st.session_state:
        return bool(st.session_state[MEETING_KEY])
    return st.query_params.get(MEETING_KEY) in ("1", "true", "oui")


def sidebar_state() -> str:
    return "collapsed" if meeting_requested() else "auto"


def meeting_toggle(container) -> bool:
    """The meeting-mode switch, first in the sidebar on every page; kept in the URL (`?reunion=1`)."""
    if MEETING_KEY not in st.session_state:
        st.session_state[MEETING_KEY] = meeting_requested()
    meeting = container.toggle(
        MEETING_LABEL, key=MEETING_KEY,
        help="Pour un vidéoprojecteur (1280 × 720) : panneau latéral replié, grands caractères, "
             "chiffres clés et graphiques agrandis.")
    if meeting:
        st.query_params[MEETING_KEY] = "1"
    else:
        st.query_params.pop(MEETING_KEY, None)
    return meeting


def is_meeting() -> bool:
    return bool(st.session_state.get(MEETING_KEY, False))


MEETING_CSS = """<style>
/* Projector (1280×720): one line of intro and banner, larger type, key figures that never truncate. */
html, body, [data-testid='stAppViewContainer'] { font-size: 20px; }
[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; padding-left: 2rem; padding-right: 2rem; }
[data-testid='stMain'] h1 { font-size: 2.2rem !important; padding-top: 0; }
.st-key-qp-intro, .st-key-qp-intro [data-testid='stCaptionContainer'] { display: none; }
.st-key-qp-banner [data-testid='stAlertContentWarning'] p { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; margin: 0; }
[data-testid='stMetricValue'] { font-size: 2.6rem; }
[data-testid='stMetricValue'] > div { overflow: visible !important; text-overflow: clip !important;
  white-space: nowrap; }
[data-testid='stMetricLabel'] p { font-size: 1rem; white-space: normal; }
[data-testid='stMetric'] { min-width: 0; }
</style>"""


def meeting_layout(meeting: bool) -> None:
    if meeting:
        with st.container(key="qp-meeting-css"):
            st.html(MEETING_CSS)


# -- navigation -----------------------------------------------------------------
def sidebar_navigation(sections: dict[str, list[st.Page]], *, current) -> None:
    """The menu: one group per section of `access.navigation`, one link per page.

    `st.page_link`s (client-side page changes, the current page shown in
    bold and marked `aria-current`) instead of Streamlit's own menu, whose
    markup an accessibility audit refuses (section headers as `<div>`s
    inside a `<ul>`).
    """
    with st.sidebar.container(key="navigation"):
        for section, pages in sections.items():
            if not pages:
                continue
            st.markdown(f"**{section}**")
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon)


# -- session cookie ---------------------------------------------------------------
def _fetch_script(method: str, header: str, value: str) -> str:
    url = json.dumps(web.session_url())
    return (f"<script>fetch({url}, {{method: {json.dumps(method)}, credentials: 'same-origin', "
            f"headers: {{{json.dumps(header)}: {json.dumps(value)}}}}}).catch(() => {{}});</script>")


def set_session_cookie(ticket: str | None) -> None:
    """Have the browser trade the one-time ticket for the HttpOnly session cookie (`qualepref.web`)."""
    if ticket:
        with st.container(key="qp-session"):
            st.html(_fetch_script("POST", web.TICKET_HEADER, ticket), unsafe_allow_javascript=True)


def sign_out(db) -> None:
    """End the web session server-side (whatever the browser keeps), then clear the cookie."""
    from qualepref import sessions, ui

    hashed = st.session_state.pop("session_token_hash", None)
    if hashed is not None:
        sessions.close(db, hashed)
        st.session_state["effacer_cookie"] = True
    st.session_state.pop("principal", None)
    if ui.oidc_configured():
        st.logout()
    st.rerun()


def forget_session_cookie() -> None:
    with st.container(key="qp-session-end"):
        st.html(_fetch_script("DELETE", web.APP_HEADER, "1"), unsafe_allow_javascript=True)
