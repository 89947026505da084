"""The alert table: survey questions under 75 % and indicators missing their target.

Pure functions over the rows of `queries/alert_*.sql`. Five levels, most
severe first:

1. *Significativement sous 75 %*: the whole 95 % interval is under 75 %;
2. *Hors cible (tendance)*: an indicator missing its target on its latest
   value and on the period just before (two consecutive misses or more);
3. *Sous 75 %*: rate under 75 %, the interval crossing it;
4. *Hors cible*: latest value missing its target;
5. *Effectif insuffisant*: rate under 75 % on fewer than 30 answers, shown
   but never ranked (listed last, in site order, not by rate).

The indicator rule, one for every page and the pack (`indicator_status`):
the window is the six months ending with the chosen month (`WINDOW_MONTHS`);
each site × indicator is judged on its latest value reported in the window
(monthly or quarterly, whichever is newer); it is *hors cible* when that value
misses its target (`stats.misses_target`, each row with its own target,
direction and strictness), and its run is the number of periods missed in a
row ending there, within the window. A period with no value breaks a run:
two misses are consecutive only when the two periods were both reported and
adjacent (missing is not a miss). A miss followed by a met target is resolved.

Survey alerts are *open* for the campaigns of each site's latest survey year
up to the chosen year (`open_survey_rows`): an older year's alert is
superseded by the next year's result.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from urllib.parse import quote_plus

import numpy as np
import pandas as pd

from qualepref import campaigns, fmt, periods, stats, vocab
from qualepref.stats import AlertLevel

WINDOW_MONTHS = 6  # indicator alerts look at the last six months of the selected period
TREND_RUN = 2  # consecutive misses that make a trend
TRENDS_PAGE = "tendances"  # url path of pages/tendances.py

SURVEY = vocab.ALERT_KINDS.label("enquete")
INDICATOR = vocab.ALERT_KINDS.label("indicateur")
KINDS = (SURVEY, INDICATOR)

LEVEL_SIGNIFICANT = stats.ALERT_LABELS[AlertLevel.SIGNIFICANT]
LEVEL_BELOW = stats.ALERT_LABELS[AlertLevel.BELOW]
LEVEL_INSUFFICIENT = stats.ALERT_LABELS[AlertLevel.INSUFFICIENT]
LEVEL_TREND = vocab.ALERT_LEVELS.label("hors_cible_tendance")
LEVEL_MISS = vocab.ALERT_LEVELS.label("hors_cible")
LEVEL_SIGNIFICANT_MISS = vocab.ALERT_LEVELS.label("significativement_hors_cible")
# Most severe first: this order sorts the table and lists the levels in filters.
LEVELS = tuple(t.label for t in vocab.ALERT_LEVELS)
SEVERITY = {level: rank for rank, level in enumerate(LEVELS)}
_SURVEY_LEVELS = {AlertLevel.SIGNIFICANT: LEVEL_SIGNIFICANT, AlertLevel.BELOW: LEVEL_BELOW,
                  AlertLevel.INSUFFICIENT: LEVEL_INSUFFICIENT}

COLUMNS = ["level", "kind", "site_code", "site_name", "subject", "period", "value", "reference",
           "n", "interval", "misses_in_a_row", "link", "severity", "module", "subject_code",
           "period_start", "rank_value", "comment"]
HEADERS = {
    "level": "Niveau", "kind": "Type", "site_code": "Code", "site_name": "Préfecture",
    "subject": "Question ou indicateur", "period": "Période", "value": "Valeur",
    "reference": "Cible ou seuil", "n": "Avis exprimés ou traités", "interval": "Intervalle de confiance à 95 %",
    "misses_in_a_row": "Périodes consécutives hors cible", "link": "Tendance",
    "comment": "Commentaire du référent",
}

SCREEN_COLUMNS = ["level", "kind", "site_code", "site_name", "subject", "period", "value", "reference", "link",
                  "n", "interval", "misses_in_a_row", "comment"]


def window_start(end: date, months: int = WINDOW_MONTHS) -> date:
    """First month of the alert window ending with the month `end`."""
    return periods.window_start(end, months).date()


def window_text(end: date) -> str:
    """The window said next to every figure that uses it: `juin 2026 – nov. 2026`."""
    return f"{fmt.month(window_start(end))} – {fmt.month(end)}"


@lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    return quote_plus(value)


def trend_links(site_codes, *, modules=None, indicators=None, view: str | None = None) -> list[str]:
    """Relative links to the Tendances page showing the trend behind each alert (filters in the URL).

    Built by hand rather than with `urlencode` per row: a national table has thousands of alerts.
    """
    n = len(site_codes)
    modules = [None] * n if modules is None else modules
    indicators = [None] * n if indicators is None else indicators
    tail = f"&vue={_quoted(view)}" if view else ""
    out = []
    for site, module, indicator in zip(site_codes, modules, indicators, strict=True):
        link = f"{TRENDS_PAGE}?pref={_quoted(str(site))}"
        if module is not None and not pd.isna(module):
            link += f"&module={int(module)}"
        if indicator:
            link += f"&indicateur={_quoted(str(indicator))}"
        out.append(link + tail)
    return out


def _each(func, *columns) -> list:
    """`func` of each row of `columns`, computed once per distinct row (labels repeat a lot)."""
    memo: dict = {}
    out = []
    # Plain lists first: iterating pandas' arrow-backed columns costs more than the formatting saved.
    for key in zip(*(c.tolist() if hasattr(c, "tolist") else c for c in columns), strict=True):
        if key not in memo:
            memo[key] = func(*key)
        out.append(memo[key])
    return out


def survey_thresholds(results: pd.DataFrame, target_rows) -> pd.DataFrame:
    """`results` with the satisfaction threshold in force for each site on the 1st January of its campaign's
    year (`threshold` in points, `threshold_source`): a row `SATISFACTION` of `v_targets`, 75 % by default."""
    from qualepref import targets

    asked = results.assign(indicator_code=targets.SATISFACTION, period_start=pd.to_datetime(
        results["campaign"].map(campaigns.year_of).astype(str) + "-01-01"))
    found = targets.attach(asked, target_rows)
    return results.assign(threshold=found["target"].fillna(targets.DEFAULT_SATISFACTION).to_numpy(),
                          threshold_source=found["target_source"].to_numpy())


def survey_alerts(results: pd.DataFrame, target_rows=None) -> pd.DataFrame:
    """One row per site × campaign × question under its satisfaction threshold (rows of `alert_survey_results`;
    the threshold in force for the site, 75 % by default, when `target_rows` are given)."""
    if results.empty:
        return pd.DataFrame(columns=COLUMNS)
    if target_rows is not None:
        results = survey_thresholds(results, target_rows)
    threshold = results["threshold"].to_numpy(dtype=float) / 100 if "threshold" in results else stats.THRESHOLD
    rated = stats.with_satisfaction(results, threshold)
    rated = rated[rated["alert"] != AlertLevel.NONE]
    level = rated["alert"].map(_SURVEY_LEVELS)
    ranked = level != LEVEL_INSUFFICIENT
    return pd.DataFrame({
        "level": level,
        "kind": SURVEY,
        "site_code": rated["site_code"],
        "site_name": rated["site_name"],
        "subject": rated["question_label"],
        "period": "Campagne " + rated["campaign"].astype(str),
        "value": _each(_fraction_percent, rated["rate"]),
        "reference": _each(_threshold_text, _column(rated, "threshold", 75.0), _column(rated, "threshold_source", "")),
        "n": rated["n_expressed"].astype("Int64"),
        "interval": _each(_interval, rated["rate_low"], rated["rate_high"]),
        "misses_in_a_row": pd.array([pd.NA] * len(rated), dtype="Int64"),
        "link": trend_links(rated["site_code"].tolist(), modules=rated["module"].tolist(), view="satisfaction"),
        "severity": level.map(SEVERITY),
        "module": rated["module"],
        "subject_code": rated["question_code"],
        "period_start": pd.to_datetime(rated["campaign"].map(campaigns.year_of).astype(str) + "-01-01"),
        # Ranked levels by upper bound (the most certainly low first); insufficient samples unranked.
        "rank_value": rated["rate_high"].where(ranked),
        "comment": "",
    }).reset_index(drop=True)


def _threshold_text(threshold, source) -> str:
    if threshold == 75:
        return "Seuil : 75 %"  # the default, as it always read
    text = f"Seuil : {fmt.percent(threshold, 0)}"
    return f"{text} ({source})" if isinstance(source, str) and source else text


def _target(target, unit, direction, indicative) -> str:
    return fmt.target(target, unit, direction, indicative=bool(indicative))


def _column(frame: pd.DataFrame, name: str, default) -> pd.Series:
    return frame[name] if name in frame else pd.Series(default, index=frame.index)


def _fraction_percent(rate) -> str:
    return fmt.percent(rate, fraction=True)


def _interval(low, high) -> str:
    return f"{fmt.percent(low, fraction=True)} – {fmt.percent(high, fraction=True)}"


def missed_runs(values: pd.DataFrame) -> pd.DataFrame:
    """Each value with `missed` and `run` (misses in a row ending there, gaps breaking runs).

    `values` has `site_code`, `indicator_code`, `period_start`, `period_kind`,
    `value`, `direction`, `target` and, optionally, `target_strict` (default:
    not strict). Where a row's target comes from is the caller's business: the
    rule only compares each row with its own.
    """
    ordered = values.sort_values(["site_code", "indicator_code", "period_kind", "period_start"]).reset_index(
        drop=True)
    missed = stats.misses_target(ordered["value"], ordered["target"], ordered["direction"],
                                 _column(ordered, "target_strict", False))
    index = pd.Series(periods.period_index(ordered["period_start"], ordered["period_kind"]), index=ordered.index)
    keys = ordered[["site_code", "indicator_code", "period_kind"]]
    same_series = (keys == keys.shift()).all(axis=1)
    adjacent = same_series & (index - index.shift() == 1)
    breaks = ~missed | ~adjacent
    run = missed.astype(int).groupby(breaks.cumsum()).cumsum()
    return ordered.assign(missed=missed.to_numpy(), run=run.to_numpy())


def indicator_status(values: pd.DataFrame) -> pd.DataFrame:
    """One row per site × indicator: its latest value in `values` (the window), `missed` and `run`.

    `values` are the rows of `queries/alert_indicator_values.sql` over the window
    `[window_start(end), end]` (indicators with a target only). The one rule behind
    the Alertes table, the overview's "Indicateurs à la cible" and the pack's key
    figures, alerts and poster.
    """
    if values.empty:
        return values.assign(missed=pd.Series(dtype=bool), run=pd.Series(dtype=int))
    runs = missed_runs(values)
    # A series may mix kinds (a quarterly figure among monthly ones): judge on the latest period
    # (on a tie, the kind sorted last). `runs` is sorted by site, indicator, kind, period: no new sort.
    newest = runs.groupby(["site_code", "indicator_code"], sort=False)["period_start"].transform("max")
    return runs[runs["period_start"] == newest].drop_duplicates(["site_code", "indicator_code"], keep="last")


def indicator_alerts(values: pd.DataFrame) -> pd.DataFrame:
    """One row per site × indicator whose latest value in the window misses its target."""
    if values.empty:
        return pd.DataFrame(columns=COLUMNS)
    latest = indicator_status(values)
    open_ = latest[latest["missed"]]
    level = np.where(open_["run"] >= TREND_RUN, LEVEL_TREND, LEVEL_MISS).astype(object)
    excess = (open_["value"] - open_["target"]) / open_["target"].abs().replace(0, np.nan)
    excess = np.where(open_["direction"] == "hausse", -excess, excess)
    rank = -(open_["run"] * 1000 + np.clip(excess, 0, 999))
    # A rate measured with its counts is judged like a survey rate (three levels): its whole 95 % Wilson
    # interval beyond the target is significant; under 30 processed, shown but never ranked.
    n_total = pd.to_numeric(_column(open_, "n_total", np.nan), errors="coerce").to_numpy(dtype=float)
    n_within = pd.to_numeric(_column(open_, "n_within", np.nan), errors="coerce").to_numpy(dtype=float)
    counted = ~np.isnan(n_total) & (n_total > 0)
    low, high = stats.wilson_interval(np.where(counted, n_within, 0), np.where(counted, n_total, 1))
    bound = open_["target"].to_numpy(dtype=float) / 100
    beyond = np.where(open_["direction"].to_numpy() == "hausse", high < bound, low > bound)
    small = counted & (n_total < stats.MIN_SAMPLE)
    level = np.where(counted & ~small & beyond, LEVEL_SIGNIFICANT_MISS, level)
    level = np.where(small, LEVEL_INSUFFICIENT, level)
    rank = np.where(small, np.nan, np.where(counted, -1000 * (bound - high), rank))
    interval = [_interval(lo, hi) if c else "" for lo, hi, c in zip(low, high, counted, strict=True)]
    return pd.DataFrame({
        "level": level,
        "kind": INDICATOR,
        "site_code": open_["site_code"],
        "site_name": open_["site_name"],
        "subject": open_["indicator_label"],
        "period": _each(fmt.period, open_["period_start"], open_["period_kind"]),
        "value": _each(fmt.with_unit, open_["value"], open_["unit"]),
        "reference": _each(_target, open_["target"], open_["unit"], open_["direction"],
                           _column(open_, "target_indicative", False)),
        "n": pd.array([int(n) if c else pd.NA for n, c in zip(n_total, counted, strict=True)], dtype="Int64"),
        "interval": interval,
        "misses_in_a_row": open_["run"].astype("Int64"),
        "link": trend_links(open_["site_code"].tolist(), modules=open_["module"].tolist(),
                            indicators=open_["indicator_code"].tolist()),
        "severity": pd.Series(level, index=open_.index).map(SEVERITY),
        "module": open_["module"],
        "subject_code": open_["indicator_code"],
        "period_start": pd.to_datetime(open_["period_start"]),
        # Longest runs first, then the largest relative gap to the target (counted rates: by upper bound).
        "rank_value": rank,
        # The référent's comment on the value that raised the alert.
        "comment": _column(open_, "comment", "").fillna("").astype(str).str.strip(),
    }).reset_index(drop=True)


def alert_table(*parts: pd.DataFrame) -> pd.DataFrame:
    """Survey and indicator alerts in one table, most severe first."""
    frames = [p for p in parts if not p.empty]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(frames, ignore_index=True)[COLUMNS]
    table["severity"] = table["severity"].astype(int)
    return table.sort_values(
        ["severity", "rank_value", "site_code", "subject_code", "period_start"],
        na_position="last", kind="stable",
    ).reset_index(drop=True)


def all_alerts(survey: pd.DataFrame | None = None, values: pd.DataFrame | None = None, target_rows=None
               ) -> pd.DataFrame:
    """The alert table of rows of `alert_survey_results` and `alert_indicator_values` (None: left out)."""
    parts = []
    if survey is not None:
        parts.append(survey_alerts(survey, target_rows))
    if values is not None:
        parts.append(indicator_alerts(values))
    return alert_table(*parts)


def open_survey_rows(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of each site's campaigns of its latest survey year among `results` (an older year's alert is
    superseded; two campaigns of one year, at the counter and online, are two surveys both current)."""
    if results.empty:
        return results
    year = results["campaign"].map(campaigns.year_of)
    latest = year.groupby(results["site_code"]).transform("max")
    return results[year == latest]


def open_alerts(survey: pd.DataFrame | None, values: pd.DataFrame | None, target_rows=None) -> pd.DataFrame:
    """The open alerts, one definition for Alertes, Vue d'ensemble and the pack: survey questions of the
    campaigns of each site's latest survey year (rows of `alert_survey_results` up to the chosen year,
    `open_survey_rows`) and indicators whose
    latest value in the window misses its target (rows of `alert_indicator_values` over the window)."""
    return all_alerts(None if survey is None else open_survey_rows(survey), values, target_rows)


OPEN_DEFINITION = ("alertes ouvertes : questions des campagnes d'enquête de la dernière année de chaque préfecture, "
                   "indicateurs dont la dernière valeur des six derniers mois est hors cible")


def filter_table(table: pd.DataFrame, *, levels=None, kinds=None, module: int | None = None) -> pd.DataFrame:
    """Rows at the given levels, of the given kinds and module (None = no restriction)."""
    keep = pd.Series(True, index=table.index)
    if levels is not None:
        keep &= table["level"].isin(list(levels))
    if kinds is not None:
        keep &= table["kind"].isin(list(kinds))
    if module is not None:
        keep &= table["module"] == module
    return table[keep].reset_index(drop=True)


def count_by_level(table: pd.DataFrame) -> dict[str, int]:
    """Number of alerts per level, every level present (zero included), most severe first."""
    counts = table["level"].value_counts()
    return {level: int(counts.get(level, 0)) for level in LEVELS}


def export_frame(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The columns a user reads or downloads, with French headers (the link is for the screen)."""
    columns = [c for c in HEADERS if c != "link"]
    return table[columns].copy(), {c: HEADERS[c] for c in columns}
