"""Every SQL file prepares against the schema and is used by the code."""

import re

import pytest

from qualepref import sql, store
from qualepref.config import QUERIES_DIR
from tests.conftest import ROOT, national_scope

QUERY_NAMES = sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))
CODE_FILES = [
    p for p in [*ROOT.glob("*.py"), *(ROOT / "qualepref").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    if ".venv" not in p.parts
]


def _used_names() -> tuple[set[str], list[re.Pattern]]:
    """Literal query names in the code, and patterns for f-string names (`f"delete_staged_{kind}"`)."""
    literals, patterns = set(), []
    for path in CODE_FILES:
        text = path.read_text(encoding="utf-8")
        literals |= set(re.findall(r"""["']([a-z0-9_]+)["']""", text))
        for template in re.findall(r"""f["']([a-z0-9_]*\{[^"']*)["']""", text):
            regex = re.sub(r"\\\{[^}]*\\\}", r"[a-z0-9_]+", re.escape(template))
            patterns.append(re.compile(f"^{regex}$"))
    return literals, patterns


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_prepares_against_schema(db, name):
    with db.cursor() as cur:
        store.register_empty(cur, national_scope(db))
        text = sql.query_text(name)
        if re.match(r"\s*create\b", re.sub(r"--[^\n]*", "", text), re.IGNORECASE):
            # DDL cannot be prepared; run it (it is idempotent) to prove it parses and binds.
            cur.execute(text)
            return
        statement_name = f"check_{name}"
        cur.execute(f"PREPARE {statement_name} AS {text}")
        cur.execute(f"DEALLOCATE {statement_name}")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_file_is_used(name):
    literals, patterns = _used_names()
    assert name in literals or any(p.match(name) for p in patterns), f"queries/{name}.sql is never used"


def test_one_statement_per_file():
    for name in QUERY_NAMES:
        body = re.sub(r"--[^\n]*", "", sql.query_text(name)).strip().rstrip(";")
        assert ";" not in body, f"queries/{name}.sql holds more than one statement"


def test_queries_reading_site_data_filter_on_the_scope():
    for name in QUERY_NAMES:
        if sql.reads_site_data(name) and not name.startswith(("delete_demo_", "forget_demo_", "next_upload")):
            text = sql.query_text(name)
            assert "$sites" in text or sql.is_aggregate(name) or name.startswith("insert_upload"), name
