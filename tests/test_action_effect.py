"""The effect verdict of an action, on constructed series (pure functions)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from qualepref import actions


def monthly(values, start="2025-01-01") -> pd.DataFrame:
    return pd.DataFrame({"period_start": pd.date_range(start, periods=len(values), freq="MS"), "value": values})


DECIDED = date(2025, 7, 1)  # six months before, the rest after


@pytest.mark.parametrize(("values", "direction", "verdict"), [
    # A delay (lower is better) that clearly falls after the action.
    ([20, 21, 19, 22, 20, 21, 14, 13, 12, 13], "baisse", "amelioration"),
    # The same fall on an indicator where higher is better: a worsening, said as such.
    ([20, 21, 19, 22, 20, 21, 14, 13, 12, 13], "hausse", "degradation"),
    # Noise around the same level: no net change.
    ([20, 24, 17, 23, 18, 22, 21, 19, 23, 18], "baisse", "pas_de_changement"),
    # A steady series moving by less than 5 %: no net change, however small the noise.
    ([20, 20, 20, 20, 20, 20, 19.5, 19.5, 19.5], "baisse", "pas_de_changement"),
    # Two periods after: too early, whatever they show.
    ([20, 21, 19, 22, 20, 21, 5, 5], "baisse", "trop_tot"),
])
def test_indicator_verdicts(values, direction, verdict):
    effect = actions.indicator_effect(monthly(values), since=DECIDED, direction=direction)
    assert effect.verdict == verdict, effect
    assert effect.n_before == 6 and effect.n_after == len(values) - 6


def test_the_before_mean_takes_the_last_six_periods_and_gaps_are_skipped():
    values = [50, 50, 50, 20, 21, 19, 22, 20, 21, None, 14, 13, 12]  # 3 old, 6 before, a gap, 3 after
    effect = actions.indicator_effect(monthly(values, "2024-10-01"), since=DECIDED, direction="baisse")
    assert effect.n_before == 6 and effect.mean_before == pytest.approx(20.5)
    assert effect.n_after == 3 and effect.verdict == "amelioration"


def test_no_period_before_the_action_is_said():
    effect = actions.indicator_effect(monthly([14, 13, 12, 13], "2025-07-01"), since=DECIDED, direction="baisse")
    assert effect.verdict == "sans_reference"


def test_after_counts_from_the_date_done_when_there_is_one():
    assert actions.effect_since(date(2025, 3, 1), date(2025, 9, 15)) == date(2025, 9, 15)
    assert actions.effect_since(date(2025, 3, 1), None) == date(2025, 3, 1)


def campaigns(rows) -> pd.DataFrame:
    return pd.DataFrame([{"period_start": pd.Timestamp(f"{year}-01-01"), "satisfied": s, "n_expressed": n}
                         for year, s, n in rows])


def test_a_satisfaction_rate_improves_only_when_the_wilson_intervals_do_not_overlap():
    since = date(2022, 6, 1)
    # 60 % on 400 answers, then 75 % on 400 a year for three years: intervals far apart.
    clear = campaigns([(2021, 240, 400), (2022, 300, 400), (2023, 300, 400), (2024, 300, 400)])
    effect = actions.rate_effect(clear, since=date(2021, 6, 1))
    assert effect.verdict == "amelioration" and effect.low_after > effect.high_before
    # 60 % then 68 % on 40 answers each: the means rose, the intervals overlap: no net change.
    small = campaigns([(2021, 24, 40), (2022, 27, 40), (2023, 27, 40), (2024, 28, 40)])
    effect = actions.rate_effect(small, since=date(2021, 6, 1))
    assert effect.mean_after > effect.mean_before and effect.verdict == "pas_de_changement"
    # A clear fall is a worsening.
    fall = campaigns([(2021, 320, 400), (2022, 240, 400), (2023, 240, 400), (2024, 240, 400)])
    assert actions.rate_effect(fall, since=date(2021, 6, 1)).verdict == "degradation"
    # Two campaigns after: too early.
    assert actions.rate_effect(clear.iloc[:3], since=date(2021, 6, 1)).verdict == "trop_tot"
    assert actions.rate_effect(clear, since=since).n_before == 2


def test_the_effect_reads_in_french():
    effect = actions.indicator_effect(monthly([20, 21, 19, 22, 20, 21, 14, 13, 12, 13]), since=DECIDED,
                                      direction="baisse")
    text = actions.effect_text(effect, "jours ouvrés").replace("\u202f", " ").replace("\xa0", " ")
    assert text == "Avant : 20,5 j (6 périodes) · après : 13,0 j (4 périodes)"
    assert effect.label == "Amélioration"


def test_the_months_while_the_action_was_under_way_count_neither_before_nor_after():
    # Decided in July, done in October: July–September (being put in place) are left out.
    values = [20, 21, 19, 22, 20, 21, 30, 30, 30, 14, 13, 12]
    effect = actions.effect_of("indicateur", monthly(values), decided_on=date(2025, 7, 1),
                               done_on=date(2025, 10, 1), direction="baisse")
    assert (effect.n_before, effect.n_after) == (6, 3) and effect.mean_before == pytest.approx(20.5)
    assert effect.verdict == "amelioration" and effect.before_from == date(2025, 1, 1)
