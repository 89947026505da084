"""Paths and settings read from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
REFERENTIEL_DIR = DATA_DIR / "referentiel"
GEO_DIR = DATA_DIR / "geo"
QUERIES_DIR = ROOT / "queries"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

DEFAULT_DB_PATH = DATA_DIR / "qualepref.duckdb"

# Attribution required by the Licence Ouverte of the geographic data.
GEO_ATTRIBUTION = (
    "Contours : IGN – ADMIN EXPRESS COG 2018 (via github.com/gregoiredavid/france-geojson), "
    "Licence Ouverte Etalab ; liste des chefs-lieux : INSEE – COG (via @etalab/decoupage-administratif)."
)


def db_path() -> Path:
    """The database file: `QUALEPREF_DB` if set, else `data/qualepref.duckdb`."""
    return Path(os.environ.get("QUALEPREF_DB") or DEFAULT_DB_PATH)


def max_upload_bytes() -> int:
    """Largest accepted upload, `QUALEPREF_MAX_UPLOAD_MB` (default 20 MB)."""
    return int(float(os.environ.get("QUALEPREF_MAX_UPLOAD_MB", "20")) * 1024 * 1024)
