"""Part 7: the server alone under 15, 50 and 100 sessions, with a client that speaks Streamlit's protocol.

No browser, no rendering: each simulated user opens the app's WebSocket
(`/_stcore/stream`, subprotocol `streamlit`), asks for a page run with a
`BackMsg.rerun_script` (the page's script hash, the hashes of the messages it
already holds, as the browser's cache does), and waits for the
`ForwardMsg.script_finished` of that run. The time from the request to that
message is the server's time for the view; an exception element in the run,
a run that does not finish successfully, or 30 s without an answer count as
errors. The server's CPU (utime + stime from /proc) over the level, divided by
the views, is the CPU per view.

Each session starts at a random moment within the first 20 s of its level (or
all at once, for the burst level: a COPIL opening the dashboard together),
opens the app (its first run: the default page) and then views the pages of the
navigation in turn, one every 10 s ± 50 %, for 60 s. The bench's database holds
demonstration data and no account: the app runs in discovery mode, as the
national administrator.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from qualepref.bench.concurrency import cpu_seconds, free_port, rss_mb, start_server, stop_server
from qualepref.bench.measure import percentile

VIEW_TIMEOUT_S = 30.0
THINK_S = 10.0
THINK_SPREAD = 0.5
LEVEL_S = 60.0
START_SPREAD_S = 20.0
LEVELS = (("15 sessions", 15, START_SPREAD_S), ("50 sessions", 50, START_SPREAD_S),
          ("100 sessions", 100, START_SPREAD_S), ("50 sessions d'un coup", 50, 0.0))
QUICK_LEVELS = (("2 sessions", 2, 2.0), ("3 sessions d'un coup", 3, 0.0))


class ViewError(Exception):
    """A view that failed (exception shown, run not finished, timeout)."""


@dataclass
class Session:
    """One user's WebSocket session."""

    url: str
    ws: object = None
    pages: list[tuple[str, str]] = field(default_factory=list)  # (script hash, url path)
    cached: set[str] = field(default_factory=set)
    views: list[dict] = field(default_factory=list)

    async def open(self) -> None:
        import websockets

        # As a browser: the "streamlit" subprotocol, permessage-deflate (the default), no size limit.
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=VIEW_TIMEOUT_S, ping_interval=None)

    async def run_page(self, page_hash: str = "") -> None:
        """Ask for a run of a page (the default page when empty) and read until it has finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.cached_message_hashes.extend(sorted(self.cached))
        await self.ws.send(msg.SerializeToString())
        error = None
        while True:
            forward = ForwardMsg.FromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            if forward.metadata.cacheable and forward.hash:
                self.cached.add(forward.hash)
            if kind == "navigation":
                self.pages = [(p.page_script_hash, p.url_pathname) for p in forward.navigation.app_pages]
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                if forward.delta.new_element.WhichOneof("type") == "exception":
                    error = "exception : " + forward.delta.new_element.exception.message[:120]
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app asked for a rerun (st.rerun, st.switch_page): the view goes on
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise ViewError(f"exécution terminée avec le statut {forward.script_finished}")
                if error:
                    raise ViewError(error)
                return

    async def view(self, page_hash: str, path: str, first: bool = False) -> dict:
        start = time.perf_counter()
        error = None
        try:
            if first:
                await asyncio.wait_for(self.open(), VIEW_TIMEOUT_S)
            await asyncio.wait_for(self.run_page(page_hash), VIEW_TIMEOUT_S)
        except TimeoutError:
            error = "délai dépassé"
        except Exception as exc:  # a failed view is counted, not fatal to the level
            error = f"{type(exc).__name__}: {str(exc)[:150]}"
        record = {"path": path, "s": time.perf_counter() - start, "first": first, "error": error}
        self.views.append(record)
        return record

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _user(url: str, delay: float, seconds: float, rng: random.Random) -> Session:
    session = Session(url)
    await asyncio.sleep(delay)
    began = time.monotonic()
    first = await session.view("", "/", first=True)
    if first["error"]:
        await session.close()
        return session
    pages = [p for p in session.pages if p[1]] or session.pages  # "" is the default page, already seen
    turn = rng.randrange(len(pages)) if pages else 0
    next_start = began + rng.uniform(THINK_S * (1 - THINK_SPREAD), THINK_S * (1 + THINK_SPREAD))
    while pages:
        now = time.monotonic()
        if next_start - began >= seconds:
            break
        await asyncio.sleep(max(0.0, next_start - now))
        page_hash, path = pages[turn % len(pages)]
        turn += 1
        view_start = time.monotonic()
        await session.view(page_hash, "/" + path)
        next_start = view_start + rng.uniform(THINK_S * (1 - THINK_SPREAD), THINK_S * (1 + THINK_SPREAD))
    await session.close()
    return session


def _start_profile(pid: int, profile_dir: Path, label: str, seconds: float):
    """py-spy on the server during a level (collapsed stacks per thread, idle ones included)."""
    import subprocess
    import sys

    spy = Path(sys.executable).with_name("py-spy")
    out = profile_dir / f"{label.replace(' ', '_')}.txt"
    return subprocess.Popen([str(spy), "record", "-p", str(pid), "-o", str(out), "--format", "raw", "--threads",
                             "--idle", "--nonblocking", "-r", "50", "-d", str(int(seconds))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run_level(url: str, pid: int, label: str, n_sessions: int, spread_s: float, seconds: float,
                    rng: random.Random, log=print, profile_dir: Path | None = None) -> dict:
    delays = [rng.uniform(0, spread_s) for _ in range(n_sessions)]
    client_cpu = time.process_time()
    cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
    rss = [rss_mb(pid) or 0.0]
    sampler_stop = asyncio.Event()

    async def sample():
        while not sampler_stop.is_set():
            rss.append(rss_mb(pid) or 0.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sampler_stop.wait(), 1.0)

    sampler = asyncio.create_task(sample())
    spy = _start_profile(pid, profile_dir, label, spread_s + seconds + 5) if profile_dir else None
    sessions = await asyncio.gather(*(_user(url, d, seconds, rng) for d in delays))
    if spy is not None:
        spy.wait()
    cpu, wall = cpu_seconds(pid) - cpu_before, time.perf_counter() - wall_before
    sampler_stop.set()
    await sampler
    views = [v for s in sessions for v in s.views]
    ok = [v["s"] for v in views if not v["error"]]
    first_ok = [v["s"] for v in views if v["first"] and not v["error"]]
    errors = [v for v in views if v["error"]]

    def ms(value):
        return None if value is None else round(value * 1000, 1)

    result = {
        "label": label, "sessions": n_sessions, "start_spread_s": spread_s, "seconds": round(wall, 1),
        "views": len(views), "errors": len(errors),
        "error_examples": sorted({f"{e['path']}: {e['error']}" for e in errors})[:5],
        "p50_ms": ms(percentile(ok, 50)), "p95_ms": ms(percentile(ok, 95)), "max_ms": ms(max(ok, default=None)),
        "first_view_p50_ms": ms(percentile(first_ok, 50)), "first_view_p95_ms": ms(percentile(first_ok, 95)),
        "cpu_ms_per_view": round(cpu / len(views) * 1000, 1) if views else None,
        "server_cpu_share": round(cpu / wall, 3) if wall else None,
        "client_cpu_s": round(time.process_time() - client_cpu, 1),
        "rss_mb_max": round(max(rss), 1),
    }
    log(f"  {label} : {len(views)} vues, {len(errors)} erreurs, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms (1re vue p95 {result['first_view_p95_ms']} ms), "
        f"CPU serveur {result['cpu_ms_per_view']} ms/vue, {result['server_cpu_share']:.0%} d'un cœur")
    return result


async def _run(db_file: Path, work_dir: Path, levels, seconds: float, seed: int, log,
               profile_dir: Path | None = None) -> dict:
    port = free_port()
    server = start_server(db_file, port, work_dir / "protocol-server.log")
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    rng = random.Random(seed)
    out: dict = {"levels": [], "think_s": THINK_S, "think_spread": THINK_SPREAD, "level_s": seconds}
    try:
        # One session through every page first: the process-wide caches fill as after any start.
        warm = Session(url)
        await warm.view("", "/", first=True)
        for page_hash, path in warm.pages:
            await warm.view(page_hash, "/" + path)
        await warm.close()
        out["warmup_errors"] = [v for v in warm.views if v["error"]]
        out["pages"] = [p for _, p in warm.pages]
        for label, n_sessions, spread in levels:
            try:
                out["levels"].append(await run_level(url, server.pid, label, n_sessions, spread, seconds, rng, log,
                                                     profile_dir))
            except Exception as exc:  # keep the levels already measured
                out.setdefault("failures", {})[label] = f"{type(exc).__name__}: {exc}"[:500]
                log(f"  {label} : ÉCHEC {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        stop_server(server)
    return out


def _run_in_own_thread(make_coroutine):
    """asyncio.run in a thread of its own: the caller's thread may already run an event loop
    (Playwright's sync API does, in the test session)."""
    import threading

    outcome: dict = {}

    def target():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="protocol-load")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run(national_db: Path, work_dir: Path, *, levels=LEVELS, seconds: float = LEVEL_S, seed: int = 20261202,
        log=print, profile_dir: Path | None = None) -> dict:
    """Every level against one fresh server over a copy of the national database."""
    from datetime import UTC, datetime

    work_dir.mkdir(parents=True, exist_ok=True)
    measured_at, load_start = datetime.now(UTC).isoformat(timespec="seconds"), os.getloadavg()
    db_file = work_dir / "protocol.duckdb"
    db_file.unlink(missing_ok=True)
    shutil.copy(national_db, db_file)
    try:
        result = _run_in_own_thread(lambda: _run(db_file, work_dir, levels, seconds, seed, log, profile_dir))
    finally:
        db_file.unlink(missing_ok=True)
    result.update(measured_at=measured_at, load_start=load_start, load_end=os.getloadavg())
    return result
