"""Targets that belong to a site and a date: which one is in force, for every judgement.

A target (table `targets`, analysts' view `v_targets`) has an indicator, a site
(None = the national default), a value, a direction, a strictness, the days it
is in force (`valid_from` None = since always, `valid_to` None = until further
notice, both inclusive) and a source. Only approved rows are in force; a
référent's proposal waits for an administrator.

The one resolution (`in_force` for one case, `attach` for a table of values):
a value is judged against the target in force **on the first day of its
period**, looked up in this order:

1. the site's own target;
2. for a sub-prefecture, its prefecture's own target (a prefecture's announced
   délai covers its arrondissements unless the sub-prefecture has its own);
3. the national default.

Where two rows of one level overlap (an import that did not close the previous
one), the one that started last wins. Changing a target from a date closes the
previous row the day before (`store` side): the periods before keep their target,
so their verdicts never change.

The satisfaction threshold is a row like the others (`indicator_code` =
`SATISFACTION`, 75 %, hausse, not strict: 75,0 % meets it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

SATISFACTION = "SATISFACTION"
DEFAULT_SATISFACTION = 75.0
NATIONAL_SOURCE = "référentiel national"

# The columns `attach` adds to each value (NaN / None where no target is in force).
TARGET_COLUMNS = ["target", "direction", "target_strict", "target_indicative", "target_source", "target_site",
                  "target_valid_from", "target_valid_to"]
ROW_COLUMNS = ["indicator_code", "site_code", "target", "direction", "strict", "valid_from", "valid_to", "source",
               "indicative"]


@dataclass(frozen=True)
class Target:
    """One target row, as `in_force` returns it."""

    indicator_code: str
    site_code: str | None
    target: float
    direction: str
    strict: bool
    valid_from: date | None
    valid_to: date | None
    source: str | None
    indicative: bool = False

    @property
    def national(self) -> bool:
        return self.site_code is None


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _frame(rows) -> pd.DataFrame:
    """Target rows as a frame with the columns `ROW_COLUMNS` (dates as timestamps)."""
    frame = pd.DataFrame(rows).copy() if not isinstance(rows, pd.DataFrame) else rows.copy()
    for column in ROW_COLUMNS:
        if column not in frame:
            frame[column] = False if column in ("strict", "indicative") else None
    frame = frame[ROW_COLUMNS]
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    frame["site_code"] = _objects(frame["site_code"])
    return frame


def _covers(frame: pd.DataFrame, day) -> pd.Series:
    return ((frame["valid_from"].isna() | (frame["valid_from"] <= day))
            & (frame["valid_to"].isna() | (frame["valid_to"] >= day)))


def in_force(rows, indicator_code: str, site_code: str | None, on, *, parent_code: str | None = None
             ) -> Target | None:
    """The target in force for `indicator_code` at `site_code` on the day `on` (None: no target).

    `rows` are approved target rows (`queries/target_rows.sql`); `parent_code` is the
    prefecture of a sub-prefecture. `site_code` None asks for the national default.
    """
    frame = _frame(rows)
    day = _day(on)
    frame = frame[(frame["indicator_code"] == indicator_code) & _covers(frame, day)]
    levels = [code for code in (site_code, parent_code) if code is not None] + [None]
    for level in levels:
        found = frame[frame["site_code"].isna()] if level is None else frame[frame["site_code"] == level]
        if not found.empty:
            row = found.sort_values("valid_from", na_position="first").iloc[-1]
            return Target(
                indicator_code=row["indicator_code"],
                site_code=None if _missing(row["site_code"]) else row["site_code"], target=float(row["target"]),
                direction=row["direction"], strict=bool(row["strict"]),
                valid_from=None if pd.isna(row["valid_from"]) else row["valid_from"].date(),
                valid_to=None if pd.isna(row["valid_to"]) else row["valid_to"].date(),
                source=None if pd.isna(row["source"]) else row["source"], indicative=bool(row["indicative"]))
    return None


def attach(values: pd.DataFrame, rows, *, parents: dict | None = None, day_column: str = "period_start"
           ) -> pd.DataFrame:
    """`values` with the target in force for each row (`TARGET_COLUMNS`), the same rule as `in_force`.

    `values` has `indicator_code`, `site_code` and `day_column` (the first day of
    the period) and, for the sub-prefecture fallback, `parent_code` (or `parents`,
    site → prefecture). Any target columns it had are replaced; where no target is in
    force, `target` is NaN and the indicator's own `direction` (if any) is kept.
    """
    out = values.drop(columns=[c for c in TARGET_COLUMNS if c != "direction" and c in values]).reset_index(
        drop=True)
    if out.empty:
        for column in TARGET_COLUMNS:
            if column not in out:
                out[column] = pd.Series(dtype=float if column == "target" else object)
        return out
    frame = _frame(rows)
    keys = pd.DataFrame({
        "_row": np.arange(len(out)),
        "indicator_code": out["indicator_code"].to_numpy(),
        "site_code": out["site_code"].astype(object).to_numpy(),
        "_day": pd.to_datetime(out[day_column]).dt.normalize().to_numpy(),
    })
    if "parent_code" in out:
        keys["parent_code"] = _objects(out["parent_code"])
    elif parents:
        keys["parent_code"] = keys["site_code"].map(parents)
    else:
        keys["parent_code"] = None
    local = frame[frame["site_code"].notna()]
    national = frame[frame["site_code"].isna()].drop(columns="site_code")
    found = []
    for rank, key in ((0, "site_code"), (1, "parent_code")):
        if local.empty:
            break
        matched = keys[keys[key].notna()][["_row", "indicator_code", key, "_day"]].merge(
            local.rename(columns={"site_code": key}), on=["indicator_code", key]).rename(columns={key: "target_site"})
        found.append(matched.assign(_rank=rank))
    if not national.empty:
        found.append(keys[["_row", "indicator_code", "_day"]].merge(national, on="indicator_code").assign(
            target_site=None, _rank=2))
    found = [f for f in found if not f.empty]
    if found:
        matches = pd.concat(found, ignore_index=True)
        matches = matches[_covers(matches, matches["_day"])]
        matches = matches.sort_values(["_row", "_rank", "valid_from"], ascending=[True, True, False],
                                      na_position="last", kind="stable").drop_duplicates("_row")
    else:
        matches = pd.DataFrame(columns=["_row", *ROW_COLUMNS, "target_site"])
    chosen = keys[["_row"]].merge(matches, on="_row", how="left").sort_values("_row")
    had_direction = out["direction"] if "direction" in out else pd.Series(None, index=out.index, dtype=object)
    out["target"] = pd.to_numeric(chosen["target"], errors="coerce").to_numpy(dtype=float)
    out["direction"] = [d if not _missing(d) else (None if _missing(h) else h)
                        for d, h in zip(chosen["direction"].tolist(), had_direction.tolist(), strict=True)]
    out["target_strict"] = chosen["strict"].fillna(False).astype(bool).to_numpy()
    out["target_indicative"] = chosen["indicative"].fillna(False).astype(bool).to_numpy()
    out["target_source"] = _objects(chosen["source"])
    out["target_site"] = _objects(chosen["target_site"])
    out["target_valid_from"] = pd.to_datetime(chosen["valid_from"]).to_numpy()
    out["target_valid_to"] = pd.to_datetime(chosen["valid_to"]).to_numpy()
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _objects(series: pd.Series) -> list:
    return [None if _missing(v) else v for v in series.tolist()]


def judged(values: pd.DataFrame, rows, **kwargs) -> pd.DataFrame:
    """`attach`, keeping only the values that have a target in force (the rows every verdict is made on)."""
    attached = attach(values, rows, **kwargs)
    return attached[attached["target"].notna()].reset_index(drop=True)


def satisfaction_threshold(rows, site_code: str | None, on, *, parent_code: str | None = None) -> Target:
    """The satisfaction threshold in force for a site on a day (75 % when no row says otherwise)."""
    found = in_force(rows, SATISFACTION, site_code, on, parent_code=parent_code)
    return found or Target(SATISFACTION, None, DEFAULT_SATISFACTION, "hausse", False, None, None, NATIONAL_SOURCE)


def series(rows, indicator_code: str, site_code: str | None, days, *, parent_code: str | None = None
           ) -> list[Target | None]:
    """The target in force on each of `days` (first days of periods): what a trend line is compared with.

    `site_code` None: the national default (a median of many sites has no site of its own).
    """
    days = list(days)
    if not days:
        return []
    asked = pd.DataFrame({"indicator_code": indicator_code, "site_code": site_code, "parent_code": parent_code,
                          "period_start": pd.to_datetime(pd.Series(days))})
    found = attach(asked, rows)
    return [None if pd.isna(row.target) else Target(
        indicator_code, None if _missing(row.target_site) else row.target_site, float(row.target), row.direction,
        bool(row.target_strict), None if pd.isna(row.target_valid_from) else row.target_valid_from.date(),
        None if pd.isna(row.target_valid_to) else row.target_valid_to.date(),
        None if _missing(row.target_source) else row.target_source, bool(row.target_indicative))
        for row in found.itertuples()]


def changes(steps: list[Target | None]) -> bool:
    """Whether the target (value or strictness) changes along a series: the line is then a step."""
    values = {(s.target, s.strict) if s else None for s in steps}
    return len(values) > 1


def meets(values: pd.DataFrame, rows, **kwargs) -> pd.Series:
    """Per row of `values`: True when its value meets the target in force for its site and period, False when
    it misses it, NA without a value or a target in force (the same rule as the alerts: `stats.misses_target`)."""
    from qualepref import stats

    attached = attach(values, rows, **kwargs)
    missed = stats.misses_target(attached["value"], attached["target"], attached["direction"],
                                 attached["target_strict"])
    known = attached["value"].notna() & attached["target"].notna()
    return pd.Series([bool(not m) if k else pd.NA for m, k in zip(missed, known, strict=True)],
                     index=values.index, dtype="boolean")


def _date_text(value) -> str:
    from qualepref import fmt

    return "" if value is None or pd.isna(value) else fmt.day(value)


def describe(target: Target | None, unit: str) -> str:
    """`< 10 j`, `≤ 15 j (indicative)`, `Sans cible`: a target as the pages and the pack write it."""
    from qualepref import fmt

    if target is None:
        return "Sans cible"
    return fmt.target_value(target.target, unit, target.direction, indicative=target.indicative,
                            strict=target.strict)


def validity(target: Target | None) -> str:
    """`depuis toujours`, `depuis le 01/07/2026`, `du 01/01/2025 au 30/06/2026`."""
    if target is None:
        return ""
    if target.valid_to is not None:
        start = _date_text(target.valid_from) or "l'origine"
        return f"du {start} au {_date_text(target.valid_to)}"
    return f"depuis le {_date_text(target.valid_from)}" if target.valid_from else "depuis toujours"


def referentiel_table(indicators: pd.DataFrame, rows, *, site_code: str | None, on, parent_code: str | None = None
                      ) -> pd.DataFrame:
    """Per indicator (and the satisfaction threshold): the national target and « notre cible » in force on `on`,
    each with its dates and source (the Référentiel page)."""
    items = [(r.indicator_code, r.indicator_label, r.unit) for r in indicators.itertuples()]
    items.append((SATISFACTION, "Seuil de satisfaction (taux de satisfaits)", "%"))
    out = []
    for code, label, unit in items:
        national = in_force(rows, code, None, on)
        own = in_force(rows, code, site_code, on, parent_code=parent_code) if site_code else None
        own = own if own is not None and not own.national else None
        if national is None and own is None:
            continue
        out.append({
            "indicator_code": code, "indicator_label": label,
            "national": describe(national, unit), "national_validity": validity(national),
            "national_source": (national.source or "") if national else "",
            "own": describe(own, unit) if own else "= cible nationale",
            "own_validity": validity(own), "own_source": (own.source or "") if own else "",
            "own_site": (own.site_code or "") if own else "",
        })
    return pd.DataFrame(out, columns=["indicator_code", "indicator_label", "national", "national_validity",
                                      "national_source", "own", "own_validity", "own_source", "own_site"])
