"""Part 4: a real `streamlit run` server under 1, 5 and 15 simultaneous browser sessions.

One headless Chromium (Debian's), one browser context per simultaneous user;
every request that does not go to localhost is aborted. Each session clicks
through the sidebar's pages in a loop for a bounded time. A page view lasts
from the click until the browser has received Streamlit's `script_finished`
message for the run and every Plotly chart is drawn. Meanwhile the server's
resident memory is sampled and its CPU time (utime + stime from /proc) is
read before and after each level: CPU ÷ page views is the app's own cost,
independent of the browsers that share the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from qualepref.bench.measure import median, percentile
from qualepref.bench.session import ROOT, sign_in_browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEW_TIMEOUT_S = 30.0
OPEN_TIMEOUT_S = 90.0
_IDLE_JS = """() => !document.querySelector('[data-testid^="stStatusWidgetRunning"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every(el => el.querySelector('.main-svg'))"""


# -- the server process, seen through /proc -------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat(5) (utime, stime) are the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float | None:
    try:
        import psutil  # optional

        return psutil.Process(pid).memory_info().rss / 1024 / 1024
    except ImportError:
        pass
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_file: Path, port: int, log_file: Path) -> subprocess.Popen:
    env = {**os.environ, "QUALEPREF_DB": str(db_file)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--server.runOnSave", "false"]
    with open(log_file, "w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté ({proc.returncode}), voir {log_file}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("le serveur n'a pas démarré en 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- one simulated user ------------------------------------------------------------------
def _is_local(url: str) -> bool:
    host = urlparse(url).hostname
    return host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:", "about:"))


def _script_finished(payload) -> bool:
    if not isinstance(payload, bytes | bytearray):
        return False
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        return ForwardMsg.FromString(bytes(payload)).WhichOneof("type") == "script_finished"
    except Exception:  # a frame that is not a ForwardMsg is simply not the end
        return False


class User:
    """One browser context: a Streamlit session that clicks through the pages."""

    def __init__(self, context, page):
        self.context, self.page = context, page
        self.finished = asyncio.Event()
        self.views: list[dict] = []
        self.opened: dict = {"s": None, "error": None}
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", lambda payload: self.finished.set() if _script_finished(payload) else None)

    @classmethod
    async def open(cls, browser, base: str) -> User:
        context = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")

        async def route(r):
            await (r.continue_() if _is_local(r.request.url) else r.abort())

        await context.route("**/*", route)
        user = cls(context, await context.new_page())
        user.finished.clear()
        start = time.perf_counter()
        error = None
        try:
            await user.page.goto(base, wait_until="domcontentloaded", timeout=OPEN_TIMEOUT_S * 1000)
            await user.wait_idle()
            await sign_in_browser(user.page, base)
        except Exception as exc:  # a session that cannot even open is an error of the level, not a crash
            error = f"ouverture : {type(exc).__name__}: {str(exc).splitlines()[0][:150]}"
        user.opened = {"s": time.perf_counter() - start, "error": error}
        return user

    async def wait_idle(self) -> None:
        await asyncio.wait_for(self.finished.wait(), VIEW_TIMEOUT_S)
        await self.page.wait_for_function(_IDLE_JS, timeout=VIEW_TIMEOUT_S * 1000)

    async def nav_links(self) -> list[str]:
        await self.page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=VIEW_TIMEOUT_S * 1000)
        return await self.page.eval_on_selector_all(
            '[data-testid="stSidebarNav"] a', "els => els.map(a => a.getAttribute('href'))")

    async def view(self, href: str) -> dict:
        self.finished.clear()
        start = time.perf_counter()
        error = None
        try:
            link = self.page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]')
            if await link.count():
                await link.first.click()
            else:
                await self.page.goto(href, wait_until="domcontentloaded")
            await self.wait_idle()
            if await self.page.locator('[data-testid="stException"]').count():
                error = "exception affichée"
        except TimeoutError as exc:
            error = f"délai dépassé ({type(exc).__name__})"
        except Exception as exc:  # any failure of a view is an error to count
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:150]}"
        record = {"href": urlparse(href).path or "/", "s": time.perf_counter() - start, "error": error}
        self.views.append(record)
        return record

    async def loop(self, hrefs: list[str], offset: int, deadline: float) -> None:
        i = offset
        while time.monotonic() < deadline:
            await self.view(hrefs[i % len(hrefs)])
            i += 1

    async def close(self) -> None:
        await self.context.close()


# -- a level of simultaneous users --------------------------------------------------------
async def _sample_rss(pid: int, samples: list, stop: asyncio.Event, every: float = 0.5) -> None:
    while not stop.is_set():
        value = rss_mb(pid)
        if value is not None:
            samples.append(value)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def run_level(browser, base: str, pid: int, n_users: int, seconds: float, log=print) -> dict:
    users = await asyncio.gather(*(User.open(browser, base) for _ in range(n_users)))
    opened = [u for u in users if not u.opened["error"]]
    open_errors = [u.opened["error"] for u in users if u.opened["error"]]
    if not opened:
        await asyncio.gather(*(u.close() for u in users))
        raise RuntimeError(f"aucune session ouverte : {open_errors[:2]}")
    hrefs = await opened[0].nav_links()
    for user in users:
        user.views.clear()
    users_failed, users = [u for u in users if u.opened["error"]], opened
    await asyncio.gather(*(u.close() for u in users_failed))
    samples: list[float] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(pid, samples, stop))
    cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(u.loop(hrefs, i * 3, deadline) for i, u in enumerate(users)))
    cpu_after, wall = cpu_seconds(pid), time.perf_counter() - wall_before
    stop.set()
    await sampler
    await asyncio.gather(*(u.close() for u in users))
    views = [v for u in users for v in u.views]
    ok = [v["s"] for v in views if not v["error"]]
    errors = [v for v in views if v["error"]] + [{"href": "/", "error": e} for e in open_errors]
    result = {
        "users": n_users, "sessions_opened": len(users), "seconds": wall, "pages": len(hrefs),
        "views": len(views), "open_s_median": median(u.opened["s"] for u in users),
        "errors": len(errors), "error_examples": sorted({f"{e['href']}: {e['error']}" for e in errors})[:10],
        "p50_s": percentile(ok, 50), "p95_s": percentile(ok, 95), "max_s": max(ok, default=None),
        "server_cpu_s": cpu_after - cpu_before,
        "cpu_per_view_ms": (cpu_after - cpu_before) / len(views) * 1000 if views else None,
        "server_cpu_share": (cpu_after - cpu_before) / wall if wall else None,
        "rss_mb_median": median(samples), "rss_mb_max": max(samples, default=None),
        "views_per_page": _count_by_page(views),
    }
    log(f"  {n_users:>2} utilisateurs : {len(views)} pages vues, {len(errors)} erreurs, "
        f"p50 {_ms(result['p50_s'])}, p95 {_ms(result['p95_s'])}, "
        f"CPU serveur {_ms_value(result['cpu_per_view_ms'])}/page, RSS max {result['rss_mb_max'] or 0:.0f} Mo")
    return result


def _count_by_page(views) -> dict:
    counts: dict = {}
    for v in views:
        counts[v["href"]] = counts.get(v["href"], 0) + 1
    return counts


def _ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


def _ms_value(ms) -> str:
    return "—" if ms is None else f"{ms:.0f} ms"


async def _run(db_file: Path, levels, seconds: float, work_dir: Path, log) -> dict:
    from playwright.async_api import async_playwright

    port = free_port()
    server = start_server(db_file, port, work_dir / "streamlit-server.log")
    base = f"http://127.0.0.1:{port}/"
    out = {"port": port, "levels": []}
    try:
        out["rss_mb_idle"] = rss_mb(server.pid)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # One untimed session first: the process-wide caches fill as after any start.
                warm = await User.open(browser, base)
                if not warm.opened["error"]:
                    for href in await warm.nav_links():
                        await warm.view(href)
                out["warmup_views"] = warm.views
                await warm.close()
                out["rss_mb_after_warmup"] = rss_mb(server.pid)
                for n_users in levels:
                    try:
                        out["levels"].append(await run_level(browser, base, server.pid, n_users, seconds, log))
                    except Exception as exc:  # keep the levels already measured
                        out.setdefault("failures", {})[str(n_users)] = f"{type(exc).__name__}: {exc}"[:500]
                        log(f"  {n_users:>2} utilisateurs : ÉCHEC {type(exc).__name__}: {str(exc)[:200]}")
            finally:
                await browser.close()
    finally:
        stop_server(server)
    return out


def run(national_db: Path, work_dir: Path, *, levels=(1, 5, 15), seconds: float = 35.0, log=print) -> dict:
    work_dir.mkdir(parents=True, exist_ok=True)
    db_file = work_dir / "concurrency.duckdb"
    db_file.unlink(missing_ok=True)
    shutil.copy(national_db, db_file)
    try:
        return asyncio.run(_run(db_file, levels, seconds, work_dir, log))
    finally:
        db_file.unlink(missing_ok=True)


def users_carried(cpu_per_view_ms: float, *, cores: float, think_time_s: float = 30.0,
                  utilisation: float = 0.7) -> int:
    """Simultaneous users a server carries: CPU budget per second ÷ CPU demand per user per second.

    A user opens one page every `think_time_s` seconds (reading a chart in a
    meeting); the server is kept under `utilisation` of its `cores` so response
    times stay flat. The Streamlit server runs Python under one GIL, so pass
    the cores it can really use.
    """
    if not cpu_per_view_ms:
        return 0
    # CPU budget (ms per second) ÷ demand of one user (ms per second); the epsilon absorbs rounding.
    return int(cores * utilisation * 1000 / (cpu_per_view_ms / think_time_s) + 1e-9)
