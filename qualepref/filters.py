"""Sidebar filters shared by the pages, kept in the URL (`st.query_params`).

Each widget mirrors its value into a query parameter holding a code, not a
label (`?pref=87&debut=2025-01`), so a link reproduces exactly the view on
screen and stays readable. (Streamlit's `bind="query-params"` writes the
formatted label into the URL, hence this small helper.) A selection also
follows the user from page to page within a session. Parameter names:
`pref`, `region`, `debut`, `fin`, `module`, `indicateur` (and `reunion`, the meeting
mode, drawn by `chrome.meeting_toggle` at the top of the sidebar on every page).
Narrowing by prefecture or region yields a smaller `SiteScope`, always a
subset of the caller's: filters can never widen access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from qualepref import chrome, fmt, ui
from qualepref.access import SiteScope

ALL = "__tous__"


@dataclass(frozen=True)
class Filters:
    scope: SiteScope  # the caller's scope narrowed by prefecture / region
    site_code: str | None
    region_code: str | None
    start: date | None
    end: date | None
    module: int | None
    indicator_code: str | None
    meeting_mode: bool
    # The caller's scope narrowed by region only: the peers a selected prefecture is compared with.
    region_scope: SiteScope | None = None

    @property
    def single_site(self) -> bool:
        return len(self.scope.site_codes) == 1


def _narrow(scope: SiteScope, codes) -> SiteScope:
    return scope.narrowed(codes)


def _page() -> str:
    """The page this run draws (its script hash), or "" outside a Streamlit run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def _arriving(key: str) -> bool:
    """True when the widget `key` is drawn on another page than on its previous run.

    Widget identities include the page, so a filter drawn on a new page is a
    new widget: Streamlit would start it at its first option while
    `st.session_state[key]` still answered with the old page's value (the
    period jumped to the first month of the data, meeting mode switched off).
    Arriving, the filter is set again from the URL or the remembered choice.
    """
    pages = st.session_state.setdefault("_filtre_pages", {})
    page = _page()
    arriving = pages.get(key) != page
    pages[key] = page
    return arriving


def _select(container, label: str, options: list, key: str, *, default, format_func):
    """A selectbox whose value lives in `st.query_params[key]` (as a code) and follows the user."""
    by_text = {str(o): o for o in options}
    remembered = st.session_state.get(f"_filtre_{key}")
    if _arriving(key) or key not in st.session_state or st.session_state[key] not in options:
        from_url = st.query_params.get(key)
        if from_url in by_text:
            st.session_state[key] = by_text[from_url]
        elif remembered in options:
            st.session_state[key] = remembered
        else:
            st.session_state[key] = default
    value = container.selectbox(label, options, key=key, format_func=format_func)
    st.session_state[f"_filtre_{key}"] = value
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def _toggle(container, label: str, key: str) -> bool:
    if _arriving(key) or key not in st.session_state:
        from_url = st.query_params.get(key)
        st.session_state[key] = (from_url in ("1", "true", "oui") if from_url is not None
                                 else bool(st.session_state.get(f"_filtre_{key}")))
    value = container.toggle(label, key=key)
    st.session_state[f"_filtre_{key}"] = value
    if value:
        st.query_params[key] = "1"
    else:
        st.query_params.pop(key, None)
    return value


def url_choice(label: str, choices: dict[str, str], key: str, *, default: str, container=None) -> str:
    """A page's quick view (segmented buttons), kept in the URL as its code (`?key=code`) like the filters."""
    options = list(choices)
    if _arriving(key) or st.session_state.get(key) not in options:
        from_url = st.query_params.get(key)
        remembered = st.session_state.get(f"_filtre_{key}")
        st.session_state[key] = (from_url if from_url in options else
                                 remembered if remembered in options else default)
    value = (container if container is not None else st).segmented_control(
        label, options, format_func=choices.get, key=key, required=True)
    st.session_state[f"_filtre_{key}"] = value
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value


def url_toggle(label: str, key: str, container=None) -> bool:
    """A page's display option (e.g. a moving average) kept in the URL like the filters (`?key=1`)."""
    return _toggle(container if container is not None else st, label, key)


def sidebar_filters(*, site: bool = True, period: bool = True, module: bool = False,
                    indicator: bool = False, all_indicators: bool = False) -> Filters:
    """Draw the requested filters in the sidebar and return the current selection.

    With `all_indicators`, the indicator list starts with "Tous les
    indicateurs" (the default), returned as `indicator_code=None`.
    """
    scope = ui.current_scope()
    sites = ui.query("sites", scope=scope)
    names = dict(zip(sites.site_code, sites.site_name, strict=True))
    region_names = dict(zip(sites.region_code, sites.region_name, strict=True))
    bar = ui.filter_panel()
    site_code = region_code = None
    narrowed = region_scope = scope
    if site and len(sites) > 1:
        # A prefecture's scope (itself and its sub-prefectures) lies in one region: no region to choose.
        if scope.national or len(region_names) > 1:
            region_code = _select(
                bar, "Région", [ALL, *sorted(region_names, key=region_names.get)], "region", default=ALL,
                format_func=lambda c: "Toutes les régions" if c == ALL else region_names[c],
            )
            region_code = None if region_code == ALL else region_code
        in_region = sites if region_code is None else sites[sites.region_code == region_code]
        # A prefecture's référent or COPIL member starts on their prefecture (« Toutes » adds its
        # sub-prefectures); a national user on every site.
        own = ui.current_principal().site_code
        start = own if not scope.national and own in set(in_region.site_code) else ALL
        site_code = _select(
            bar, "Préfecture" if scope.national else "Site", [ALL, *in_region.site_code], "pref", default=start,
            format_func=lambda c: "Toutes" if c == ALL else f"{c} – {names[c]}",
        )
        site_code = None if site_code == ALL else site_code
        narrowed = _narrow(scope, [site_code] if site_code else in_region.site_code)
        region_scope = _narrow(scope, in_region.site_code)
    elif len(sites) == 1:
        site_code = sites.site_code.iloc[0]
        bar.markdown(f"**Préfecture** : {site_code} – {names[site_code]}")

    start = end = None
    if period:
        months = [pd.Timestamp(m).date() for m in ui.query("available_months", scope=scope).period_start]
        if months:
            keys = [m.strftime("%Y-%m") for m in months]
            label = lambda k: fmt.month(f"{k}-01")  # noqa: E731
            start_key = _select(bar, "Début", keys, "debut", default=keys[max(0, len(keys) - 24)],
                                format_func=label)
            end_key = _select(bar, "Fin", keys, "fin", default=keys[-1], format_func=label)
            if end_key < start_key:
                start_key, end_key = end_key, start_key
            start, end = date.fromisoformat(f"{start_key}-01"), date.fromisoformat(f"{end_key}-01")

    chosen_module = None
    if module:
        modules = ui.query("referentiel_modules", scope=scope)
        module_names = dict(zip(modules.module, modules.module_name, strict=True))
        chosen = _select(bar, "Module", [0, *map(int, modules.module)], "module", default=0,
                         format_func=lambda m: "Tous les modules" if m == 0 else f"{m} – {module_names[m]}")
        chosen_module = int(chosen) or None

    indicator_code = None
    if indicator:
        indicators = ui.query("referentiel_indicators", scope=scope)
        if chosen_module:
            indicators = indicators[indicators.module == chosen_module]
        labels = dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))
        if all_indicators:
            labels = {ALL: "Tous les indicateurs", **labels}
        if labels:
            indicator_code = _select(bar, "Indicateur", list(labels), "indicateur",
                                     default=next(iter(labels)), format_func=labels.get)
            indicator_code = None if indicator_code == ALL else indicator_code

    return Filters(narrowed, site_code, region_code, start, end, chosen_module, indicator_code,
                   chrome.is_meeting(), region_scope=region_scope)
