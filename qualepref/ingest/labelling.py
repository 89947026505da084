"""Import kinds `labellisation` (périmètre, stages, audit findings) and `sites` (pure).

Same contract as the other kinds: every sheet is recognised by its headers (case and accents
ignored), every error names its sheet, row and column with the value found, nothing is
written while one error remains, and a second import of the same file changes nothing.

- *Périmètre*: `Site`, `Module`, `Date de la décision`, `Retenu` (oui/non), `Décision`
  ("COPIL du 01/07/2021").
- *Étapes*: `Site`, `Étape`, `Date`, `Organisme`, `Date du rapport`, `Résultat`
  (favorable/défavorable), `Version du référentiel`, `Valable jusqu'au`, `Prochaine échéance`,
  `Commentaire`. A future date is a planned audit.
- *Constats*: `Site`, `Audit`, `Date de l'audit`, `Nature` (point fort, non-conformité, piste
  d'amélioration), `Module`, `Engagement`, `Constat`, `Levée le`. The audit is stored already
  or is a stage of the same file.
- *Sites* (administrator): `Code`, `Type`, `Nom`, `Article`, `Rattachement`, `Ville`, `Région`,
  `Longitude`, `Latitude`, `Actif`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from qualepref import labellisation, sites_edit, vocab
from qualepref.ingest import parse
from qualepref.ingest.issues import Issue, shown
from qualepref.ingest.readers import Sheet
from qualepref.ingest.text import column_name, norm

KINDS = ("labellisation", "sites")
HEADER_ROWS_SCANNED = 15

_NAMES = {
    "site": ("site", "prefecture", "departement", "code site", "sous prefecture"),
    "module": ("module", "n module", "numero module"),
    "decided_on": ("date decision", "date", "decide le", "date copil"),
    "retained": ("retenu", "module retenu", "retenu oui non", "perimetre"),
    "decision": ("decision", "instance", "motif", "commentaire", "comite"),
    "event_kind": ("etape", "type etape", "evenement", "jalon"),
    "event_date": ("date", "date etape", "date evenement"),
    "organisme": ("organisme", "auditeur", "organisme certificateur", "cabinet"),
    "report_date": ("date rapport", "rapport", "date du rapport"),
    "result": ("resultat", "decision", "avis"),
    "referentiel_version": ("version referentiel", "referentiel", "version"),
    "valid_until": ("valable jusqu", "valable jusqu au", "fin validite", "validite", "label valable jusqu au"),
    "next_due": ("prochaine echeance", "prochain audit", "prochain audit suivi", "echeance"),
    "comment": ("commentaire", "observations", "remarque"),
    "audit_kind": ("audit", "type audit", "etape"),
    "audit_date": ("date audit", "date de l audit", "date"),
    "finding_kind": ("nature", "type constat", "nature constat"),
    "engagement": ("engagement", "n engagement", "numero engagement"),
    "finding_text": ("constat", "libelle", "description", "texte"),
    "closed_on": ("levee le", "leve le", "date levee", "cloture le"),
    "code": ("code", "code site", "code insee"),
    "site_kind": ("type", "type site", "nature site"),
    "site_name": ("nom", "nom site", "libelle"),
    "tncc": ("article", "tncc", "type nom"),
    "parent_code": ("rattachement", "parent", "prefecture rattachement", "rattache a"),
    "prefecture_city": ("ville", "commune", "chef lieu"),
    "region_code": ("region", "code region"),
    "lon": ("longitude", "lon"),
    "lat": ("latitude", "lat"),
    "active": ("actif", "active", "en service"),
}
# Layout → (required roles, optional roles), in the order headers are looked up.
LAYOUTS = {
    "perimetre": (("site", "module", "retained"), ("decided_on", "decision")),
    "etapes": (("site", "event_kind", "event_date"), ("organisme", "report_date", "result", "referentiel_version",
                                                       "valid_until", "next_due", "comment")),
    "constats": (("site", "finding_kind", "finding_text"), ("audit_kind", "audit_date", "module", "engagement",
                                                             "closed_on")),
    "sites": (("code", "site_kind", "site_name"), ("tncc", "parent_code", "prefecture_city", "region_code", "lon",
                                                   "lat", "active")),
}
LAYOUT_LABELS = {"perimetre": "périmètre (modules retenus)", "etapes": "étapes du label",
                 "constats": "constats d'audit", "sites": "sites"}
KIND_OF_LAYOUT = {"perimetre": "labellisation", "etapes": "labellisation", "constats": "labellisation",
                  "sites": "sites"}
BATCH_OF_LAYOUT = {"perimetre": "site_modules", "etapes": "label_events", "constats": "findings", "sites": "sites"}
BATCH_KINDS = frozenset(BATCH_OF_LAYOUT.values())
_ROLE_KEYS = {role: {norm(n) for n in names} for role, names in _NAMES.items()}
_YES = {"oui", "o", "yes", "x", "1", "vrai", "retenu", "actif"}
_NO = {"non", "n", "no", "0", "faux", "abandonne", "non retenu", "inactif"}


def _words(vocabulary) -> dict[str, str]:
    """Label, short label and code of every term, normalised → code."""
    return {norm(w): t.code for t in vocabulary for w in (t.label, t.short_label, t.code)}


_EVENT_WORDS = _words(vocab.LABEL_EVENT_KINDS) | {
    norm(w): c for w, c in (("diagnostic", "auto_evaluation"), ("auto evaluation", "auto_evaluation"),
                            ("autoevaluation", "auto_evaluation"), ("visite mystere", "enquete_mystere"),
                            ("client mystere", "enquete_mystere"), ("audit de labellisation", "audit_externe"),
                            ("audit de certification", "audit_externe"), ("labellisation", "decision"),
                            ("label", "decision"), ("decision de labellisation", "decision"),
                            ("engagement", "engagement"), ("copil d engagement", "engagement"),
                            ("audit de renouvellement", "renouvellement"))}
_RESULT_WORDS = {"favorable": "favorable", "defavorable": "defavorable", "positif": "favorable",
                 "negatif": "defavorable", "label accorde": "favorable", "label refuse": "defavorable",
                 "accorde": "favorable", "refuse": "defavorable"}
_FINDING_WORDS = _words(vocab.FINDING_KINDS) | {
    "point positif": "point_fort", "points forts": "point_fort", "nc": "non_conformite",
    "non conformites": "non_conformite", "ecart": "non_conformite", "recommandation": "piste_amelioration",
    "pistes amelioration": "piste_amelioration", "axe amelioration": "piste_amelioration",
    "remarque": "piste_amelioration"}
_KIND_WORDS = _words(vocab.SITE_KINDS) | {"hc": "haut_commissariat", "pp": "prefecture_police"}
_ARTICLE_WORDS = {"": 0, "de": 0, "d": 1, "d'": 1, "le": 2, "du": 2, "la": 3, "de la": 3, "les": 4, "des": 4,
                  "l": 5, "l'": 5, "de l'": 5, "aux": 6, "las": 7, "los": 8}


def detect(sheet: Sheet, wanted: str = "auto") -> tuple[str, int, dict[str, int]] | None:
    """(layout, header row, role → column) of a sheet holding one of these kinds, else None."""
    width = sheet.frame.shape[1]
    for i in range(min(HEADER_ROWS_SCANNED, sheet.n_rows)):
        # Each cell's key once, not once per layout and role (every import of any kind runs this).
        keys = [None if (text := sheet.cell(i, j)) is None else norm(text, drop_unit=True) for j in range(width)]
        for layout, (required, optional) in LAYOUTS.items():
            if wanted not in ("auto", KIND_OF_LAYOUT[layout]):
                continue
            found: dict[str, int] = {}
            for role in (*required, *optional):
                for j, key in enumerate(keys):
                    if j not in found.values() and key is not None and key in _ROLE_KEYS[role]:
                        found[role] = j
                        break
            if all(role in found for role in required):
                return layout, i, found
    return None


@dataclass
class Parsed:
    """What the sheets of one file give: batches (staging frames), issues, layouts recognised."""

    batches: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    layouts: list[tuple[str | None, str]] = field(default_factory=list)
    rows_read: int = 0


@dataclass
class Context:
    """What the rows are checked against."""

    site_match: object  # SiteMatcher.match
    scope_codes: frozenset[str]
    default_site: str | None
    modules: set[int]
    engagements: set[tuple[int, int]]
    existing_audits: set[tuple[str, str, date]]  # (site, kind, date) of the stored stages
    known_sites: dict[str, tuple[str, str | None, bool]]  # for the `sites` kind
    regions: set[str]
    site_regions: dict[str, str]  # stored site → its region (a sub-prefecture takes its parent's)
    today: date
    national_writer: bool  # an administrator (or the command line): may import sites


class _Rows:
    """The rows of one sheet under its header: raw text by role, with where each came from."""

    def __init__(self, sheet: Sheet, header: int, roles: dict[str, int]):
        self.sheet, self.roles = sheet, roles
        self.sheet_name = None if sheet.is_csv else sheet.name
        self.names = {role: column_name(sheet.columns[j] if sheet.columns else j, sheet.cell(header, j))
                      for role, j in roles.items()}
        self.rows = []
        for i in range(header + 1, sheet.n_rows):
            values = {role: sheet.cell(i, j) for role, j in roles.items()}
            if any(v is not None for v in values.values()):
                self.rows.append((sheet.row_number(i), values))

    def issue(self, row: int, role: str | None, value, message: str) -> Issue:
        return Issue(self.sheet_name, row, self.names.get(role) if role else None, shown(value), message)


def _day(text) -> date | None:
    return parse.parse_date(text)


def _int(text) -> int | None:
    if text is None:
        return None
    match = re.fullmatch(r"\D*?(\d{1,3})(?:[.,]0+)?\s*", str(text))
    return int(match.group(1)) if match else None


def _site(rows: _Rows, row: int, values: dict, ctx: Context, errors: list[Issue]) -> str | None:
    raw = values.get("site")
    code = ctx.site_match(raw) if raw is not None else ctx.default_site
    if code is None:
        message = ("Site inconnu : écrivez son code (« 87 », « 87011 »), son nom ou sa ville." if raw is not None
                   else "Aucun site pour cette ligne : remplissez la colonne « Site ».")
        errors.append(rows.issue(row, "site" if raw is not None else None, raw, message))
        return None
    if code not in ctx.scope_codes:
        errors.append(rows.issue(row, "site", raw or code, f"Le site {code} n'est pas dans votre périmètre."))
        return None
    return code


def _date_of(rows, row, values, role, errors, *, required=False, label="Date") -> tuple[date | None, bool]:
    """(date, ok) for an optional or required date cell."""
    raw = values.get(role)
    if raw is None:
        if required:
            errors.append(rows.issue(row, role, None, f"{label} obligatoire."))
            return None, False
        return None, True
    day = _day(raw)
    if day is None:
        errors.append(rows.issue(row, role, raw, f"{label} non reconnue (attendu : une date ou jj/mm/aaaa)."))
        return None, False
    return day, True


def _perimetre(rows: _Rows, ctx: Context, out: Parsed) -> None:
    records = []
    for row, values in rows.rows:
        errors_before = len(out.errors)
        code = _site(rows, row, values, ctx, out.errors)
        module = _int(values.get("module"))
        if module is None or module not in ctx.modules:
            known = ", ".join(map(str, sorted(ctx.modules)))
            out.errors.append(rows.issue(row, "module", values.get("module"),
                                         f"Module inconnu : écrivez son numéro ({known})."))
        decided, _ = _date_of(rows, row, values, "decided_on", out.errors, required=True, label="Date de la décision")
        if decided is not None and decided > ctx.today:
            out.errors.append(rows.issue(row, "decided_on", values.get("decided_on"),
                                         "Date de la décision dans le futur."))
        answer = norm(values.get("retained") or "")
        retained = True if answer in _YES else False if answer in _NO else None
        if retained is None:
            out.errors.append(rows.issue(row, "retained", values.get("retained"),
                                         "Retenu : écrivez « oui » (module retenu) ou « non » (module abandonné)."))
        elif module == 1 and not retained:
            out.errors.append(rows.issue(row, "retained", values.get("retained"),
                                         "Le module 1 est obligatoire : il ne peut pas être abandonné."))
        if len(out.errors) == errors_before:
            records.append({"site_code": code, "module": module, "decided_on": pd.Timestamp(decided),
                            "retained": retained, "decision": values.get("decision"), "_row": row})
    _keep(out, "site_modules", rows, records, ("site_code", "module", "decided_on"), "decided_on")


def _etapes(rows: _Rows, ctx: Context, out: Parsed) -> None:
    records = []
    for row, values in rows.rows:
        errors_before = len(out.errors)
        code = _site(rows, row, values, ctx, out.errors)
        kind = _EVENT_WORDS.get(norm(values.get("event_kind") or ""))
        if kind is None:
            out.errors.append(rows.issue(row, "event_kind", values.get("event_kind"),
                                         "Étape inconnue (" + ", ".join(t.short_label for t in vocab.LABEL_EVENT_KINDS)
                                         + ")."))
        on, _ = _date_of(rows, row, values, "event_date", out.errors, required=True, label="Date de l'étape")
        report, ok_report = _date_of(rows, row, values, "report_date", out.errors, label="Date du rapport")
        valid_until, ok_valid = _date_of(rows, row, values, "valid_until", out.errors, label="Date de fin de validité")
        next_due, ok_due = _date_of(rows, row, values, "next_due", out.errors, label="Prochaine échéance")
        raw_result = values.get("result")
        result = _RESULT_WORDS.get(norm(raw_result or "")) if raw_result else None
        if raw_result and result is None:
            out.errors.append(rows.issue(row, "result", raw_result, "Résultat : « favorable » ou « défavorable »."))
        if kind and on and len(out.errors) == errors_before:
            for problem in labellisation.event_problems(kind, on, result=result, report_date=report,
                                                        valid_until=valid_until, next_due=next_due, today=ctx.today):
                out.errors.append(rows.issue(row, "event_date" if "date" in problem.lower() else "result",
                                             values.get("event_date"), problem))
        if len(out.errors) == errors_before and ok_report and ok_valid and ok_due:
            records.append({
                "site_code": code, "event_kind": kind, "event_date": pd.Timestamp(on),
                "organisme": values.get("organisme"), "report_date": report, "result": result,
                "referentiel_version": values.get("referentiel_version"), "valid_until": valid_until,
                "next_due": labellisation.completed_next_due(kind, on, result, next_due),
                "comment": values.get("comment"), "_row": row})
    _keep(out, "label_events", rows, records, ("site_code", "event_kind", "event_date"), "event_date")


def _constats(rows: _Rows, ctx: Context, out: Parsed, staged_audits: set[tuple[str, str, date]]) -> None:
    records = []
    for row, values in rows.rows:
        errors_before = len(out.errors)
        code = _site(rows, row, values, ctx, out.errors)
        nature = _FINDING_WORDS.get(norm(values.get("finding_kind") or ""))
        if nature is None:
            out.errors.append(rows.issue(row, "finding_kind", values.get("finding_kind"),
                                         "Nature inconnue (point fort, non-conformité, piste d'amélioration)."))
        audit_kind = _EVENT_WORDS.get(norm(values.get("audit_kind") or "audit externe"))
        if audit_kind not in labellisation.PLANNABLE:
            out.errors.append(rows.issue(row, "audit_kind", values.get("audit_kind"),
                                         "Audit inconnu (audit interne, audit externe, audit de suivi, "
                                         "renouvellement, enquête mystère)."))
        audit_on, _ = _date_of(rows, row, values, "audit_date", out.errors, required=True, label="Date de l'audit")
        module = _int(values.get("module"))
        if values.get("module") is not None and module not in ctx.modules:
            out.errors.append(rows.issue(row, "module", values.get("module"), "Module inconnu."))
        engagement = _int(values.get("engagement"))
        if values.get("engagement") is not None and (module, engagement) not in ctx.engagements:
            out.errors.append(rows.issue(row, "engagement", values.get("engagement"),
                                         "Engagement inconnu pour ce module dans le référentiel."))
        closed_on, _ = _date_of(rows, row, values, "closed_on", out.errors, label="Date de levée")
        if closed_on is not None and nature != "non_conformite":
            out.errors.append(rows.issue(row, "closed_on", values.get("closed_on"),
                                         "Seule une non-conformité se lève."))
        text = (values.get("finding_text") or "").strip()
        if code and audit_kind in labellisation.PLANNABLE and audit_on and len(out.errors) == errors_before:
            key = (code, audit_kind, audit_on)
            if key not in ctx.existing_audits and key not in staged_audits:
                out.errors.append(rows.issue(row, "audit_date", values.get("audit_date"),
                                             f"Aucun « {vocab.LABEL_EVENT_KINDS.label(audit_kind)} » du "
                                             f"{audit_on:%d/%m/%Y} pour le site {code} : ajoutez cette étape "
                                             "(feuille « Étapes ») ou corrigez la date."))
        if len(out.errors) == errors_before:
            records.append({"site_code": code, "audit_kind": audit_kind, "audit_date": pd.Timestamp(audit_on),
                            "finding_kind": nature, "module": module, "engagement": engagement,
                            "finding_text": text, "closed_on": closed_on, "_row": row})
    _keep(out, "findings", rows, records, ("site_code", "audit_kind", "audit_date", "finding_kind", "finding_text"),
          "finding_text")


def _sites(rows: _Rows, ctx: Context, out: Parsed) -> None:
    if not ctx.national_writer:
        out.errors.append(Issue(rows.sheet_name, None, None, None,
                                "Seul un administrateur peut importer des sites."))
        return
    records = []
    known = dict(ctx.known_sites)
    # Sites of the same file may be each other's parent: they are known before their rows are checked.
    for _, values in rows.rows:
        code = (values.get("code") or "").upper()
        kind = _KIND_WORDS.get(norm(values.get("site_kind") or ""))
        active = norm(values.get("active") or "oui") not in _NO
        if code and kind:
            known.setdefault(code, (kind, None, active))
    for row, values in rows.rows:
        errors_before = len(out.errors)
        kind = _KIND_WORDS.get(norm(values.get("site_kind") or ""))
        if kind is None:
            kinds = ", ".join(t.label for t in vocab.SITE_KINDS)
            out.errors.append(rows.issue(row, "site_kind", values.get("site_kind"), f"Type de site inconnu ({kinds})."))
        article = values.get("tncc")
        tncc = _int(article) if article is not None and re.fullmatch(r"\d+", str(article).strip()) else \
            _ARTICLE_WORDS.get((article or "").strip().lower().rstrip())
        if tncc is None:
            out.errors.append(rows.issue(row, "tncc", article, "Article inconnu : le, la, les, l', de, d' ou le "
                                                                "code TNCC de l'INSEE (0 à 8)."))
        numbers = {}
        for role in ("lon", "lat"):
            raw = values.get(role)
            value = None if raw is None else parse.parse_numbers(pd.Series([raw])).value.iloc[0]
            if raw is not None and pd.isna(value):
                out.errors.append(rows.issue(row, role, raw, "Coordonnée non numérique (degrés décimaux)."))
            numbers[role] = None if value is None or pd.isna(value) else float(value)
        active_text = norm(values.get("active") or "oui")
        if active_text not in _YES | _NO:
            out.errors.append(rows.issue(row, "active", values.get("active"), "Actif : « oui » ou « non »."))
        if len(out.errors) > errors_before:
            continue
        parent = values.get("parent_code")
        region = values.get("region_code")
        if region is None and parent:
            region = ctx.site_regions.get(parent.upper())
        site = sites_edit.Site(
            site_code=(values.get("code") or "").upper(), site_name=(values.get("site_name") or "").strip(),
            site_kind=kind, parent_code=parent.upper() if parent else None, tncc=tncc,
            region_code=(region or "").upper(), prefecture_city=(values.get("prefecture_city") or
                                                                 values.get("site_name") or "").strip(),
            lon=numbers["lon"], lat=numbers["lat"], active=active_text not in _NO)
        for problem in sites_edit.problems(site, known=known, regions=ctx.regions):
            out.errors.append(rows.issue(row, "code", values.get("code"), problem))
        if len(out.errors) == errors_before:
            records.append({**site.__dict__, "_row": row})
    _keep(out, "sites", rows, records, ("site_code",), "site_code")


def _keep(out: Parsed, batch: str, rows: _Rows, records: list[dict], key: tuple[str, ...], column: str) -> None:
    """Add `records` to the batch; the same key twice is an error if the rows differ, else a warning."""
    if not records:
        return
    frame = pd.DataFrame(records)
    previous = out.batches.get(batch)
    frame = frame if previous is None else pd.concat([previous, frame], ignore_index=True)
    normalised = frame.assign(**{k: frame[k].map(lambda v: norm(v) if isinstance(v, str) else v) for k in key})
    duplicated = normalised.duplicated(subset=list(key), keep=False)
    if duplicated.any():
        drop = []
        for _, group in normalised[duplicated].groupby(list(key), dropna=False):
            first = group.index[0]
            for other in group.index[1:]:
                same = frame.drop(columns=["_row"]).loc[other].equals(frame.drop(columns=["_row"]).loc[first])
                message = ("Ligne identique à la ligne {0} : ignorée." if same else
                           "Même clé que la ligne {0} avec d'autres valeurs : gardez une seule ligne.")
                issue = rows.issue(int(frame.at[other, "_row"]), column, frame.at[other, column],
                                   message.format(int(frame.at[first, "_row"])))
                (out.warnings if same else out.errors).append(issue)
                drop.append(other)
        frame = frame.drop(index=drop)
    out.batches[batch] = frame.reset_index(drop=True)


def parse_sheets(sheets: list[Sheet], kind: str, ctx: Context) -> Parsed:
    """Recognise and check every sheet; batches hold only the rows without error."""
    out = Parsed()
    found = []
    for sheet in sheets:
        if sheet.n_rows == 0 or sheet.hidden:
            continue
        detected = detect(sheet, kind)
        if detected is None:
            out.warnings.append(Issue(None if sheet.is_csv else sheet.name, None, None, None,
                                      "Feuille ignorée : aucune mise en forme reconnue pour ce type de données."))
            continue
        layout, header, roles = detected
        rows = _Rows(sheet, header, roles)
        if not rows.rows:
            continue
        found.append((layout, rows))
        out.layouts.append((rows.sheet_name, LAYOUT_LABELS[layout]))
        out.rows_read += len(rows.rows)
    # Stages first: findings may refer to an audit of the same file.
    order = {"sites": 0, "perimetre": 1, "etapes": 2, "constats": 3}
    for layout, rows in sorted(found, key=lambda item: order[item[0]]):
        if layout == "perimetre":
            _perimetre(rows, ctx, out)
        elif layout == "etapes":
            _etapes(rows, ctx, out)
        elif layout == "constats":
            staged = out.batches.get("label_events")
            audits = set() if staged is None else {
                (s, k, pd.Timestamp(d).date()) for s, k, d in zip(staged.site_code, staged.event_kind,
                                                                  staged.event_date, strict=True)}
            _constats(rows, ctx, out, audits)
        else:
            _sites(rows, ctx, out)
    for batch, frame in out.batches.items():
        out.batches[batch] = frame.drop(columns=["_row"])
    return out


def recognises(sheets: list[Sheet]) -> bool:
    """Whether the file's data sheets are all of these kinds (for `--kind auto`)."""
    data = [s for s in sheets if s.n_rows and not s.hidden]
    return bool(data) and all(detect(s) is not None for s in data)


def analyse(plan, sheets: list[Sheet], *, db, scope, ref, site: str | None, kind: str, today: date):
    """Fill `plan` for a file of these kinds: the checks, the batches and what writing them would do."""
    from qualepref import labelling_store, sql

    with db.cursor() as cur:
        existing = {(s, k, pd.Timestamp(d).date()) for s, k, d in sql.execute(cur, "stored_audits", scope=scope)}
        known, regions = sites_edit.reference(cur)
        site_regions = dict(sql.execute(cur, "site_regions"))
    ctx = Context(site_match=ref.sites.match, scope_codes=frozenset(scope.site_codes), default_site=site,
                  modules=set(ref.modules), engagements=set(ref.engagements), existing_audits=existing,
                  known_sites=known, regions=regions, site_regions=site_regions, today=today,
                  national_writer=scope.national and scope.can_write)
    parsed = parse_sheets(sheets, kind, ctx)
    plan.errors.extend(parsed.errors)
    plan.warnings.extend(parsed.warnings)
    plan.layouts.extend(parsed.layouts)
    plan.rows_read = parsed.rows_read
    kinds = {("sites" if batch == "sites" else "labellisation") for batch in parsed.batches} or (
        {kind} if kind in KINDS else set())
    plan.kind = kinds.pop() if len(kinds) == 1 else "mixte" if kinds else None
    if not parsed.layouts and not plan.errors:
        plan.errors.append(Issue(None, None, None, None,
                                 "Aucune donnée reconnue : vérifiez les en-têtes (feuilles « Périmètre », « Étapes », "
                                 "« Constats » ou « Sites ») ou téléchargez le modèle depuis la page « Import »."))
    if plan.kind == "mixte":
        plan.errors.append(Issue(None, None, None, None,
                                 "Un même fichier ne mêle pas la liste des sites et leur labellisation : importez-les "
                                 "séparément (les sites d'abord)."))
    plan.batches = parsed.batches
    codes, days = set(), []
    for batch_kind, batch in plan.batches.items():
        if batch_kind != "sites":  # new sites are not in anyone's scope yet: the import is the administrator's
            codes |= set(batch["site_code"].dropna())
        for column in ("decided_on", "event_date", "audit_date"):
            if column in batch and batch[column].notna().any():
                days += [pd.Timestamp(batch[column].min()), pd.Timestamp(batch[column].max())]
    plan.site_codes = sorted(codes)
    plan.period_min = min(days).strftime("%Y-%m-%d") if days else None
    plan.period_max = max(days).strftime("%Y-%m-%d") if days else None
    if plan.errors:
        return plan
    with db.cursor() as cur:
        for batch_kind, batch in plan.batches.items():
            if batch_kind == "sites":
                plan.counts[batch_kind] = sites_edit.preview(cur, batch)
            else:
                plan.counts[batch_kind] = labelling_store.preview(cur, batch_kind, batch, scope)
    if plan.changes_nothing:
        plan.already_imported = not sql.run(db, "ingest_uploads_by_sha", scope=scope, sha256=plan.sha256).empty
    return plan


def write(cur, batch_kind: str, batch: pd.DataFrame, *, scope, upload_id: int, uploaded_by: str):
    """Write one batch of these kinds inside the import's transaction."""
    from qualepref import labelling_store

    if batch_kind == "sites":
        return sites_edit.write_batch(cur, batch, actor=uploaded_by)
    return labelling_store.write(cur, batch_kind, batch, scope=scope, upload_id=upload_id)
