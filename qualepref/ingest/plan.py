"""`analyse` (file → ImportPlan, nothing written) and `commit` (plan → one transaction)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from qualepref import campaigns, events, sql, store, vocab
from qualepref.access import SiteScope
from qualepref.config import max_upload_bytes
from qualepref.ingest import actions_kind, labelling, layouts, preview, readers, reference, targets_kind, validate
from qualepref.ingest.issues import Issue
from qualepref.ingest.text import norm

KINDS = ("auto", "indicateurs", "enquete", "conformite", "labellisation", "sites", "actions", "cibles")
BATCH_OF_KIND = {"indicateurs": "indicator_values", "enquete": "survey_results", "conformite": "compliance"}
KIND_LABELS = vocab.UPLOAD_KINDS.labels()


class IngestError(RuntimeError):
    """Misuse of the import API (not a bad file: those are plan errors)."""


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    kind: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    batches: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Each batch classified against the stored rows at analysis (`store.classify`), and its counts.
    classified: dict[str, pd.DataFrame] = field(default_factory=dict)
    counts: dict[str, store.WriteCounts] = field(default_factory=dict)
    # Warnings to read before confirming (also in `warnings`): a survey campaign or demonstration
    # figures that the import would replace.
    attention: list[Issue] = field(default_factory=list)
    # Per batch kind, each indicator or question code with the labels the file wrote for it.
    labels_read: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    site_codes: list[str] = field(default_factory=list)
    period_min: str | None = None
    period_max: str | None = None
    already_imported: bool = False
    rows_read: int = 0
    layouts: list[tuple[str | None, str]] = field(default_factory=list)  # (sheet, layout label)
    # The file could not be read at all (a refusal of `limits`: format, size, zip bomb, password…);
    # its one error says what is wrong and what to do.
    refused: bool = False
    # Rates given as counts: the two counts of each value they make, written beside it (indicator_counts).
    indicator_counts: pd.DataFrame | None = None
    _db: object = field(default=None, repr=False, compare=False)
    _scope: SiteScope | None = field(default=None, repr=False, compare=False)
    # The classifications as `store.classify` made them, and the `data_version` they were made on:
    # a commit with nothing committed since writes them instead of classifying again.
    _classified_on: int | None = field(default=None, repr=False, compare=False)
    _classified_tables: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def whole_file_errors(self) -> bool:
        """Errors, all about the file as a whole (refused unread, nothing recognised, a choice of the page):
        no cell or line to correct."""
        return bool(self.errors) and (self.refused or all(i.row is None and i.column is None for i in self.errors))

    @property
    def total(self) -> store.WriteCounts:
        total = store.WriteCounts()
        for counts in self.counts.values():
            total = total + counts
        return total

    def counts_given(self, batch_kind: str) -> pd.DataFrame | None:
        """The counts of the rates given as counts, for the batch they belong to (classified with it)."""
        return self.indicator_counts if batch_kind == "indicator_values" else None

    @property
    def changes_nothing(self) -> bool:
        total = self.total
        return total.written == 0 and total.deleted == 0

    def errors_frame(self) -> pd.DataFrame:
        from qualepref.ingest.report import errors_frame

        return errors_frame(self)

    def summary_frame(self) -> pd.DataFrame:
        from qualepref.ingest.report import summary_frame

        return summary_frame(self, self._db, self._scope)


@dataclass(frozen=True)
class CommitResult:
    upload_id: int | None
    rows_written: int
    rows_replaced: int
    rows_deleted: int
    unchanged: bool


def _progress(progress: Callable | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)


def analyse(content: bytes, file_name: str, *, db, scope: SiteScope, site: str | None = None,
            kind: str = "auto", campaign: str | int | None = None, progress: Callable | None = None,
            today: date | None = None) -> ImportPlan:
    """Read, recognise and check a file; nothing is written."""
    if kind not in KINDS:
        raise IngestError(f"kind must be one of {KINDS}, not {kind!r}")
    plan = ImportPlan(file_name=file_name, sha256=hashlib.sha256(content).hexdigest(), _db=db, _scope=scope)
    if not scope.previews_writes:
        # A report error like any other (the data layer would refuse the write anyway).
        plan.errors.append(Issue(None, None, None, None, "Votre profil permet de consulter les données mais pas "
                                                         "d'en importer."))
        plan.kind = None if kind == "auto" else kind
        return plan
    _progress(progress, 0.05, "Lecture du fichier…")
    limit = max_upload_bytes()
    try:
        sheets = readers.read(content, file_name, max_bytes=limit)
    except readers.RefusedFile as exc:
        plan.errors.append(Issue(exc.sheet, exc.row, None, None, str(exc)))
        plan.refused = True
        plan.kind = None if kind == "auto" else kind
        return plan
    _progress(progress, 0.35, "Reconnaissance de la mise en forme…")
    ref = reference.load(db, scope)
    if site is not None:
        code = ref.sites.match(site)
        if code is None:
            plan.errors.append(Issue(None, None, None, site, "Préfecture choisie inconnue."))
            return plan
        site = code
    ctx = validate.Context(ref=ref, scope=scope, site=site, campaign=None if campaign is None else str(campaign),
                           today=today or date.today())
    datas: list[layouts.SheetData] = []
    empty_headers: list[str | None] = []
    help_sheets = {norm(name) for name in layouts.TEMPLATE_HELP_SHEETS}
    template = help_sheets <= {norm(sheet.name) for sheet in sheets if not sheet.is_csv}
    data_sheets = [s for s in sheets if not (template and norm(s.name) in help_sheets)]
    if kind == actions_kind.KIND or (kind == "auto" and actions_kind.recognises(data_sheets)):
        # The plan d'actions (the Excel round trip of the page Plan d'actions): its own rows and write path.
        _progress(progress, 0.55, "Vérification des actions…")
        actions_kind.analyse(plan, data_sheets, db=db, scope=scope, ref=ref, site=site, today=ctx.today)
        _progress(progress, 1.0, "Analyse terminée.")
        return plan
    if kind == targets_kind.KIND or (kind == "auto" and targets_kind.recognises(data_sheets)):
        # Targets (national and sites' own, dated): their own rows and write path (qualepref.target_edit).
        _progress(progress, 0.55, "Vérification des cibles…")
        targets_kind.analyse(plan, data_sheets, db=db, scope=scope, ref=ref)
        _progress(progress, 1.0, "Analyse terminée.")
        return plan
    if kind in labelling.KINDS or (kind == "auto" and labelling.recognises(data_sheets)):
        # Périmètre, stages and findings, or sites: their own layouts and write path.
        _progress(progress, 0.55, "Vérification des valeurs…")
        labelling.analyse(plan, data_sheets, db=db, scope=scope, ref=ref, site=site, kind=kind, today=ctx.today)
        _progress(progress, 1.0, "Analyse terminée.")
        return plan
    for sheet in sheets:
        sheet_name = None if sheet.is_csv else sheet.name
        if template and norm(sheet.name) in help_sheets:
            continue  # the template's instructions and lists: not data, nothing to say
        for line, message in sheet.issues:
            plan.errors.append(Issue(sheet_name, line, None, None, message))
        if sheet.n_rows == 0:
            if not sheet.is_csv:
                plan.warnings.append(Issue(sheet_name, None, None, None, "Feuille vide, ignorée."))
            continue
        if sheet.hidden:
            plan.warnings.append(Issue(sheet_name, None, None, None, "Feuille masquée, ignorée."))
            continue
        found = layouts.detect(sheet, questions=ref.questions, wanted=kind)
        if found is None:
            plan.warnings.append(Issue(sheet_name, None, None, None,
                                       "Feuille ignorée : aucune mise en forme reconnue (format long, tableau de "
                                       "bord, enquête, conformité)."))
            continue
        layout, header = found
        data = layouts.reshape(sheet, layout, header, sites=ref.sites, questions=ref.questions,
                               indicators=ref.indicators)
        if data.rows_read == 0 and not data.errors:
            # Headers without rows (an unused sheet of the template): nothing to say but that.
            empty_headers.append(sheet_name)
            continue
        plan.errors.extend(data.errors)
        plan.warnings.extend(data.issues)
        plan.layouts.append((sheet_name, layouts.LAYOUT_LABELS[layout]))
        plan.rows_read += data.rows_read
        datas.append(data)
    if not datas:
        if not plan.errors:
            plan.warnings.clear()
            if empty_headers:
                message = ("Le fichier ne contient aucune donnée : les en-têtes sont là, "
                           "mais aucune ligne n'est remplie.")
            elif all(s.n_rows == 0 for s in sheets):
                message = "Le fichier est vide."
            else:
                message = ("Aucune donnée reconnue dans le fichier : vérifiez les en-têtes (Site, Indicateur, "
                           "Période, Valeur…) ou téléchargez le modèle depuis la page « Import ».")
            plan.errors.append(Issue(None, None, None, None, message))
        plan.kind = None if kind == "auto" else kind
        return plan
    for sheet_name in [] if template else empty_headers:
        plan.warnings.append(Issue(sheet_name, None, None, None, "Feuille sans données, ignorée."))
    kinds = sorted({d.kind for d in datas})
    plan.kind = kinds[0] if len(kinds) == 1 else "mixte"
    plan.errors.extend(validate.title_conflicts(datas, ctx))
    _progress(progress, 0.55, "Vérification des valeurs…")
    outcomes = {}
    for data_kind, check in (("indicateurs", validate.indicators), ("enquete", validate.surveys),
                             ("conformite", validate.compliance)):
        mine = [d for d in datas if d.kind == data_kind]
        if mine:
            outcomes[BATCH_OF_KIND[data_kind]] = check(mine, ctx)
    for batch_kind, outcome in outcomes.items():
        plan.errors.extend(outcome.errors)
        plan.warnings.extend(outcome.warnings)
        plan.batches[batch_kind] = outcome.batch
        plan.labels_read[batch_kind] = outcome.labels
        if outcome.counts is not None and not outcome.counts.empty:
            plan.indicator_counts = outcome.counts
    _describe(plan)
    _progress(progress, 0.8, "Comparaison avec les données enregistrées…")
    with db.snapshot() as cur:
        plan._classified_on = store.data_version(cur)
        for batch_kind, batch in plan.batches.items():
            classified = store.classify(cur, batch_kind, batch, scope, counts=plan.counts_given(batch_kind))
            plan.counts[batch_kind] = store.counts_of(classified)
            plan.classified[batch_kind] = classified.to_pandas()
            plan._classified_tables[batch_kind] = classified
    _attention(plan, db, scope)
    if plan.ok and plan.changes_nothing:
        earlier = sql.run(db, "ingest_uploads_by_sha", scope=scope, sha256=plan.sha256)
        plan.already_imported = not earlier.empty
    _progress(progress, 1.0, "Analyse terminée.")
    return plan


def _attention(plan: ImportPlan, db, scope: SiteScope) -> None:
    """Replacements the référent should confirm knowingly."""
    surveys = plan.classified.get("survey_results")
    if surveys is not None and (surveys["status"] == "replaced").any():
        ids = sorted({int(u) for u in surveys["old_upload_id"].dropna()})
        sources = sql.run(db, "upload_sources", scope=scope, upload_ids=ids)
        plan.attention += preview.campaign_replacements(surveys, sources, plan.file_name)
    plan.attention += preview.demo_replacements(plan.classified)
    plan.warnings.extend(plan.attention)


def _describe(plan: ImportPlan) -> None:
    sites, periods = set(), []
    batch = plan.batches.get("indicator_values")
    if batch is not None and not batch.empty:
        sites |= set(batch["site_code"].unique())
        starts = batch["period_start"]
        periods += [starts.min().strftime("%Y-%m"), starts.max().strftime("%Y-%m")]
    batch = plan.batches.get("survey_results")
    if batch is not None and not batch.empty:
        sites |= set(batch["site_code"].unique())
        labels = campaigns.ordered(batch["campaign"])
        periods += [labels[0], labels[-1]]
    batch = plan.batches.get("compliance")
    if batch is not None and not batch.empty:
        sites |= set(batch["site_code"].unique())
        dates = pd.to_datetime(batch["assessed_on"])
        periods += [dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")]
    plan.site_codes = sorted(sites)
    plan.period_min = min(periods) if periods else None
    plan.period_max = max(periods) if periods else None


class _NothingChanged(Exception):
    """Rolls back a transaction that would only add a history row."""


def commit(plan: ImportPlan, *, db, scope: SiteScope, uploaded_by: str) -> CommitResult:
    """Write the plan's batches and one history row in one transaction, or nothing."""
    if not plan.ok:
        raise IngestError("Un fichier comportant des erreurs ne peut pas être enregistré.")
    scope.require(plan.site_codes, write=True)  # before any work: a discovery scope is refused here
    total = store.WriteCounts()
    try:
        with db.transaction() as cur:
            # What to replace is worked out again inside this transaction (`store.write`): another
            # import may have been confirmed since the preview.
            upload_id = store.next_upload_id(cur)
            classified = _still_classified(plan, cur, db=db, scope=scope)
            for batch_kind, batch in plan.batches.items():
                if batch.empty:
                    continue
                if batch_kind == actions_kind.BATCH:
                    from qualepref import actions_store

                    total = total + actions_store.write_batch(cur, batch, scope=scope, actor=uploaded_by,
                                                              upload_id=upload_id, today=date.today())
                    continue
                if batch_kind == targets_kind.BATCH:
                    from qualepref import target_edit

                    total = total + target_edit.write_import(cur, batch, scope=scope, actor=uploaded_by,
                                                             upload_id=upload_id, file_name=plan.file_name)
                    continue
                if batch_kind in labelling.BATCH_KINDS:
                    total = total + labelling.write(cur, batch_kind, batch, scope=scope, upload_id=upload_id,
                                                    uploaded_by=uploaded_by)
                    continue
                total = total + store.write(cur, batch_kind, batch, scope=scope, upload_id=upload_id,
                                            classified=classified.get(batch_kind),
                                            counts=plan.counts_given(batch_kind))
                if batch_kind == "indicator_values" and plan.indicator_counts is not None:
                    store.write_counts(cur, plan.indicator_counts, scope=scope, upload_id=upload_id)
            if total.written == 0 and total.deleted == 0:
                raise _NothingChanged
            store.record_upload(
                cur, upload_id=upload_id, uploaded_by=uploaded_by, file_name=plan.file_name, sha256=plan.sha256,
                kind=plan.kind or "indicateurs", site_codes=plan.site_codes, period_min=plan.period_min,
                period_max=plan.period_max, counts=total,
            )
    except _NothingChanged:
        _log_import(plan, uploaded_by, "unchanged")
        return CommitResult(upload_id=None, rows_written=0, rows_replaced=0, rows_deleted=0, unchanged=True)
    except Exception as exc:
        _log_import(plan, uploaded_by, "failure", error=type(exc).__name__)
        raise
    _log_import(plan, uploaded_by, "success", upload_id=upload_id, rows_written=total.written,
                rows_replaced=total.replaced, rows_deleted=total.deleted)
    return CommitResult(upload_id=upload_id, rows_written=total.written, rows_replaced=total.replaced,
                        rows_deleted=total.deleted, unchanged=False)


def _still_classified(plan: ImportPlan, cur, *, db, scope: SiteScope) -> dict:
    """The analysis's classifications when they describe what this transaction meets: the same
    database and scope, and no commit since (the same `data_version`); else none (`store.write`
    classifies again)."""
    if (plan._classified_on is None or plan._db is not db or plan._scope is None
            or plan._scope.as_param() != scope.as_param() or store.data_version(cur) != plan._classified_on):
        return {}
    return plan._classified_tables


def _log_import(plan: ImportPlan, uploaded_by: str, outcome: str, **fields) -> None:
    """The operator's log line of a committed (or failed) import."""
    events.emit("import", outcome=outcome, user=uploaded_by, file=plan.file_name, sha256=plan.sha256[:16],
                kind=plan.kind, sites=",".join(sorted(plan.site_codes)[:20]), n_sites=len(plan.site_codes),
                **fields)


def report_json(plan: ImportPlan, result: CommitResult | None = None) -> dict:
    """The report of DESIGN §4 (the command line's `--json`)."""
    if result is not None:
        written, replaced = result.rows_written, result.rows_replaced
    else:
        written, replaced = plan.total.written, plan.total.replaced
    return {
        "ok": plan.ok,
        "kind": plan.kind,
        "rows_written": written if plan.ok else 0,
        "rows_replaced": replaced if plan.ok else 0,
        "errors": [issue.as_dict() for issue in plan.errors],
        "warnings": [issue.as_dict() for issue in plan.warnings],
    }
