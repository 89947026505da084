"""Streamlit server tuning for many simultaneous sessions (measured by `make bench`, part 5).

Streamlit reads its configuration through `config.get_option`, which takes a
process-wide lock (`config._config_lock`) for a dictionary read, hundreds of
times per page run: in every script thread (each message's hash, each widget)
and on the event loop (each run's `new_session` message). Under the GIL a
lock held that briefly still makes a convoy: a thread that finds it taken
sleeps until the holder gets the GIL back, releases it and hands over, one
switch interval (5 ms) or more each time. With 100 sessions py-spy showed the
script threads spending more time waiting in `get_option` than anywhere else,
and the event loop, which sends every session's messages, stalled behind them:
p95 of a view 6 s while the server used a third of one core.

The options only change when Streamlit (re)parses its configuration, which it
does at start-up (this server watches no files). Reading the parsed dictionary
needs no lock in CPython (a dict lookup is atomic), so `get_option` and
`get_options_for_section` are replaced by lock-free reads of the same
dictionary, falling back to Streamlit's own functions before the first parse.
Streamlit is pinned (requirements.txt); `tests/test_serving.py` checks that
the replacement returns what Streamlit's own functions return, for every option.
"""

from __future__ import annotations

import sys
from typing import Any

from streamlit import config as _config

_original_get_option = _config.get_option
_original_get_options_for_section = _config.get_options_for_section


def _get_option(key: str) -> Any:
    options = _config._config_options
    if not options:  # not parsed yet: Streamlit's own path (parses under its lock)
        return _original_get_option(key)
    try:
        return options[key].value
    except KeyError:
        raise RuntimeError(f'Config key "{key}" not defined.') from None


def _get_options_for_section(section: str) -> dict[str, Any]:
    options = _config._config_options
    if not options:
        return _original_get_options_for_section(section)
    return {option.name: option.value for option in list(options.values()) if option.section == section}


# The event loop gives up the GIL at every socket write (one per message sent) and must wait for
# it again, up to one switch interval per busy script thread; 1 ms instead of Python's 5 ms lets
# it send a finished page's messages sooner. The script threads switch more often (a few % of CPU).
SWITCH_INTERVAL_S = 0.001
_DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()


def tune() -> None:
    """Install the lock-free configuration reads and the shorter GIL switch interval (idempotent).

    Only over Streamlit's own functions: AppTest replaces `get_option` during each run (to set
    `global.appTest`), and that replacement must stay in place.
    """
    if _config.get_option is _original_get_option:
        _config.get_option = _get_option
        _config.get_options_for_section = _get_options_for_section
        sys.setswitchinterval(SWITCH_INTERVAL_S)



def untune() -> None:
    """Put Streamlit's own functions and Python's switch interval back (tests that called `tune`)."""
    if _config.get_option is _get_option:
        _config.get_option = _original_get_option
        _config.get_options_for_section = _original_get_options_for_section
    sys.setswitchinterval(_DEFAULT_SWITCH_INTERVAL_S)
