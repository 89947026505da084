"""Département outlines for the national map, read once from `data/geo/`.

The GeoJSON holds all 101 départements with the five overseas ones moved
into insets west of Brittany (fake coordinates: for drawing only). Paris and
the petite couronne, a few pixels wide on a national map, are drawn a second
time, zoomed, in an inset north-east of the mainland (computed here from the
same outlines). Files are local so the map renders offline: Plotly would
otherwise fetch its world outlines from a CDN.
"""

from __future__ import annotations

import functools
import json
import math

from qualepref.charts.shared import SharedFeatures
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


# The Île-de-France inset: Paris and the petite couronne, zoomed, in the empty corner north-east of
# the mainland (east of the Ardennes, north of Lorraine: no département lies there).
ZOOM_CODES = ("75", "92", "93", "94")
ZOOM_SUFFIX = "-zoom"  # the inset's feature of "75" is "75-zoom"
ZOOM_LABEL = "Paris et petite couronne"
ZOOM_SCALE = 5.0
ZOOM_CENTRE = (7.7, 50.55)  # lon, lat of the inset's centre
_ZOOM_MARGIN = (0.2, 0.12)  # degrees of lon, lat between the outlines and the frame


def points(geometry: dict):
    """Every (lon, lat) of a Polygon or MultiPolygon."""
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [
        ring for polygon in geometry["coordinates"] for ring in polygon]
    for ring in rings:
        yield from ((point[0], point[1]) for point in ring)


def _bounds(features) -> tuple[float, float, float, float]:
    xy = [p for f in features for p in points(f["geometry"])]
    return min(x for x, _ in xy), min(y for _, y in xy), max(x for x, _ in xy), max(y for _, y in xy)


@functools.cache
def _zoom_transform() -> tuple[float, float, float, float]:
    """(source centre lon, lat, horizontal scale, vertical scale) of the Île-de-France inset."""
    x0, y0, x1, y1 = _bounds(f for f in departements()["features"] if f["properties"]["code"] in ZOOM_CODES)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # On a Mercator map a degree of latitude is drawn sec(lat) long: moving the shapes north
    # stretches them; this keeps their proportions.
    vertical = ZOOM_SCALE * math.cos(math.radians(ZOOM_CENTRE[1])) / math.cos(math.radians(cy))
    return cx, cy, ZOOM_SCALE, vertical


def to_zoom(lon: float, lat: float) -> tuple[float, float]:
    """Where a point of Paris or the petite couronne is drawn in the Île-de-France inset."""
    cx, cy, sx, sy = _zoom_transform()
    return ZOOM_CENTRE[0] + sx * (lon - cx), ZOOM_CENTRE[1] + sy * (lat - cy)


def _moved(coordinates):
    if isinstance(coordinates[0], int | float):
        return list(to_zoom(coordinates[0], coordinates[1]))
    return [_moved(c) for c in coordinates]


@functools.cache
def zoomed_features() -> tuple[dict, ...]:
    """Paris and the petite couronne in the inset: features coded `75-zoom`…, `base_code` the département."""
    return tuple({
        "type": "Feature",
        "properties": {"code": f["properties"]["code"] + ZOOM_SUFFIX, "base_code": f["properties"]["code"],
                       "nom": f["properties"]["nom"], "encart": True},
        "geometry": {"type": f["geometry"]["type"], "coordinates": _moved(f["geometry"]["coordinates"])},
    } for f in departements()["features"] if f["properties"]["code"] in ZOOM_CODES)


@functools.cache
def zoom_frame() -> tuple[float, float, float, float]:
    """(lon min, lat min, lon max, lat max) of the rectangle drawn around the Île-de-France inset."""
    x0, y0, x1, y1 = _bounds(zoomed_features())
    mx, my = _ZOOM_MARGIN
    return x0 - mx, y0 - my, x1 + mx, y1 + my


def zoomed_code(code: str) -> str | None:
    """The inset's feature code of département `code` (None when it is not in the inset)."""
    return code + ZOOM_SUFFIX if code in ZOOM_CODES else None


@functools.cache
def inset_frame_lines() -> tuple[tuple, tuple]:
    """The inset frames (overseas and Île-de-France) as one (lon, lat) polyline, separated by None."""
    lon, lat = [], []
    for feature in inset_frames()["features"]:
        for x, y in feature["geometry"]["coordinates"]:
            lon.append(x)
            lat.append(y)
        lon.append(None)
        lat.append(None)
    x0, y0, x1, y1 = zoom_frame()
    lon += [x0, x1, x1, x0, x0, None]
    lat += [y0, y0, y1, y1, y0, None]
    return tuple(lon), tuple(lat)


def zoom_label_position() -> tuple[float, float]:
    """Where the inset's title is written: centred above its frame."""
    x0, _, x1, y1 = zoom_frame()
    return (x0 + x1) / 2, y1 + 0.18


@functools.cache
def departement_codes() -> tuple[str, ...]:
    return tuple(f["properties"]["code"] for f in departements()["features"])


@functools.cache
def departement_names() -> dict[str, str]:
    return {f["properties"]["code"]: f["properties"]["nom"] for f in departements()["features"]}


@functools.cache
def _map_features() -> tuple[dict, ...]:
    return (*departements()["features"], *zoomed_features())


def subset(codes) -> dict:
    """The outlines of `codes` only (inset codes such as `75-zoom` included): each map trace ships
    just its own polygons to the browser (the whole file is 0,6 MB; sending it once per trace
    made the map page slow to appear)."""
    wanted = set(codes)
    return {"type": "FeatureCollection",
            "features": SharedFeatures(f for f in _map_features() if f["properties"]["code"] in wanted)}


@functools.cache
def feature_centres() -> dict[str, tuple[float, float]]:
    """Centre (lon, lat) of each département's outline as drawn: for an overseas one, the centre
    of its inset (its chef-lieu's true coordinates lie outside the drawn map)."""
    centres = {}
    for feature in departements()["features"]:
        points = []
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            points.extend(polygon[0])
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        centres[feature["properties"]["code"]] = ((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    return centres


def is_inset(code: str) -> bool:
    """Overseas départements are drawn as insets (fake coordinates)."""
    return str(code).startswith("97")
