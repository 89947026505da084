"""An import killed with SIGKILL at random moments leaves the database whole: with or without the upload."""

from __future__ import annotations

import contextlib
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from qualepref.db import Database
from qualepref.ingest import samples
from tests.conftest import ROOT
from tests.test_ingest_support import import_file

TRIALS = 20


def child_main(db_path: str, file_path: str) -> None:
    """The command line, in a process of its own; writes one line on its standard output when it starts
    writing and another once the import is committed (the command's own report goes nowhere)."""
    os.environ["QUALEPREF_DB"] = db_path
    from qualepref import store
    from qualepref.cli import main
    from qualepref.ingest import plan

    original, original_commit = store.write, plan.commit
    signal_fd = os.dup(1)

    def signalling_write(*args, **kwargs):
        os.write(signal_fd, b"writing\n")
        return original(*args, **kwargs)

    def signalling_commit(*args, **kwargs):
        result = original_commit(*args, **kwargs)
        os.write(signal_fd, b"written\n")
        return result

    store.write, plan.commit = signalling_write, signalling_commit
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the process ends right after
    sys.exit(main(["import", file_path]))


def _start_child(db_path, file_path) -> subprocess.Popen:
    """A fresh interpreter (not multiprocessing: after an AppTest run in this process, `__main__` is
    app.py, which a spawned or forkserver child would run again)."""
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from tests.test_ingest_atomic import child_main; "
         "child_main(sys.argv[1], sys.argv[2])", str(db_path), str(file_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)


def _wait_writing(process: subprocess.Popen, timeout: float, line: bytes = b"writing\n") -> bool:
    """True once the child said it writes (or `line`); False if it ended or stayed silent for `timeout` seconds."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return bool(ready) and process.stdout.readline() == line


def _state(path) -> tuple:
    """A fingerprint of every stored value (count and an order-free hash) and the upload history."""
    with Database(path) as database, database.cursor() as cur:
        values = cur.execute("select count(*), sum(hash(site_code, indicator_code, period_start, period_kind, "
                             "value, upload_id)) from indicator_values").fetchone()
        uploads = cur.execute("select upload_id, file_name, sha256, rows_written, rows_replaced, rows_deleted "
                              "from uploads order by upload_id").fetchall()
    return values, uploads


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("atomic")
    rng = np.random.default_rng(7)
    # 60 sites × 12 indicators × 36 months ≈ 26 000 values: long enough to kill mid-write, quick to parse.
    sites = [f"{n:02d}" for n in range(1, 61) if n != 20] + ["2A"]
    indicators = ["COURRIER_DELAI", "COURRIEL_DELAI", "RECLAMATION_DELAI", "APPELS_PERDUS", "DECROCHE_5_SONNERIES",
                  "ATTENTE_GUICHET", "RECLAMATIONS_RECUES", "POINT_NUMERIQUE_USAGERS", "PUBLICATIONS_RESEAUX",
                  "DELAI_CNI", "DELAI_PASSEPORT", "DELAI_PERMIS"]
    months = pd.date_range("2022-01-01", periods=36, freq="MS")
    index = pd.MultiIndex.from_product([sites, indicators, months], names=["site_code", "indicator_code",
                                                                           "period_start"])
    frame = index.to_frame(index=False)
    frame["period_kind"] = "month"
    frame["value"] = rng.uniform(1, 60, len(frame)).round(1)
    big = samples.write_long_xlsx(frame, folder / "national.xlsx")
    base = folder / "base.duckdb"
    with Database(base) as database:
        # Half the values are already there, with other numbers: the import replaces them.
        old = frame.iloc[::2].assign(value=lambda f: f["value"] + 1)
        import_file(database, samples.write_long_xlsx(old, folder / "old.xlsx"))
        database.checkpoint()
    before = _state(base)
    # One uninterrupted run: what "fully with the upload" looks like, and how long writing takes.
    complete = folder / "complete.duckdb"
    shutil.copy(base, complete)
    process = _start_child(complete, big)
    assert _wait_writing(process, 120)
    started = time.perf_counter()
    assert _wait_writing(process, 120, b"written\n")
    # The write itself (from the first statement to the commit): the kills aim there, not at the
    # interpreter's exit after it, which lasts as long or longer once the write is quick.
    writing = time.perf_counter() - started
    assert process.wait(120) == 0
    process.stdout.close()
    after = _state(complete)
    assert after != before and len(after[1]) == len(before[1]) + 1
    return folder, big, base, before, after, writing


def test_sigkill_during_import_leaves_all_or_nothing(setting):
    folder, big, base, before, after, writing = setting
    rng = random.Random(2024)
    outcomes = {"sans": 0, "avec": 0}
    killed_while_running = 0
    for trial in range(TRIALS):
        path = folder / f"trial-{trial}.duckdb"
        shutil.copy(base, path)
        process = _start_child(path, big)
        assert _wait_writing(process, 120)
        time.sleep(rng.uniform(0, writing * 1.5))
        if process.poll() is None:
            killed_while_running += 1
        with contextlib.suppress(ProcessLookupError):  # it may have just finished
            os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        process.stdout.close()
        state = _state(path)  # the database opens (replaying its journal if any)
        assert state in (before, after), f"essai {trial} : base à moitié écrite"
        outcomes["avec" if state == after else "sans"] += 1
        path.unlink()
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            wal.unlink()
    # The kills really landed while the import was writing, most of the time.
    assert killed_while_running >= TRIALS * 0.6, (killed_while_running, outcomes)
    assert outcomes["sans"] >= 1
