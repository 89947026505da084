"""No page shows a traceback: the browser gets Streamlit's generic message, the server log the details."""

from __future__ import annotations

import tomllib

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_an_uncaught_error_shows_neither_its_text_nor_its_traceback(capfd):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # `false` would mean "stacktrace" in Streamlit 1.67
    at = AppTest.from_string("raise RuntimeError('/srv/qualepref/secret.py: erreur interne')").run()
    [shown] = at.exception
    assert "secret" not in shown.message and "RuntimeError" not in shown.message
    assert shown.stack_trace == [] and not shown.proto.type
    assert "RuntimeError: /srv/qualepref/secret.py" in capfd.readouterr().err  # the server log keeps it
