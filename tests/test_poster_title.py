"""The poster and the pack name the prefecture with its article: "Préfecture de la Haute-Vienne"."""

from __future__ import annotations

from datetime import date

from qualepref.db import Database
from qualepref.export import figures, pack_data
from tests.conftest import DEMO_END_MONTH, national_scope


def test_poster_and_pack_name_the_prefecture_with_its_article(demo_template):
    database = Database(demo_template, read_only=True)
    try:
        data = pack_data.load_pack_data(database, national_scope(database), "87", date(2025, 1, 1), DEMO_END_MONTH)
    finally:
        database.close()
    assert data.site_title == "Préfecture de la Haute-Vienne"
    assert data.title == "Préfecture de la Haute-Vienne (87)"
    texts = [a.text for a in figures.poster_figure(data).layout.annotations]
    assert any("Préfecture de la Haute-Vienne" in t for t in texts)
    assert not any(t.strip() == "Préfecture" for t in texts)
