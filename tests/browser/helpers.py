"""What the browser tests do as a person would: wait for a page, read and change the sidebar, follow links."""

from __future__ import annotations

import time

IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], .stSpinner, [data-testid="stSkeleton"]')) return false;
  if (!document.querySelector('[data-testid="stMain"] h1')) return false;
  if (document.querySelector('[data-testid="stMain"] [data-stale="true"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
}"""


def wait_idle(page, timeout_s: float = 90) -> float:
    """Wait until the script ran, nothing spins and every chart is drawn, twice in a row; return ms since navigation."""
    deadline = time.monotonic() + timeout_s
    stable = 0
    reached = 0.0
    while stable < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"page not idle after {timeout_s} s: {page.url}")
        stable = stable + 1 if page.evaluate(IDLE_JS) else 0
        if stable == 1:
            reached = page.evaluate("performance.now()")
        time.sleep(0.25)
    return reached


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def combobox(page, label: str, *, where=None):
    """A selectbox by its label (its input is a combobox named after the label)."""
    return (where or page).get_by_role("combobox", name=label, exact=True)


def choose(page, label: str, option: str, *, where=None) -> None:
    """Open the selectbox `label`, type the start of `option` and click it; wait for the rerun."""
    box = combobox(page, label, where=where)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_function(
        "([label, option]) => [...document.querySelectorAll('input[role=combobox]')]"
        ".some(i => i.getAttribute('aria-label') === label && i.value === option)",
        arg=[label, option], timeout=30000)
    time.sleep(0.3)
    wait_idle(page)


def value(page, label: str, *, where=None) -> str | None:
    box = combobox(page, label, where=where)
    return box.input_value() if box.count() else None


def switch(page, label: str, *, where=None):
    return (where or page).get_by_role("switch", name=label)


def flip(page, label: str, *, where=None) -> None:
    """Click the switch `label` (its visible label, as a person does) and wait for the rerun."""
    control = switch(page, label, where=where)
    before = control.is_checked()
    control.locator("xpath=ancestor::label[1]").click()
    page.wait_for_function("([el, before]) => el.checked !== before", arg=[control.element_handle(), before],
                           timeout=30000)
    time.sleep(0.3)
    wait_idle(page)


def open_sidebar(page) -> None:
    """Unfold the sidebar if it is folded (meeting mode folds it), as a person does."""
    if sidebar_folded(page):
        page.get_by_role("button", name="Déplier le panneau latéral").click()
        page.wait_for_function(f"() => !({FOLDED_JS})()", timeout=10000)
        time.sleep(0.5)


def fold_sidebar(page) -> None:
    if not sidebar_folded(page):
        page.get_by_role("button", name="Replier le panneau latéral").click()
        page.wait_for_function(f"({FOLDED_JS})", timeout=10000)
        time.sleep(0.5)


FOLDED_JS = """() => { const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar) return true; const box = bar.getBoundingClientRect(); return box.right <= 1 || box.width < 50; }"""


def sidebar_folded(page) -> bool:
    return page.evaluate(FOLDED_JS)


def click_nav(page, title: str) -> None:
    """Follow the sidebar's link to the page `title`, as a person does, and wait for it."""
    open_sidebar(page)
    link = sidebar(page).get_by_role("link", name=title, exact=True)
    path = link.evaluate("a => new URL(a.href).pathname")
    link.click()
    page.wait_for_function("path => location.pathname === path", arg=path, timeout=60000)
    time.sleep(0.3)
    wait_idle(page)


def params(page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")


def sign_in(page, role: str) -> None:
    """Fill the sign-in form shown at the current address as the persona of `role`; wait for the page."""
    from tests.browser.conftest import ACCOUNTS, PASSWORD

    page.get_by_label("Adresse électronique").fill(ACCOUNTS[role][0])
    page.get_by_role("textbox", name="Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_function("() => !document.querySelector('input[type=password]')", timeout=60000)
    time.sleep(0.3)
    wait_idle(page)


def signed_in_context(browser, server: str, role: str, **options):
    """A browser context (French, 1400×1000 unless told) signed in as `role`: every page it opens resumes
    the session from its cookie, as tabs of one browser do."""
    options = {"viewport": {"width": 1400, "height": 1000}, "locale": "fr-FR"} | options
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{server}/connexion", wait_until="commit")
    wait_idle(page, timeout_s=180)
    sign_in(page, role)
    deadline = time.monotonic() + 30
    while not any(c["name"] == "qualepref_session" for c in context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("no session cookie after signing in")
        time.sleep(0.2)
    page.close()
    return context


# English words of Streamlit's and Plotly's chrome (and of any untranslated message), none of which is
# French: one of them in a page's visible text or accessible names fails the French check. Words that
# are French too ("menu", "page", "option", "type", "zoom", "source", "minute", "cache", "sort", "compare",
# "main", "content") are left out.
ENGLISH = frozenset((
    "the", "and", "of", "to", "with", "for", "your", "you", "this", "that", "these", "those", "is", "are", "was",
    "were", "be", "been", "it", "its", "from", "into", "by", "file", "files", "upload", "uploading", "browse",
    "drag", "drop", "here", "press", "enter", "submit", "form", "choose", "select", "selected", "show", "hide",
    "password", "not", "found", "download", "downloading", "search", "fullscreen", "sidebar", "collapse", "expand",
    "skip", "reset", "autoscale", "clear", "close", "open", "rerun", "running", "stop", "deploy", "settings",
    "print", "screencast", "about", "none", "null", "nan", "true", "false", "loading", "error", "copy", "copied",
    "clipboard", "row", "rows", "column", "columns", "ascending", "descending", "help", "toggle", "lines", "hover",
    "closest", "plot", "chart", "limit", "per", "add", "remove", "delete", "cancel", "save", "edit", "please",
    "wait", "connecting", "connection", "lost", "timed", "out", "requested", "does", "seem", "exist", "app", "app's",
    "keyboard", "shortcut", "shortcuts", "view", "light", "dark", "made", "powered", "invalid",
    "allowed", "value", "values", "today", "yesterday", "week", "month", "year", "day", "hour",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "previous", "next", "arrow", "keys", "escape", "empty", "calendar",
))

TEXTS_JS = """() => {
  // Visible text (icons drawn from a font ligature, aria-hidden, are pictures, not words), then the names
  // and tooltips the page gives its elements.
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.nodeValue.trim()) continue;
    const pictures = 'script, style, [aria-hidden="true"], [translate="no"], [data-testid="stIconMaterial"]';
    if (parent.closest(pictures)) continue;
    if (!parent.getClientRects().length) continue;
    out.push(node.nodeValue);
  }
  const attrs = ['aria-label', 'title', 'placeholder', 'alt', 'data-title', 'aria-placeholder', 'aria-valuetext'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of attrs) { const v = el.getAttribute(a); if (v) out.push(v); }
  }
  out.push(document.title);
  return out;
}"""


def english_words(page) -> list[str]:
    """English words in the page's visible text, accessible names and tooltips (`data-title`)."""
    import re

    found = []
    for text in page.evaluate(TEXTS_JS):
        for line in text.splitlines():
            # Addresses and code-like tokens (file names, URLs, e-mails) are not prose.
            words = [w for w in re.split(r"[\s,.;:!?()«»\"'’/•|·–—-]+", line)
                     if w and not any(ch in w for ch in "@_=") and "http" not in w]
            hits = [w for w in words if w.lower() in ENGLISH]
            if hits:
                found.append(f"{hits} in {line.strip()[:100]!r}")
    return sorted(set(found))
