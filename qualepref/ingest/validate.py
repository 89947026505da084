"""Records → staging batches and the errors that forbid writing them (pure).

Values are parsed column-wise; Python loops run only over distinct values
(sites, labels, periods: `Coded` keeps a column as codes into its distinct
values) and over rows already known to be in error, to word their messages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from qualepref import campaigns, store
from qualepref.access import SiteScope
from qualepref.ingest import parse
from qualepref.ingest.issues import Issue, shown
from qualepref.ingest.layouts import SheetData

MAX_ISSUES_PER_CHECK = 200


@dataclass
class Reference:
    sites: parse.SiteMatcher
    indicators: parse.ItemMatcher
    questions: parse.ItemMatcher
    units: dict[str, str]
    modules: set[int]
    engagements: set[tuple[int, int]]
    campaigns: tuple[str, ...] = ()  # survey campaign labels already stored
    indicator_engagements: dict[int, frozenset[str]] = field(default_factory=dict)  # engagement → indicators


@dataclass
class Context:
    ref: Reference
    scope: SiteScope
    site: str | None = None
    campaign: str | None = None  # a label (`2025`, `2025 en ligne`) given for the whole file
    today: date = field(default_factory=date.today)


@dataclass
class Outcome:
    batch: pd.DataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # The labels the file writes for each indicator or question it names (for the preview).
    labels: dict[str, list[str]] = field(default_factory=dict)
    # Rates given as counts: n_total and n_within of each value they make (site, indicator, period, kind).
    counts: pd.DataFrame | None = None


def labels_read(raw: pd.Series, codes: pd.Series | np.ndarray | Coded) -> dict[str, list[str]]:
    """Each code with the labels the file wrote for it, as written (distinct, in file order)."""
    # On integer codes of both columns: a Python object per distinct pair, not per row.
    items = codes if isinstance(codes, Coded) else Coded.of(pd.Series(np.asarray(codes, dtype=object)))
    texts = Coded.of(raw)
    both = (items.codes >= 0) & (texts.codes >= 0)
    pairs = items.codes[both] * (len(texts.values) + 1) + texts.codes[both]
    _, first = np.unique(pairs, return_index=True)
    found: dict[str, list[str]] = {}
    for at in np.sort(first):
        item, text = divmod(int(pairs[at]), len(texts.values) + 1)
        found.setdefault(str(items.values[item]), []).append(" ".join(str(texts.values[text]).split()))
    return found


def staging(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The batch in the staging column order and dtypes (text columns stay as built: categoricals
    for indicator values, Python strings for the smaller survey and compliance batches)."""
    if kind == "survey_results":
        frame = store.with_campaign_year(frame)
    dtypes = {name: dtype for name, dtype in store.STAGING_COLUMNS[kind].items()
              if dtype != "string" and frame[name].dtype != dtype}
    names = list(store.STAGING_COLUMNS[kind])
    staged = frame if list(frame.columns) == names else frame[names]
    if dtypes:
        staged = staged.astype(dtypes)
    if isinstance(staged.index, pd.RangeIndex) and staged.index.start == 0 and staged.index.step == 1:
        return staged
    return staged.reset_index(drop=True)


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


@dataclass
class Coded:
    """A column held as integer codes into its distinct values (-1 = missing): a function over the
    column runs once per distinct value, and masks are looked up per code."""

    codes: np.ndarray   # intp, one per row
    values: list        # distinct values (never missing ones)
    index: pd.Index

    @classmethod
    def of(cls, series: pd.Series) -> Coded:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.intp), list(uniques), series.index)

    def isna(self) -> np.ndarray:
        return self.codes < 0

    def per_row(self, per_value, missing=False) -> np.ndarray:
        """`per_value[k]` (one entry per distinct value) spread to the rows; `missing` on missing rows."""
        return np.asarray([*per_value, missing])[self.codes]

    def map(self, func) -> Coded:
        """`func` over each distinct value; results equal to each other share a code, None is missing."""
        mapped = [func(v) for v in self.values]
        return self.recode(mapped)

    def recode(self, mapped: list) -> Coded:
        """The same rows with value k replaced by `mapped[k]` (None → missing)."""
        distinct: dict = {}
        remap = np.empty(len(mapped) + 1, dtype=np.intp)
        for k, value in enumerate(mapped):
            remap[k] = -1 if _is_missing(value) else distinct.setdefault(value, len(distinct))
        remap[-1] = -1
        return Coded(remap[self.codes], list(distinct), self.index)

    def array(self) -> np.ndarray:
        """The values as an object array (None where missing)."""
        table = np.empty(len(self.values) + 1, dtype=object)
        table[:-1] = self.values
        table[-1] = None
        return table[self.codes]

    def series(self) -> pd.Series:
        return pd.Series(self.array(), index=self.index, dtype="object", copy=False)

    def categorical(self) -> pd.Series:
        """The values as a categorical column: built from the codes without a Python object per row,
        and scanned by DuckDB as dictionary-encoded text (VARCHAR)."""
        categories = pd.Index(self.values, dtype=object)
        return pd.Series(pd.Categorical.from_codes(self.codes, categories=categories), index=self.index,
                         copy=False)


PERIOD_KINDS = ("month", "quarter", "year")


def _parse_periods(raw: pd.Series, years: pd.Series) -> tuple[np.ndarray, Coded, np.ndarray]:
    """(period_start, period_kind, period id) per row; each distinct text is parsed once per title year.

    The id is the same for two texts naming the same period (-1 where not a period).
    """
    n = len(raw)
    starts = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    kinds = np.full(n, -1, dtype=np.intp)
    ids = np.full(n, -1, dtype=np.intp)
    known: dict[tuple, int] = {}
    year_values = years.to_numpy(dtype="float64", na_value=np.nan)
    first = year_values[:1]
    same = np.isnan(year_values).all() if np.isnan(first).all() else (year_values == first).all()
    groups = first if same else pd.unique(year_values)  # one title year per sheet: usually one group
    for year in groups:
        if len(groups) == 1:
            mask = slice(None)
            coded = Coded.of(raw)
        else:
            mask = np.isnan(year_values) if np.isnan(year) else year_values == year
            coded = Coded.of(raw[mask])
        default = None if np.isnan(year) else int(year)
        parsed = [parse.parse_period(u, default) for u in coded.values]
        start_u = np.array([np.datetime64(p[0], "s") if p else np.datetime64("NaT") for p in parsed]
                           + [np.datetime64("NaT")], dtype="datetime64[s]")
        kind_u = np.array([PERIOD_KINDS.index(p[1]) if p else -1 for p in parsed] + [-1], dtype=np.intp)
        id_u = np.array([known.setdefault(p, len(known)) if p else -1 for p in parsed] + [-1], dtype=np.intp)
        starts[mask] = start_u[coded.codes]
        kinds[mask] = kind_u[coded.codes]
        ids[mask] = id_u[coded.codes]
    return starts, Coded(kinds, list(PERIOD_KINDS), raw.index), ids


def _concat(datas: list[SheetData]) -> pd.DataFrame:
    """The records of several sheets (each row says its sheet and title)."""
    frames = [data.records for data in datas if data.records is not None and not data.records.empty]
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        # Owned by this step from here on: columns are added in place.
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def _text_or_none(value):
    return None if _is_missing(value) else value


def _report(records: pd.DataFrame, mask, column: str, raw: str, message, out: list[Issue],
            *, unique: bool = False) -> None:
    """One issue per row in `mask` (or per distinct raw value, at its first row)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    rows = records.loc[mask]
    if unique:
        counts = rows[raw].astype("str").value_counts()
        rows = rows.drop_duplicates(subset=[raw])
    total = len(rows)
    for rec in rows.head(MAX_ISSUES_PER_CHECK).to_dict("records"):
        text = message(rec) if callable(message) else message
        if unique:
            n = int(counts.get(str(rec[raw]), 1))
            if n > 1:
                text += f" ({n} lignes concernées)"
        out.append(Issue(_text_or_none(rec["sheet"]), int(rec["row"]), _text_or_none(rec[column]),
                         shown(rec[raw]), text))
    if total > MAX_ISSUES_PER_CHECK:
        first = out[-1]
        out.append(Issue(first.sheet, None, first.column, None,
                         f"… et {total - MAX_ISSUES_PER_CHECK} autres lignes avec la même erreur."))


def title_conflicts(datas: list[SheetData], ctx: Context) -> list[Issue]:
    issues = []
    for data in datas:
        if ctx.site and data.title_site and data.title_site != ctx.site:
            line = data.title_text.splitlines()[0] if data.title_text else None
            issues.append(Issue(
                data.sheet_name, data.sheet.first_row, None, shown(line),
                f"Le titre du tableau désigne la préfecture {data.title_site} "
                f"({ctx.ref.sites.labels.get(data.title_site, '')}) alors que l'import est fait pour "
                f"{ctx.site} ({ctx.ref.sites.labels.get(ctx.site, '')}) : "
                "vérifiez le fichier ou la préfecture choisie."))
    return issues


def scope_text(scope: SiteScope) -> str:
    """The sites a caller may import for, as an error message names them."""
    codes = sorted(scope.site_codes)
    return ", ".join(codes) if len(codes) <= 10 else f"{len(codes)} préfectures"


def site_codes(records: pd.DataFrame, ctx: Context, errors: list[Issue]) -> Coded:
    """Site code of every record (missing where unknown or outside the scope), with their errors."""
    raw = Coded.of(records["site_raw"])
    blank_u = np.array([not str(v).strip() for v in raw.values], dtype=bool)
    blank = raw.per_row(blank_u, True)
    codes = raw.recode([None if b else ctx.ref.sites.match(v) for v, b in zip(raw.values, blank_u, strict=True)])
    unknown = ~blank & codes.isna()
    _report(records, unknown, "site_col", "site_raw",
            "Préfecture inconnue : écrivez son code (« 87 »), son nom (« Haute-Vienne ») ou sa ville préfecture.",
            errors, unique=True)
    if blank.any():
        # Rows without a site cell: the site given to the importer, else the one the title names.
        values = list(codes.values)
        filled = codes.codes.copy()
        if ctx.site:
            fill = np.full(len(filled), len(values), dtype=np.intp)
            values.append(ctx.site)
        else:
            titles = Coded.of(records["title_site"])
            fill = np.where(titles.codes >= 0, titles.codes + len(values), -1)
            values.extend(titles.values)
        filled[blank] = fill[blank]
        codes = Coded(filled, values, codes.index).recode(values)
    nosite = blank & codes.isna()
    if nosite.any():
        per_sheet = records.loc[nosite].drop_duplicates("sheet")
        for rec in per_sheet.to_dict("records"):
            errors.append(Issue(_text_or_none(rec["sheet"]), int(rec["row"]), None, None,
                                "Aucune préfecture pour ces lignes : ajoutez une colonne « Site », nommez la "
                                "préfecture dans le titre, ou choisissez-la (--site)."))
    outside_u = [code not in ctx.scope.site_codes for code in codes.values]
    if any(outside_u):
        # A normal error of the report (the data layer would refuse these rows anyway).
        outside = codes.per_row(outside_u, False)
        shown_rows = records.loc[outside].assign(_code=codes.array()[outside])
        counts = shown_rows["_code"].value_counts()
        for rec in shown_rows.drop_duplicates("_code").head(MAX_ISSUES_PER_CHECK).to_dict("records"):
            code = rec["_code"]
            from_cell = not _is_missing(rec["site_raw"]) and str(rec["site_raw"]).strip()
            text = (f"La préfecture {code} n'est pas dans votre périmètre (vous pouvez importer pour : "
                    f"{scope_text(ctx.scope)}).")
            if counts[code] > 1:
                text += f" ({counts[code]} lignes concernées)"
            errors.append(Issue(_text_or_none(rec["sheet"]), int(rec["row"]),
                                _text_or_none(rec["site_col"]) if from_cell else None,
                                shown(rec["site_raw"]) if from_cell else code, text))
        # Rows of other sites never reach the preview (which would refuse them too).
        codes = codes.recode([None if out else code for code, out in zip(codes.values, outside_u, strict=True)])
    return codes


def resolve_sites(records: pd.DataFrame, ctx: Context, errors: list[Issue]) -> pd.Series:
    """Site code of every record (None where unknown), with errors for the unknown ones."""
    return site_codes(records, ctx, errors).series()


# How close a label must be to the indicator(s) of its engagement number to be taken for it: the
# share of its telling words (or of the indicator's) that the other holds.
ENGAGEMENT_CUTOFF = 0.6


def item_codes(records: pd.DataFrame, matcher: parse.ItemMatcher, unknown_text: str,
               errors: list[Issue], *, warnings: list[Issue] | None = None,
               by_engagement: dict[int, frozenset[str]] | None = None) -> Coded:
    """The item of each record: its label or code; else (wide tableaux de bord) the code of another
    column of the row (Code, Réf.), else the indicator of its engagement number that the label
    resembles (said in a warning, to be checked in the preview)."""
    if "item_alt_raw" in records and (records["item_alt_raw"].notna().any() or records["engagement_raw"].notna().any()):
        codes = _items_with_fallbacks(records, matcher, warnings if warnings is not None else [], by_engagement or {})
    else:
        codes = Coded.of(records["item_raw"]).map(matcher.match)

    def message(rec):
        suggestions = matcher.suggest(rec["item_raw"])
        hint = (" Libellés proches : " + " ; ".join(suggestions) + ".") if suggestions else ""
        return f"{unknown_text} dans le référentiel.{hint}"

    _report(records, codes.isna(), "item_col", "item_raw", message, errors, unique=True)
    return codes


def _items_with_fallbacks(records: pd.DataFrame, matcher: parse.ItemMatcher, warnings: list[Issue],
                          by_engagement: dict[int, frozenset[str]]) -> Coded:
    triples = pd.Series(list(zip(records["item_raw"], records["item_alt_raw"], records["engagement_raw"],
                                 strict=True)), index=records.index, dtype="object")
    coded = Coded.of(triples)
    found = []
    for label, alternate, engagement in coded.values:
        code = matcher.match(label) or matcher.match(alternate)
        if code is None and (number := _integer(engagement)) is not None and number in by_engagement:
            code = matcher.closest_among(label, by_engagement[number], ENGAGEMENT_CUTOFF)
            if code is not None:
                first = records.loc[triples.map(lambda t, key=(label, alternate, engagement): t == key)].iloc[0]
                warnings.append(Issue(
                    _text_or_none(first["sheet"]), int(first["row"]), _text_or_none(first["item_col"]), shown(label),
                    f"Indicateur reconnu grâce à son numéro d'engagement ({number}) : « {label} » → "
                    f"{matcher.labels[code]} ({code}). Vérifiez-le dans l'aperçu ; ajoutez au besoin ce libellé "
                    "comme synonyme (Édition du référentiel)."))
        found.append(code)
    return coded.recode(found)


def resolve_items(records: pd.DataFrame, matcher: parse.ItemMatcher, unknown_text: str,
                  errors: list[Issue]) -> pd.Series:
    return item_codes(records, matcher, unknown_text, errors).series()


def _key_codes(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """One integer per row, equal for rows with equal keys (missing values compare equal)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for name in key:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
        combined, _ = pd.factorize(combined)  # back to 0…n-1: never overflows
        combined = combined.astype(np.int64)
    return combined


def _duplicates(frame: pd.DataFrame, records: pd.DataFrame, key: list[str], compare: list[str],
                column: str, raw: str, errors: list[Issue], warnings: list[Issue],
                key_codes: np.ndarray | None = None, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Same key twice: an error if the values differ, a warning (and one kept) if identical.

    `key_codes` (one integer per row of `frame`, equal for equal keys) spares recomputing them;
    `rows` are the rows' numbers when `frame` has no "row" column (none is added to the result).
    """
    if key_codes is None:
        key_codes = _key_codes(frame, key)
    if len(key_codes) == 0 or np.bincount(key_codes).max() < 2:
        return frame
    if rows is not None:
        frame = frame.assign(row=rows)
    dup = frame.duplicated(subset=key, keep=False)
    sub = frame[dup]
    variants = sub.groupby(key, dropna=False)[compare].nunique(dropna=False).max(axis=1)
    conflicting = variants[variants > 1].index
    keyed = sub.set_index(key).index
    bad = keyed.isin(conflicting)
    later = sub.duplicated(subset=key, keep="first").to_numpy()
    first_rows = sub.drop_duplicates(subset=key).set_index(key)["row"]
    conflict_idx = sub.index[bad & later]
    same_idx = sub.index[~bad & later]
    _report(records, records.index.isin(conflict_idx), column, raw,
            lambda r: "Doublon contradictoire : la même case (préfecture, élément, période) a une autre valeur "
                      f"à la ligne {int(first_rows.loc[tuple(frame.loc[r['_i'], key])])}.", errors)
    if len(same_idx):
        _report(records, records.index.isin(same_idx[:1]), column, raw,
                f"Doublon identique ignoré ({len(same_idx)} ligne(s) répétée(s) à l'identique).", warnings)
    frame = frame.drop(index=same_idx.union(conflict_idx))
    return frame.drop(columns="row") if rows is not None else frame


def indicators(datas: list[SheetData], ctx: Context) -> Outcome:
    records = _concat(datas)
    if records.empty:
        return Outcome(batch=store.empty_staging("indicator_values"))
    out = Outcome(batch=None)
    records["_i"] = records.index
    errors = out.errors
    sites = site_codes(records, ctx, errors)
    items = item_codes(records, ctx.ref.indicators, "Indicateur inconnu", errors, warnings=out.warnings,
                       by_engagement=ctx.ref.indicator_engagements)
    out.labels = labels_read(records["item_raw"], items)
    period_start, period_kind, period_id = _parse_periods(records["period_raw"], records["default_year"])
    bad_period = period_id < 0
    _report(records, bad_period, "period_col", "period_raw",
            "Période non reconnue (attendu : « 2025-01 », « 01/2025 », « janv. 2025 », « T1 2025 », « 2025 » "
            "ou une date).", errors, unique=True)
    future = period_start > np.datetime64(ctx.today.replace(day=1), "s")
    _report(records, future, "period_col", "period_raw", "Période dans le futur : vérifiez l'année.", errors,
            unique=True)
    numbers = parse.parse_numbers(records["value_raw"])
    value = numbers.value.to_numpy()
    to_points = records["pct_fmt"].to_numpy() & ~numbers.percent.to_numpy()
    if to_points.any():
        value = np.where(to_points, value * 100, value)
    bad_number = numbers.bad.to_numpy()
    _report(records, bad_number, "value_col", "value_raw",
            "Valeur non numérique (attendu un nombre, « 82 % », ou NC / - pour une donnée manquante).", errors)
    negative = value < 0
    _report(records, negative, "value_col", "value_raw", "Valeur négative : un délai ou un nombre ne peut pas "
            "être négatif.", errors)
    is_rate = items.per_row([ctx.ref.units.get(code) == "%" for code in items.values], False)
    out_of_range = is_rate & (value > 100) & ~negative
    _report(records, out_of_range, "value_col", "value_raw",
            "Pourcentage hors de 0–100 : un taux s'écrit en points (« 7,5 » ou « 7,5 % »).", errors)
    comment = records["comment"]
    comments = Coded(np.full(len(records), -1, dtype=np.intp), [], records.index) if comment.isna().all() \
        else Coded.of(comment).map(lambda v: str(v).strip() or None)
    ok = (~sites.isna() & ~items.isna() & ~bad_period & ~future & ~bad_number & ~negative & ~out_of_range
          & ~numbers.empty.to_numpy())
    # Text columns are categoricals built from the codes (never a Python string per row).
    frame = pd.DataFrame({
        "site_code": sites.categorical(), "indicator_code": items.categorical(),
        "period_start": pd.Series(period_start, index=records.index, copy=False),
        "period_kind": period_kind.categorical(), "value": pd.Series(value, index=records.index, copy=False),
        "comment": comments.categorical(),
    }, copy=False)
    key = np.stack([sites.codes, items.codes, period_id])
    rows = records["row"].to_numpy()
    if not ok.all():
        frame = frame[ok]
        key, rows = key[:, ok], rows[ok]
    pseudo = frame["indicator_code"].astype("str").str.contains(COUNT_MARK, regex=False).to_numpy()
    if pseudo.any():
        # A rate given as its two counts: each pair becomes the value (100 × dans le délai / traités).
        frame, out.counts = _paired_counts(frame, records, errors, out.warnings)
        key_codes = None
    else:
        key_codes = "compute"
    if key_codes is not None:
        dims = [max(len(sites.values), 1), max(len(items.values), 1), max(int(period_id.max()) + 1, 1)]
        key_codes = np.ravel_multi_index(key, dims) if len(frame) and math.prod(dims) < 2**62 else None
    else:
        rows = records.loc[frame.index, "row"].to_numpy()
    frame = _duplicates(frame, records, ["site_code", "indicator_code", "period_start", "period_kind"],
                        ["value"], "value_col", "value_raw", errors, out.warnings, key_codes=key_codes, rows=rows)
    out.batch = staging(frame, "indicator_values")
    return out


COUNT_MARK = "#"  # CODE#traites, CODE#dans_le_delai: the two counts of a rate (ingest_reference.sql)
COUNT_TOTAL, COUNT_WITHIN = "traites", "dans_le_delai"


def _paired_counts(frame: pd.DataFrame, records: pd.DataFrame, errors: list[Issue], warnings: list[Issue]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values of `frame` with each pair of counts (`traités`, `dans le délai`) made into its rate, and the
    counts themselves. Each refusal names its cell: a count that is not a whole number, a count without its
    partner, « dans le délai » above « traités »."""
    codes = frame["indicator_code"].astype("str")
    pseudo = codes.str.contains(COUNT_MARK, regex=False)
    plain = frame[~pseudo]
    counts = frame[pseudo].assign(base=codes[pseudo].str.split(COUNT_MARK).str[0],
                                  part=codes[pseudo].str.split(COUNT_MARK).str[1], _i=frame.index[pseudo])
    counts["site_code"] = counts["site_code"].astype("str")
    counts["period_kind"] = counts["period_kind"].astype("str")
    whole = (counts["value"] % 1 == 0).to_numpy()
    _report(records, records.index.isin(counts.index[~whole]), "value_col", "value_raw",
            "Nombre entier attendu (un nombre de courriers, de courriels, de réclamations ou d'appels).", errors)
    counts = counts[whole]
    key = ["site_code", "base", "period_start", "period_kind"]
    total = counts[counts.part == COUNT_TOTAL].drop_duplicates(key).set_index(key)
    within = counts[counts.part == COUNT_WITHIN].drop_duplicates(key).set_index(key)
    alone_total = total.index.difference(within.index)
    alone_within = within.index.difference(total.index)
    _report(records, records.index.isin(total.loc[alone_total, "_i"]), "value_col", "value_raw",
            "« Dans le délai » manquant pour la même préfecture et la même période : donnez les deux nombres "
            "(traités et dans le délai), ou le taux seul.", errors)
    _report(records, records.index.isin(within.loc[alone_within, "_i"]), "value_col", "value_raw",
            "« Traités » manquant pour la même préfecture et la même période : donnez les deux nombres (traités "
            "et dans le délai), ou le taux seul.", errors)
    both = total[["value", "comment", "_i"]].add_suffix("_total").join(
        within[["value", "comment", "_i"]].add_suffix("_within"), how="inner")
    above = both["value_within"] > both["value_total"]
    _report(records, records.index.isin(both.loc[above, "_i_within"]), "value_col", "value_raw",
            lambda r: "« Dans le délai » dépasse « traités » pour la même préfecture et la même période : il compte "
                      "une partie des traités, jamais plus.", errors)
    none = (both["value_total"] == 0) & ~above
    _report(records, records.index.isin(both.loc[none, "_i_total"]), "value_col", "value_raw",
            "Aucun traité sur la période : pas de taux, rien n'est enregistré.", warnings)
    both = both[~above & ~none].reset_index()
    comment = both["comment_total"].astype("object").where(both["comment_total"].notna(), both["comment_within"])
    rates = pd.DataFrame({
        "site_code": both["site_code"], "indicator_code": both["base"], "period_start": both["period_start"],
        "period_kind": both["period_kind"], "value": 100.0 * both["value_within"] / both["value_total"],
        "comment": comment,
    }).set_axis(pd.Index(both["_i_within"].to_numpy()))
    plain = plain.assign(site_code=plain["site_code"].astype("str"), indicator_code=plain["indicator_code"].astype(
        "str"), period_kind=plain["period_kind"].astype("str"), comment=plain["comment"].astype("object"))
    out = pd.concat([plain, rates]) if len(plain) else rates
    found = pd.DataFrame({
        "site_code": both["site_code"], "indicator_code": both["base"], "period_start": both["period_start"],
        "period_kind": both["period_kind"], "n_total": both["value_total"].astype("int64"),
        "n_within": both["value_within"].astype("int64")})
    return out, found


def _campaign_of(value, known) -> campaigns.Campaign | None:
    found = campaigns.parse(value)
    return None if found is None else campaigns.spelled_as_known(found, known)


def _campaigns(records: pd.DataFrame, ctx: Context, errors: list[Issue], *, stamps: bool) -> pd.Series:
    """The campaign label of every record: the one given for the file, else its `Campagne` cell, else
    (raw exports) the year of its timestamp, else the year of the title."""
    known = ctx.ref.campaigns
    if ctx.campaign is not None:
        given = _campaign_of(ctx.campaign, known)
        if given is None:
            errors.append(Issue(None, None, None, shown(ctx.campaign),
                                f"Campagne choisie non reconnue : écrivez {campaigns.HELP}."))
            return pd.Series(None, index=records.index, dtype="object")
        result = pd.Series(given.label, index=records.index, dtype="object")
    else:
        result = pd.Series(None, index=records.index, dtype="object")
        if "campaign_raw" in records:
            coded = Coded.of(records["campaign_raw"])
            found = coded.map(lambda v: (c := _campaign_of(v, known)) and c.label)
            bad = ~coded.isna() & found.isna()
            _report(records, bad, "campaign_col", "campaign_raw",
                    f"Campagne non reconnue : écrivez {campaigns.HELP}.", errors, unique=True)
            result = found.series()
            missing = coded.isna()
        else:
            missing = np.ones(len(records), dtype=bool)
        if stamps and "stamp_raw" in records:
            years = records["stamp_raw"].map(lambda v: (d := parse.parse_date(v)) and str(d.year))
            result = result.where(result.notna() | ~missing, years)
        years = records["default_year"].map(lambda y: None if pd.isna(y) else str(int(y)))
        result = result.where(result.notna() | ~missing, years)
        unknown = result.isna() & missing
        if unknown.any():
            rec = records.loc[unknown].iloc[0]
            errors.append(Issue(_text_or_none(rec["sheet"]), int(rec["row"]), None, None,
                                "Campagne inconnue : ajoutez une colonne « Campagne » (année, suivie si besoin "
                                "d'un nom) ou précisez-la (--campaign 2025, « 2025 en ligne »)."))
    future = result.map(lambda label: label is not None and campaigns.year_of(label) > ctx.today.year)
    if future.any():
        records = records.assign(_campaign=result)
        _report(records, future, "campaign_col", "_campaign", "Campagne dans le futur : vérifiez l'année.", errors,
                unique=True)
        result = result.where(~future)
    return result


def surveys(datas: list[SheetData], ctx: Context) -> Outcome:
    out = Outcome(batch=store.empty_staging("survey_results"))
    parts = []
    agg = _concat([d for d in datas if d.layout == "survey"])
    if not agg.empty:
        parts.append(_aggregated(agg, ctx, out))
    raw = _concat([d for d in datas if d.layout == "raw_survey"])
    if not raw.empty:
        parts.append(_raw(raw, ctx, out))
    parts = [p for p in parts if p is not None and not p.empty]
    if parts:
        out.batch = staging(pd.concat(parts, ignore_index=True), "survey_results")
    return out


def _aggregated(records: pd.DataFrame, ctx: Context, out: Outcome) -> pd.DataFrame:
    records["_i"] = records.index
    errors = out.errors
    sites = resolve_sites(records, ctx, errors)
    items = resolve_items(records, ctx.ref.questions, "Question inconnue", errors)
    out.labels |= labels_read(records["item_raw"], items)
    campaigns = _campaigns(records, ctx, errors, stamps=False)
    ok = sites.notna() & items.notna() & campaigns.notna()
    frame = pd.DataFrame({"site_code": sites, "campaign": campaigns, "question_code": items, "row": records["row"]})
    for level in parse.LEVELS:
        numbers = parse.parse_numbers(records[level + "_raw"])
        value = numbers.value.fillna(0)
        fractional = (numbers.value.round() != numbers.value) & ~numbers.empty
        bad = numbers.bad | numbers.missing | (numbers.value < 0) | fractional
        _report(records, bad, level + "_col", level + "_raw",
                "Effectif invalide : un nombre entier positif ou nul est attendu.", errors)
        ok &= ~bad
        frame[level] = value.where(~bad, 0).astype("int64")
    frame = frame[ok.to_numpy()]
    frame = _duplicates(frame, records, ["site_code", "campaign", "question_code"], list(parse.LEVELS),
                        "item_col", "item_raw", errors, out.warnings)
    return frame.drop(columns="row")


def _raw(records: pd.DataFrame, ctx: Context, out: Outcome) -> pd.DataFrame:
    errors = out.errors
    sites = resolve_sites(records, ctx, errors)
    items = resolve_items(records, ctx.ref.questions, "Question inconnue", errors)
    out.labels |= labels_read(records["item_raw"], items)
    campaigns = _campaigns(records, ctx, errors, stamps=True)
    mapping = {v: parse.answer_level(v) for v in records["answer_raw"].unique()}
    levels = records["answer_raw"].map(mapping)
    bad = levels.isna()
    _report(records, bad, "answer_col", "answer_raw",
            "Réponse non reconnue (attendu : Très satisfait, Satisfait, Peu satisfait, Pas du tout satisfait, "
            "Sans avis, ou une note de 0 à 4).", errors)
    ok = sites.notna() & items.notna() & campaigns.notna() & ~bad
    frame = pd.DataFrame({"site_code": sites, "campaign": campaigns, "question_code": items, "level": levels})[ok]
    if frame.empty:
        return frame
    counts = (frame.groupby(["site_code", "campaign", "question_code", "level"]).size()
              .unstack("level", fill_value=0).reindex(columns=list(parse.LEVELS), fill_value=0).reset_index())
    counts.columns.name = None
    for level in parse.LEVELS:
        counts[level] = counts[level].astype("int64")
    return counts


def _integer(value) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    match = re.fullmatch(r"\D*?(\d{1,3})(?:[.,]0+)?\s*", str(value))
    return int(match.group(1)) if match else None


def compliance(datas: list[SheetData], ctx: Context) -> Outcome:
    records = _concat(datas)
    out = Outcome(batch=store.empty_staging("compliance"))
    if records.empty:
        return out
    records["_i"] = records.index
    errors, warnings = out.errors, out.warnings
    sites = resolve_sites(records, ctx, errors)
    modules = records["module_raw"].map(_integer)
    engagements = records["engagement_raw"].map(_integer)
    bad_module = modules.isna() | ~modules.isin(list(ctx.ref.modules))
    _report(records, bad_module, "module_col", "module_raw",
            "Module inconnu : écrivez son numéro (1 à 8).", errors, unique=True)
    listed = {m for m, _ in ctx.ref.engagements}
    pairs = list(zip(modules, engagements, strict=True))
    bad_engagement = pd.Series([
        e is None or np.isnan(e) if isinstance(e, float) else e is None for e in engagements
    ], index=records.index) | pd.Series([
        (m in listed and (m, e) not in ctx.ref.engagements) for m, e in pairs], index=records.index)
    bad_engagement &= ~bad_module
    _report(records, bad_engagement, "engagement_col", "engagement_raw",
            "Engagement inconnu pour ce module dans le référentiel.", errors)
    dates = records["date_raw"].map(parse.parse_date)
    bad_date = dates.isna()
    _report(records, bad_date, "date_col", "date_raw",
            "Date d'évaluation non reconnue (attendu : une date ou jj/mm/aaaa).", errors)
    assessed = pd.to_datetime(dates).astype("datetime64[s]")
    future = assessed > pd.Timestamp(ctx.today)
    _report(records, future, "date_col", "date_raw", "Date d'évaluation dans le futur.", errors)
    if records["type_col"].isna().all():
        types = pd.Series("auto_evaluation", index=records.index, dtype="object")
        warnings.append(Issue(_text_or_none(records["sheet"].iloc[0]), None, None, None,
                              "Pas de colonne « Type » : les évaluations sont enregistrées comme auto-évaluations."))
        bad_type = pd.Series(False, index=records.index)
    else:
        from qualepref.ingest.text import norm

        types = records["type_raw"].map(lambda v: parse.ASSESSMENT_TYPES.get(norm(v)) if isinstance(v, str) else None)
        bad_type = types.isna()
        _report(records, bad_type, "type_col", "type_raw",
                "Type d'évaluation non reconnu (Auto-évaluation, Audit interne, Audit externe, Enquête mystère).",
                errors, unique=True)
    from qualepref.ingest.text import norm

    normalised = records["result_raw"].map(lambda v: norm(v) if isinstance(v, str) else "")
    results = normalised.map(parse.RESULTS)
    ambiguous = normalised.isin(parse.AMBIGUOUS_RESULTS)
    _report(records, ambiguous, "result_col", "result_raw",
            "« NC » est ambigu (non conforme ? non concerné ?) : écrivez « Non conforme » ou « Non applicable ».",
            errors)
    bad_result = results.isna() & ~ambiguous
    _report(records, bad_result, "result_col", "result_raw",
            "Résultat non reconnu (Conforme, Partiellement conforme, Non conforme, Non applicable).", errors)
    ok = sites.notna() & ~bad_module & ~bad_engagement & ~bad_date & ~future & ~bad_type & results.notna()
    frame = pd.DataFrame({
        "site_code": sites, "module": modules, "engagement": engagements, "assessed_on": assessed,
        "assessment_type": types, "result": results, "row": records["row"],
    })[ok.to_numpy()]
    frame["module"] = frame["module"].astype("int64")
    frame["engagement"] = frame["engagement"].astype("int64")
    frame = _duplicates(frame, records, ["site_code", "module", "engagement", "assessed_on", "assessment_type"],
                        ["result"], "result_col", "result_raw", errors, warnings)
    return Outcome(batch=staging(frame.drop(columns="row"), "compliance"), errors=errors, warnings=warnings)
