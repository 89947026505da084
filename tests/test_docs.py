"""The README documents what users rely on (datasette-style doc tests)."""

import re

from qualepref.config import QUERIES_DIR
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_every_environment_variable_is_documented():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "qualepref").rglob("*.py"))
    variables = set(re.findall(r"environ\.get\(\"(QUALEPREF_[A-Z_]+)\"", code))
    assert "QUALEPREF_DB" in variables
    for name in variables:
        assert f"`{name}`" in README, f"{name} is not documented in README.md"


def test_every_analyst_view_and_column_is_documented():
    schema = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "qualepref" / "migrations").glob("*.sql"))
    for view in re.findall(r"create (?:or replace )?view (v_[a-z_]+)", schema):
        assert f"`{view}`" in README, view
    for column in ("period_kind", "satisfaction_rate", "assessment_type", "n_expressed"):
        assert f"`{column}`" in README


def test_no_cdn_address_in_the_product():
    pattern = re.compile(r"https?://(cdn\.|unpkg|cdnjs|fonts\.googleapis|jsdelivr)", re.IGNORECASE)
    for path in [*ROOT.glob("*.py"), *(ROOT / "qualepref").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
                 *QUERIES_DIR.glob("*.sql"), *(ROOT / ".streamlit").glob("*")]:
        assert not pattern.search(path.read_text(encoding="utf-8")), path
