"""Qual-e-Pref · Tableau de bord: the domain package.

Importable without Streamlit, except `qualepref.ui`.
"""

__version__ = "0.1.0"
