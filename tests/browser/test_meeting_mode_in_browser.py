"""Meeting mode on a projector (1280×720), as a COPIL member uses it (issue 17 §2).

Before: key figures truncated to "33…" and "96…", the alerts table hid value
and target, heatmap labels of ~11 px overlapped the title, survey question
labels overlapped. Now, on every page the COPIL opens: the sidebar folded,
the introduction gone, the demonstration banner on one line, every key
figure whole (its text fits its box), every chart label at least 14 px and
overlapping no other label of its chart. Screenshots are kept in the test's
temporary folder to be looked at.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    click_nav,
    flip,
    fold_sidebar,
    sidebar,
    sidebar_folded,
    signed_in_context,
    wait_idle,
)

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
MEETING = "Mode réunion (vidéoprojecteur)"
COPIL_PAGES = ["Vue d'ensemble", "Tendances", "Alertes", "Conformité", "Comparaison nationale",
               "Suivi des transmissions"]
MIN_LABEL_PX = 14

# Every key figure: its text, and whether it is cut (wider than its box, or an ellipsis drawn).
METRICS_JS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(m => {
  const inner = m.querySelector('div') || m;
  const style = getComputedStyle(inner);
  return {text: m.innerText.trim(),
          cut: inner.scrollWidth > inner.clientWidth + 1 || m.scrollWidth > m.clientWidth + 1,
          ellipsis: style.textOverflow === 'ellipsis' && inner.scrollWidth > inner.clientWidth + 1};
})"""

# Text of each chart (ticks, axis titles, legend, annotations, title, colour bar): box and font size.
LABELS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd, chart) => {
  const selectors = ['.xtick text', '.ytick text', '.g-xtitle text', '.g-ytitle text', '.legendtext',
                     '.annotation-text', '.gtitle', '.cbaxis text', '.colorbar .cbtitle text'];
  const boxes = [];
  for (const sel of selectors) for (const el of gd.querySelectorAll(sel)) {
    const text = (el.textContent || '').trim();
    if (!text) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // The glyphs' own rectangle, turned as the text is (rotated tick labels): its four corners on screen.
    const b = el.getBBox(), m = el.getScreenCTM();
    const corners = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    boxes.push({sel, text, corners, size: parseFloat(getComputedStyle(el).fontSize)});
  }
  return {chart, boxes};
})"""


def _overlaps(a: dict, b: dict, slack: float = 1.0) -> bool:
    """Whether two (possibly turned) text rectangles intersect by more than `slack` px (separating axes)."""
    for quad in (a["corners"], b["corners"]):
        for i in range(4):
            (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
            nx, ny = y2 - y1, x1 - x2
            norm = (nx * nx + ny * ny) ** 0.5 or 1.0
            nx, ny = nx / norm, ny / norm
            pa = [nx * x + ny * y for x, y in a["corners"]]
            pb = [nx * x + ny * y for x, y in b["corners"]]
            if min(pa) + slack >= max(pb) or min(pb) + slack >= max(pa):
                return False
    return True


def check_projector_page(page, title: str) -> list[str]:
    """What a projector audience could not read on the current page."""
    problems = []
    for metric in page.evaluate(METRICS_JS):
        if metric["cut"] or metric["ellipsis"] or metric["text"].endswith("…"):
            problems.append(f"{title}: key figure cut: {metric['text']!r}")
    for chart in page.evaluate(LABELS_JS):
        boxes = chart["boxes"]
        for box in boxes:
            if box["size"] < MIN_LABEL_PX:
                problems.append(f"{title}, chart {chart['chart']}: {box['sel']} {box['text'][:30]!r} "
                                f"at {box['size']:.0f} px")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if _overlaps(a, b):
                    problems.append(f"{title}, chart {chart['chart']}: {a['text'][:30]!r} ({a['sel']}) overlaps "
                                    f"{b['text'][:30]!r} ({b['sel']})")
    return problems


def test_a_copil_member_projects_every_page_in_meeting_mode(server, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("reunion")
    context = signed_in_context(browser, server, "copil", viewport=PROJECTOR)
    try:
        page = context.new_page()
        page.goto(server, wait_until="commit")
        wait_idle(page)
        assert not sidebar_folded(page)
        flip(page, MEETING, where=sidebar(page))
        assert sidebar_folded(page), "meeting mode folds the sidebar"
        problems = []
        for title in COPIL_PAGES:
            click_nav(page, title)
            fold_sidebar(page)  # the presenter folds the menu again after choosing a page
            assert "reunion=1" in page.url, title
            # The introduction is gone; the demonstration banner holds on one line.
            assert page.locator(".st-key-qp-intro").evaluate_all(
                "els => els.every(e => e.offsetHeight === 0)"), title
            banner = page.locator(".st-key-qp-banner [data-testid='stAlert']")
            if banner.count():
                assert banner.first.bounding_box()["height"] < 80, f"{title}: banner on several lines"
            page.screenshot(path=str(shots / f"{title}.png"))
            problems += check_projector_page(page, title)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
