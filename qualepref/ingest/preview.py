"""What confirming an import would change, as the référent checks it (pure functions).

Inputs are the classified batches (`store.classify`: each staged row with its status and the
stored row it meets) and the history rows of the uploads that wrote those stored rows.
"""

from __future__ import annotations

import pandas as pd

from qualepref import fmt
from qualepref.ingest.issues import Issue

LEVELS = ("n_tres_satisfait", "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait", "n_sans_avis")
# A campaign replaced by one with fewer than this share of its answers is most likely another survey.
FEW_ANSWERS_SHARE = 0.5
MAX_CAMPAIGN_WARNINGS = 20
DATA_WORDS = {"indicator_values": "valeur(s) d'indicateur", "survey_results": "résultat(s) d'enquête",
              "compliance": "évaluation(s) de conformité"}


def answers(frame: pd.DataFrame, prefix: str = "") -> pd.Series:
    """Answers to each question (expressed opinions and « sans avis »)."""
    return sum(frame[prefix + level].fillna(0).astype("int64") for level in LEVELS)


def source_text(source: pd.Series | None) -> str:
    """How a message names the upload that wrote stored rows."""
    if source is None:
        return "un import précédent"
    return (f"l'import n° {int(source['upload_id'])} (« {source['file_name']} », "
            f"{fmt.day(source['uploaded_at'])})")


def campaign_replacements(surveys: pd.DataFrame, sources: pd.DataFrame, file_name: str) -> list[Issue]:
    """A warning per site × campaign whose stored results (imported, not demonstration) would be
    replaced by those of another file, or by far fewer answers: most likely another survey of the
    same year (an online one, another quarter), which needs a campaign name of its own.

    `surveys`: the classified survey batch; `sources`: `upload_sources` rows of the stored rows.
    """
    replaced = surveys[(surveys["status"] == "replaced") & ~surveys["old_is_demo"].fillna(False).astype(bool)]
    if replaced.empty:
        return []
    replaced = replaced.assign(_new=answers(replaced), _old=answers(replaced, "old_"))
    by_id = {int(row["upload_id"]): row for _, row in sources.iterrows()}
    issues = []
    for (site, campaign), rows in replaced.groupby(["site_code", "campaign"], sort=True):
        new_n, old_n = int(rows["_new"].max()), int(rows["_old"].max())
        uploads = sorted({int(u) for u in rows["old_upload_id"].dropna()})
        known = [by_id[u] for u in uploads if u in by_id]
        other_file = not known or any(str(s["file_name"]) != file_name for s in known)
        few = new_n < FEW_ANSWERS_SHARE * old_n
        if not (other_file or few):
            continue
        origin = source_text(known[-1] if known else None)
        message = (
            f"Préfecture {site}, campagne « {campaign} » : les résultats enregistrés par {origin}, jusqu'à "
            f"{fmt.number(old_n, 0)} réponses par question, seraient remplacés par ceux de ce fichier "
            f"({fmt.number(new_n, 0)} réponses)"
            + (", beaucoup moins nombreuses" if few else "") + ". S'il s'agit d'une autre enquête de la même "
            "année (en ligne, d'un autre trimestre…), donnez-lui son propre nom de campagne (« "
            f"{campaign} en ligne ») : elle s'ajoutera à la première au lieu de la remplacer.")
        issues.append(Issue(None, None, None, str(campaign), message))
        if len(issues) >= MAX_CAMPAIGN_WARNINGS:
            break
    return issues


def demo_replacements(classified: dict[str, pd.DataFrame]) -> list[Issue]:
    """One warning when the import would overwrite demonstration (fictitious) figures."""
    parts = []
    for kind, frame in classified.items():
        n = int(((frame["status"].isin(["replaced", "deleted"])) & frame["old_is_demo"].fillna(False)).sum())
        if n:
            parts.append(f"{fmt.number(n, 0)} {DATA_WORDS[kind]}")
    if not parts:
        return []
    return [Issue(None, None, None, None,
                  "Ce fichier remplacerait des données de démonstration (fictives) : " + ", ".join(parts)
                  + ". Les autres chiffres de démonstration resteraient affichés à côté des vôtres : "
                  "supprimez d'abord la démonstration (Administration › Données de démonstration).")]


# -- what the référent reads before confirming ------------------------------------------------------
def _number(value) -> str:
    return fmt.compact(value) if value is not None and value == value else "–"


def _cell(status: str, new, old) -> str:
    """A value as the preview writes it: new, « old → new », « old → supprimée », unchanged."""
    if status == "replaced":
        return f"{_number(old)} → {_number(new)}"
    if status == "deleted":
        return f"{_number(old)} → supprimée"
    if status == "unchanged":
        return f"{_number(new)} (inchangée)"
    if status == "absent":
        return "–"
    return _number(new)


def _typed(labels_read: dict[str, list[str]], code: str) -> str:
    return " ; ".join(labels_read.get(code, [])) or code


def indicator_table(classified: pd.DataFrame, labels_read: dict[str, list[str]],
                    labels: dict[str, str]) -> pd.DataFrame:
    """One row per site × indicator: the label read in the file, the indicator it was matched to,
    then one column per period (in order) with the value read, or « old → new » where it replaces one."""
    if classified.empty:
        return pd.DataFrame()
    frame = classified.assign(
        _cell=[_cell(s, n, o) for s, n, o in zip(classified["status"], classified["value"], classified["old_value"],
                                                  strict=True)],
        _period=[fmt.period(start, kind) for start, kind in zip(classified["period_start"], classified["period_kind"],
                                                                strict=True)],
    )
    order = (frame.sort_values(["period_start", "period_kind"]).drop_duplicates("_period")["_period"].tolist())
    table = frame.pivot_table(index=["site_code", "indicator_code"], columns="_period", values="_cell",
                              aggfunc="first").reindex(columns=order).reset_index()
    table.columns.name = None
    table.insert(1, "Libellé lu dans le fichier", [_typed(labels_read, c) for c in table["indicator_code"]])
    table.insert(2, "Indicateur reconnu", [f"{labels.get(c, c)} ({c})" for c in table["indicator_code"]])
    return table.drop(columns="indicator_code").rename(columns={"site_code": "Préfecture"}).fillna("")


def _rate(frame: pd.DataFrame, prefix: str = "") -> list[str]:
    satisfied = frame[prefix + "n_tres_satisfait"].fillna(0) + frame[prefix + "n_satisfait"].fillna(0)
    unsatisfied = frame[prefix + "n_peu_satisfait"].fillna(0) + frame[prefix + "n_pas_du_tout_satisfait"].fillna(0)
    expressed = satisfied + unsatisfied
    return [fmt.percent(s / e, fraction=True) if e else "–" for s, e in zip(satisfied, expressed, strict=True)]


def survey_table(classified: pd.DataFrame, labels_read: dict[str, list[str]], labels: dict[str, str]) -> pd.DataFrame:
    """One row per site × campaign × question: label read → question matched, satisfaction rate and
    answers (n), and the stored ones it replaces."""
    if classified.empty:
        return pd.DataFrame()
    frame = classified.sort_values(["site_code", "campaign", "question_code"]).reset_index(drop=True)
    replaced = frame["status"] == "replaced"
    before = [f"{rate} (n = {fmt.number(n, 0)})" if was else ""
              for rate, n, was in zip(_rate(frame, "old_"), answers(frame, "old_"), replaced, strict=True)]
    return pd.DataFrame({
        "Préfecture": frame["site_code"],
        "Campagne": frame["campaign"],
        "Libellé lu dans le fichier": [_typed(labels_read, c) for c in frame["question_code"]],
        "Question reconnue": [f"{labels.get(c, c)} ({c})" for c in frame["question_code"]],
        "Taux de satisfaction": _rate(frame),
        "Réponses (n)": answers(frame),
        "Remplace": before,
    })


def compliance_table(classified: pd.DataFrame, results: dict[str, str], types: dict[str, str]) -> pd.DataFrame:
    """One row per assessment: the result read, « old → new » where it replaces one."""
    if classified.empty:
        return pd.DataFrame()
    frame = classified.sort_values(["site_code", "module", "engagement", "assessed_on"]).reset_index(drop=True)
    return pd.DataFrame({
        "Préfecture": frame["site_code"],
        "Module": frame["module"],
        "Engagement": frame["engagement"],
        "Date": [fmt.day(d) for d in frame["assessed_on"]],
        "Type": frame["assessment_type"].map(types).fillna(frame["assessment_type"]),
        "Résultat": [f"{results.get(o, o)} → {results.get(n, n)}" if s == "replaced" else results.get(n, n)
                     for s, n, o in zip(frame["status"], frame["result"], frame["old_result"], strict=True)],
    })
