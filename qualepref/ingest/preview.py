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
