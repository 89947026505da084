"""Référentiel corrections from the source documents, for databases seeded before them.

- Engagement 7.22 had lost the words an auditor checks ("nous assurons l'information
  factuelle … à l'aide des moyens permanents d'information"). Its label is replaced only
  if it is still the old seed text: an administrator's edit is never overwritten.
- `indicators.target_indicative`: a target that `indicateurs.csv` marks illustrative
  (its source says "illustrative") is shown as a *cible indicative* and never printed as
  an *Objectif* on the public poster until an administrator confirms it (Édition du
  référentiel, audited). A target an administrator sets is not indicative.
"""

from qualepref import sql

OLD_ENGAGEMENT_22 = ("En moins d'une heure après l'activation du Centre Opérationnel Départemental, nous informons "
                     "les élus locaux, le grand public et les médias sur l'évènement majeur")
# The source's wording (its "en mois d'une heure" is a typing slip for "en moins d'une heure").
ENGAGEMENT_22 = ("En moins d'une heure après l'activation du Centre Opérationnel Départemental, nous assurons "
                 "l'information factuelle, en moins d'une heure, des élus locaux, du grand public et des médias "
                 "sur l'évènement majeur, à l'aide des moyens permanents d'information")


def apply(cursor) -> None:
    sql.execute(cursor, "referentiel_restore_engagement_label", module=7, engagement=22, old_label=OLD_ENGAGEMENT_22,
                new_label=ENGAGEMENT_22)
    cursor.execute("alter table indicators add column target_indicative boolean not null default false")
    sql.execute(cursor, "referentiel_mark_indicative_targets")
