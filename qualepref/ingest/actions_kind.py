"""Import kind `actions`: the plan d'actions kept in Excel and uploaded again (the Excel round trip).

The file is the one *Télécharger le plan* gives (`export_frame`), or any sheet with the same headers
(case and accents ignored): `N°` (the action's id), `Site`, `Intitulé`, `Statut`, `Pilote`,
`Groupe de travail`, `Décidée le`, `Échéance`, `Réalisée le`, `Module`, `Engagement`, `Origine`,
`Clé d'origine`, `Libellé de l'origine`, `Description`, `Commentaire`.

A row with an id changes that action (an empty cell changes nothing); a row without one creates an
action. Every error names its sheet, row and column with the value found: an unknown id, the id of
an action outside the caller's scope (another prefecture's), a site that is not the action's, an
unknown status, a date that is not one, a rule of `qualepref.actions` broken… Nothing is written
while one error remains; the same file imported twice changes nothing (a new row that matches a
stored action — same site, title and origin — is refused with that action's number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from qualepref import actions
from qualepref.ingest import parse
from qualepref.ingest.issues import Issue, shown
from qualepref.ingest.readers import Sheet
from qualepref.ingest.text import column_name, find_header, norm
from qualepref.vocab import ACTION_ORIGINS, ACTION_STATUSES

KIND = "actions"
BATCH = "actions"
HEADER_ROWS_SCANNED = 15
# role → the header the download writes (first) and the other names recognised.
HEADERS = {
    "action_id": ("N°", "n action", "numero", "identifiant", "id"),
    "site_code": ("Site", "prefecture", "code site"),
    "title": ("Intitulé", "action", "intitule action", "libelle"),
    "status": ("Statut", "etat", "avancement"),
    "owner": ("Pilote", "service pilote", "responsable"),
    "working_group": ("Groupe de travail", "groupe"),
    "decided_on": ("Décidée le", "date decision", "decision", "date copil"),
    "due_on": ("Échéance", "date echeance", "a realiser avant"),
    "done_on": ("Réalisée le", "date realisation", "realisee abandonnee le", "cloturee le"),
    "module": ("Module",),
    "engagement": ("Engagement",),
    "origin_kind": ("Origine", "type origine"),
    "origin_key": ("Clé d'origine", "cle"),
    "origin_label": ("Libellé de l'origine", "origine detail"),
    "description": ("Description",),
    "comment": ("Commentaire", "commentaires", "observations"),
}
_KEYS = {role: {norm(n) for n in names} for role, names in HEADERS.items()}
_STATUS_WORDS = {norm(w): t.code for t in ACTION_STATUSES for w in (t.code, t.label)} | {
    "a faire": "a_lancer", "non commence": "a_lancer", "en cours realisation": "en_cours", "fait": "realisee",
    "terminee": "realisee", "realise": "realisee", "abandonne": "abandonnee"}
_ORIGIN_WORDS = {norm(w): t.code for t in ACTION_ORIGINS for w in (t.code, t.label, t.short_label)}


def detect(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(header row, role → column) of a plan d'actions sheet: `Intitulé` and `Statut` at least."""
    return find_header(sheet, _KEYS, lambda roles: {"title", "status"} <= roles, HEADER_ROWS_SCANNED)


def recognises(sheets: list[Sheet]) -> bool:
    """Whether every data sheet is a plan d'actions (for `--kind auto`): `Intitulé` and `Statut`, and `Échéance` or
    `Pilote` (a dashboard with a « Libellé » and an « État » column is not a plan)."""
    data = [s for s in sheets if s.n_rows and not s.hidden]
    found = [detect(s) for s in data]
    return bool(data) and all(f is not None and {"due_on", "owner"} & set(f[1]) for f in found)


@dataclass
class Context:
    site_match: object  # SiteMatcher.match
    scope_codes: frozenset[str]
    default_site: str | None
    modules: set[int]
    engagements: set[tuple[int, int]]
    stored: dict[int, dict]  # the actions of the scope, id → cleaned fields
    existing_ids: set[int]  # every id, whatever its site (to say "another prefecture's")
    today: date
    twins: dict[tuple, int] = field(default_factory=dict)  # stored actions by `_twin_key`


def _int(text) -> int | None:
    if text is None:
        return None
    raw = str(text).strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value == int(value) and value > 0 else None


def check_rows(sheet: Sheet, header: int, roles: dict[str, int], ctx: Context) -> tuple[list[dict], list[Issue],
                                                                                         list[Issue], int]:
    """(records, errors, warnings, rows read) of one sheet."""
    sheet_name = None if sheet.is_csv else sheet.name
    names = {role: column_name(sheet.columns[j] if sheet.columns else j, sheet.cell(header, j))
             for role, j in roles.items()}
    errors, warnings, records = [], [], []
    seen_ids: dict[int, int] = {}
    n_read = 0

    def issue(row, role, value, message):
        return Issue(sheet_name, row, names.get(role) if role else None, shown(value), message)

    for i in range(header + 1, sheet.n_rows):
        values = {role: sheet.cell(i, j) for role, j in roles.items()}
        if all(v is None or not str(v).strip() for v in values.values()):
            continue
        n_read += 1
        row = sheet.row_number(i)
        before = len(errors)
        given: dict = {}
        # The id: an action of the caller's scope, named once in the file.
        raw_id = values.get("action_id")
        action_id = None
        if raw_id is not None and str(raw_id).strip():
            action_id = _int(raw_id)
            if action_id is None:
                errors.append(issue(row, "action_id", raw_id, "Numéro d'action non reconnu : un nombre entier "
                                                              "(laissez vide pour créer une action)."))
            elif action_id not in ctx.stored:
                errors.append(issue(row, "action_id", raw_id,
                                    f"L'action n° {action_id} n'est pas dans votre périmètre (action d'une autre "
                                    "préfecture) : retirez cette ligne." if action_id in ctx.existing_ids else
                                    f"Action n° {action_id} inconnue : laissez le numéro vide pour créer une "
                                    "action, ne l'inventez pas."))
                action_id = None
            elif action_id in seen_ids:
                errors.append(issue(row, "action_id", raw_id, f"L'action n° {action_id} figure déjà ligne "
                                                              f"{seen_ids[action_id]} : gardez une seule ligne."))
            else:
                seen_ids[action_id] = row
        stored = ctx.stored.get(action_id) if action_id is not None else None
        # The site: the action's own (it never changes), or the site of a new action.
        raw_site = values.get("site_code")
        if raw_site is not None and str(raw_site).strip():
            code = ctx.site_match(raw_site)
            if code is None:
                errors.append(issue(row, "site_code", raw_site, "Site inconnu : écrivez son code (« 87 », "
                                                                "« 87011 »), son nom ou sa ville."))
            elif code not in ctx.scope_codes:
                errors.append(issue(row, "site_code", raw_site, f"Le site {code} n'est pas dans votre périmètre."))
            elif stored is not None and code != stored["site_code"]:
                errors.append(issue(row, "site_code", raw_site,
                                    f"L'action n° {action_id} est celle du site {stored['site_code']} : le site "
                                    "d'une action ne change pas (créez une autre action)."))
            else:
                given["site_code"] = code
        elif stored is None and raw_id in (None, "") and ctx.default_site is None:
            errors.append(issue(row, None, None, "Aucun site pour cette ligne : remplissez la colonne « Site »."))
        elif stored is None:
            given["site_code"] = ctx.default_site
        # Status and origin words.
        raw_status = values.get("status")
        if raw_status is not None and str(raw_status).strip():
            status = _STATUS_WORDS.get(norm(raw_status))
            if status is None:
                errors.append(issue(row, "status", raw_status, "Statut inconnu (" + ", ".join(
                    t.label for t in ACTION_STATUSES) + ")."))
            else:
                given["status"] = status
        raw_origin = values.get("origin_kind")
        if raw_origin is not None and str(raw_origin).strip():
            origin = _ORIGIN_WORDS.get(norm(raw_origin))
            if origin is None:
                errors.append(issue(row, "origin_kind", raw_origin, "Origine inconnue (" + ", ".join(
                    t.short_label for t in ACTION_ORIGINS) + ")."))
            else:
                given["origin_kind"] = origin
        # Dates, numbers, texts.
        for role, label in (("decided_on", "Date de décision"), ("due_on", "Échéance"),
                            ("done_on", "Date de réalisation")):
            raw = values.get(role)
            if raw is None or not str(raw).strip():
                continue
            day = parse.parse_date(raw)
            if day is None:
                errors.append(issue(row, role, raw, f"{label} non reconnue (attendu : une date ou jj/mm/aaaa)."))
            else:
                given[role] = day
        for role in ("module", "engagement"):
            raw = values.get(role)
            if raw is None or not str(raw).strip():
                continue
            number = _int(raw)
            if number is None:
                errors.append(issue(row, role, raw, "Nombre entier attendu."))
            else:
                given[role] = number
        if "module" in given and given["module"] not in ctx.modules:
            errors.append(issue(row, "module", values.get("module"), "Module inconnu du référentiel."))
        module = given.get("module", stored.get("module") if stored else None)
        if "engagement" in given and (module, given["engagement"]) not in ctx.engagements:
            errors.append(issue(row, "engagement", values.get("engagement"),
                                "Engagement inconnu pour ce module dans le référentiel."))
        for role in ("title", "owner", "working_group", "origin_key", "origin_label", "description", "comment"):
            raw = values.get(role)
            if raw is not None and str(raw).strip():
                given[role] = str(raw).strip()
        if len(errors) == before:
            # The action as it would be stored: its rules, each said in its column.
            merged = {**(stored or {"status": "a_lancer", "origin_kind": "libre"}), **given}
            if stored is None and "origin_key" in given and "origin_kind" not in given:
                merged["origin_kind"] = None  # a key without its kind: said below
            for role, message in actions.problems(actions.clean(merged), today=ctx.today):
                errors.append(issue(row, role if role in roles else None, values.get(role), message))
        if len(errors) == before and stored is None:
            # A new row that is an action already stored (the same file uploaded again, a copied row):
            # creating it twice would double the plan without a word.
            twin = ctx.twins.get(_twin_key(given))
            if twin is not None:
                errors.append(issue(row, "title", values.get("title"),
                                    f"Cette action existe déjà (n° {twin}, même site, même intitulé, même "
                                    "origine) : écrivez son numéro dans la colonne « N° » pour la modifier, ou "
                                    "retirez la ligne."))
        if len(errors) == before:
            records.append({"action_id": action_id, "_given": ",".join(sorted(given)), "_row": row, **given})
    return records, errors, warnings, n_read


def _twin_key(fields: dict) -> tuple:
    """What makes two actions the same one: site, title (case and accents aside) and origin."""
    return (fields.get("site_code"), norm(fields.get("title") or ""), fields.get("origin_kind") or "libre",
            fields.get("origin_key") or None)


def twins_of(stored: dict[int, dict]) -> dict[tuple, int]:
    """Stored actions by `_twin_key` (the lowest id when two already share one)."""
    twins: dict[tuple, int] = {}
    for action_id in sorted(stored, reverse=True):
        twins[_twin_key(stored[action_id])] = action_id
    return twins


def analyse(plan, sheets: list[Sheet], *, db, scope, ref, site: str | None, today: date):
    """Fill `plan` for a plan d'actions file: checks, the batch and what writing it would do."""
    from qualepref import actions_store

    with db.cursor() as cur:
        stored_frame = actions_store.stored_in_scope(cur, scope)
        stored = {int(r["action_id"]): actions.clean({k: (None if not isinstance(v, str) and pd.isna(v) else v)
                                                      for k, v in r.items()})
                  for r in stored_frame.to_dict("records")}
    ids_in_file = set()
    found = []
    for sheet in sheets:
        if sheet.n_rows == 0 or sheet.hidden:
            continue
        detected = detect(sheet)
        if detected is None:
            plan.warnings.append(Issue(None if sheet.is_csv else sheet.name, None, None, None,
                                       "Feuille ignorée : ce n'est pas un plan d'actions (colonnes « Intitulé » et "
                                       "« Statut » attendues)."))
            continue
        found.append((sheet, *detected))
        for i in range(detected[0] + 1, sheet.n_rows):
            value = _int(sheet.cell(i, detected[1]["action_id"])) if "action_id" in detected[1] else None
            if value is not None:
                ids_in_file.add(value)
    with db.cursor() as cur:
        existing = actions_store.existing_ids(cur, ids_in_file)
    ctx = Context(site_match=ref.sites.match, scope_codes=frozenset(scope.site_codes), default_site=site,
                  modules=set(ref.modules), engagements=set(ref.engagements), stored=stored,
                  existing_ids=existing, today=today, twins=twins_of(stored))
    records = []
    plan.kind = KIND
    for sheet, header, roles in found:
        recs, errors, warnings, n_read = check_rows(sheet, header, roles, ctx)
        plan.errors.extend(errors)
        plan.warnings.extend(warnings)
        plan.rows_read += n_read
        plan.layouts.append((None if sheet.is_csv else sheet.name, "plan d'actions"))
        records += recs
    if not found and not plan.errors:
        plan.errors.append(Issue(None, None, None, None,
                                 "Aucun plan d'actions reconnu : vérifiez les en-têtes (« N° », « Site », "
                                 "« Intitulé », « Statut », « Échéance »…) ou partez du fichier « Télécharger le "
                                 "plan » de la page Plan d'actions."))
    if not records and found and not plan.errors:
        plan.errors.append(Issue(None, None, None, None, "Le fichier ne contient aucune action."))
    batch = pd.DataFrame(records, columns=["action_id", "_given", "_row", *actions.FIELDS]) if records else \
        pd.DataFrame(columns=["action_id", "_given", "_row", *actions.FIELDS])
    batch = batch.drop(columns=["_row"])
    sites = {s for s in batch.site_code.dropna()} | {stored[int(i)]["site_code"] for i in batch.action_id.dropna()}
    plan.site_codes = sorted(sites)
    days = [d for column in ("decided_on", "due_on") for d in batch[column].dropna()]
    plan.period_min = min(days).strftime("%Y-%m-%d") if days else None
    plan.period_max = max(days).strftime("%Y-%m-%d") if days else None
    plan.batches = {BATCH: batch} if records else {}
    if plan.errors:
        return plan
    with db.cursor() as cur:
        plan.counts[BATCH] = actions_store.preview_batch(cur, batch, scope=scope)
    if plan.changes_nothing:
        from qualepref import sql

        plan.already_imported = not sql.run(db, "ingest_uploads_by_sha", scope=scope, sha256=plan.sha256).empty
    return plan


# -- the download ------------------------------------------------------------------------------------
def export_frame(stored_actions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The plan as *Télécharger le plan* writes it: one row per action, its id in the first column, French
    headers, statuses and origins in words, dates typed; the same file imports back (kind `actions`)."""
    frame = pd.DataFrame({
        "action_id": stored_actions.action_id.astype(int),
        "site_code": stored_actions.site_code,
        "title": stored_actions.title,
        "status": stored_actions.status.map(ACTION_STATUSES.label),
        "owner": stored_actions.owner,
        "working_group": stored_actions.working_group,
        "decided_on": pd.to_datetime(stored_actions.decided_on),
        "due_on": pd.to_datetime(stored_actions.due_on),
        "done_on": pd.to_datetime(stored_actions.done_on),
        "module": stored_actions.module.astype("Int64"),
        "engagement": stored_actions.engagement.astype("Int64"),
        "origin_kind": stored_actions.origin_kind.map(ACTION_ORIGINS.short),
        "origin_key": stored_actions.origin_key,
        "origin_label": stored_actions.origin_label,
        "description": stored_actions.description,
        "comment": stored_actions.comment,
    })
    return frame, {role: HEADERS[role][0] for role in frame.columns}


def to_xlsx(stored_actions: pd.DataFrame) -> bytes:
    from qualepref.export import tables

    frame, headers = export_frame(stored_actions)
    return tables.to_xlsx_bytes(frame, headers, sheet="Plan d'actions")


def _shown(field: str, value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if field == "status":
        return ACTION_STATUSES.label(value)
    if field == "origin_kind":
        return ACTION_ORIGINS.short(value)
    if field in actions.DATE_FIELDS:
        from qualepref import fmt

        return fmt.day(value)
    return str(value)


def changes_table(batch: pd.DataFrame, stored_actions: pd.DataFrame) -> pd.DataFrame:
    """What confirming the import changes, action by action, as the référent checks it: « nouvelle action », or
    each changed cell « Statut : En cours → Réalisée » (rows that change nothing are left out)."""
    from qualepref import actions_store

    stored = {int(r["action_id"]): actions.clean({k: (None if not isinstance(v, str) and pd.isna(v) else v)
                                                  for k, v in r.items()})
              for r in stored_actions.to_dict("records")}
    rows = []
    for row in batch.to_dict("records"):
        given = actions_store.given_fields(row)
        action_id = row.get("action_id")
        if action_id is None or pd.isna(action_id):
            rows.append(("nouvelle", given.get("site_code"), given.get("title"), "nouvelle action"))
            continue
        current = stored.get(int(action_id))
        if current is None:
            continue
        diff = actions_store.changed_fields(current, {k: v for k, v in given.items() if k != "site_code"})
        if diff:
            rows.append((str(int(action_id)), current["site_code"], current.get("title"), " ; ".join(
                f"{HEADERS[k][0]} : {_shown(k, current.get(k))} → {_shown(k, v)}" for k, v in diff.items())))
    return pd.DataFrame(rows, columns=["N°", "Site", "Intitulé", "Changement"])
