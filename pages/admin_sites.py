"""Sites (administrator): every site with its kind, parent, article and point; add or edit one; history.

The same checks as the command line (`python -m qualepref site …`) and the import of kind
`sites` (qualepref.sites_edit); every change is audited.
"""

import pandas as pd
import streamlit as st

from qualepref import auth, sites, sites_edit, ui, vocab
from qualepref.access import DISCOVERY_READ_ONLY, Role, ScopeError

admin = ui.require_role(Role.ADMIN)
ui.page_header("Sites", "Préfectures, sous-préfectures, hauts-commissariats et autres services qui suivent la "
                        "démarche : type, rattachement, nom et article, ville et position sur la carte.")
db = ui.get_db()
every = ui.query("sites_admin")
regions = ui.query("region_codes")
region_names = dict(zip(regions.region_code, regions.region_name, strict=True))
NEW = "__nouveau__"

if admin.demo:
    st.info(DISCOVERY_READ_ONLY, icon=":material/visibility:")
if message := st.session_state.pop("sites_message", None):
    st.success(message, icon=":material/task_alt:")

counts = every[every.active].site_kind.value_counts()
cols = st.columns(len(vocab.SITE_KINDS))
for column, term in zip(cols, vocab.SITE_KINDS, strict=True):
    column.metric(f"{term.short_label} actifs", int(counts.get(term.code, 0)))

tab_list, tab_edit, tab_history = st.tabs(["Liste des sites", "Ajouter ou modifier", "Historique des changements"])
with tab_list:
    st.dataframe(pd.DataFrame({
        "Code": every.site_code,
        "Site": [sites.title(k, n, int(t))
                 for k, n, t in zip(every.site_kind, every.site_name, every.tncc, strict=True)],
        "Type": every.site_kind.map(vocab.SITE_KINDS.label),
        "Rattachement": every.parent_code.fillna("–"),
        "Ville": every.prefecture_city,
        "Région": every.region_name.fillna(every.region_code),
        "Position": ["renseignée" if not pd.isna(x) else "–" for x in every.lon],
        "Actif": ["oui" if a else "non" for a in every.active],
        "Démonstration": ["oui" if d else "" for d in every.is_demo],
    }), hide_index=True, width="stretch", placeholder="–")
    st.caption("Les collectivités d'outre-mer du Code officiel géographique de l'INSEE sont livrées désactivées : "
               "activez celles qui suivent la démarche. Un site désactivé disparaît des pages et des imports, ses "
               "données sont conservées.")

with tab_edit:
    names = dict(zip(every.site_code, every.site_name, strict=True))
    chosen = st.selectbox("Site", [NEW, *every.site_code], key="sites_choice",
                          format_func=lambda c: "➕ Nouveau site" if c == NEW else f"{c} – {names[c]}")
    current = None if chosen == NEW else every.set_index("site_code").loc[chosen]
    prefectures = every[(every.site_kind == sites.PREFECTURE) & every.active]
    parent_names = dict(zip(prefectures.site_code, prefectures.site_name, strict=True))
    with st.form(f"sites_form_{chosen}"):
        left, right = st.columns(2)
        code = left.text_input("Code", value="" if current is None else chosen, disabled=current is not None,
                               key=f"sites_code_{chosen}",
                               help="Préfecture : code du département (87, 2A, 971). Autre site : code INSEE de la "
                                    "commune (87011 pour Bellac).")
        kinds = list(vocab.SITE_KINDS.codes)
        kind = right.selectbox("Type", kinds, format_func=vocab.SITE_KINDS.label, key=f"sites_kind_{chosen}",
                               index=0 if current is None else kinds.index(current.site_kind))
        name = left.text_input("Nom (tel qu'il s'écrit : « Haute-Vienne », « Le Havre »)",
                               value="" if current is None else current.site_name, key=f"sites_name_{chosen}")
        tncc = right.selectbox("Article (TNCC de l'INSEE)", sites.TNCC_CODES, key=f"sites_tncc_{chosen}",
                               index=0 if current is None else int(current.tncc),
                               format_func=lambda t: f"{t} – {sites.with_article('X', t).replace('X', '…')} / "
                                                     f"{sites.of_name('X', t).replace('X', '…')}")
        parents = ["", *parent_names]
        parent = left.selectbox("Rattaché à (sous-préfecture)", parents, key=f"sites_parent_{chosen}",
                                index=parents.index(current.parent_code) if current is not None
                                and current.parent_code in parents else 0,
                                format_func=lambda c: "— aucun" if not c else f"{c} – {parent_names[c]}")
        region_list = list(region_names)
        region = right.selectbox("Région", region_list, format_func=lambda r: f"{r} – {region_names[r]}",
                                 key=f"sites_region_{chosen}",
                                 index=region_list.index(current.region_code) if current is not None
                                 and current.region_code in region_list else 0)
        city = left.text_input("Ville", value="" if current is None else current.prefecture_city,
                               key=f"sites_city_{chosen}")
        active = right.toggle("Actif", value=True if current is None else bool(current.active))
        lon = left.number_input("Longitude (degrés, WGS84)", value=None if current is None or pd.isna(current.lon)
                                else float(current.lon), min_value=-180.0, max_value=180.0, format="%.4f")
        lat = right.number_input("Latitude (degrés, WGS84)", value=None if current is None or pd.isna(current.lat)
                                 else float(current.lat), min_value=-90.0, max_value=90.0, format="%.4f")
        st.caption("Sans position, une sous-préfecture est dessinée près de sa préfecture, marquée « position "
                   "approchée ».")
        if st.form_submit_button("Enregistrer", type="primary"):
            site = sites_edit.Site(
                site_code=(code or "").strip().upper(), site_name=(name or "").strip(), site_kind=kind,
                parent_code=parent or None, tncc=int(tncc), region_code=region, prefecture_city=(city or "").strip(),
                lon=lon, lat=lat, active=active)
            try:
                action = sites_edit.save(db, site, actor=admin)
            except (sites_edit.SiteError, ScopeError) as exc:
                st.error(ui.plain(exc), icon=":material/error:")
            else:
                st.session_state["sites_message"] = (
                    f"Site {site.site_code} : {action}." if action else f"Site {site.site_code} : rien n'a changé.")
                st.rerun()

with tab_history:
    history = auth.audit_history(db, entities=("site",))
    if history.empty:
        st.info("Aucun changement de site enregistré.")
    else:
        st.dataframe(history.rename(columns={"changed_at": "Quand", "actor": "Qui", "action": "Action",
                                             "entity": "Objet", "key": "Site", "before": "Avant", "after": "Après"}),
                     hide_index=True, width="stretch", placeholder="–")
ui.footer()
