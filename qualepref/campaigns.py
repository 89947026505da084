"""Survey campaigns: a label and its year, and the one order campaigns are shown in (pure).

A campaign is named by a label (`2025`, `2025 en ligne`, `2025-T2`): two surveys of the same
year (the paper one and an online one) are two campaigns, and neither replaces the other. The
year is read from the label and stored beside it (`campaign_year`): periods select campaigns by
year; campaigns are ordered by year, then label.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

MAX_LENGTH = 40
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|21\d{2})(?!\d)")
_WHOLE_NUMBER = re.compile(r"^(\d{4})(?:[.,]0+)?$")
# Words a file puts before the label that do not name the campaign ("Campagne 2025", "Enquête de
# satisfaction 2025 en ligne", "Année : 2025").
_PREFIX = re.compile(r"^(?:campagne|enqu[eê]te(?:\s+de\s+satisfaction)?|ann[ée]e)\b[\s:–-]*", re.IGNORECASE)
HELP = "l'année, suivie si besoin d'un nom (« 2025 », « 2025 en ligne », « 2025-T2 »)"


@dataclass(frozen=True, order=True)
class Campaign:
    year: int
    label: str


def parse(value: object) -> Campaign | None:
    """The campaign a cell or an option names, or None when it names no year."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:g}" if float(value).is_integer() else str(value)
    text = " ".join(str(value).split())
    while (stripped := _PREFIX.sub("", text, count=1)) != text:
        text = stripped.strip()
    if match := _WHOLE_NUMBER.match(text):
        text = match.group(1)
    found = _YEAR.search(text)
    if not found or len(text) > MAX_LENGTH:
        return None
    return Campaign(int(found.group(1)), text)


def year_of(label: object) -> int | None:
    campaign = parse(label)
    return campaign.year if campaign else None


def sort_key(label: object) -> tuple[int, str]:
    """Campaigns in the order pages show them (SQL: `order by campaign_year, campaign`)."""
    text = str(label)
    return (year_of(text) or 0, text)


def ordered(labels) -> list[str]:
    return sorted({str(label) for label in labels}, key=sort_key)


def latest(labels) -> str | None:
    """The last campaign in that order (of the latest year; of two that year, the last label)."""
    labels = [str(label) for label in labels]
    return max(labels, key=sort_key) if labels else None


def _key(label: str) -> str:
    """Case, accents and punctuation ignored."""
    text = unicodedata.normalize("NFKD", label.casefold())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", "".join(c for c in text if not unicodedata.combining(c))).split())


def spelled_as_known(campaign: Campaign, known) -> Campaign:
    """The stored spelling of a label written another way (`2025 En Ligne` → `2025 en ligne`)."""
    key = _key(campaign.label)
    for label in known:
        if _key(str(label)) == key:
            return Campaign(campaign.year, str(label))
    return campaign
