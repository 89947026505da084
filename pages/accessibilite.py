"""Déclaration d'accessibilité (RGAA 4.1 model): state of compliance, tests, known gaps and alternatives, contact.

Public (signed in or not) and linked from every page's footer, as the RGAA requires.
"""

import streamlit as st

from qualepref import ui

ui.page_header("Déclaration d'accessibilité")

st.markdown(
    """
Le ministère de l'Intérieur s'engage à rendre ses services numériques accessibles, conformément à
l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au
**tableau de bord Qual-e-Pref** (intranet).

### État de conformité

Le tableau de bord Qual-e-Pref est **partiellement conforme** avec le référentiel général
d'amélioration de l'accessibilité (RGAA), version 4.1, en raison des non-conformités et des
dérogations énumérées ci-dessous. Aucun audit complet par un organisme indépendant n'a encore été
réalisé : l'état ci-dessus résulte des tests automatisés et manuels décrits plus bas.

### Résultats des tests

Chaque version est vérifiée automatiquement, dans un vrai navigateur (Chromium) :

- **axe-core** (règles WCAG 2.1 niveaux A et AA, base du RGAA 4.1) sur chaque page, menu latéral et
  composants de l'interface compris, **sans liste d'exceptions** : aucune violation ;
- **navigation au clavier** : connexion, menu, filtres, changement de page et téléchargement d'un
  fichier se font sans souris, le focus restant visible ;
- **zoom à 200 %** (fenêtre de 1280 × 720) : le texte se lit sans défilement horizontal ;
- **langue** : les pages sont déclarées en français, et aucun libellé, infobulle ou nom accessible
  n'est laissé en anglais ;
- **vidéoprojecteur** (mode réunion, 1280 × 720) : aucun chiffre clé tronqué, aucune étiquette de
  graphique de moins de 14 pixels ni superposée à une autre.

### Contenus non accessibles et alternatives

- **Graphiques** (courbes, barres, cartes de chaleur, carte de France) : ils ne peuvent pas être lus
  par un lecteur d'écran. **Alternative** : chaque graphique est suivi de ses données sous forme de
  tableau (« Données du graphique »), téléchargeables en CSV et en Excel ; la carte de France a la
  même alternative (valeur de chaque préfecture).
- **Tableaux de données interactifs** (tri, recherche) : dessinés par le navigateur dans une zone
  graphique, leur lecture cellule par cellule avec un lecteur d'écran est limitée. **Alternative** :
  le téléchargement CSV ou Excel de chaque tableau, et le pack COPIL en PowerPoint (tableaux et
  graphiques modifiables) ou en PDF.
- **Cases cliquables des cartes de chaleur** (conformité) : elles s'utilisent à la souris.
  **Alternative** : les listes de choix du panneau latéral (module, préfecture) donnent le même
  détail au clavier.
- **Bulles d'aide des graphiques** (survol) : non disponibles au clavier. **Alternative** : le
  tableau de données du graphique.

### Dérogations pour charge disproportionnée

Aucune.

### Établissement de cette déclaration

Cette déclaration a été établie à partir des tests automatisés décrits ci-dessus, exécutés à chaque
version (`make test`). Technologies utilisées : HTML5, CSS, JavaScript (Streamlit, Plotly).
Environnement de test : Chromium (Debian), sans et avec zoom, au clavier.

### Retour d'information et contact

Si vous n'arrivez pas à accéder à un contenu ou à un service, signalez-le au référent qualité ou à
l'administrateur du tableau de bord de votre préfecture (page *Comptes* pour les administrateurs),
ou à la mission Qual-e-Pref du ministère de l'Intérieur, pour être orienté vers une alternative
accessible (envoi des données par courriel, pack COPIL en PDF).

### Voies de recours

Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une
fonctionnalité du service, que vous nous le signalez et que vous ne parvenez pas à obtenir une
réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine
au Défenseur des droits (formulaire de contact, délégué de votre région, ou courrier gratuit sans
timbre : « Défenseur des droits, Libre réponse 71120 »).
"""
)
ui.footer()
