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
