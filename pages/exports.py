"""Pack COPIL et exports: the COPIL pack (pptx, PDF), the transparency poster and the filtered data."""

import time

import streamlit as st

from qualepref import events, filters, fmt, ui
from qualepref.export import data_exports, pack, pack_data, pack_pdf, render

ui.page_header(
    "Pack COPIL et exports",
    "Préparez le pack du comité de pilotage d'une préfecture (PowerPoint modifiable ou PDF), l'affiche "
    "des résultats pour le hall d'accueil et le site internet, et téléchargez les données filtrées.",
)
selection = filters.sidebar_filters()
scope = selection.scope
if selection.start is None:
    st.info("Aucune donnée pour votre périmètre : commencez par la page « Import ».")
    ui.footer()
    st.stop()

db = ui.get_db()
start, end = selection.start, selection.end
period = f"{fmt.month(start)} – {fmt.month(end)}"
version = ui.data_version()


def _remember(kind: str, key: tuple, files: list[tuple[str, bytes, str, str]], seconds: float) -> None:
    st.session_state[f"export-{kind}"] = {"key": key, "files": files, "seconds": seconds}


def _offer(kind: str, key: tuple) -> None:
    """Download buttons of a file built earlier for exactly this selection."""
    built = st.session_state.get(f"export-{kind}")
    if not built or built["key"] != key:
        return
    for label, content, file_name, mime in built["files"]:
        st.download_button(label, content, file_name=file_name, mime=mime, key=f"download-{kind}-{file_name}",
                           icon=":material/download:")
    st.caption(f"Préparé en {fmt.number(built['seconds'], 1)} s.")


def _build(kind: str, key: tuple, make) -> None:
    began = time.perf_counter()
    # The data export's key starts with its site codes, a pack's with its one site.
    who = {"user": ui.current_principal().user, "kind": kind, "period": period,
           **({"n_sites": len(key[0])} if kind == "data" else {"site": key[0]})}
    try:
        with st.spinner("Préparation en cours…"):
            files = make()
    except render.RenderError as exc:
        events.emit("export", outcome="failure", **who, error=type(exc).__name__)
        st.error(str(exc))
        return
    seconds = time.perf_counter() - began
    events.emit("export", outcome="success", **who, files=",".join(f[2] for f in files),
                bytes=sum(len(f[1]) for f in files), seconds=seconds)
    _remember(kind, key, files, seconds)


st.header("Pack COPIL", divider="blue")
site_code = selection.site_code or (next(iter(scope.site_codes)) if selection.single_site else None)
if site_code is None:
    st.info("Choisissez une préfecture dans le panneau latéral pour préparer son pack COPIL.")
else:
    def data() -> pack_data.PackData:
        return pack_data.load_pack_data(db, scope, site_code, start, end)

    names = ui.query("sites", scope=scope)
    name = names.loc[names.site_code == site_code, "site_name"].iloc[0]
    st.markdown(f"**{name} ({site_code})** · période {period}")
    key = (site_code, start, end, version)
    stem = f"{site_code}-{start:%Y-%m}-{end:%Y-%m}"
    left, middle, right = st.columns(3)
    with left:
        st.subheader("PowerPoint")
        st.caption("Graphiques natifs et modifiables, tableaux, sources sur chaque diapositive.")
        if st.button("Préparer le pack PowerPoint", key="build-pptx", icon=":material/slideshow:"):
            _build("pptx", key, lambda: [("Télécharger le pack (.pptx)", pack.build_pptx(data()),
                                          f"pack-copil-{stem}.pptx", pack.PPTX_MIME)])
        _offer("pptx", key)
    with middle:
        st.subheader("PDF")
        st.caption("Le même contenu, pour qui n'a pas PowerPoint.")
        if st.button("Préparer le pack PDF", key="build-pdf", icon=":material/picture_as_pdf:"):
            _build("pdf", key, lambda: [("Télécharger le pack (.pdf)", pack_pdf.build_pdf(data()),
                                         f"pack-copil-{stem}.pdf", pack_pdf.PDF_MIME)])
        _offer("pdf", key)
    with right:
        st.subheader("Affiche transparence")
        st.caption("Délais, appels perdus, attente et satisfaction, en grands caractères (une page).")

        def poster():
            pdf, png = pack_pdf.build_poster(data())
            return [("Télécharger l'affiche (.pdf)", pdf, f"affiche-{stem}.pdf", pack_pdf.PDF_MIME),
                    ("Télécharger l'affiche (.png)", png, f"affiche-{stem}.png", "image/png")]

        if st.button("Préparer l'affiche", key="build-poster", icon=":material/campaign:"):
            _build("poster", key, poster)
        _offer("poster", key)

st.header("Données filtrées", divider="blue")
sites_label = (f"{len(scope.site_codes)} sites" if len(scope.site_codes) > 1
               else ui.plain(ui.site_title(next(iter(scope.site_codes)), scope)))
st.caption(f"Valeurs des indicateurs, résultats d'enquête et évaluations de conformité de votre sélection "
           f"({sites_label}, {period}). Excel : une feuille par jeu de données ; CSV : séparateur « ; », "
           "UTF-8 avec BOM.")
data_key = (tuple(sorted(scope.site_codes)), start, end, version)
stem = f"donnees-{start:%Y-%m}-{end:%Y-%m}"
if st.button("Préparer les exports de données", key="build-data", icon=":material/table_view:"):
    def data_files():
        frames = data_exports.load(db, scope, start, end)
        source = f"Source : Qual-e-Pref, extraction du {fmt.day(time.strftime('%Y-%m-%d'))}"
        files = [("Excel (3 feuilles)", data_exports.to_xlsx(frames, source=source), f"{stem}.xlsx",
                  data_exports.XLSX_MIME)]
        for name_, label in (("indicateurs", "Indicateurs"), ("enquetes", "Enquêtes"),
                             ("conformite", "Conformité")):
            files.append((f"CSV – {label} ({fmt.number(len(frames[name_]), 0)} lignes)",
                          data_exports.to_csv(frames, name_), f"{stem}-{name_}.csv", "text/csv"))
        return files

    _build("data", data_key, data_files)
_offer("data", data_key)
ui.footer()
