"""Named SQL statements from `queries/*.sql`, run with `$named` parameters.

Reads take the caller's `SiteScope`: a statement touching site data must
filter on `$sites`, which is always filled from the scope, never from the
caller's keyword arguments. Parameters named in `CONSTANTS` are filled from
the vocabulary (`qualepref.vocab`) the same way: a rule shared by several
statements, such as the same-day precedence of assessments, is written once. A statement that reads site data without
`$sites` is refused unless its file declares `-- scope: aggregate` (it then
returns figures over all sites with no site named, e.g. a national median).
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from qualepref import vocab
from qualepref.access import ScopeError, SiteScope
from qualepref.config import QUERIES_DIR
from qualepref.sites import COMPARED_KIND

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
SCOPED_TABLES = (
    "indicator_values",
    "survey_results",
    "compliance_assessments",
    "uploads",
    "v_indicator_values",
    "v_survey_results",
    "v_compliance",
    "indicator_value_changes",
    "survey_result_changes",
    "compliance_changes",
    "site_module_decisions",
    "label_events",
    "audit_findings",
    "v_site_modules",
    "v_label_events",
    "actions",
    "action_changes",
    "v_actions",
)
_SCOPED = re.compile(r"\b(" + "|".join(SCOPED_TABLES) + r")\b", re.IGNORECASE)


# Parameters every statement may use, filled from the vocabulary (never from arguments).
CONSTANTS = {
    # Same-day precedence of assessments: `list_position($assessment_precedence, assessment_type)`.
    "assessment_precedence": list(vocab.ASSESSMENT_TYPES.codes),
    # National statistics and rankings compare like with like: prefectures with prefectures
    # (`s.site_kind = $compared_kind`); sub-prefectures and other sites are shown, never ranked among them.
    "compared_kind": COMPARED_KIND,
}


class ProgrammingError(RuntimeError):
    """A statement used in a way the data layer forbids (a bug, not user error)."""


@functools.cache
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise ProgrammingError(f"Unknown query file: queries/{name}.sql")
    return path.read_text(encoding="utf-8")


@functools.cache
def parameters_of(name: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(_COMMENT.sub("", query_text(name))))


@functools.cache
def reads_site_data(name: str) -> bool:
    return bool(_SCOPED.search(_COMMENT.sub("", query_text(name))))


@functools.cache
def is_aggregate(name: str) -> bool:
    return "-- scope: aggregate" in query_text(name)


def bind(name: str, params: dict, scope: SiteScope | None) -> dict:
    """Parameters the statement uses, with `$sites` taken from the scope."""
    wanted = parameters_of(name)
    if "sites" in params:
        raise ProgrammingError("`sites` comes from the scope, never from arguments.")
    if set(params) & CONSTANTS.keys():
        raise ProgrammingError(f"{sorted(set(params) & CONSTANTS.keys())} come from the vocabulary, never from "
                               "arguments.")
    missing = wanted - set(params) - {"sites"} - CONSTANTS.keys()
    if missing:
        raise ProgrammingError(f"queries/{name}.sql needs {sorted(missing)}")
    bound = {k: v for k, v in params.items() if k in wanted}
    bound |= {k: v for k, v in CONSTANTS.items() if k in wanted}
    if "sites" in wanted:
        if not isinstance(scope, SiteScope):
            raise ScopeError(f"queries/{name}.sql needs the caller's site scope.")
        bound["sites"] = scope.as_param()
    return bound


def run(source, name: str, *, scope: SiteScope, **params) -> pd.DataFrame:
    """Run a read statement and return a DataFrame.

    `source` is a `Database` or a cursor (inside a transaction).
    """
    if not isinstance(scope, SiteScope):
        raise ScopeError(f"queries/{name}.sql called without a site scope.")
    if reads_site_data(name) and "sites" not in parameters_of(name) and not is_aggregate(name):
        raise ProgrammingError(f"queries/{name}.sql reads site data without `$sites`.")
    cursor = source.cursor() if hasattr(source, "transaction") else source
    try:
        return cursor.execute(query_text(name), bind(name, params, scope)).df()
    finally:
        if cursor is not source:
            cursor.close()


def execute(cursor, name: str, *, scope: SiteScope | None = None, **params) -> list[tuple]:
    """Run a statement on a cursor (usually a write inside `Database.transaction`).

    The result is always consumed (DuckDB refuses new work on a cursor with
    a pending result) and returned as a list of rows.
    """
    return cursor.execute(query_text(name), bind(name, params, scope)).fetchall()
