"""User-controlled strings (file and sheet names, labels) reach the page as text, never as Markdown.

`ui.plain` escapes what Streamlit's Markdown would interpret; the Import page is
checked with hostile file and sheet names through real Streamlit (AppTest): every
element body that Streamlit renders as Markdown holds the escaped name, none the
raw one. (The browser test `test_hostile_file_name_is_shown_as_text` checks what
Chromium draws from such bodies: no image, no link, the name as typed.)
"""

from __future__ import annotations

import io
import re
import string

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, sql, ui
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

HOSTILE = [
    "![x](http://127.0.0.1:9/pixel.png).csv",
    "<img src=x onerror=alert(1)>.csv",
    "[cliquez ici](javascript:alert(1)) **gras** _souligné_ `code` ~~barré~~",
    ":red[rouge] :material/lock: :smile: $x^2$ $$y$$",
    "# Titre\n- liste\n> citation\n    bloc de code\n| a | b |\n|---|---|",
    "https://evil.example/a www.evil.fr jean.dupont@evil.fr mailto:x@y.fr <https://evil.example>",
    "&lt;b&gt; \\*déjà échappé\\* &#33;[x](y)",
]
WORD_JOINER = "\u2060"
# Markdown openers that must never reach Streamlit unescaped.
_RAW_MARKUP = re.compile(r"(?<!\\)(!\[|\]\(|<[a-z/!]|\*\*|:[a-z]+\[|\$|`)", re.IGNORECASE)


def unescape(text: str) -> str:
    """What CommonMark shows for an escaped text (backslash escapes undone), without word joiners."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


# Characters that open a Markdown construct anywhere in a line, and those that do at its start.
INLINE_MARKUP = set("\\`*_[]()!|<~$&")
BLOCK_MARKERS = set("#>+=-")


def _unescaped_markup(shown: str) -> list[str]:
    """Markdown characters of `shown` that are not backslash-escaped."""
    bare, i = [], 0
    while i < len(shown):
        if shown[i] == "\\" and i + 1 < len(shown) and shown[i + 1] in string.punctuation:
            i += 2
            continue
        if shown[i] in INLINE_MARKUP or (i == 0 and shown[i] in BLOCK_MARKERS):
            bare.append(shown[i])
        i += 1
    return bare


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_escapes_every_markdown_character_and_shows_the_text_as_typed(text):
    shown = ui.plain(text)
    assert unescape(shown) == " ".join(text.split()), "the reader sees exactly the text (on one line)"
    assert not _unescaped_markup(shown), "every Markdown character is backslash-escaped"
    assert not _RAW_MARKUP.search(shown)
    assert "\n" not in shown


def test_bare_addresses_are_broken_for_the_autolinker_but_read_the_same():
    shown = ui.plain("https://evil.example www.evil.fr jean@evil.fr")
    assert "https:\u2060//evil" in shown and "www\u2060.evil" in shown and "jean\u2060@evil" in shown
    assert ui.plain("12. point") == "12\\. point" and ui.plain("- tiret") == "\\- tiret"
    assert ui.plain("Haute-Vienne : l'accueil") == "Haute-Vienne : l'accueil", "ordinary text is untouched"
    assert ui.plain(None) == "" and ui.plain(42) == "42"


# -- the Import page, real Streamlit ------------------------------------------------------------------
REFERENT = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87", display_name="Réf 87")
CSV = "Indicateur;Période;Valeur\nCOURRIER_DELAI;janv. 2025;12,5\n".encode()
HOSTILE_FILE = "![x](http://127.0.0.1:9/pixel.png) **gras** <img src=x>.csv"
# Excel forbids [ ] : * ? / \ in sheet names; the rest of Markdown is allowed.
HOSTILE_SHEET = "<img src=x onerror=1> #t $x$ !"


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = HOSTILE_SHEET
    ws.append(["Site", "Indicateur", "Période", "Valeur"])
    ws.append(["87", "COURRIER_DELAI", "2025-01", 12.5])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _markdown_bodies(at: AppTest) -> list[str]:
    """The body of every element Streamlit renders as Markdown (labels of blocks included)."""
    bodies = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        bodies += [element.value for element in at.get(kind)]
    bodies += [block.label for block in at.expander]
    bodies += [metric.label for metric in at.metric]
    return bodies


@pytest.fixture
def referent_app(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    with Database(path) as db:
        with db.transaction() as cur:
            sql.execute(cur, "set_meta", key="demo_dismissed", value=1)
        auth.create_account(db, actor="tests", email=REFERENT.user, display_name="Réf 87", role=Role.REFERENT,
                            site_code="87")
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = REFERENT
    at.run()
    at.switch_page("pages/import_donnees.py").run()
    assert not at.exception, at.exception
    return at


def test_import_page_shows_hostile_file_and_sheet_names_as_text(referent_app):
    at = referent_app
    uploader = at.file_uploader(key="import_files")
    uploader.upload(HOSTILE_FILE, CSV, "text/csv")
    uploader.upload("classeur.xlsx", _workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    assert ui.plain(HOSTILE_FILE) in headings, headings
    bodies = _markdown_bodies(at)
    assert any(ui.plain(HOSTILE_SHEET) in body for body in bodies), "the recognised sheet is named, escaped"
    for body in bodies:
        assert HOSTILE_FILE not in body and HOSTILE_SHEET not in body
        assert not re.search(r"(?<!\\)!\[|(?<!\\)<img", body), body
