"""Import: upload tableaux de bord, survey results and compliance assessments; preview, confirm, summary.

Each file is analysed once (the plan is kept in the session, keyed by the
file's SHA-256, the options and the data version), so confirming writes
exactly what was previewed without parsing the file again.
"""

import hashlib
import logging
import math
import re

import pandas as pd
import streamlit as st

from qualepref import access, config, fmt, ingest, template, ui, vocab
from qualepref.export import tables
from qualepref.ingest import actions_kind, preview

log = logging.getLogger(__name__)

KIND_LABELS = vocab.UPLOAD_KINDS.labels()
KINDS = {"auto": "Automatique", **{k: v for k, v in KIND_LABELS.items() if k != "mixte"}}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUE_COLUMNS = ["Feuille", "Ligne", "Colonne", "Valeur", "Message"]
NO_SITE = "__aucun__"
ISSUE_CONFIG = {"Ligne": st.column_config.NumberColumn(width="small", format="%d"),
                "Colonne": st.column_config.TextColumn(width="small"),
                "Message": st.column_config.TextColumn(width="large")}


def issues_frame(issues) -> pd.DataFrame:
    """Errors or warnings as the table shown and downloaded (feuille, ligne, colonne, valeur, message)."""
    frame = pd.DataFrame([(i.sheet, i.row, i.column, i.value, i.message) for i in issues], columns=ISSUE_COLUMNS)
    frame["Ligne"] = frame["Ligne"].astype("Int64")
    # In the order the user will fix them: file-level issues first, then sheet by sheet, top to bottom.
    frame = frame.sort_values(["Feuille", "Ligne"], kind="stable", na_position="first").reset_index(drop=True)
    return frame.fillna({"Feuille": "–", "Colonne": "–"})


def periods_text(plan) -> str:
    if not plan.period_min:
        return "–"
    low, high = fmt_period(plan.period_min), fmt_period(plan.period_max)
    return low if low == high else f"{low} – {high}"


def fmt_period(value) -> str:
    """As the plan states them: `2025` (a survey campaign), `2025-01` (a month), `2025-03-15` (an assessment)."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return fmt.day(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return fmt.month(f"{text}-01")
    return text


def sites_text(codes, names: dict[str, str]) -> str:
    codes = sorted(codes)
    if len(codes) > 6:
        return f"{len(codes)} sites"
    return ", ".join(f"{c} – {names[c]}" if c in names else c for c in codes) or "–"


def analyse(content: bytes, file_name: str, sha: str, options: dict, *, scope):
    """The plan of a file for these options and its detailed summary, computed once per data version.

    The summary is kept with the plan: it takes seconds on a national file and
    every widget interaction reruns the page.
    """
    plans = st.session_state.setdefault("import_plans", {})
    key = (sha, *sorted(options.items()))
    version = ui.data_version()
    cached = plans.get(key)
    if cached and cached[0] == version:
        if isinstance(cached[1], ingest.IngestError):
            raise cached[1]
        return cached[1], cached[2]
    bar = st.progress(0.0, text=f"Analyse de {ui.plain(file_name)}…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 0.9), text=ui.plain(message))  # may quote a sheet name

    try:
        plan = ingest.analyse(content, file_name, db=ui.get_db(), scope=scope, progress=progress, **options)
        bar.progress(0.95, text="Préparation de l'aperçu détaillé…")
        summary = plan.summary_frame() if plan.batches else None
    except ingest.IngestError as exc:  # remembered too, not recomputed at each rerun
        plans[key] = (version, exc, None)
        raise
    finally:
        bar.empty()
    plans[key] = (version, plan, summary)
    return plan, summary


def show_issues(issues, *, file_stem: str, key: str) -> None:
    frame = issues_frame(issues)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=ISSUE_CONFIG, placeholder="–")
    left, right = st.columns(2)
    left.download_button("Télécharger les erreurs (Excel)", tables.to_xlsx_bytes(frame, sheet="Erreurs"),
                         file_name=f"{file_stem}-erreurs.xlsx", mime=XLSX_MIME, key=f"{key}-xlsx")
    right.download_button("Télécharger les erreurs (CSV)", tables.to_csv_bytes(frame),
                          file_name=f"{file_stem}-erreurs.csv", mime="text/csv", key=f"{key}-csv")


def show_summary(summary: dict) -> None:
    """What a confirmed import wrote, with links to see it."""
    written, replaced, deleted = summary["rows_written"], summary["rows_replaced"], summary["rows_deleted"]
    if written == 0 and deleted == 0:
        st.info(f"« {ui.plain(summary['file_name'])} » : aucune modification, les données étaient déjà enregistrées.")
    else:
        st.success(
            f"Import n° {summary['upload_id']} enregistré : {fmt.number(written, 0)} ligne(s) écrite(s), "
            f"dont {fmt.number(replaced, 0)} remplacée(s) ; {fmt.number(deleted, 0)} valeur(s) supprimée(s).",
            icon=":material/task_alt:",
        )
    links = st.columns(2)
    with links[0]:
        st.page_link("pages/historique.py", label="Historique des imports", icon=":material/history:")
    with links[1]:
        sites = summary["site_codes"]
        st.page_link("pages/tendances.py", label="Voir les tendances", icon=":material/show_chart:",
                     query_params={"pref": sites[0]} if len(sites) == 1 else None)


def whole_file_text(plan) -> str:
    """Why a file cannot be imported at all, and what to do: no cell to correct, so no table of cells."""
    head = ("**Fichier refusé** : il n'a pas pu être lu et rien n'a été enregistré." if plan.refused
            else "**Ce fichier ne peut pas être importé** : rien n'a été enregistré.")
    reasons = [ui.plain((f"Feuille « {i.sheet} » : " if i.sheet and i.sheet not in i.message else "")
                        + (i.message if i.value is None else f"{i.message} Valeur : « {i.value} »."))
               for i in plan.errors]
    if len(reasons) == 1:
        return f"{head}\n\n{reasons[0]}"
    return head + "\n\n" + "\n".join(f"- {reason}" for reason in reasons)


def show_plan(plan, summary, *, names: dict[str, str], file_key: str, scope, uploaded_by: str) -> None:
    if plan.whole_file_errors:
        st.error(whole_file_text(plan), icon=":material/block:")
    elif plan.errors:
        st.error(
            f"**{fmt.number(len(plan.errors), 0)} erreur(s)** : ce fichier ne peut pas être importé et rien n'a "
            "été enregistré. Corrigez les cellules indiquées ci-dessous (toutes les erreurs sont listées) puis "
            "déposez à nouveau le fichier.",
            icon=":material/error:",
        )
        show_issues(plan.errors, file_stem=plan.file_name.rsplit(".", 1)[0], key=f"{file_key}-errors")
    counts = plan.total if plan.counts else None
    if plan.batches:
        st.markdown(
            f"**Contenu reconnu** : {KIND_LABELS.get(plan.kind, plan.kind or '–')} · "
            f"préfecture(s) : {sites_text(plan.site_codes, names)} · période(s) : {periods_text(plan)} · "
            f"{fmt.number(plan.rows_read, 0)} ligne(s) lue(s)."
        )
        if plan.layouts:
            st.caption("Mise en forme reconnue : " + " ; ".join(
                f"{ui.plain(sheet)} : {label}" if sheet else label for sheet, label in plan.layouts))
    if counts is not None and not plan.errors:
        cols = st.columns(4)
        cols[0].metric("Nouvelles", fmt.number(counts.new, 0), help="Valeurs absentes de la base, qui seront ajoutées.")
        cols[1].metric("Remplacées", fmt.number(counts.replaced, 0),
                       help="Valeurs déjà enregistrées pour la même préfecture, le même élément et la même période, "
                            "qui seront remplacées.")
        cols[2].metric("Supprimées", fmt.number(counts.deleted, 0),
                       help="Valeurs enregistrées que le fichier marque manquantes (NC, -…) : elles seront supprimées.")
        cols[3].metric("Inchangées", fmt.number(counts.unchanged, 0), help="Déjà enregistrées à l'identique.")
    for notice in plan.attention:  # replacements to confirm knowingly (another campaign, demonstration)
        st.warning(ui.plain(notice.message), icon=":material/warning:")
    if plan.classified and not plan.errors:
        show_values(plan, file_key=file_key)
    if plan.kind == actions_kind.KIND and plan.batches and not plan.errors:
        changes = actions_kind.changes_table(plan.batches[actions_kind.BATCH], ui.query("actions", scope=scope))
        with st.expander(f"Ce que l'import changera, action par action ({fmt.number(len(changes), 0)})",
                         expanded=True):
            st.dataframe(changes, hide_index=True, width="stretch", key=f"{file_key}-actions",
                         column_config={"Changement": st.column_config.TextColumn(width="large")}, placeholder="–")
    if summary is not None and len(summary):
        with st.expander("Comptes par indicateur, question, préfecture et période"):
            st.dataframe(summary, hide_index=True, width="stretch", placeholder="–")
    if plan.warnings:
        with st.expander(f"{fmt.number(len(plan.warnings), 0)} avertissement(s) (n'empêchent pas l'import)"):
            st.dataframe(issues_frame(plan.warnings), hide_index=True, width="stretch", column_config=ISSUE_CONFIG,
                         placeholder="–")
    if plan.errors:
        st.button("Confirmer l'import", key=f"{file_key}-confirm", type="primary", disabled=True,
                  help="Déposez d'abord un fichier corrigé." if plan.whole_file_errors
                  else "Corrigez d'abord les erreurs.")
        return
    if plan.already_imported or plan.changes_nothing:
        reason = ("Ce fichier a déjà été importé à l'identique" if plan.already_imported
                  else "Ces données sont déjà enregistrées à l'identique")
        st.info(f"{reason} : aucune modification ne serait faite, il n'y a rien à confirmer.",
                icon=":material/check_circle:")
        return
    if not scope.can_write:  # discovery mode: the preview is complete, nothing is ever written
        st.info(access.DISCOVERY_READ_ONLY, icon=":material/visibility:")
        st.button("Confirmer l'import", key=f"{file_key}-confirm", type="primary", disabled=True,
                  help=access.DISCOVERY_READ_ONLY)
        return
    if st.button("Confirmer l'import", key=f"{file_key}-confirm", type="primary"):
        confirm(plan, file_key=file_key, scope=scope, uploaded_by=uploaded_by)


def show_values(plan, *, file_key: str) -> None:
    """What the file holds, as the référent checks it: per indicator the label she typed and the one
    matched, the value read per period (« ancienne → nouvelle » where it replaces one); per survey
    question its rate and answers; per assessment its result."""
    indicators = ui.query("referentiel_indicators")
    questions = ui.query("referentiel_questions")
    tables_ = {
        "indicator_values": preview.indicator_table(
            plan.classified.get("indicator_values", pd.DataFrame()), plan.labels_read.get("indicator_values", {}),
            dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))),
        "survey_results": preview.survey_table(
            plan.classified.get("survey_results", pd.DataFrame()), plan.labels_read.get("survey_results", {}),
            dict(zip(questions.question_code, questions.question_label, strict=True))),
        "compliance": preview.compliance_table(
            plan.classified.get("compliance", pd.DataFrame()), vocab.COMPLIANCE_RESULTS.labels(),
            vocab.ASSESSMENT_TYPES.labels()),
    }
    titles = {"indicator_values": "Valeurs lues, par indicateur et période",
              "survey_results": "Résultats d'enquête lus, par question",
              "compliance": "Évaluations de conformité lues"}
    for kind, table in tables_.items():
        if table.empty:
            continue
        with st.expander(titles[kind], expanded=True):
            st.caption("« ancienne → nouvelle » : valeur enregistrée que l'import remplacera ; « → supprimée » : "
                       "valeur que le fichier marque manquante (NC, -). Vérifiez que chaque libellé a été reconnu "
                       "comme l'indicateur ou la question que vous vouliez.")
            if table["Préfecture"].nunique() == 1:  # one prefecture: said above the card already
                table = table.drop(columns="Préfecture")
            # The labels stay in view while the periods scroll beside them (a 1280 px projector).
            pinned = {name: st.column_config.TextColumn(width="medium", pinned=True)
                      for name in ("Libellé lu dans le fichier", "Indicateur reconnu", "Question reconnue")
                      if name in table.columns}
            st.dataframe(table, hide_index=True, width="stretch", key=f"{file_key}-{kind}-values",
                         column_config=pinned, placeholder="–")


def confirm(plan, *, file_key: str, scope, uploaded_by: str) -> None:
    """Write the previewed plan in one transaction, then remember the summary for this upload."""
    if write(plan, file_key=file_key, scope=scope, uploaded_by=uploaded_by):
        st.rerun()


def write(plan, *, file_key: str, scope, uploaded_by: str) -> bool:
    """Commit one plan (its own transaction) and keep its summary; False (said on the page) if it failed."""
    with st.status(f"Import de « {ui.plain(plan.file_name)} » en cours…", expanded=True) as status:
        st.write("Écriture dans la base de données (une seule transaction : tout ou rien)…")
        try:
            result = ingest.commit(plan, db=ui.get_db(), scope=scope, uploaded_by=uploaded_by)
        except Exception as exc:  # the transaction rolled back: say so instead of a traceback
            log.exception("échec de l'import de %s", plan.file_name)
            status.update(label="Import refusé", state="error")
            st.error(f"L'import a échoué et rien n'a été enregistré : {ui.plain(exc)}")
            return False
        status.update(label="Import terminé", state="complete", expanded=False)
    st.session_state.setdefault("import_results", {})[file_key] = {
        "file_name": plan.file_name,
        "upload_id": result.upload_id,
        "rows_written": result.rows_written,
        "rows_replaced": result.rows_replaced,
        "rows_deleted": result.rows_deleted,
        "site_codes": sorted(plan.site_codes),
    }
    return True


def latest_versions(uploads) -> tuple[list, list]:
    """The files to show (of two files with the same name, the one dropped last: a corrected file
    replaces the one it corrects, and its errors with it) and the names of the replaced ones."""
    latest = {}
    for uploaded in uploads:
        latest[uploaded.name] = uploaded
    shown = [u for u in uploads if latest[u.name] is u]
    return shown, [u.name for u in uploads if latest[u.name] is not u]


ui.page_header(
    "Import",
    "Déposez vos tableaux de bord, résultats d'enquête ou évaluations de conformité tels que vous les tenez "
    "(Excel ou CSV). Rien n'est enregistré avant votre confirmation, après un aperçu du contenu reconnu.",
)
principal = ui.current_principal()
scope = ui.current_scope()
if not scope.previews_writes:
    st.info(
        "Votre profil permet de consulter les données mais pas d'en importer. Les imports sont faits par "
        "le référent qualité de la préfecture ou par un administrateur.",
        icon=":material/lock:",
    )
    ui.footer()
    st.stop()

ingest.warm()  # the parsing worker's imports done before the first upload, not during it
sites = ui.query("sites", scope=scope)
names = dict(zip(sites.site_code, sites.site_name, strict=True))
own_site = next(iter(scope.site_codes)) if not scope.national and len(scope.site_codes) == 1 else None
max_bytes = config.max_upload_bytes()
max_mb = max_bytes / (1024 * 1024)

with st.expander("Modèle de fichier à remplir", icon=":material/download:"):
    st.markdown(
        "Le modèle Excel contient une feuille par type de données (indicateurs, enquête, conformité) avec des "
        "listes déroulantes tirées du référentiel, et une feuille d'instructions. Vos propres tableaux de bord "
        "sont aussi acceptés tels quels."
    )
    st.download_button(
        "Télécharger le modèle (Excel)",
        template.build(ui.query("referentiel_indicators", scope=scope), ui.query("referentiel_questions", scope=scope),
                       sites, site_code=own_site, max_upload_mb=max_mb),
        file_name="modele-import-qualepref.xlsx", mime=XLSX_MIME, icon=":material/table_view:",
    )
    st.markdown("Le modèle de la **labellisation** : périmètre (modules retenus), étapes du label et constats d'audit.")
    st.download_button(
        "Télécharger le modèle de la labellisation (Excel)",
        lambda: template.build_labelling(f"{own_site} – {names.get(own_site, '')}" if own_site else None),
        file_name="modele-import-labellisation.xlsx", mime=XLSX_MIME, icon=":material/verified:",
        key="import_template_labelling")
    st.markdown("Le **plan d'actions** : téléchargez-le depuis la page *Plan d'actions* (« Télécharger le plan »), "
                "modifiez-le dans Excel et déposez-le ici : une ligne avec un numéro met à jour l'action, une ligne "
                "sans numéro en crée une.")
    st.markdown("Le modèle des **cibles** : cibles nationales (administrateur) et cibles propres d'un site, datées, "
                "avec leur source ; importées par un référent, elles attendent l'approbation d'un administrateur.")
    st.download_button(
        "Télécharger le modèle des cibles (Excel)",
        lambda: template.build_targets(ui.query("referentiel_indicators", scope=scope)),
        file_name="modele-import-cibles.xlsx", mime=XLSX_MIME, icon=":material/flag:", key="import_template_targets")
    if scope.national:
        st.markdown("Le modèle des **sites** (administrateur) : préfectures, sous-préfectures et autres services.")
        st.download_button("Télécharger le modèle des sites (Excel)", template.build_sites,
                           file_name="modele-import-sites.xlsx", mime=XLSX_MIME, icon=":material/location_city:",
                           key="import_template_sites")

# Sites are the administrator's (a national, writing scope).
kinds = {k: v for k, v in KINDS.items() if k != "sites" or scope.national}
kind = st.radio("Type de données", list(kinds), format_func=kinds.get, horizontal=True, key="import_kind",
                help="« Automatique » reconnaît le contenu de chaque feuille.")
left, right = st.columns(2)
if own_site:
    default_site = own_site
    left.markdown(f"Préfecture utilisée quand le fichier n'en indique pas : **{own_site} – {names.get(own_site, '')}**")
else:
    chosen = left.selectbox(
        "Site par défaut (facultatif)", [NO_SITE, *names], key="import_site",
        format_func=lambda c: "Aucun : chaque fichier indique sa préfecture" if c == NO_SITE else f"{c} – {names[c]}",
        help="Utilisé pour les fichiers sans colonne « Site » ni préfecture dans le titre.",
    )
    default_site = None if chosen == NO_SITE else chosen
campaign = None
if kind in ("auto", "enquete"):
    campaign = right.text_input(
        "Campagne des enquêtes (facultatif)", key="import_campaign", placeholder="2025, 2025 en ligne…",
        max_chars=40,
        help="L'année, suivie si besoin d'un nom : deux enquêtes de la même année (au guichet, en ligne) "
             "sont deux campagnes. Sinon : la colonne « Campagne » du fichier, ou l'année des réponses.",
    )

uploads = st.file_uploader(
    "Fichiers à importer", type=["xlsx", "csv", "xls"], accept_multiple_files=True, key="import_files",
    # The browser refuses larger files at once; the importer checks the exact limit again.
    max_upload_size=max(1, math.ceil(max_mb)),
)
st.caption(
    f"Formats acceptés : Excel .xlsx (plusieurs feuilles possibles) et CSV (séparateur ; ou ,). "
    f"Taille maximale : {fmt.number(max_mb, 0 if max_mb == int(max_mb) else 1)} Mo par fichier. "
    "Les anciens fichiers .xls et les fichiers protégés par mot de passe sont refusés."
)
if uploads and len(uploads) > ingest.MAX_FILES_PER_UPLOAD:
    st.error(ingest.refusal("too_many_files", count=len(uploads), limit=ingest.MAX_FILES_PER_UPLOAD),
             icon=":material/block:")
    uploads = []

options = {"site": default_site, "kind": kind, "campaign": campaign.strip() if campaign and campaign.strip() else None}
results = st.session_state.setdefault("import_results", {})
shown_shas = set()
uploads, replaced_names = latest_versions(uploads or [])
if replaced_names:
    st.caption(ui.plain("Remplacé par la version déposée ensuite : " + ", ".join(sorted(set(replaced_names))) + "."))
all_button = st.empty()
pending = []  # (plan, file_key) ready to confirm
for uploaded in uploads:
    content = uploaded.getvalue()
    sha = hashlib.sha256(content).hexdigest()
    shown_shas.add(sha)
    file_key = f"import-{uploaded.file_id}"
    with st.container(border=True):
        st.subheader(ui.plain(uploaded.name), anchor=False)
        st.caption(f"{fmt.number(len(content) / 1024, 1)} Ko · SHA-256 {sha[:12]}…")
        if file_key in results:
            show_summary(results[file_key])
            continue
        try:
            plan, summary = analyse(content, uploaded.name, sha, options, scope=scope)
        except ingest.IngestError as exc:
            st.error(f"Fichier refusé : {ui.plain(exc)}", icon=":material/block:")
            continue
        show_plan(plan, summary, names=names, file_key=file_key, scope=scope, uploaded_by=principal.user)
        if plan.ok and not plan.changes_nothing and not plan.already_imported and scope.can_write:
            pending.append((plan, file_key))
if len(pending) >= 2 and all_button.button(f"Tout confirmer ({len(pending)} fichiers)", key="import_all",
                                           type="primary", icon=":material/done_all:",
                                           help="Chaque fichier est écrit dans sa propre transaction, l'un après "
                                                "l'autre ; un fichier refusé ne retient pas les autres."):
    done = [write(plan, file_key=key, scope=scope, uploaded_by=principal.user) for plan, key in pending]
    if all(done):
        st.rerun()
# Plans hold whole batches: forget those of files removed from the uploader.
plans = st.session_state.get("import_plans", {})
for key in [k for k in plans if k[0] not in shown_shas]:
    del plans[key]
ui.footer()
