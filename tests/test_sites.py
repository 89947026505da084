"""Site names with their INSEE article, and the site tree (pure)."""

import pytest

from qualepref import sites


@pytest.mark.parametrize(("name", "tncc", "article", "of"), [
    ("Haute-Vienne", 3, "la Haute-Vienne", "de la Haute-Vienne"),
    ("Nord", 2, "le Nord", "du Nord"),
    ("Ain", 5, "l'Ain", "de l'Ain"),
    ("Bouches-du-Rhône", 4, "les Bouches-du-Rhône", "des Bouches-du-Rhône"),
    ("Eure-et-Loir", 1, "Eure-et-Loir", "d'Eure-et-Loir"),
    ("Paris", 0, "Paris", "de Paris"),
    ("La Réunion", 0, "La Réunion", "de La Réunion"),  # the article belongs to the name (TNCC 0)
    ("Le Havre", 2, "le Havre", "du Havre"),  # a commune's name carries its article
    ("Les Sables-d'Olonne", 4, "les Sables-d'Olonne", "des Sables-d'Olonne"),
    ("L'Haÿ-les-Roses", 5, "l'Haÿ-les-Roses", "de l'Haÿ-les-Roses"),
])
def test_article_and_de_form_follow_the_tncc(name, tncc, article, of):
    assert sites.with_article(name, tncc) == article
    assert sites.of_name(name, tncc) == of


def test_titles_by_kind():
    assert sites.title("prefecture", "Haute-Vienne", 3) == "Préfecture de la Haute-Vienne"
    assert sites.title("sous_prefecture", "Le Havre", 2) == "Sous-préfecture du Havre"
    assert sites.title("sous_prefecture", "Aix-en-Provence", 1) == "Sous-préfecture d'Aix-en-Provence"
    assert sites.title("haut_commissariat", "Polynésie française", 0) == (
        "Haut-commissariat de la République en Polynésie française")
    assert sites.title("autre", "Wallis et Futuna", 0) == "Wallis et Futuna"


def test_children_and_with_children():
    parents = {"87": None, "87011": "87", "87126": "87", "29": None}
    assert sites.children(parents) == {"87": {"87011", "87126"}}
    assert sites.with_children({"87"}, parents) == {"87", "87011", "87126"}
    assert sites.with_children({"87011"}, parents) == {"87011"}
