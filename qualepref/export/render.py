"""Static images of Plotly figures through kaleido and Debian's Chromium, offline.

Starting Chromium costs a few seconds, rendering one more figure very
little: the first export of a process starts kaleido's browser and keeps it
for the next ones, closing it after ten idle minutes (a PDF pack took 8 s,
the poster 4.5 s, most of it Chromium starting; 0.6 s for three figures
once it runs). Requests are
served one at a time; a failure closes the browser, and the next request
starts a new one. MathJax is disabled (kaleido would otherwise fetch it from
a CDN) and plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go


class RenderError(RuntimeError):
    """Images could not be produced (no Chromium, or Chromium failed)."""


@dataclass(frozen=True)
class Image:
    fig: go.Figure
    width: int
    height: int
    format: str = "png"  # png, pdf or svg
    scale: float = 2.0


# Seconds to start Chromium, and to render one document's images.
START_TIMEOUT_S = 60
RENDER_TIMEOUT_S = 300
# Chromium kept open holds about 330 MB (PSS): closed after this many idle seconds. A référent
# preparing a COPIL exports the PDF pack and the poster within minutes of each other.
IDLE_CLOSE_S = 600


class _Browser:
    """kaleido's Chromium kept open on an event loop of its own thread.

    (kaleido's own `start_sync_server` would do, but it waits forever when
    Chromium fails to start: here every call has a timeout and an error.)
    """

    def __init__(self) -> None:
        import kaleido

        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="kaleido", daemon=True).start()
        self._kaleido = kaleido.Kaleido(mathjax=False)
        try:
            self._call(self._kaleido.open(), START_TIMEOUT_S)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    def _call(self, coroutine, timeout: float):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def write(self, jobs: list[dict]):
        return self._call(self._kaleido.write_fig_from_object(jobs), RENDER_TIMEOUT_S)

    def close(self) -> None:
        try:
            self._call(self._kaleido.close(), START_TIMEOUT_S)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)


_lock = threading.Lock()
_browser: _Browser | None = None
_idle_timer: threading.Timer | None = None


@atexit.register
def close_browser() -> None:
    """Close the kept Chromium (at exit; after a failure, so that the next export starts afresh)."""
    global _browser
    browser, _browser = _browser, None
    if browser is not None:
        with contextlib.suppress(Exception):
            browser.close()


def render(images: list[Image]) -> list[bytes]:
    """Render every image in one kaleido call; the bytes come back in the same order."""
    if not images:
        return []
    with _lock:
        try:
            return _render(images)
        finally:
            _close_when_idle()


def _close_when_idle() -> None:
    """(Re)start the countdown after which the kept Chromium is closed."""
    global _idle_timer
    if _idle_timer is not None:
        _idle_timer.cancel()
    _idle_timer = threading.Timer(IDLE_CLOSE_S, _close_idle_browser)
    _idle_timer.daemon = True
    _idle_timer.start()


def _close_idle_browser() -> None:
    with _lock:
        close_browser()


def _render(images: list[Image]) -> list[bytes]:
    global _browser

    with tempfile.TemporaryDirectory(prefix="qualepref-images-") as tmp:
        paths = [Path(tmp) / f"image-{index}.{image.format}" for index, image in enumerate(images)]
        jobs = [{"fig": image.fig, "path": path,
                 "opts": {"format": image.format, "width": image.width, "height": image.height,
                          "scale": image.scale}}
                for image, path in zip(images, paths, strict=True)]
        try:
            if _browser is None:
                _browser = _Browser()  # kaleido is imported there: slow, and only needed for exports
            errors = _browser.write(jobs)
        except Exception as exc:  # kaleido raises several kinds (no browser, timeout…)
            close_browser()
            raise RenderError(
                "Impossible de produire les images des graphiques : Chromium est-il installé "
                f"(paquet Debian « chromium ») ? Détail : {exc}"
            ) from exc
        if errors:
            raise RenderError(f"Le rendu des graphiques a échoué : {errors[0]}")
        return [path.read_bytes() for path in paths]
