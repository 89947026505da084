import math

import pandas as pd
import pytest

from qualepref import stats
from qualepref.stats import AlertLevel


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Reference values (Newcombe 1998, Table I; also R's binom::binom.wilson).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_reference_values(successes, n, low, high):
    got_low, got_high = stats.wilson_interval(successes, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_interval_is_nan_without_answers_and_vectorised():
    low, high = stats.wilson_interval([0, 5], [0, 10])
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert 0 < low[1] < 0.5 < high[1] < 1


@pytest.mark.parametrize(
    ("rate", "n", "expected"),
    [
        (0.749, 400, AlertLevel.BELOW),  # upper bound above 75 % with n = 400
        (0.75, 400, AlertLevel.NONE),
        (0.751, 400, AlertLevel.NONE),
        (0.60, 400, AlertLevel.SIGNIFICANT),
        (0.749, 29, AlertLevel.INSUFFICIENT),
        (0.749, 30, AlertLevel.BELOW),
        (0.40, 29, AlertLevel.INSUFFICIENT),
        (0.90, 29, AlertLevel.NONE),
        (0.40, 30, AlertLevel.SIGNIFICANT),  # upper bound 0.58 < 0.75
    ],
)
def test_alert_levels_at_the_boundaries(rate, n, expected):
    assert stats.alert_level(rate, n) is expected


def test_significance_uses_the_upper_bound():
    # 70 % of 100: interval 0.604–0.781 crosses 75 % → merely below.
    assert stats.alert_level(0.70, 100) is AlertLevel.BELOW
    # 70 % of 1000: interval 0.671–0.727 is wholly under 75 % → significant.
    assert stats.alert_level(0.70, 1000) is AlertLevel.SIGNIFICANT


def test_with_satisfaction_adds_rate_bounds_and_alert():
    frame = pd.DataFrame({
        "n_tres_satisfait": [10, 0], "n_satisfait": [50, 0], "n_peu_satisfait": [30, 0],
        "n_pas_du_tout_satisfait": [10, 0], "n_sans_avis": [5, 3],
    })
    frame["n_expressed"] = frame.iloc[:, :4].sum(axis=1)
    out = stats.with_satisfaction(frame)
    assert out.rate[0] == pytest.approx(0.60)
    assert out.rate_low[0] < 0.60 < out.rate_high[0] < 0.75
    assert out.alert[0] == AlertLevel.SIGNIFICANT
    assert math.isnan(out.rate[1])


def test_target_misses_follow_the_direction_and_ignore_missing():
    missed = stats.misses_target([12, 8, None, 95, 85, 5], [10, 10, 10, 90, 90, None],
                                 ["baisse", "baisse", "baisse", "hausse", "hausse", None])
    assert missed.tolist() == [True, False, False, False, True, False]


def test_a_strict_target_is_missed_by_its_own_value():
    """"En moins de 15 jours": 15,0 j misses; "au plus 15 jours": 15,0 j meets. Strictness is per row."""
    missed = stats.misses_target([15, 15, 90, 90, 14.9], [15, 15, 90, 90, 15],
                                 ["baisse", "baisse", "hausse", "hausse", "baisse"],
                                 [True, False, True, False, True])
    assert missed.tolist() == [True, False, True, False, False]


def test_rank_bands_span_the_prefectures_whose_interval_overlaps():
    """A prefecture can be placed above only those whose interval lies wholly below its own."""
    low = [0.80, 0.78, 0.60, 0.55, 0.90]
    high = [0.90, 0.88, 0.70, 0.75, 0.95]
    best, worst = stats.rank_bands(low, high)
    # e (0.90–0.95) touches a at 0.90: touching intervals overlap, so e and a may swap.
    # b (0.78–0.88) lies wholly below e (0.90–0.95): at best second.
    assert list(best) == [1, 2, 4, 4, 1]
    assert list(worst) == [3, 3, 5, 5, 2]
    assert all(b <= w for b, w in zip(best, worst, strict=True))
    # Lower is better (a rate of lost calls): the bands mirror.
    best_low, worst_low = stats.rank_bands(low, high, higher_is_better=False)
    assert list(best_low) == [3, 3, 1, 1, 4] and list(worst_low) == [5, 4, 2, 2, 5]
    # Disjoint intervals give strict ranks; one site is first of one.
    strict = stats.rank_bands([0.1, 0.3, 0.5], [0.2, 0.4, 0.6])
    assert [list(a) for a in strict] == [[3, 2, 1], [3, 2, 1]]
    assert [list(a) for a in stats.rank_bands([0.5], [0.6])] == [[1], [1]]


def test_rank_band_text():
    assert stats.rank_band_text(3, 17) == "3 à 17"
    assert stats.rank_band_text(4, 4) == "4"
