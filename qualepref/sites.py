"""Sites: their kinds, how their names are written in French, and who belongs to whom (pure).

A site is a departmental prefecture (its code is the département's), a
sub-prefecture (the INSEE code of its commune; its parent is its
prefecture), a haut-commissariat, the préfecture de police or another
service. Names follow the INSEE COG: the name as written (`site_name`) and
its *type de nom en clair* (TNCC, 0–8), which gives the article ("la
Haute-Vienne", "le Nord") and the "de" form ("de la Haute-Vienne", "du
Nord", "des Bouches-du-Rhône", "de l'Ain").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PREFECTURE = "prefecture"
SOUS_PREFECTURE = "sous_prefecture"
HAUT_COMMISSARIAT = "haut_commissariat"
PREFECTURE_POLICE = "prefecture_police"
AUTRE = "autre"
KINDS = (PREFECTURE, SOUS_PREFECTURE, HAUT_COMMISSARIAT, PREFECTURE_POLICE, AUTRE)
# Compared with one another in national statistics and rankings (like with like).
COMPARED_KIND = PREFECTURE

# INSEE TNCC → (article before the name, "de" form). Types 0 and 1 have no article.
_ARTICLES = {
    0: ("", "de "),
    1: ("", "d'"),
    2: ("le ", "du "),
    3: ("la ", "de la "),
    4: ("les ", "des "),
    5: ("l'", "de l'"),
    6: ("aux ", "des "),
    7: ("las ", "de las "),
    8: ("los ", "de los "),
}
TNCC_CODES = tuple(_ARTICLES)


def _bare(name: str, tncc: int) -> str:
    """The name without the article it may already carry ("Le Havre" → "Havre" for TNCC 2)."""
    article = _ARTICLES.get(tncc, _ARTICLES[0])[0]
    if article and name[: len(article)].lower() == article:
        return name[len(article):]
    return name


def with_article(name: str, tncc: int) -> str:
    """"la Haute-Vienne", "le Nord", "l'Ain", "les Bouches-du-Rhône", "Paris"."""
    article = _ARTICLES.get(tncc, _ARTICLES[0])[0]
    return article + _bare(name, tncc)


def of_name(name: str, tncc: int) -> str:
    """"de la Haute-Vienne", "du Nord", "de l'Ain", "des Bouches-du-Rhône", "d'Eure-et-Loir"."""
    return _ARTICLES.get(tncc, _ARTICLES[0])[1] + _bare(name, tncc)


def title(kind: str, name: str, tncc: int) -> str:
    """What the site is called: "Préfecture de la Haute-Vienne", "Sous-préfecture du Havre",
    "Haut-commissariat de la République en Polynésie française"."""
    if kind == PREFECTURE:
        return "Préfecture " + of_name(name, tncc)
    if kind == SOUS_PREFECTURE:
        return "Sous-préfecture " + of_name(name, tncc)
    if kind == HAUT_COMMISSARIAT:
        return "Haut-commissariat de la République en " + _bare(name, tncc)
    if kind == PREFECTURE_POLICE:
        return "Préfecture de police " + of_name(name, tncc) if name else "Préfecture de police"
    return name


def noun(kinds) -> str:
    """How a count of these sites is worded: "préfectures" when they all are, else "sites"."""
    return "préfectures" if all(k == PREFECTURE for k in kinds) else "sites"


def children(parents: Mapping[str, str | None]) -> dict[str, frozenset[str]]:
    """site → the sites whose parent it is (from a mapping site → parent or None)."""
    found: dict[str, set[str]] = {}
    for code, parent in parents.items():
        if parent:
            found.setdefault(parent, set()).add(code)
    return {code: frozenset(kids) for code, kids in found.items()}


def with_children(codes: Iterable[str], parents: Mapping[str, str | None]) -> frozenset[str]:
    """`codes` and every site whose parent is one of them."""
    wanted = frozenset(codes)
    return wanted | {code for code, parent in parents.items() if parent in wanted}
