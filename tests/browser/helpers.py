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


def click_nav(page, title: str) -> None:
    """Follow the sidebar's link to the page `title`, as a person does, and wait for it."""
    link = sidebar(page).get_by_role("link", name=title, exact=True)
    path = link.evaluate("a => new URL(a.href).pathname")
    link.click()
    page.wait_for_function("path => location.pathname === path", arg=path, timeout=60000)
    time.sleep(0.3)
    wait_idle(page)


def params(page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")
