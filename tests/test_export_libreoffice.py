"""A COPIL pack for a demo prefecture opens in LibreOffice: converted headless to PDF, every slide rendered.

Runs when `libreoffice` or `soffice` is on PATH (`make test` installs libreoffice-impress).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader

from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.export import pack, pack_data
from tests.conftest import DEMO_END_MONTH

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed (make libreoffice)")


def test_demo_pack_converts_to_pdf_with_one_page_per_slide(demo_template, tmp_path):
    with Database(demo_template, read_only=True) as database:
        with database.cursor() as cur:
            codes = [c for (c,) in cur.execute("select site_code from sites").fetchall()]
        scope = Principal(user="referent-87", role=Role.REFERENT, site_code="87").scope(codes)
        data = pack_data.load_pack_data(database, scope, "87", date(2025, 1, 1), DEMO_END_MONTH)
    deck = pack.build_pptx(data)
    source = tmp_path / "pack.pptx"
    source.write_bytes(deck)
    result = subprocess.run(
        [OFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(source)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    converted = tmp_path / "out" / "pack.pdf"
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    reader = PdfReader(converted)
    slides = len(Presentation(io.BytesIO(deck)).slides)
    assert len(reader.pages) == slides
    first = reader.pages[0].extract_text()
    assert "Haute-Vienne (87)" in first
    satisfaction = next(p.extract_text() for p in reader.pages if "Satisfaction des usagers" in p.extract_text())
    assert "Seuil de 75" in satisfaction, "the combined bar + line chart is rendered with its legend"
