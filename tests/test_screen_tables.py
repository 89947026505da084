"""Tables as people read them on screen: French numbers and months, never « None » or « nan » (audit, round 2).

A table's missing value reads « – » (`placeholder`); a figure is written by `fmt` (`12,3`, `82,5 %`,
`janv. 2025`) before it reaches the screen, while the files downloaded keep numbers
(`ui.chart_with_table(formats=…)`).
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def _dataframe_calls():
    for folder in ("pages", "qualepref"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "dataframe"):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def test_every_table_on_screen_says_what_it_shows_for_a_missing_value():
    """Without `placeholder`, Streamlit writes « None » in an empty cell (an English word, and not ours)."""
    calls = list(_dataframe_calls())
    assert len(calls) > 20
    missing = [where for where, call in calls if not any(k.arg == "placeholder" for k in call.keywords)]
    assert not missing, missing


# -- every page's tables, as AppTest renders them for a national and a local profile -------------------------
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from qualepref import auth  # noqa: E402
from qualepref.access import Principal, Role  # noqa: E402
from qualepref.db import Database  # noqa: E402

ACCOUNTS = {"ministere": Principal("ministere@interieur.gouv.fr", Role.MINISTRY),
            "referent": Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87"),
            "admin": Principal("admin@interieur.gouv.fr", Role.ADMIN)}
# (page, address parameters): Tendances three ways (indicators, with the moving average, year over year; and
# satisfaction), every other page with tables as it opens.
VIEWS = [("tendances", {}), ("tendances", {"mm3": "1"}), ("tendances", {"annuel": "1"}),
         ("tendances", {"vue": "satisfaction"}), ("vue_ensemble", {}), ("alertes", {}), ("conformite", {}),
         ("comparaison", {}), ("transmissions", {}), ("historique", {}), ("labellisation", {}), ("demarche", {}),
         ("plan_actions", {})]
# The administrator's pages besides (the other pages are the ministry's, seen above).
ADMIN_VIEWS = [("admin_comptes", {}), ("admin_referentiel", {}), ("admin_sites", {}), ("referentiel", {}),
               ("demonstration", {}), ("exports", {}), ("import_donnees", {})]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
WORDS = {"None", "nan", "NaN", "<NA>", "NaT", "null"}


@pytest.fixture(scope="module")
def tables_db(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("tables") / "tables.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        for p in ACCOUNTS.values():
            auth.create_account(db, actor="tests", email=p.user, display_name=p.user.split("@")[0], role=p.role,
                                site_code=p.site_code)
        db.checkpoint()
    return path


def _unformatted(frame: pd.DataFrame, config: dict) -> list[str]:
    """Columns shown as Streamlit writes raw values: floats (`12.3456`), dates (`2025-01-01 00:00:00`), ISO days,
    or a missing value's English name — unless the table's column configuration formats them."""
    found = []
    for column in frame.columns:
        if (config.get(str(column)) or {}).get("type_config", {}).get("format"):
            continue
        values = frame[column]
        if pd.api.types.is_float_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            found.append(f"{column} ({values.dtype}: {values.dropna().head(2).tolist()})")
            continue
        texts = [v for v in values if isinstance(v, str)]
        bad = [v for v in texts if ISO_DAY.match(v) or v.strip() in WORDS]
        if "%" in str(column) or str(column).startswith("Taux"):  # a rate reads « 82,5 % » (not « 82,5 »)
            bad += [v for v in texts if v.strip() not in ("", "–") and "%" not in v]
        if bad:
            found.append(f"{column}: {bad[:2]}")
    return found


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_table_on_screen_writes_numbers_and_months_in_french(tables_db, account, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(tables_db))
    problems, seen = [], 0
    for stem, params in ADMIN_VIEWS if account == "admin" else VIEWS:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["principal"] = ACCOUNTS[account]
        at.switch_page(f"pages/{stem}.py")
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, (stem, params, at.exception)
        for i, table in enumerate(at.dataframe):
            seen += 1
            config = json.loads(table.proto.columns or "{}")
            for column in _unformatted(table.value, config):
                problems.append(f"{stem} {params} table {i}: {column}")
    assert seen > 5
    assert not problems, "\n".join(problems)
