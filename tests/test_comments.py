"""The référent's comment on a value is shown on the trend point, next to the alert and in the pack."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from pptx import Presentation

from qualepref import alerts, sql, targets, trend_view
from qualepref.export import pack, pack_data
from tests.conftest import DEMO_END_MONTH, national_scope

COMMENT = "Agent en congé maladie <b>deux</b> semaines ; renfort demandé"


def _missed_value(database):
    """The latest monthly value of site 87 of an indicator with a "lower is better" target."""
    with database.cursor() as cur:
        return cur.execute(
            "select v.indicator_code, v.period_start from indicator_values v join indicators i using (indicator_code) "
            "where v.site_code = '87' and v.period_kind = 'month' and i.direction = 'baisse' "
            "and i.target is not null order by v.period_start desc, v.indicator_code limit 1").fetchone()


def test_comment_on_the_trend_point_the_alert_and_the_pack(demo_db):
    code, month = _missed_value(demo_db)
    with demo_db.cursor() as cur:
        # Make it a miss, with the référent's comment.
        cur.execute("update indicator_values set value = (select target * 3 from indicators where indicator_code = ?), "
                    "comment = ? where site_code = '87' and indicator_code = ? and period_start = ?",
                    [code, COMMENT, code, month])
    scope = national_scope(demo_db).narrowed(["87"])

    # Alertes: the comment next to the alert.
    window = targets.judged(sql.run(demo_db, "alert_indicator_values", scope=scope, start=alerts.window_start(month),
                                    end=month), sql.run(demo_db, "target_rows", scope=scope))
    table = alerts.open_alerts(None, window)
    row = table[table.subject_code == code].iloc[0]
    assert row.comment == COMMENT and alerts.HEADERS["comment"] == "Commentaire du référent"
    assert "comment" in alerts.SCREEN_COLUMNS

    # Tendances: in the point's hover (escaped) and the chart's data table.
    indicators = sql.run(demo_db, "referentiel_indicators", scope=scope)
    indicators = indicators[indicators.indicator_code == code]
    start = date(2025, 11, 1)
    values = sql.run(demo_db, "trend_scope_values", scope=scope, indicators=[code], start=start, end=month)
    national = values.iloc[:0].assign(q1=[], median=[], q3=[])
    line = trend_view.ScopeLabel("Haute-Vienne (87)", "", "87", False)
    chart = trend_view.indicator_charts(indicators, values, national, line=line, start=start, end=month)[0]
    own = next(t for t in chart.figure.data if t.name == line.name)
    hover = [c[2] for c in own.customdata if c[2]]
    assert hover == ["<br>Commentaire : Agent en congé maladie &lt;b&gt;deux&lt;/b&gt; semaines ; renfort demandé"]
    assert chart.headers["comment"] == "Commentaire du référent"
    assert chart.table["comment"].tolist()[-1] == COMMENT

    # The pack's alert slide.
    data = pack_data.load_pack_data(demo_db, scope, "87", date(2025, 1, 1), month)
    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    cells = [cell.text for slide in deck.slides for shape in slide.shapes
             if shape.has_table and shape.name == "Alertes indicateurs"
             for row_ in shape.table.rows for cell in row_.cells]
    assert "Commentaire du référent" in cells and COMMENT in cells


def test_a_median_line_carries_no_single_sites_comment(demo_db):
    with demo_db.cursor() as cur:
        cur.execute("update indicator_values set comment = 'privé' where site_code = '87'")
    values = sql.run(demo_db, "trend_scope_values", scope=national_scope(demo_db), indicators=["COURRIER_DELAI"],
                     start=date(2025, 1, 1), end=DEMO_END_MONTH)
    assert pd.isna(values.comment).all()
