"""Operator log: one line per sign-in, import, export and administrative change.

Lines go to standard error as `key=value` pairs (logfmt), without colours, so
journald keeps them as they are when the app runs as a systemd service
(`journalctl -u qualepref -g 'event=sign_in'`). Values that hold a space, a
quote or an equals sign are quoted, and control characters are escaped: a
user-typed e-mail cannot forge a second line. No function here takes a
password, and callers pass only what an operator may read.

An administrative change is logged once its transaction commits (`defer`,
flushed by `Database.transaction`): a rolled-back change leaves no line.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

LOGGER_NAME = "qualepref.events"
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+:/,")
_pending = threading.local()


def quote(value) -> str:
    """A logfmt value: bare when it is plain, else double-quoted with escapes (never a raw newline)."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    text = str(value)
    if text and all(c in _SAFE for c in text):
        return text
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def line(event: str, **fields) -> str:
    """`event=sign_in outcome=success user=…`: the event first, then the fields in the caller's order."""
    return " ".join([f"event={quote(event)}", *(f"{key}={quote(value)}" for key, value in fields.items())])


class _StderrHandler(logging.StreamHandler):
    """Writes to the current `sys.stderr` (not the one of the moment it was made: tests swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _Formatter(logging.Formatter):
    """Under systemd, a `<6>` prefix gives journald the priority (info, warning); elsewhere plain lines."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if os.environ.get("JOURNAL_STREAM"):
            return f"<{4 if record.levelno >= logging.WARNING else 6}>{text}"
        return text


def logger() -> logging.Logger:
    """The events logger, with its own stderr handler (set up once per process)."""
    log = logging.getLogger(LOGGER_NAME)
    if not getattr(log, "_qualepref_handler", None):
        handler = _StderrHandler()
        handler.setFormatter(_Formatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        # Not through the root logger: Streamlit and the command line configure it their own way,
        # and the line must come out exactly once, in this format.
        log.propagate = False
        log._qualepref_handler = handler
    return log


def emit(event: str, *, level: int = logging.INFO, **fields) -> None:
    """Write one event line now."""
    logger().log(level, "%s", line(event, **fields))


def defer(event: str, **fields) -> None:
    """Queue an event line for when the current thread's transaction commits."""
    queue = getattr(_pending, "events", None)
    if queue is None:
        queue = _pending.events = []
    queue.append((event, fields))


def flush_deferred() -> None:
    """The transaction committed: write its queued lines."""
    for event, fields in getattr(_pending, "events", None) or ():
        emit(event, **fields)
    _pending.events = []


def discard_deferred() -> None:
    """The transaction rolled back: what it would have logged did not happen."""
    _pending.events = []
