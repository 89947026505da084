"""Streamlit tuning for many sessions: lock-free configuration reads, a shorter GIL switch interval."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit import config

from qualepref import serving


@pytest.fixture(autouse=True)
def _untuned():
    """Tuning is process-wide (the server's, installed by serve.py): leave the test process as it was."""
    yield
    serving.untune()
    assert config.get_option is serving._original_get_option


def test_lock_free_reads_return_what_streamlit_returns_for_every_option():
    config.get_config_options()  # parsed, as in a running server
    serving.tune()
    for key in config._config_options:
        assert serving._get_option(key) == serving._original_get_option(key), key
    for section in {option.section for option in config._config_options.values()}:
        assert serving._get_options_for_section(section) == serving._original_get_options_for_section(section)
    with pytest.raises(RuntimeError):
        config.get_option("server.pas_une_option")


def test_a_read_does_not_wait_for_the_configuration_lock():
    """Streamlit's own get_option waits while another thread holds the lock; the tuned one does not."""
    config.get_config_options()
    serving.tune()
    held, release = threading.Event(), threading.Event()

    def holder():
        with config._config_lock:
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        began = time.perf_counter()
        assert config.get_option("server.maxUploadSize") == config._config_options["server.maxUploadSize"].value
        assert time.perf_counter() - began < 0.5
        blocked = threading.Thread(target=serving._original_get_option, args=("server.maxUploadSize",))
        blocked.start()
        blocked.join(0.3)
        assert blocked.is_alive()  # the original does wait: the test above could fail
    finally:
        release.set()
        thread.join()
        blocked.join()



def test_the_switch_interval_is_shortened():
    serving.tune()
    import sys

    assert sys.getswitchinterval() == pytest.approx(serving.SWITCH_INTERVAL_S)


def test_a_patched_get_option_is_left_alone():
    """AppTest patches config.get_option for each run; tuning inside that run must not undo it."""
    from streamlit.testing.v1.util import patch_config_options

    with patch_config_options({"global.appTest": True}):
        serving.tune()
        assert config.get_option("global.appTest") is True


def test_the_server_entry_point_tunes_and_the_page_script_does_not():
    """serve.py (what `make run`, systemd and the browser tests start) installs the tuning once per
    process; app.py, which runs in every session and under AppTest, leaves Streamlit's functions alone."""
    import runpy

    from tests.conftest import ROOT

    assert "serving.tune" not in (ROOT / "app.py").read_text(encoding="utf-8")
    runpy.run_path(str(ROOT / "serve.py"))
    assert config.get_option is serving._get_option
