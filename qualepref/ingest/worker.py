"""The parsing worker: every upload is read in a separate process with a memory limit.

A reader bug or a file that slips past the checks can then only end the
worker, not the server: calamine aborts its whole process when an allocation
fails, and a 1 KB workbook whose shared-strings table announces 4 billion
entries makes it ask for 96 GB. The import is refused in French, nothing is
written, every other session goes on.

The worker is a fresh interpreter (`python -m qualepref.ingest.worker`): the
"spawn" way, safe in the multi-threaded Streamlit server (plain fork is not),
and without multiprocessing's re-import of the server's `__main__` (under
`streamlit run`, all of Streamlit). Once its imports are done it limits its
own address space (`RLIMIT_AS`) to what they use plus `memory_budget()`. It is
kept warm between imports, so pyarrow and fastexcel are imported once; at most
`MAX_WORKERS` parse at a time. A worker that dies, or answers later than the
timeout, is killed and a fresh one started in the background.

Only JSON and Arrow IPC streams come back through the pipe, never pickle: a
worker taken over by a malicious file cannot make the server run code by
answering, and the server validates the Arrow data before using it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from qualepref.ingest.limits import DEFAULT_LIMITS, MB, Limits, RefusedFile

log = logging.getLogger(__name__)

# Both kept warm: when one ends (a refusal found while its reader still works, a crash), the other
# answers at once while a replacement starts. An idle worker holds ~25 Mo of its own (its libraries'
# pages are shared with the server's), and what `MALLOC_ENV` keeps for the next request.
MAX_WORKERS = 2
PARSE_TIMEOUT_S = 60.0
MAX_MESSAGE_BYTES = 1024 * MB
READY = b"ready"
CHECKED = b"checked"  # every check passed; the reader may still be working
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Each request allocates and frees the same tens of megabytes (inflated parts, the stored zip, the
# reader's copy and cells). By default the C library hands blocks of this size back to the system
# as soon as they are freed, so every import paid again to fault them in (a fifth of the worker's
# time on the national file). Kept up to 64 Mo for the next request; larger blocks still come
# from and go back to the system, so the memory held by an idle worker stays bounded (the
# address-space limit is unchanged: freed memory is reused, not added).
MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": str(64 * MB), "MALLOC_MMAP_THRESHOLD_": str(32 * MB)}


def pack(pieces: list[bytes]) -> bytes:
    """Several byte strings as one message: their count, then each one's length and bytes."""
    chunks = [struct.pack("<I", len(pieces))]
    for piece in pieces:
        chunks += [struct.pack("<Q", len(piece)), piece]
    return b"".join(chunks)  # (one copy of each piece)


def unpack(message: bytes) -> list[memoryview]:
    """The pieces of `pack` (views into `message`, not copies); `ValueError` if it is malformed."""
    view = memoryview(message)
    if len(view) < 4:
        raise ValueError("truncated message")
    (count,), at, pieces = struct.unpack_from("<I", view), 4, []
    for _ in range(count):
        if at + 8 > len(view):
            raise ValueError("truncated message")
        (size,) = struct.unpack_from("<Q", view, at)
        if at + 8 + size > len(view):
            raise ValueError("truncated message")
        pieces.append(view[at + 8:at + 8 + size])
        at += 8 + size
    return pieces


def memory_budget() -> int:
    """Bytes of address space a worker may use beyond its imports (`QUALEPREF_IMPORT_MEMORY_MB`, default 768).

    Reading a workbook at the 100 Mo cap (1.8 million cells) took 400 Mo of
    address space above the imports: the default leaves almost twice that.
    """
    return int(float(os.environ.get("QUALEPREF_IMPORT_MEMORY_MB", "768")) * MB)


# -- the server's side -----------------------------------------------------------------

class WorkerDied(Exception):
    """The worker ended or broke the protocol (the caller refuses the file)."""

    def __init__(self, message: str, *, checked: bool = False):
        super().__init__(message)
        self.checked = checked  # the file had passed every check when the worker ended


class WorkerLate(Exception):
    """The worker did not answer in time."""


class _Worker:
    def __init__(self, budget: int):
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-E", "-s", "-m", "qualepref.ingest.worker", str(theirs.fileno()), str(budget)],
                # Its stdout goes to the server's stderr: the command line's stdout holds only its report.
                pass_fds=(theirs.fileno(),), cwd=_ROOT, stdin=subprocess.DEVNULL, stdout=2, close_fds=True,
                # A Rust abort prints one line; symbolising a backtrace would delay the refusal by seconds.
                env={**os.environ, "RUST_BACKTRACE": "0", **MALLOC_ENV})
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.budget = budget
        self.ready = False  # the worker says so once its imports are done and its memory is limited

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def is_ready(self) -> bool:
        """Its imports are done (its first message waits in the pipe, or was read)."""
        return self.ready or self.conn.poll(0)

    def wait_ready(self, deadline: float) -> None:
        if not self.ready:
            if self._receive(deadline) != READY:
                raise WorkerDied("unexpected first message")
            self.ready = True

    def request(self, content: bytes, file_name: str, limits: Limits, timeout: float, *,
                scan_only: bool = False) -> tuple[dict, list[bytes]]:
        deadline = time.monotonic() + timeout
        checked = False
        try:
            self.wait_ready(deadline)
            request = json.dumps({"file_name": file_name, "limits": limits.as_dict(), "scan_only": scan_only})
            self.conn.send_bytes(pack([request.encode(), content]))
            answer = self._receive(deadline)
            if answer == CHECKED:
                checked = True
                answer = self._receive(deadline)
            first, *frames = unpack(answer)
            header = json.loads(bytes(first))
            if len(frames) != 3 * len(header.get("sheets", [])):
                raise ValueError("unexpected number of frames")
        except (EOFError, OSError, ValueError) as exc:
            raise WorkerDied(str(exc), checked=checked) from exc
        return header, frames

    def _receive(self, deadline: float) -> bytes:
        # (One message per answer: each one the server waits for costs a wake-up, slow on a busy machine.)
        if not self.conn.poll(max(0.0, deadline - time.monotonic())):
            raise WorkerLate
        return self.conn.recv_bytes(MAX_MESSAGE_BYTES)

    def stop(self, *, kill: bool = False) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if kill and self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Pool:
    def __init__(self):
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy = 0

    def warm(self) -> None:
        """`MAX_WORKERS` workers started (in the background: their imports run meanwhile)."""
        with self._cond:
            while len(self._idle) + self._busy < MAX_WORKERS:
                self._idle.append(_Worker(memory_budget()))

    def wait_warm(self, timeout: float) -> None:
        self.warm()
        worker = self.acquire()
        healthy = False
        try:
            worker.wait_ready(time.monotonic() + timeout)
            healthy = True
        except (WorkerLate, WorkerDied, EOFError, OSError):
            log.warning("parsing worker %s not ready after %.0f s", worker.pid, timeout)
        finally:
            self.release(worker, healthy=healthy)

    def acquire(self) -> _Worker:
        budget = memory_budget()
        with self._cond:
            while True:
                for stale in [w for w in self._idle if not w.alive() or w.budget != budget]:
                    self._idle.remove(stale)
                    stale.stop(kill=True)
                if self._idle:
                    # A ready one first (a replacement may still be importing its libraries), the last
                    # released of them: one worker serves a run of imports with its heap and caches
                    # warm, and the other holds little memory while it waits.
                    worker = next((w for w in reversed(self._idle) if w.is_ready()), self._idle[0])
                    self._idle.remove(worker)
                    self._busy += 1
                    return worker
                if self._busy < MAX_WORKERS:
                    self._busy += 1
                    break
                self._cond.wait()
        try:
            return _Worker(budget)
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def release(self, worker: _Worker, *, healthy: bool) -> None:
        with self._cond:
            self._busy -= 1
            if healthy:
                self._idle.append(worker)
            self._cond.notify()
        if not healthy:
            worker.stop(kill=True)
            self.warm()

    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._idle]

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


_POOL = _Pool()
atexit.register(_POOL.close)


def warm(*, wait: float | None = None) -> None:
    """Start a worker now, so the next import does not wait for its imports (the Import page calls it).

    With `wait`, return once a worker is ready (at most that many seconds).
    """
    if wait is None:
        _POOL.warm()
    else:
        _POOL.wait_warm(wait)


def idle_pids() -> list[int]:
    """Process ids of the idle workers (tests and the benchmark measure them)."""
    return _POOL.pids()


def parse(content: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS, *,
          timeout: float = PARSE_TIMEOUT_S) -> tuple[dict, list[memoryview]]:
    """The worker's answer for one file: its JSON header and raw frames (`readers` decodes them).

    `RefusedFile` when the worker refuses the file, dies or runs out of time.
    """
    try:
        return _ask(content, file_name, limits, timeout)
    except WorkerDied as exc:
        log.error("parsing worker ended while reading %r: %s", file_name, exc)
        if exc.checked:
            raise RefusedFile("worker_died") from None
    # The reader may have ended the worker before the checks running beside it found why: a fresh
    # worker runs the checks alone, so the refusal names the cause when there is one.
    with contextlib.suppress(WorkerDied):
        _ask(content, file_name, limits, timeout, scan_only=True)
    raise RefusedFile("worker_died")


def _ask(content: bytes, file_name: str, limits: Limits, timeout: float, *,
         scan_only: bool = False) -> tuple[dict, list[bytes]]:
    worker = _POOL.acquire()
    healthy = False
    try:
        header, frames = worker.request(content, file_name, limits, timeout, scan_only=scan_only)
        healthy = header.get("healthy", True)
    except WorkerLate:
        log.warning("parsing worker %s: no answer after %.0f s for %r, stopped", worker.pid, timeout, file_name)
        raise RefusedFile("timeout", seconds=timeout) from None
    except WorkerDied as exc:
        raise WorkerDied(f"worker {worker.pid}, exit code {worker.process.poll()}: {exc}",
                         checked=exc.checked) from None
    finally:
        _POOL.release(worker, healthy=healthy)
    if "refused" in header:
        raise RefusedFile.from_dict(header["refused"])
    return header, frames


# -- the worker's side -----------------------------------------------------------------

def _limit_memory(budget: int) -> None:
    import resource

    # Under memory pressure (the machine's, or the service's cgroup limit) the kernel ends this
    # process before the server: 1000 makes it the first choice.
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as score:
        score.write("1000")
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + budget, size + budget))


def _answer(conn: Connection, sheets) -> None:
    import numpy as np
    import pyarrow as pa

    header = {"sheets": []}
    frames = []
    for sheet in sheets:
        header["sheets"].append({
            "name": sheet.name, "first_row": sheet.first_row, "header": sheet.header, "columns": sheet.columns,
            "is_csv": sheet.is_csv, "issues": sheet.issues, "hidden": sheet.hidden,
            "has_percent": sheet.percent_cells is not None, "has_lines": sheet.line_numbers is not None,
        })
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, sheet.table.schema) as writer:
            writer.write(sheet.table)  # a Table or fastexcel's RecordBatch
        frames.append(sink.getvalue().to_pybytes())
        frames.append(np.asarray(sorted(sheet.percent_cells or ()), dtype="<i8").reshape(-1, 2).tobytes())
        frames.append(np.asarray(sheet.line_numbers or (), dtype="<i8").tobytes())
    conn.send_bytes(pack([json.dumps(header).encode(), *frames]))


def main(argv: list[str]) -> int:
    """The worker's loop: one request (JSON, then the file's bytes), one answer, until the server hangs up."""
    fd, budget = int(argv[0]), int(argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal: the server decides
    # Arrow's default allocator (jemalloc) reserves address space in large steps and fails under
    # RLIMIT_AS long before the budget is used: the C library's malloc is exact.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    import fastexcel  # noqa: F401  (imported before the limit, and once: the worker stays warm)
    import numpy  # noqa: F401
    import pyarrow  # noqa: F401

    from qualepref.ingest import rawsheets

    _limit_memory(budget)
    conn = Connection(fd)
    try:
        conn.send_bytes(READY)
    except OSError:  # the server ended (or stopped this worker) while it was starting
        return 0
    while True:
        try:
            raw_request, raw_content = unpack(conn.recv_bytes())
            request, content = json.loads(bytes(raw_request)), bytes(raw_content)
        except (EOFError, OSError):
            return 0
        try:
            sheets = rawsheets.parse(content, request["file_name"], Limits(**request["limits"]),
                                     scan_only=bool(request.get("scan_only")),
                                     on_checked=lambda: conn.send_bytes(CHECKED))
        except RefusedFile as exc:
            # A refusal found while the reader still works: answer, then end (the reader cannot be stopped).
            healthy = not rawsheets.reading_in_progress()
            conn.send_bytes(pack([json.dumps({"refused": exc.as_dict(), "healthy": healthy}).encode()]))
            if not healthy:
                os._exit(0)
            continue
        except MemoryError:
            # The limit was reached in Python code: answer, then end (the next import gets a fresh worker).
            conn.send_bytes(pack([json.dumps({"refused": RefusedFile("worker_died").as_dict(),
                                              "healthy": False}).encode()]))
            return 1
        except Exception:
            log.exception("parsing worker: unexpected error on %r", request.get("file_name"))
            conn.send_bytes(pack([json.dumps({"refused": RefusedFile("workbook_unreadable").as_dict()}).encode()]))
            continue
        del content
        try:
            _answer(conn, sheets)
        except Exception:  # half an answer may have left: the server reads an error, this process ends
            log.exception("parsing worker: the answer for %r could not be sent", request.get("file_name"))
            return 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sys.exit(main(sys.argv[1:]))
