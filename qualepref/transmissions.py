"""What counts as sent: one definition for the Transmissions page, Vue d'ensemble and the pack (pure).

A site's period (month, or quarter for quarterly indicators) is *transmis*
when it sent every indicator it is expected to send (`queries/transmission_grid.sql`
defines "expected"), *partiel* when it sent some, *non transmis* when it sent
none. "Did we send November?" is answered by this status, everywhere: a month
with a few values is partial, not sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualepref import fmt, periods, vocab

SENT, PARTIAL, MISSING = "transmis", "partiel", "manquant"
STATUSES = vocab.TRANSMISSION_STATUSES
COLUMNS = ["site_code", "site_name", "period_start", "n_expected", "n_sent", "status", "missing"]
# Grids of the Transmissions page: monthly indicators by month, quarterly ones by quarter.
KINDS = {"month": ("mensuelle", 1), "quarter": ("trimestrielle", 3)}
DEFINITION = ("transmis : tous les indicateurs attendus du site (ceux des modules qu'il a retenus ; sans périmètre "
              "enregistré, ceux qu'il a déjà transmis, ou ceux des modules obligatoires s'il n'en a jamais transmis) ; "
              "partiel : certains ; non transmis : aucun")


def query_params(start, end, kind: str = "month") -> dict:
    """Parameters of `queries/transmission_grid.sql` for the periods of `kind` starting in [start, end]."""
    frequency, step = KINDS[kind]
    grid = periods.period_range(start, end, kind)
    first = grid[0].date() if len(grid) else pd.Timestamp(end).date()
    return {"start": first, "end": end, "frequency": frequency, "period_kind": kind, "step_months": step}


def status(grid: pd.DataFrame) -> pd.DataFrame:
    """Site × period status from the rows of `transmission_grid` (a site with nothing expected is left out)."""
    if grid.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = grid[grid["period_start"].notna() & (grid["n_expected"] > 0)]
    out = rows.assign(period_start=pd.to_datetime(rows["period_start"]), n_expected=rows["n_expected"].astype(int),
                      n_sent=rows["n_sent"].astype(int), missing=rows["missing"].fillna(""))
    out["status"] = np.select([out.n_sent >= out.n_expected, out.n_sent == 0], [SENT, MISSING], PARTIAL)
    return out.sort_values(["site_code", "period_start"]).reset_index(drop=True)[COLUMNS]


@dataclass(frozen=True)
class PeriodCount:
    """How many sites of the scope are up to date for one period, and who has not sent it."""

    period_start: pd.Timestamp
    n_sites: int
    n_sent: int
    n_partial: int
    n_missing: int
    not_sent: tuple[str, ...]  # "87 – Haute-Vienne" of the sites that sent nothing
    partial: tuple[str, ...]

    def sentence(self, kind: str = "month") -> str:
        """`1 / 3 préfectures à jour en nov. 2026 (1 partielle, 1 non transmise)`."""
        detail = []
        if self.n_partial:
            detail.append(f"{fmt.number(self.n_partial, 0)} partielle{'s' if self.n_partial > 1 else ''}")
        if self.n_missing:
            detail.append(f"{fmt.number(self.n_missing, 0)} non transmise{'s' if self.n_missing > 1 else ''}")
        tail = f" ({', '.join(detail)})" if detail else ""
        return (f"{fmt.number(self.n_sent, 0)} / {fmt.number(self.n_sites, 0)} à jour en "
                f"{fmt.period(self.period_start, kind)}{tail}")


def count_at(table: pd.DataFrame, period_start) -> PeriodCount:
    """The count of `status` rows for one period, with the names of the sites that sent nothing or part."""
    at = table[table["period_start"] == pd.Timestamp(period_start)]
    names = [f"{c} – {n}" for c, n in zip(at["site_code"], at["site_name"], strict=True)]
    not_sent = tuple(n for n, s in zip(names, at["status"], strict=True) if s == MISSING)
    partial = tuple(n for n, s in zip(names, at["status"], strict=True) if s == PARTIAL)
    return PeriodCount(pd.Timestamp(period_start), len(at), int((at["status"] == SENT).sum()), len(partial),
                       len(not_sent), not_sent, partial)


def last_complete(table: pd.DataFrame, share: float) -> pd.Timestamp | None:
    """The latest period where at least `share` of the sites are *transmis*; None if none."""
    if table.empty:
        return None
    per_period = table.assign(up=table["status"] == SENT).groupby("period_start")["up"].mean()
    complete = per_period[per_period >= share]
    return None if complete.empty else pd.Timestamp(complete.index.max())


def unsent_periods(table: pd.DataFrame) -> dict[str, list[pd.Timestamp]]:
    """One site's periods by status (`manquant`, `partiel`), in order."""
    return {s: list(table.loc[table["status"] == s, "period_start"]) for s in (MISSING, PARTIAL)}


def missing_by_indicator(table: pd.DataFrame, kind: str = "month") -> pd.DataFrame:
    """Partial periods turned round: each indicator with the periods it lacks (one site's rows)."""
    partial = table[table["status"] == PARTIAL]
    lacking: dict[str, list[str]] = {}
    for period_start, labels in zip(partial["period_start"], partial["missing"], strict=True):
        for label in filter(None, (text.strip() for text in str(labels).split(";"))):
            lacking.setdefault(label, []).append(fmt.period(period_start, kind))
    return pd.DataFrame({"Indicateur": list(lacking), "Périodes sans valeur": [", ".join(v) for v in lacking.values()]},
                        columns=["Indicateur", "Périodes sans valeur"])
