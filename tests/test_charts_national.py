"""Figure builders of the compliance, comparison and transmission pages (pure: DataFrame → Figure)."""

import copy
import re
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from qualepref import geo, transmissions, vocab
from qualepref.charts import compliance, national
from qualepref.charts.theme import SEQUENTIAL


def _sites(codes, values):
    names = geo.departement_names()
    return pd.DataFrame({"site_code": codes, "site_name": [names[c] for c in codes], "value": values,
                         "value_text": [f"{v} j" for v in values]})


def test_geojson_has_the_101_departements_with_overseas_insets():
    codes = geo.departement_codes()
    assert len(codes) == len(set(codes)) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert len(geo.inset_frames()["features"]) == 5


def test_choropleth_draws_all_101_departements_and_greys_those_without_figure():
    codes = list(geo.departement_codes())
    values = _sites(codes, [float(i) for i in range(101)])
    values.loc[values.site_code.isin(["87", "971"]), "value"] = np.nan
    fig = national.choropleth(values, title="Carte", axis_title="Délai (j)", lower_is_better=True, highlight="29")
    maps = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert all(t.featureidkey == "properties.code" and t.geojson["features"] for t in maps)
    grey, coloured, highlight = maps
    # Every département once, and Paris with its petite couronne a second time in their inset.
    zoomed = [f"{c}{geo.ZOOM_SUFFIX}" for c in ("75", "92", "93", "94")]
    assert sorted([*grey.locations, *coloured.locations]) == sorted(codes + zoomed)
    assert set(grey.locations) == {"87", "971"}
    # Each trace carries only its own outlines (one copy of the 0,6 MB file in all).
    for trace in maps:
        assert sorted(f["properties"]["code"] for f in trace.geojson["features"]) == sorted(trace.locations)
    assert set(grey.colorscale[0]) & {national.NO_DATA}  # one plain grey, outside the colour scale
    assert coloured.reversescale is True  # lower is better → light = low
    assert list(highlight.locations) == ["29"] and highlight.marker.line.width >= 2
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    frames = [t for t in fig.data if isinstance(t, go.Scattergeo) and t.mode == "lines"]
    assert len(frames) == 1
    hover = dict(zip(coloured.locations, coloured.hovertext, strict=True))
    assert hover["29"] == "29 – Finistère<br>" + values.set_index("site_code").at["29", "value_text"]
    assert "Pas de donnée" not in hover["29"]
    # Sites missing from the frame altogether are grey too, with a French hover text.
    partial = national.choropleth(values.head(10), title="Carte", axis_title="x")
    assert len(partial.data[0].locations) == 91 + 4 and "Pas de donnée" in partial.data[0].hovertext[0]


def test_map_outlines_are_shared_not_copied():
    """Plotly deep-copies trace properties (on building, on serialising): the outlines are handed back as is."""
    fig = national.choropleth(_sites(["01", "02"], [1.0, 2.0]), title="t", axis_title="a")
    features = fig.data[1].geojson["features"]
    assert copy.deepcopy(features) is features and copy.copy(features) is features
    assert fig.to_dict()["data"][1]["geojson"]["features"] is features
    assert [f["properties"]["code"] for f in features] == ["01", "02"]
    assert features[0] is geo.departements()["features"][0]  # the file's polygons, read once


def test_choropleth_colour_scale_is_colour_blind_safe():
    fig = national.choropleth(_sites(["01", "02"], [1.0, 2.0]), title="t", axis_title="a", lower_is_better=False)
    scale = [c for _, c in fig.data[1].colorscale]
    viridis = [c for _, c in go.Figure(go.Choropleth(colorscale=SEQUENTIAL)).data[0].colorscale]
    assert scale == viridis and fig.data[1].reversescale is False


def test_rank_sites_excludes_sites_without_value_or_enough_answers():
    frame = pd.DataFrame({"site_code": ["a", "b", "c", "d", "e"], "value": [80.0, 90.0, np.nan, 95.0, 90.0],
                          "n": [100, 29, 50, 30, 200]})
    ranked, unranked = national.rank_sites(frame, n="n", min_n=30)
    assert ranked.site_code.tolist() == ["d", "e", "a"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert sorted(unranked.site_code) == ["b", "c"]  # n = 29 and no value: listed apart, never ranked
    lower, _ = national.rank_sites(frame.assign(n=100), lower_is_better=True)
    assert lower.site_code.tolist()[0] == "a"
    tied, _ = national.rank_sites(frame.assign(n=100))
    assert tied.set_index("site_code")["rank"].to_dict() == {"d": 1, "b": 2, "e": 2, "a": 4}


def test_ranking_bar_best_on_top_with_highlight_and_interval():
    frame = _sites(["29", "87", "2A"], [3.0, 5.0, 9.0]).assign(rank=[1, 2, 3], low=[2.0, 4.0, 8.0],
                                                               high=[4.0, 6.0, 10.0])
    fig = national.ranking_bar(frame, title="Classement", axis_title="Délai", highlight="87", target=6)
    bar = fig.data[0]
    assert bar.y[-1].startswith("1. 29") and bar.y[0].startswith("3. 2A")  # plotly draws from the bottom
    colours = dict(zip(bar.y, bar.marker.color, strict=True))
    assert colours["2. 87 – Haute-Vienne"] == national.HIGHLIGHT
    assert {colours[k] for k in colours if "87" not in k} == {national.BLEU_FRANCE}
    assert list(bar.error_x.array) == [1.0, 1.0, 1.0]
    assert fig.layout.shapes[0].x0 == 6
    assert fig.layout.title.text == "Classement"


def test_distribution_highlights_the_selected_prefecture():
    frame = _sites(["29", "87", "2A", "01"], [3.0, 5.0, 9.0, np.nan])
    fig = national.distribution(frame, title="Distribution", axis_title="Délai", highlight="87")
    box, marker = fig.data
    assert list(box.x) == [3.0, 5.0, 9.0] and box.boxpoints == "all"
    assert list(marker.x) == [5.0] and marker.name == "87 – Haute-Vienne"
    assert marker.marker.color == national.HIGHLIGHT
    assert len(national.distribution(frame, title="d", axis_title="a", highlight="01").data) == 1  # no value


def test_distribution_summary_uses_only_aggregates():
    summary = {"p10": 1.0, "q1": 2.0, "median": 3.0, "q3": 4.0, "p90": 5.0}
    fig = national.distribution_summary(summary, title="Position", axis_title="a", own_value=4.5,
                                        own_label="87", own_text="4,5 j")
    box, own = fig.data
    assert (box.q1, box.median, box.q3, box.lowerfence, box.upperfence) == ((2.0,), (3.0,), (4.0,), (1.0,), (5.0,))
    assert box.x is None  # no individual site value is drawn
    assert list(own.x) == [4.5]


def test_transmission_status_and_grid():
    months = [date(2025, 1, 1), date(2025, 2, 1)]
    rows = []  # rows of queries/transmission_grid.sql: two indicators reported by each site
    for code, missing in (("87", ["", "Courriels"]), ("29", ["Courriels ; Courriers", ""])):
        for month, labels in zip(months, missing, strict=True):
            rows.append({"site_code": code, "site_name": code, "period_start": month, "n_expected": 2,
                         "n_sent": 2 - len([lab for lab in labels.split(" ; ") if lab]), "missing": labels})
    status = transmissions.status(pd.DataFrame(rows))
    by_key = status.set_index(["site_code", "period_start"])
    months = [pd.Timestamp(m) for m in months]
    assert by_key.loc[("87", months[0]), "status"] == national.STATUS_SENT
    assert by_key.loc[("87", months[1]), "status"] == national.STATUS_PARTIAL
    assert by_key.loc[("87", months[1]), "missing"] == "Courriels"
    assert by_key.loc[("29", months[0]), "status"] == national.STATUS_MISSING
    fig = national.transmission_grid(status, title="Transmissions", month_label=lambda m: m.strftime("%m/%Y"))
    heat = fig.data[0]
    assert list(heat.y) == ["29 – 29", "87 – 87"] and list(heat.x) == ["01/2025", "02/2025"]
    # Not colour alone: a symbol on every month to chase, explained in the legend; a month sent is blank.
    assert heat.text.tolist() == [["✗", ""], ["", "½"]]
    assert list(heat.colorbar.ticktext) == ["✗ Non transmis", "½ Partiel", "Transmis (case sans symbole)"]
    assert transmissions.status(pd.DataFrame(columns=rows[0].keys())).empty
    # Cell texts are copied once by plotly (read-only), then shared by its deep copies.
    assert copy.deepcopy(heat.text) is heat.text and copy.deepcopy(heat.customdata) is heat.customdata


@pytest.fixture
def latest():
    rows = []
    for site, results in (("87", ["conforme", "conforme", "partiel", "non_applicable"]),
                          ("29", ["non_conforme", "conforme", "conforme", "conforme"])):
        for engagement, result in enumerate(results, start=1):
            rows.append({"site_code": site, "site_name": f"Site {site}", "module": 1,
                         "module_name": "Relation générale avec les usagers", "engagement": engagement,
                         "engagement_label": f"Engagement {engagement}", "assessed_on": date(2025, 3, engagement),
                         "assessment_type": "auto_evaluation", "result": result})
    rows.append({**rows[0], "module": 7, "module_name": "Communication d'urgence", "result": "conforme"})
    return pd.DataFrame(rows)


def _counts(latest: pd.DataFrame) -> pd.DataFrame:
    """Rows of queries/compliance_module_counts.sql from the latest assessment of each engagement."""
    counts = pd.crosstab([latest.module, latest.module_name, latest.site_code, latest.site_name], latest.result)
    counts = counts.reindex(columns=compliance.RESULT_ORDER, fill_value=0).add_prefix("n_").reset_index()
    counts.columns.name = None
    return counts


def test_module_rates_exclude_non_applicable(latest):
    rates = compliance.module_rates(_counts(latest)).set_index(["module", "site_code"])
    assert rates.loc[(1, "87"), "n_applicable"] == 3 and rates.loc[(1, "87"), "rate"] == pytest.approx(200 / 3)
    assert rates.loc[(1, "29"), "rate"] == 75
    assert rates.loc[(7, "87"), "rate"] == 100


@pytest.mark.parametrize("transpose", [False, True])
def test_module_site_heatmap_writes_the_rate_in_each_cell(latest, transpose):
    rates = compliance.module_rates(_counts(latest))
    fig = compliance.module_site_heatmap(rates, title="Conformité", transpose=transpose)
    heat = fig.data[0]
    # A cell says what its figure is (`75 %`); a module not followed stays blank (no lone « % »).
    assert heat.texttemplate == "%{text}"
    cells = np.array(heat.text, dtype=object)
    z = np.array(heat.z, dtype=float)
    modules_axis, sites_axis = (heat.x, heat.y) if transpose else (heat.y, heat.x)
    assert [re.match(r"M\d+", m).group() for m in modules_axis] == ["M1", "M7"]
    # Module names on the columns too (the national grid has the prefectures down the rows).
    names = [m.replace("<br>", " ") for m in modules_axis]
    assert "Relation générale" in names[0] and "Communication d'urgence" in names[1]
    assert [s.split(" – ")[0] for s in sites_axis] == ["29", "87"]
    grid = z.T if transpose else z
    assert grid[0].tolist() == pytest.approx([75, 200 / 3])
    assert np.isnan(grid[1][0]) and grid[1][1] == 100  # 29 does not follow module 7: blank cell
    texts = cells.T if transpose else cells
    assert texts[0][0] == "75\u00a0%" and texts[1][0] == "" and texts[1][1] == "100\u00a0%"
    assert heat.colorscale == go.Figure(go.Heatmap(colorscale=SEQUENTIAL)).data[0].colorscale
    assert "non suivi" in np.array(heat.customdata, dtype=object)[(0, 1) if transpose else (1, 0)]


def test_engagement_assessment_heatmap_writes_the_result_and_avoids_red_green(latest):
    one = latest[latest.site_code == "87"]
    one = pd.concat([one, one.head(1).assign(assessed_on=date(2025, 10, 1), assessment_type="audit_externe",
                                             result="non_conforme")])
    fig = compliance.engagement_assessment_heatmap(one, title="Évaluations")
    heat = fig.data[0]
    assert len(heat.y) == 5 and len(heat.x) == 5  # 1.1–1.4 and 7.1; 4 auto-évaluations (one per day) + 1 audit
    text = np.array(heat.text)
    z = np.array(heat.z, dtype=float)
    assert (text[~np.isnan(z)] != "").all() and (text[np.isnan(z)] == "").all()
    assert "Non conforme" in text[0] and "Conforme" in text[0]
    colours = {c.lower() for _, c in heat.colorscale}
    assert not colours & {"#00ff00", "#008000", "#ff0000", "red", "green"}
    assert heat.colorbar.ticktext == tuple(vocab.COMPLIANCE_RESULTS.label(r) for r in compliance.RESULT_ORDER)


# The ministry's views (issue 17 §5) ----------------------------------------------------------------

def test_choropleth_diverges_around_the_target_not_min_max():
    """Anchored on 75 % (or the target): all prefectures above it stay on the good side of the scale."""
    values = _sites(["01", "02", "03"], [80.0, 85.0, 90.0])
    fig = national.choropleth(values, title="t", axis_title="a", lower_is_better=False, midpoint=75.0)
    coloured = fig.data[1]
    assert coloured.zmid == 75.0 and coloured.reversescale is False
    scale = [c for _, c in coloured.colorscale]
    assert scale[0] == vocab.BAD and scale[-1] == vocab.GOOD  # below the anchor orange, above it blue
    assert coloured.colorbar.tickvals is not None and 75.0 in coloured.colorbar.tickvals
    lower = national.choropleth(values, title="t", axis_title="a", lower_is_better=True, midpoint=15.0)
    assert lower.data[1].zmid == 15.0 and lower.data[1].reversescale is True  # low delays in blue


def test_ile_de_france_inset_zooms_paris_and_the_petite_couronne():
    inset = geo.zoomed_features()
    assert sorted(f["properties"]["base_code"] for f in inset) == ["75", "92", "93", "94"]
    assert all(f["properties"]["code"] != f["properties"]["base_code"] for f in inset)

    def box(features):
        points = [p for f in features for p in geo.points(f["geometry"])]
        return (min(x for x, _ in points), min(y for _, y in points), max(x for x, _ in points),
                max(y for _, y in points))

    originals = [f for f in geo.departements()["features"] if f["properties"]["code"] in {"75", "92", "93", "94"}]
    x0, y0, x1, y1 = box(inset)
    ox0, _, ox1, _ = box(originals)
    assert (x1 - x0) / (ox1 - ox0) >= 3  # a zoom, not a copy
    # Inside its frame, and the frame clear of every département of the mainland.
    fx0, fy0, fx1, fy1 = geo.zoom_frame()
    assert fx0 < x0 and x1 < fx1 and fy0 < y0 and y1 < fy1
    for feature in geo.departements()["features"]:
        dx0, dy0, dx1, dy1 = box([feature])
        assert dx1 < fx0 or dx0 > fx1 or dy1 < fy0 or dy0 > fy1, feature["properties"]["code"]

    codes = list(geo.departement_codes())
    values = _sites(codes, [float(i) for i in range(101)])
    fig = national.choropleth(values, title="Carte", axis_title="a", highlight="93")
    coloured = fig.data[1]
    z = dict(zip(coloured.locations, coloured.z, strict=True))
    hover = dict(zip(coloured.locations, coloured.hovertext, strict=True))
    for feature in inset:
        code, base = feature["properties"]["code"], feature["properties"]["base_code"]
        assert z[code] == z[base] and hover[code] == hover[base]
    highlight = fig.data[2]
    assert sorted(highlight.locations) == sorted(["93", next(f["properties"]["code"] for f in inset
                                                             if f["properties"]["base_code"] == "93")])
    frames = next(t for t in fig.data if isinstance(t, go.Scattergeo) and t.mode == "lines")
    assert sum(1 for x in frames.lon if x is None) == 6  # five overseas insets and Île-de-France
    labels = [t for t in fig.data if isinstance(t, go.Scattergeo) and t.mode == "text"]
    assert labels and "Paris" in labels[0].text[0]


def test_satisfaction_bars_carry_their_value_and_rank_band():
    frame = _sites(["29", "87", "2A"], [90.0, 85.0, 60.0]).assign(
        rank=[1, 1, 3], rank_text=["1 à 2", "1 à 2", "3"], low=[85.0, 79.0, 50.0], high=[94.0, 90.0, 70.0],
        bar_text=["90,0 %", "85,0 %", "60,0 %"])
    fig = national.ranking_bar(frame, title="Classement", axis_title="Taux", highlight="87")
    bar = fig.data[0]
    assert list(bar.text) == ["60,0 %", "85,0 %", "90,0 %"]  # drawn from the bottom
    assert bar.textposition == "inside" and bar.insidetextanchor == "start"
    assert bar.y[-1].startswith("1 à 2 · 29") and bar.y[0].startswith("3 · 2A")
    inks = dict(zip(bar.y, bar.textfont.color, strict=True))
    assert inks["1 à 2 · 87 – Haute-Vienne"] == vocab.ink(national.HIGHLIGHT)  # readable on orange
