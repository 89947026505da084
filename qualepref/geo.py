"""Département outlines for the national map, read once from `data/geo/`.

The GeoJSON holds all 101 départements with the five overseas ones moved
into insets west of Brittany (fake coordinates: for drawing only). Files are
local so the map renders offline (DESIGN.md §7).
"""

from __future__ import annotations

import functools
import json

from qualepref.config import GEO_DIR

DEPARTEMENTS_FILE = GEO_DIR / "departements-avec-drom-en-encarts.geojson"
INSET_FRAMES_FILE = GEO_DIR / "encarts-cadres.geojson"
FEATURE_ID_KEY = "properties.code"  # INSEE département code, as `sites.site_code`


@functools.cache
def departements() -> dict:
    """The 101 département polygons (a GeoJSON FeatureCollection). Do not mutate: shared."""
    return json.loads(DEPARTEMENTS_FILE.read_text(encoding="utf-8"))


@functools.cache
def inset_frames() -> dict:
    """Rectangles drawn around the overseas insets (LineStrings)."""
    return json.loads(INSET_FRAMES_FILE.read_text(encoding="utf-8"))


@functools.cache
def inset_frame_lines() -> tuple[tuple, tuple]:
    """The inset frames as one (lon, lat) polyline, frames separated by None (a map trace's arrays)."""
    lon, lat = [], []
    for feature in inset_frames()["features"]:
        for x, y in feature["geometry"]["coordinates"]:
            lon.append(x)
            lat.append(y)
        lon.append(None)
        lat.append(None)
    return tuple(lon), tuple(lat)


@functools.cache
def departement_codes() -> tuple[str, ...]:
    return tuple(f["properties"]["code"] for f in departements()["features"])


@functools.cache
def departement_names() -> dict[str, str]:
    return {f["properties"]["code"]: f["properties"]["nom"] for f in departements()["features"]}


class SharedFeatures(list):
    """Features of the shared, read-only GeoJSON, which copying hands back unchanged.

    Plotly deep-copies a trace's properties when a figure is built and again when
    Streamlit serialises it: 17,700 points, twice, were most of the map's time on
    every run. The outlines are never modified, so a copy may be the object itself.
    """

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def subset(codes) -> dict:
    """The outlines of `codes` only: each map trace ships just its own polygons to the browser
    (the whole file is 0,6 MB; sending it once per trace made the map page slow to appear)."""
    wanted = set(codes)
    return {"type": "FeatureCollection",
            "features": SharedFeatures(f for f in departements()["features"] if f["properties"]["code"] in wanted)}
