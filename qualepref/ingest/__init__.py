"""Import of tableaux de bord, surveys and compliance assessments (DESIGN §4).

    plan = ingest.analyse(content, file_name, db=db, scope=scope, site=None, kind="auto")
    if plan.ok:
        result = ingest.commit(plan, db=db, scope=scope, uploaded_by="…")
    ingest.report_json(plan, result)

Steps, each a module of pure functions: `readers` (xlsx/csv → sheets of
text cells, read by a separate process: `worker` runs `rawsheets`, which
bounds the file with `archive`, `xlsxmeta` and the caps of `limits`) →
`layouts` (recognise the layout, reshape to records) → `validate` (parse
against the référentiel, errors) → `plan` (the preview) → `commit` (one
transaction).

Files refused before parsing (too large, zip bomb, password-protected,
old .xls, .ods, empty, unreadable, beyond a cap of `limits`, or whose
reading ended the worker) do **not** raise: they give a plan whose `errors`
hold one `Issue` (with the sheet or line when one is the cause), so the
page and the command line have a single path. `IngestError` is raised
only for misuse of the API (an unknown `kind`, committing a plan with
errors).
"""

from __future__ import annotations

from importlib import import_module

# Loaded on first use: the parsing worker imports `qualepref.ingest.worker`
# and must not pay for pandas and DuckDB, which `plan` brings.
_EXPORTS = {"KINDS": "plan", "CommitResult": "plan", "ImportPlan": "plan", "IngestError": "plan",
            "analyse": "plan", "commit": "plan", "report_json": "plan", "Issue": "issues", "warm": "readers",
            "MAX_FILES_PER_UPLOAD": "limits", "refusal": "limits"}

__all__ = ["KINDS", "MAX_FILES_PER_UPLOAD", "CommitResult", "ImportPlan", "IngestError", "Issue", "analyse",
           "commit", "refusal", "report_json", "warm"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"qualepref.ingest.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'qualepref.ingest' has no attribute {name!r}")
