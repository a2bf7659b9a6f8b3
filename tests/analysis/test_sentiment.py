"""Tests for offline VADER sentiment per text and per theme."""

import zipfile

import nltk
import numpy as np
import pytest

from analysis.sentiment import ensure_vader_lexicon, sentiment_scores, theme_sentiment


def test_scores_have_the_right_sign_offline():
    pos, neg, empty = sentiment_scores(["Customers love the new pricing", "Terrible delays, clients are furious", ""])
    assert pos > 0.3
    assert neg < -0.3
    assert empty == 0.0


def test_lexicon_folder_is_nltk_shaped(tmp_path):
    data_dir = ensure_vader_lexicon(tmp_path)
    with zipfile.ZipFile(data_dir / "sentiment" / "vader_lexicon.zip") as zf:
        assert "vader_lexicon/vader_lexicon.txt" in zf.namelist()
    assert str(data_dir) in nltk.data.path
    nltk.data.path.remove(str(data_dir))


def test_theme_sentiment_averages_per_theme_and_skips_no_theme():
    assert theme_sentiment([0, 0, 1, -1], [0.5, -0.1, 0.9, 1.0]) == pytest.approx({0: 0.2, 1: 0.9})


def test_theme_sentiment_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        theme_sentiment([0, 1], [0.5])


def test_scale_is_explained_in_one_line():
    from analysis.sentiment import SCALE_EXPLANATION

    assert "\n" not in SCALE_EXPLANATION and "-1" in SCALE_EXPLANATION and "+1" in SCALE_EXPLANATION


def test_bands_follow_vader_convention():
    from analysis.sentiment import sentiment_band

    assert [sentiment_band(v) for v in (0.6, 0.05, 0.0, -0.049, -0.05)] == [
        "positive", "positive", "neutral", "neutral", "negative"]


def test_clear_sentiment_is_shown_and_mixed_is_not():
    from analysis.sentiment import summarise_sentiment

    negative = summarise_sentiment([-0.6, -0.4, -0.7, -0.5, -0.3, -0.8])
    assert negative.shown and negative.band == "negative" and negative.high < 0 and negative.reason == ""
    mixed = summarise_sentiment([0.8, -0.7, 0.6, -0.5, 0.7, -0.8, 0.1, -0.2])
    assert not mixed.shown and mixed.low < 0 < mixed.high and "unsure" in mixed.reason


def test_confidently_neutral_is_shown_and_few_texts_are_not():
    from analysis.sentiment import summarise_sentiment

    neutral = summarise_sentiment([0.0, 0.01, -0.01, 0.0, 0.02, -0.02, 0.0, 0.0])
    assert neutral.shown and neutral.band == "neutral"
    few = summarise_sentiment([-0.9, -0.8, -0.9])
    assert not few.shown and few.n == 3 and "fewer than 5" in few.reason
    assert summarise_sentiment([]).mean is None


def test_rule_is_repeatable_and_uses_normal_approximation_for_many_texts():
    from analysis.sentiment import summarise_sentiment

    rng = np.random.default_rng(1)
    scores = rng.uniform(-0.2, 0.5, 300)
    assert summarise_sentiment(scores) == summarise_sentiment(scores)
    big = summarise_sentiment(rng.uniform(0.0, 0.4, 5000))
    assert big.shown and big.low < big.mean < big.high and big.high - big.low < 0.02


def test_theme_sentiment_summary_is_per_theme():
    from analysis.sentiment import theme_sentiment_summary

    out = theme_sentiment_summary([0] * 6 + [1] * 2 + [-1], [-0.5] * 6 + [0.9, 0.8] + [1.0])
    assert set(out) == {0, 1}
    assert out[0].shown and out[0].mean == pytest.approx(-0.5)
    assert not out[1].shown
    with pytest.raises(ValueError):
        theme_sentiment_summary([0], [0.1, 0.2])
