"""How big an upload may be once opened, and the French refusals when it is bigger.

The bounds are checked by the parsing worker before anything is built from a
file (see `archive`, `rawsheets`); a refusal travels from the worker as a code
and its figures, and gets its French text here, in the server (`fmt` formats
the numbers; the worker never imports pandas or Babel).

Why these figures: the national long file (38,201 rows: 101 préfectures × 36
months × every indicator) is a 0.75 MB workbook that opens to 8.3 MB of XML and
153,000 cells. A tableau de bord, a survey export or an assessment grid is far
smaller. `MAX_UNCOMPRESSED_BYTES` (100 Mo) is twelve national files; at ~50
bytes of sheet XML per cell it holds the `MAX_CELLS` (2 million) cells, so
the two caps describe one size of workbook, and parsing it stays within the
worker's memory budget.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on one uploaded file (tests tighten them; the defaults are the product's)."""

    max_uncompressed_bytes: int = 100 * MB   # whole workbook, decompressed (real bytes, not declared)
    max_entries: int = 2_000                 # files inside the xlsx archive
    max_central_directory_bytes: int = 1 * MB  # its table of contents (~120 bytes per file)
    max_sheets: int = 200
    max_columns: int = 1_000                 # per sheet or CSV
    max_cells: int = 2_000_000               # whole file: the sum over its sheets of rows × columns
    max_csv_field_bytes: int = 128 * 1024    # one CSV field (the csv module's own default limit)

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_LIMITS = Limits()
# Files dropped together on the Import page (each is analysed, and its plan kept in the session).
MAX_FILES_PER_UPLOAD = 20


def _n(value) -> str:
    from qualepref import fmt

    return fmt.number(value, 0)


def _mb(value) -> str:
    from qualepref import fmt

    return fmt.file_size(value)


SAVE_AGAIN = "ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau au format .xlsx"
IF_IT_OPENS = "S'il s'ouvre dans Excel ou LibreOffice, enregistrez-le à nouveau au format .xlsx puis déposez-le."
_MESSAGES = {
    "empty": lambda: (
        "Le fichier est vide : vérifiez que vous déposez le bon fichier, enregistré après sa saisie."),
    "too_large": lambda size, limit: (
        f"Le fichier fait {_mb(size)}, au-delà du maximum autorisé ({_mb(limit)}) : gardez seulement les "
        "feuilles et les lignes à importer (sans images), ou découpez-le en plusieurs fichiers."),
    "xls_encrypted": lambda: (
        "Le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe "
        "(Fichier › Informations › Protéger le classeur) puis déposez-le à nouveau."),
    "xls": lambda: (
        "Ancien format Excel (.xls) non accepté : ouvrez le fichier dans Excel ou LibreOffice "
        "et enregistrez-le au format .xlsx."),
    "ods": lambda: "Format OpenDocument (.ods) non accepté : enregistrez le classeur au format .xlsx.",
    "not_xlsx": lambda: (
        f"Le fichier n'est pas un classeur Excel valide (.xlsx) : il est peut-être endommagé. {IF_IT_OPENS}"),
    "not_text": lambda: (
        "Le fichier n'est ni un classeur .xlsx ni un fichier .csv lisible : enregistrez-le depuis Excel ou "
        "LibreOffice au format .xlsx (ou .csv, séparateur ;) puis déposez-le à nouveau."),
    "uncompressed": lambda limit: (
        f"Le classeur est anormalement volumineux une fois décompressé (plus de {_mb(limit)}) : "
        "il a été refusé par sécurité. Copiez les feuilles de données, sans images ni objets, dans un "
        "nouveau classeur .xlsx et déposez celui-ci."),
    "longer_than_declared": lambda part: (
        f"Le classeur a été refusé par sécurité : sa partie « {part} » contient plus de données que "
        f"la taille annoncée par l'archive (fichier falsifié ou endommagé). {IF_IT_OPENS}"),
    "damaged_part": lambda part: (
        f"Le classeur est endommagé : sa partie « {part} » est illisible. {IF_IT_OPENS}"),
    "too_many_entries": lambda count, limit: (
        f"Le classeur contient {_n(count)} fichiers internes, au-delà du maximum de {_n(limit)} : "
        "il a été refusé par sécurité. Copiez les feuilles de données, sans images ni objets, dans un "
        "nouveau classeur .xlsx et déposez celui-ci."),
    "too_many_sheets": lambda count, limit: (
        f"Le classeur compte {_n(count)} feuilles, au-delà du maximum de {_n(limit)} : déposez les "
        "feuilles de données dans des classeurs séparés."),
    "encrypted_entry": lambda part: (
        f"Le classeur est chiffré (partie « {part} ») : enregistrez-le sans mot de passe "
        "(Fichier › Informations › Protéger le classeur) puis déposez-le à nouveau."),
    "compression": lambda part, method: (
        f"Le classeur utilise une méthode de compression non prise en charge (méthode {method}, "
        f"partie « {part} ») : {SAVE_AGAIN}."),
    "too_many_columns": lambda limit, count=None, sheet=None: (
        (f"La feuille « {sheet} »" if sheet else "Le fichier")
        + (f" compte {_n(count)} colonnes, au-delà du" if count else " dépasse le") + f" maximum de {_n(limit)} "
        "colonnes : gardez seulement les colonnes du tableau à importer."),
    "too_many_cells": lambda limit, sheet=None: (
        (f"Avec la feuille « {sheet} », le classeur" if sheet else "Le fichier") + " dépasse le maximum de "
        f"{_n(limit)} cellules par fichier : découpez-le en plusieurs fichiers."),
    "csv_field": lambda line, limit: (
        f"Ligne {_n(line)} : un champ dépasse {_n(limit // 1024)} Kio. Un guillemet ouvert et jamais "
        "fermé réunit souvent des lignes entières en un seul champ : vérifiez les guillemets du fichier."),
    "csv_unreadable": lambda line: (
        f"Ligne {_n(line)} : le fichier CSV est illisible à partir de cette ligne (caractère nul ou "
        "guillemet mal placé) : enregistrez-le à nouveau depuis Excel ou LibreOffice, au format .xlsx ou "
        ".csv (séparateur ;)."),
    "sheet_unreadable": lambda sheet: (
        f"La feuille « {sheet} » n'a pas pu être lue : le classeur est peut-être endommagé. {IF_IT_OPENS}"),
    "workbook_unreadable": lambda: (
        f"Le classeur Excel n'a pas pu être lu : il est peut-être endommagé. {IF_IT_OPENS}"),
    "worker_died": lambda: (
        "Le fichier a été refusé par sécurité : sa lecture a échoué (mémoire dépassée ou fichier endommagé). "
        f"{IF_IT_OPENS}"),
    "timeout": lambda seconds: (
        f"Le fichier a été refusé : sa lecture a dépassé {_n(seconds)} secondes. "
        "Découpez-le en fichiers plus petits."),
    "too_many_files": lambda count, limit: (
        f"{_n(count)} fichiers déposés ensemble : au plus {_n(limit)} à la fois. Retirez-en "
        f"{_n(count - limit)} puis continuez."),
}


class RefusedFile(ValueError):
    """The file cannot be read at all: a refusal code, its figures, and the French text for the user.

    `sheet` and `row` say where, when one sheet or line is the cause.
    """

    def __init__(self, code: str, *, sheet: str | None = None, row: int | None = None, **params):
        if code not in _MESSAGES:
            raise KeyError(code)
        self.code, self.sheet, self.row, self.params = code, sheet, row, params
        super().__init__(code)

    @property
    def message(self) -> str:
        params = dict(self.params)
        if self.sheet is not None and "sheet" in _MESSAGES[self.code].__code__.co_varnames:
            params["sheet"] = self.sheet
        return _MESSAGES[self.code](**params)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        """What crosses the pipe from the worker (plain JSON)."""
        return {"code": self.code, "sheet": self.sheet, "row": self.row, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict) -> RefusedFile:
        return cls(str(data["code"]), sheet=data.get("sheet"), row=data.get("row"), **dict(data.get("params") or {}))


def refusal(code: str, **params) -> str:
    """The French text of a refusal (the Import page refuses too many files with it)."""
    return RefusedFile(code, **params).message
