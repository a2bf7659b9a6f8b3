"""Tests for offline VADER sentiment per text and per theme."""

import zipfile

import nltk
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
