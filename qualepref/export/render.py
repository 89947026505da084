"""Static images of Plotly figures through kaleido and Debian's Chromium, offline.

All figures of a document are rendered in one kaleido session: starting
Chromium costs a few seconds, rendering one more figure very little.
MathJax is disabled (kaleido would otherwise fetch it from a CDN) and
plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import tempfile
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


def render(images: list[Image]) -> list[bytes]:
    """Render every image in one kaleido call; the bytes come back in the same order."""
    if not images:
        return []
    import kaleido  # imported here: slow to import and only needed for the PDF exports

    with tempfile.TemporaryDirectory(prefix="qualepref-images-") as tmp:
        paths = [Path(tmp) / f"image-{index}.{image.format}" for index, image in enumerate(images)]
        jobs = [{"fig": image.fig, "path": path,
                 "opts": {"format": image.format, "width": image.width, "height": image.height,
                          "scale": image.scale}}
                for image, path in zip(images, paths, strict=True)]
        try:
            errors = kaleido.write_fig_from_object_sync(jobs, kopts={"mathjax": False})
        except Exception as exc:  # kaleido raises several kinds (no browser, timeout…)
            raise RenderError(
                "Impossible de produire les images des graphiques : Chromium est-il installé "
                f"(paquet Debian « chromium ») ? Détail : {exc}"
            ) from exc
        if errors:
            raise RenderError(f"Le rendu des graphiques a échoué : {errors[0]}")
        return [path.read_bytes() for path in paths]
