"""The write path shared by imports and demonstration data.

Each function runs inside `Database.transaction()`: a batch is staged as a
DataFrame, classified against what is stored (`classify_staged_*`: new,
replaced, unchanged, deleted; counts for the preview and the history),
then replaces the rows with the same key. A missing value (NaN) in an
indicator batch deletes the stored value (explicit missing marker); a
value absent from the batch leaves the stored one untouched.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qualepref import campaigns, sql
from qualepref.access import SiteScope

# Column order of each staging frame (what `queries/*staged*.sql` expect).
STAGING_COLUMNS = {
    "indicator_values": {
        "site_code": "string",
        "indicator_code": "string",
        "period_start": "datetime64[s]",
        "period_kind": "string",
        "value": "float64",
        "comment": "string",
    },
    "survey_results": {
        "site_code": "string",
        "campaign": "string",
        "campaign_year": "int64",  # derived from the label (`campaigns.year_of`)
        "question_code": "string",
        "n_tres_satisfait": "int64",
        "n_satisfait": "int64",
        "n_peu_satisfait": "int64",
        "n_pas_du_tout_satisfait": "int64",
        "n_sans_avis": "int64",
    },
    "compliance": {
        "site_code": "string",
        "module": "int64",
        "engagement": "int64",
        "assessed_on": "datetime64[s]",
        "assessment_type": "string",
        "result": "string",
    },
}


@dataclass(frozen=True)
class WriteCounts:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def written(self) -> int:
        return self.new + self.replaced

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.new + other.new,
            self.replaced + other.replaced,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
        )


@functools.cache
def _empty_staging(kind: str) -> pd.DataFrame:
    columns = STAGING_COLUMNS[kind]
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def empty_staging(kind: str) -> pd.DataFrame:
    return _empty_staging(kind).copy()


def with_campaign_year(frame: pd.DataFrame) -> pd.DataFrame:
    """A survey batch with the year of each campaign label (one function decides it)."""
    if "campaign_year" in frame.columns:
        return frame
    years = {label: campaigns.year_of(label) for label in frame["campaign"].unique()}
    return frame.assign(campaign_year=pd.array(frame["campaign"].map(years), dtype="Int64"))


def _staging(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    columns = STAGING_COLUMNS[kind]
    if kind == "survey_results":
        frame = with_campaign_year(frame)
    missing = set(columns) - set(frame.columns)
    if missing:
        raise sql.ProgrammingError(f"staging {kind} lacks columns {sorted(missing)}")
    # A selection, not a copy: nothing below writes into the caller's columns.
    staged = frame if list(frame.columns) == list(columns) else frame[list(columns)]
    converted = {name: pd.to_datetime(staged[name]).astype(dtype) for name, dtype in columns.items()
                 if dtype.startswith("datetime") and staged[name].dtype != dtype}
    return staged.assign(**converted) if converted else staged


STATUSES = ("new", "replaced", "unchanged", "deleted", "absent")


def counts_of(classified: pa.Table) -> WriteCounts:
    found = dict(zip(*(column.to_pylist() for column in
                       pc.value_counts(classified["status"]).flatten()), strict=True)) if len(classified) else {}
    return WriteCounts(new=found.get("new", 0), replaced=found.get("replaced", 0),
                       unchanged=found.get("unchanged", 0), deleted=found.get("deleted", 0))


def _site_codes(staged: pd.DataFrame) -> list:
    """Every distinct site of the batch but missing ones (whatever their type: a number is refused)."""
    return [code for code in staged["site_code"].unique() if not pd.isna(code)]


def _registered(staged: pd.DataFrame):
    """What DuckDB scans: an Arrow table when no column holds Python objects (read as is, however
    many times the statements scan it), else the frame itself."""
    if any(pd.api.types.is_object_dtype(dtype) for dtype in staged.dtypes):
        return staged
    # Column by column, without copies: Arrow strings as they are, categoricals as dictionary
    # arrays (text for DuckDB, not an ENUM), numbers and dates with NaN and NaT as NULL (as
    # DuckDB reads them in a frame).
    return pa.table({
        name: pa.array(column.array) if isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype)
        else pa.array(column.to_numpy(), from_pandas=True)
        for name, column in staged.items()
    })


def counts_staging(counts: pd.DataFrame | None) -> pd.DataFrame:
    """The two counts of rates given as counts, as the staged statements read them (empty: none given)."""
    if counts is None:
        return pd.DataFrame({
            "site_code": pd.Series(dtype="string"), "indicator_code": pd.Series(dtype="string"),
            "period_start": pd.Series(dtype="datetime64[s]"), "period_kind": pd.Series(dtype="string"),
            "n_total": pd.Series(dtype="int64"), "n_within": pd.Series(dtype="int64")})
    frame = counts[["site_code", "indicator_code", "period_start", "period_kind", "n_total", "n_within"]].copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).astype("datetime64[s]")
    return frame


def classify(cur, kind: str, frame: pd.DataFrame, scope: SiteScope, *, is_demo: bool = False,
             write: bool = False, counts: pd.DataFrame | None = None) -> pa.Table:
    """Each row of the batch with its status against what is stored now, and the stored row's image.

    Read on `cur`: inside a write transaction it is exactly what the write will meet. `write`: the
    caller writes the batch next; otherwise it only counts what a write would do, which the
    discovery scope of a référent or administrator may (`SiteScope.can_preview`), never write.
    `counts` (indicator values only): the counts of the rates given as counts — the same rate with
    other counts is a replaced value, not an unchanged one.
    """
    staged = _staging(kind, frame)
    # The data layer's own check, whatever the caller verified before.
    scope.require(_site_codes(staged), write=write, preview=not write)
    cur.register(f"staging_{kind}", _registered(staged))
    stand_in = kind == "indicator_values" and not sql.execute(cur, "table_exists", table="indicator_counts")[0][0]
    if kind == "indicator_values":
        cur.register("staging_indicator_counts", counts_staging(counts))
    if stand_in:
        # A database before migration 0081 (a migration of its own writing values): no stored counts yet.
        cur.register("indicator_counts", counts_staging(None).assign(upload_id=pd.Series(dtype="int64")))
    try:
        name = f"classify_staged_{kind}"
        return cur.sql(sql.query_text(name), params=sql.bind(name, {"is_demo": is_demo}, scope)).to_arrow_table()
    finally:
        cur.unregister(f"staging_{kind}")
        if kind == "indicator_values":
            cur.unregister("staging_indicator_counts")
        if stand_in:
            cur.unregister("indicator_counts")


def preview(cur, kind: str, frame: pd.DataFrame, scope: SiteScope) -> WriteCounts:
    """What writing `frame` would do, without writing (usable on any cursor)."""
    return counts_of(classify(cur, kind, frame, scope))


def write(cur, kind: str, frame: pd.DataFrame, *, scope: SiteScope, upload_id: int,
          is_demo: bool = False, classified: pa.Table | None = None,
          counts: pd.DataFrame | None = None) -> WriteCounts:
    """Replace stored rows by the batch; call inside `Database.transaction()`.

    What to replace is decided inside the transaction that writes (writes are serialized): never
    from an earlier preview, which another write may have made stale. `classified`: the batch's
    classification made on the very state this transaction sees, which the caller checked (no
    commit since: the same `data_version`, read in this transaction); otherwise it is made here.
    Unchanged rows are left as they are; the fact tables' primary keys refuse a second row for a
    key whatever happens.
    """
    if classified is None:
        classified = classify(cur, kind, frame, scope, is_demo=is_demo, write=True, counts=counts)
    else:  # the data layer's own check, as `classify` makes it for a write
        scope.require(_site_codes(_staging(kind, frame)), write=True)
    counts = counts_of(classified)
    cur.register(f"classified_{kind}", classified)
    if not is_demo and (counts.written or counts.deleted):
        # What the import replaces, kept for its undo (a demonstration load is removed, not undone).
        sql.execute(cur, f"journal_classified_{kind}", scope=scope, upload_id=upload_id)
    if counts.replaced or counts.deleted:
        sql.execute(cur, f"delete_classified_{kind}", scope=scope)
    if counts.written:
        sql.execute(cur, f"insert_classified_{kind}", scope=scope, upload_id=upload_id, is_demo=is_demo)
    # Not in a `finally`: after a failed statement the transaction is aborted and
    # unregistering would hide the real error; the cursor dies with the transaction.
    cur.unregister(f"classified_{kind}")
    return counts


def register_empty(cur, scope: SiteScope) -> None:
    """Register every relation the staged statements read, empty (to prepare them in tests)."""
    for kind in STAGING_COLUMNS:
        cur.register(f"classified_{kind}", classify(cur, kind, empty_staging(kind), scope))
        cur.register(f"staging_{kind}", empty_staging(kind))
    cur.register("staging_indicator_counts", counts_staging(None))
    from qualepref import labelling_store

    labelling_store.register_empty(cur)
    from qualepref import actions_store

    actions_store.register_empty(cur)


def record_upload(cur, *, upload_id: int, uploaded_by: str, file_name: str, sha256: str,
                  kind: str, site_codes, period_min: str | None, period_max: str | None,
                  counts: WriteCounts, is_demo: bool = False) -> None:
    """Add the history row of an upload (inside the transaction that wrote it)."""
    sql.execute(
        cur, "insert_upload", upload_id=upload_id, uploaded_by=uploaded_by, file_name=file_name,
        sha256=sha256, kind=kind, site_codes=sorted(site_codes), period_min=period_min,
        period_max=period_max, rows_written=counts.written, rows_replaced=counts.replaced,
        rows_deleted=counts.deleted, is_demo=is_demo, journaled=not is_demo,
    )


def data_version(cur) -> int:
    """The committed data version as `cur` sees it (bumped by every write transaction)."""
    rows = sql.execute(cur, "data_version")
    return int(rows[0][0]) if rows else 0


def next_upload_id(cur) -> int:
    """Id for the upload being written (writes are serialized, so it stays free)."""
    return int(sql.execute(cur, "next_upload_id")[0][0])


def write_counts(cur, counts: pd.DataFrame, *, scope: SiteScope, upload_id: int, is_demo: bool = False) -> None:
    """The two counts of each rate given as counts (`indicator_counts`), beside the values this upload writes:
    the analysts' view pairs them with a value written by the same upload only."""
    scope.require(set(counts["site_code"]), write=True)
    cur.register("staging_indicator_counts", counts_staging(counts))
    try:
        sql.execute(cur, "insert_indicator_counts", scope=scope, upload_id=upload_id, is_demo=is_demo)
    finally:
        cur.unregister("staging_indicator_counts")
