"""Undo a confirmed import from *Historique des imports*: the values it replaced come back (audited).

Every import keeps, per cell it wrote or deleted, the row it found there (`store.write`, tables
`*_changes`). Undoing import X, cell by cell:

- a cell no later import changed takes back the row X found (or becomes empty again if X had
  created it);
- a cell a later import Y changed since keeps Y's value: undoing X must not erase later work. Y's
  journal then records the row X had found, as if X had never happened, so that undoing Y as
  well brings back what was there before both.

The preview says how many cells of each kind there are, and which later imports keep theirs. A
référent undoes only imports whose every prefecture is in their scope; read-only profiles and
the discovery mode never write. Imports made before undo existed, demonstration loads and an
import already undone cannot be undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualepref import sql
from qualepref.access import DISCOVERY_READ_ONLY, Principal, SiteScope
from qualepref.auth import record_audit, utcnow

KINDS = ("indicator_values", "survey_results", "compliance")


class UndoError(RuntimeError):
    """An undo refused; the message is for the user (French)."""


@dataclass(frozen=True)
class UndoPlan:
    upload_id: int
    file_name: str
    restored: int  # cells that take back their former row (or become empty again)
    kept: int  # cells a later import changed since: they keep its value
    later_uploads: tuple[int, ...]

    @property
    def sentence(self) -> str:
        text = (f"{self.restored} valeur(s) reprendront leur état d'avant l'import n° {self.upload_id} "
                f"(« {self.file_name} »)")
        if self.kept:
            later = ", ".join(f"n° {u}" for u in self.later_uploads)
            text += (f" ; {self.kept} valeur(s) modifiée(s) depuis par un import ultérieur ({later}) gardent leur "
                     "valeur actuelle")
        return text + "."


# Imports whose rows are not figures: they keep their own history and are not undone here.
NOT_UNDONE = {"actions": "Un import du plan d'actions ne s'annule pas ici : chaque action garde l'historique de ses "
                         "changements (page Plan d'actions) ; réimportez le plan d'avant pour revenir en arrière."}


def _upload(source, scope: SiteScope, upload_id: int):
    found = sql.run(source, "undo_upload", scope=scope, upload_id=int(upload_id))
    if found.empty:
        raise UndoError(f"Import n° {upload_id} introuvable ou hors de votre périmètre : un import ne peut être "
                        "annulé que par qui peut écrire dans toutes ses préfectures.")
    row = found.iloc[0]
    if row["kind"] in NOT_UNDONE:
        raise UndoError(NOT_UNDONE[row["kind"]])
    if bool(row["is_demo"]):
        raise UndoError("Un chargement de données de démonstration ne s'annule pas : supprimez la démonstration.")
    if row["undone_at"] is not None and str(row["undone_at"]) not in ("NaT", "None"):
        raise UndoError(f"L'import n° {upload_id} a déjà été annulé.")
    if not bool(row["journaled"]):
        raise UndoError(f"L'import n° {upload_id} date d'avant la conservation des valeurs remplacées : il ne peut "
                        "pas être annulé. Importez à nouveau le fichier précédent pour revenir en arrière.")
    return row


def _plan(source, scope: SiteScope, upload_id: int) -> UndoPlan:
    row = _upload(source, scope, upload_id)
    restored = kept = 0
    later: set[int] = set()
    for kind in KINDS:
        cells = sql.run(source, f"undo_cells_{kind}", scope=scope, upload_id=int(upload_id))
        after = cells["next_upload_id"].dropna()
        kept += len(after)
        restored += len(cells) - len(after)
        later |= {int(u) for u in after}
    return UndoPlan(int(upload_id), str(row["file_name"]), restored, kept, tuple(sorted(later)))


def plan(db, scope: SiteScope, upload_id: int) -> UndoPlan:
    """What undoing the import would do (nothing is written); `UndoError` if it cannot be undone."""
    if not scope.can_write:
        raise UndoError("Votre profil permet de consulter les données mais pas d'annuler un import.")
    return _plan(db, scope, upload_id)


def undo(db, scope: SiteScope, upload_id: int, *, actor: Principal | str) -> UndoPlan:
    """Undo the import in one transaction, with its line in the change log."""
    if isinstance(actor, Principal):
        if actor.demo:  # the discovery mode is read-only
            raise UndoError(DISCOVERY_READ_ONLY)
        actor = actor.user  # a référent undoes its imports: not an administrator's change
    if not scope.can_write:
        raise UndoError("Votre profil permet de consulter les données mais pas d'annuler un import.")
    with db.transaction() as cur:
        done = _plan(cur, scope, upload_id)
        for kind in KINDS:
            for step in ("delete", "restore", "relink", "forget"):
                sql.execute(cur, f"undo_{step}_{kind}", scope=scope, upload_id=int(upload_id))
        now = utcnow()
        sql.execute(cur, "undo_mark_upload", scope=scope, upload_id=int(upload_id), undone_at=now, undone_by=actor)
        record_audit(cur, actor=actor, action="annulation", entity="import", key=str(upload_id),
                     before={"fichier": done.file_name},
                     after={"valeurs_rétablies": done.restored, "valeurs_gardées": done.kept,
                            "imports_ultérieurs": list(done.later_uploads)}, now=now)
    return done
