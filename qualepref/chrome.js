// Qual-e-Pref page chrome, run once per browser tab (see qualepref/chrome.py).
// 1. French for the texts and accessible names Streamlit and Plotly write in English and offer no
//    setting for: a translation table applied to the page and, through a MutationObserver, to
//    everything drawn later (menus, tooltips, dialogs).
// 2. The page declared French (lang="fr" on the root element), the sidebar menu a navigation landmark with its
//    current page marked (`aria-current="page"`).
(function (config) {
  if (window.__qualeprefChrome) { window.__qualeprefChrome.config = config; return; }
  const state = { config: config };
  window.__qualeprefChrome = state;
  const ATTRIBUTES = ["aria-label", "title", "placeholder", "data-title", "alt", "aria-placeholder", "aria-valuetext"];

  function translate(text) {
    if (!text) return null;
    const trimmed = text.trim();
    if (!trimmed) return null;
    const exact = state.config.exact[trimmed];
    if (exact !== undefined) return text.replace(trimmed, exact);
    for (const [pattern, replacement] of state.config.patterns) {
      const re = new RegExp(pattern);
      if (re.test(trimmed)) return text.replace(trimmed, trimmed.replace(re, replacement));
    }
    return null;
  }

  function translateNode(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      if (parent && (parent.tagName === "SCRIPT" || parent.tagName === "STYLE")) return;
      // Icons are words of an icon font (ligatures such as "upload"): never translated.
      if (parent && parent.closest("[translate=no], [data-testid=stIconMaterial]")) return;
      const french = translate(node.nodeValue);
      if (french !== null && french !== node.nodeValue) node.nodeValue = french;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const name of ATTRIBUTES) {
      if (node.hasAttribute(name)) {
        const french = translate(node.getAttribute(name));
        if (french !== null && french !== node.getAttribute(name)) node.setAttribute(name, french);
      }
    }
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let current = walker.nextNode();
    while (current) {
      if (current.nodeType === Node.TEXT_NODE) translateNode(current);
      else for (const name of ATTRIBUTES) {
        if (current.hasAttribute(name)) {
          const french = translate(current.getAttribute(name));
          if (french !== null && french !== current.getAttribute(name)) current.setAttribute(name, french);
        }
      }
      current = walker.nextNode();
    }
  }

  function markNavigation() {
    const nav = document.querySelector(".st-key-navigation");
    if (nav) {
      if (nav.getAttribute("role") !== "navigation") nav.setAttribute("role", "navigation");
      if (nav.getAttribute("aria-label") !== "Menu principal") nav.setAttribute("aria-label", "Menu principal");
      const here = location.pathname.replace(/\/+$/, "");
      for (const link of nav.querySelectorAll("a[href]")) {
        const path = new URL(link.href, location.href).pathname.replace(/\/+$/, "");
        if (path === here) { if (link.getAttribute("aria-current") !== "page") link.setAttribute("aria-current", "page"); }
        else if (link.hasAttribute("aria-current")) link.removeAttribute("aria-current");
      }
    }
    if (document.documentElement.lang !== "fr") document.documentElement.lang = "fr";
  }

  let scheduled = false;
  const pending = new Set();
  function flush() {
    scheduled = false;
    for (const node of pending) if (node.isConnected) translateNode(node);
    pending.clear();
    markNavigation();
  }
  function schedule(node) {
    pending.add(node);
    if (!scheduled) { scheduled = true; queueMicrotask(flush); }
  }

  new MutationObserver(function (mutations) {
    for (const m of mutations) {
      if (m.type === "childList") m.addedNodes.forEach(schedule);
      else if (m.type === "characterData") schedule(m.target);
      else if (m.type === "attributes") schedule(m.target);
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
  // Client-side page changes do not reload: follow them for the current-page mark.
  window.addEventListener("popstate", markNavigation);
  translateNode(document.body);
  markNavigation();
})(__CONFIG__);
