"""Every page × every role with AppTest, on the national demonstration data.

A référent or COPIL member of the Haute-Vienne (87) must never see another
prefecture by name or code anywhere on any page (markdown, tables, metrics,
selectbox options, chart specs…), read-only roles never get an upload
widget, and administration pages refuse everyone but the administrator,
even when run without the navigation.
"""

import json
import re
import shutil

import pandas as pd
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from qualepref import access, auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
OWN = "87"  # the Haute-Vienne, with its sub-prefectures Bellac and Rochechouart in the demonstration
SUB_PREFECTURE = "87011"  # Bellac: a sub-prefecture with its own référent
ACCOUNTS = {
    "referent": Principal("referent87@interieur.gouv.fr", Role.REFERENT, OWN),
    "copil": Principal("copil87@interieur.gouv.fr", Role.COPIL, OWN),
    "referent_sous_prefecture": Principal("bellac@interieur.gouv.fr", Role.REFERENT, SUB_PREFECTURE),
    "ministere": Principal("ministere@interieur.gouv.fr", Role.MINISTRY),
    "admin": Principal("admin@interieur.gouv.fr", Role.ADMIN),
}


@pytest.fixture(scope="module")
def matrix_db(demo_template, tmp_path_factory):
    """One demonstration database with an account per role, shared by the module (read only)."""
    path = tmp_path_factory.mktemp("matrix") / "matrix.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        for p in ACCOUNTS.values():
            auth.create_account(db, actor="tests", email=p.user, display_name=p.user.split("@")[0], role=p.role,
                                site_code=p.site_code)
        sites = db.cursor().execute("select site_code, site_name, prefecture_city, parent_code from sites").df()
        db.checkpoint()
    return path, sites


def _own_sites(sites: pd.DataFrame, site_code: str) -> set[str]:
    """The caller's site and the sub-prefectures attached to it (what its scope holds)."""
    return {site_code} | set(sites.site_code[sites.parent_code == site_code])


def _forbidden(sites: pd.DataFrame, site_code: str = OWN) -> tuple[re.Pattern, set[str]]:
    """Names and cities of the sites outside the caller's scope (whole words: 'Vienne' is not in 'Haute-Vienne')."""
    own_codes = _own_sites(sites, site_code)
    own = sites[sites.site_code.isin(own_codes)]
    others = sites[~sites.site_code.isin(own_codes)]
    words = {w for w in [*others.site_name, *others.prefecture_city]
             if w not in {*own.site_name, *own.prefecture_city}}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])"), set(others.site_code)


def _strings(value):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _looks_like_codes(values: list[str], codes: set[str]) -> bool:
    """A column of site codes (not a column of figures where a count happens to read "94")."""
    return bool(values) and sum(v in codes for v in values) >= 0.8 * len(values)


def _rendered(at, codes: set[str] = frozenset()) -> tuple[str, set[str]]:
    """All the text of the rendered elements, and the exact string values of tables and charts.

    A bare number ("94") is kept as a cell only from a table column made of site codes: a count of
    prefectures or an engagement number may equal a département code without naming anyone
    (a leaked name is caught in the text anyway).
    """
    texts, cells = [], set()

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.append(text_format.MessageToString(proto, as_utf8=True))
            spec = getattr(proto, "spec", None)
            if isinstance(spec, str) and spec.startswith("{"):  # plotly figure JSON
                cells.update(s for s in _strings(json.loads(spec)) if not s.isdigit())
        if type(node).__name__ in ("Dataframe", "Table"):
            frame = node.value
            texts.append(frame.to_csv())
            texts.extend(map(str, frame.columns))
            for col in frame.columns:
                values = [str(v) for v in frame[col] if isinstance(v, str)]
                if _looks_like_codes(values, codes):
                    cells.update(values)
                else:
                    cells.update(v for v in values if not v.isdigit())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(texts), cells


def _open(path, principal, monkeypatch) -> AppTest:
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = principal
    return at.run()


def _navigation(at) -> set[str]:
    # AppTest keeps the pages registered by the last st.navigation call. Page files only: the other
    # addresses answer with a function (the root opens the overview; a page not offered says so).
    return {str(info["script_path"]).rsplit("/", 1)[-1].removesuffix(".py")
            for info in at._registered_pages.values() if info.get("script_path")}


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_page_for_every_role(matrix_db, account, monkeypatch):
    path, sites = matrix_db
    principal = ACCOUNTS[account]
    role = principal.role
    pattern, other_codes = _forbidden(sites, principal.site_code or OWN)
    if role in access.LOCAL_ROLES:
        own = _own_sites(sites, principal.site_code)
        # A prefecture's scope holds its sub-prefectures; a sub-prefecture's, itself only.
        assert len(own) == (3 if principal.site_code == OWN else 1)
    at = _open(path, principal, monkeypatch)
    assert not at.exception, at.exception
    offered = {s for stems in access.navigation(role).values() for s in stems}
    assert _navigation(at) == offered | {access.SIGN_IN_PAGE, *access.PUBLIC_PAGES}
    problems = []
    for stem in PAGES:
        if stem in offered:
            view = at.switch_page(f"pages/{stem}.py").run()
        else:
            # Not offered to this role: run the page file on its own, as a visitor
            # typing its address would reach it; the page must refuse by itself.
            view = AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=60)
            view.session_state["principal"] = principal
            view.run()
        if view.exception:
            problems.append(f"{stem}: exception {view.exception[0].message}")
            continue
        text, cells = _rendered(view, set(sites.site_code))
        if role in access.LOCAL_ROLES:
            leaks = sorted(set(pattern.findall(text)) | (cells & other_codes))
            if leaks:
                problems.append(f"{stem}: other prefectures shown to {role}: {leaks[:8]}")
            if stem == "vue_ensemble":
                own_name = "Haute-Vienne" if principal.site_code == OWN else "Bellac"
                assert own_name in text, "the search must see the caller's own site"
            if stem == "demarche" and principal.site_code == OWN:
                assert "Bellac" in text, "a prefecture's référent sees its sub-prefectures"
        if role in (Role.MINISTRY, Role.ADMIN) and stem == "vue_ensemble":
            assert pattern.findall(text), "national roles see other prefectures: the search must find them"
        if role == Role.ADMIN and any("réservée" in e.value for e in view.error):
            problems.append(f"{stem}: refused to the administrator")
        refused = any("réservée" in e.value for e in view.error)
        if role != Role.ADMIN and stem in access.ADMIN_PAGES and (
                not refused or view.get("dataframe") or view.get("text_input")):
            problems.append(f"{stem}: administration page not refused to {role}")
        if role in (Role.COPIL, Role.MINISTRY) and view.get("file_uploader"):
            problems.append(f"{stem}: upload widget offered to read-only {role}")
    assert not problems, "\n".join(problems)


def test_signed_out_visitor_gets_only_the_sign_in_page(matrix_db, monkeypatch):
    path, _ = matrix_db
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert _navigation(at) == {access.SIGN_IN_PAGE, *access.PUBLIC_PAGES}
    assert at.text_input(key="connexion_email") is not None
    # A page reached without the navigation (e.g. by its address) refuses too.
    for stem in ("vue_ensemble", "admin_comptes", "import_donnees"):
        page = AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=60).run()
        assert not page.exception, (stem, page.exception)
        assert any("Connectez-vous" in e.value for e in page.error), stem
        assert not page.get("dataframe") and not page.get("metric"), stem


def test_a_forged_session_principal_of_an_unknown_account_is_dropped(matrix_db, monkeypatch):
    path, _ = matrix_db
    at = _open(path, Principal("intrus@exemple.fr", Role.ADMIN), monkeypatch)
    assert not at.exception
    assert _navigation(at) == {access.SIGN_IN_PAGE, *access.PUBLIC_PAGES}
    assert "principal" not in at.session_state
