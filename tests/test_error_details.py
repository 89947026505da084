"""No page shows a traceback: the browser gets Streamlit's generic message, the server log the details."""

from __future__ import annotations

import logging
import tomllib

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_an_uncaught_error_shows_neither_its_text_nor_its_traceback():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # `false` would mean "stacktrace" in Streamlit 1.67
    kept = _Kept()
    server_log = logging.getLogger("streamlit.error_util")  # where Streamlit logs an uncaught error
    server_log.addHandler(kept)
    try:
        at = AppTest.from_string("raise RuntimeError('/srv/qualepref/secret.py: erreur interne')").run()
    finally:
        server_log.removeHandler(kept)
    [shown] = at.exception
    assert "secret" not in shown.message and "RuntimeError" not in shown.message
    assert shown.stack_trace == [] and not shown.proto.type
    # The server log keeps the exception and its traceback.
    assert any(r.exc_info and "secret.py" in str(r.exc_info[1]) for r in kept.records)
