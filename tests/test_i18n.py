"""The French table of Streamlit's English (qualepref/i18n.py), read as chrome.js applies it."""

from __future__ import annotations

import re

from qualepref import i18n


def _translate(text: str) -> str | None:
    """chrome.js's `translate`: exact texts first, then the patterns (JavaScript `$1` → Python `\\1`)."""
    trimmed = text.strip()
    if trimmed in i18n.EXACT:
        return i18n.EXACT[trimmed]
    for pattern, replacement in i18n.PATTERNS:
        if re.search(pattern, trimmed):
            return re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", replacement), trimmed)
    return None


def test_the_generic_error_of_an_uncaught_exception_is_translated_word_for_word():
    """A Streamlit upgrade that rewords its generic text fails here, not in front of a COPIL."""
    from streamlit.elements import exception

    french = _translate(exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT)
    assert french is not None and french.startswith("Une erreur est survenue sur cette page")


def test_a_dropped_file_s_size_reads_in_french():
    assert _translate("1.8KB") == "1,8 Ko"
    assert _translate("20.0MB") == "20,0 Mo"
    assert _translate("3MB") == "3 Mo"
    assert _translate("512B") == "512 octets"
    refused = _translate("Cannot connect to Streamlit (HTTP status: 403).")
    assert refused == "Connexion au serveur refusée (code HTTP 403)."


def test_the_lost_connection_messages_are_translated():
    for english in ("Streamlit server is not responding. Are you connected to the internet?",
                    "Unable to connect to Streamlit server", "Reconnected to server.", "Script execution error"):
        assert _translate(english), english


def test_a_date_field_s_segments_are_named_in_french():
    assert _translate("day, Échéance") == "jour, Échéance"
    assert _translate("month, Échéance") == "mois, Échéance"
    assert _translate("year, Échéance") == "année, Échéance"
    assert _translate("12 – December") == "12 – décembre"
    assert _translate("5 – May") == "5 – mai"
    assert _translate("Choose date") == "Choisir une date"
    assert _translate("Choose date, décembre 2026") == "Choisir une date, décembre 2026"


def test_the_uploader_s_own_refusals_read_in_french():
    assert _translate("File must be 20.0MB or smaller.") == "Fichier trop volumineux : 20,0 Mo au plus."
    assert _translate("application/pdf files are not allowed.") == "Type de fichier refusé (application/pdf)."
    assert _translate("File type must be one of .xlsx, .csv") == "Types de fichier acceptés : .xlsx, .csv"
    assert _translate("Only one file is allowed.") == "Un seul fichier à la fois."
    assert _translate("enorme.csv, 22.0MB") == "enorme.csv, 22,0 Mo"
    assert _translate("Error:") == "Erreur :"
