"""The theme engine finds the planted themes of the demo generator (a regression guard).

Measured with the automatic theme count (`ThemeModel("auto")`, 30-32 themes found for 2,100 texts,
24-25 for 1,300; a planted theme may be split, so NMI, not the count, is the figure to watch):

* 150 observations per planted theme (14 themes, 2,100 texts), seeds 0, 1, 2: all 14 planted
  themes are the majority of a found theme whose label contains one of their key words (by stem);
  NMI 0.662, 0.661, 0.676.
* The demo's own mix (1,300 observations over 6 periods drawn with `pick_theme`, so prevalences and
  trends apply and the rarest theme has ~50 texts), seeds 0, 1, 2: 14, 14, 14 of 14 recovered;
  NMI 0.686, 0.655, 0.705. (Before multi-year renewals and procurement got phrasings of their
  own, 2026-11: 13, 13, 12 of 14, NMI 0.62-0.64.)

The bars sit below those figures, so a reshuffle of the clustering does not trip them: all 14 and
NMI >= 0.6 for the balanced set, >= 11 of 14 and NMI >= 0.58 at the demo's scale; seeds 0 and 1
of each run here (about 10 s on an idle 2-core machine); seed 2 passes too.
"""

import random
import socket
from collections import Counter

import pytest
from sklearn.metrics import normalized_mutual_info_score

from analysis.text import stem, tokenize
from analysis.themes import ThemeModel
from webapp.demo.texts import OBSERVATION_THEMES, generate_observation, generate_observations, pick_theme


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any attempt to open a network connection."""

    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def recovered_themes(model, truth):
    """Planted keys that are the majority of a found theme labelled with one of their key words."""
    keywords = {t.key: {stem(w) for w in t.keywords} for t in OBSERVATION_THEMES}
    found = set()
    for theme in model.themes_:
        key, n = Counter(k for k, tid in zip(truth, model.labels_) if tid == theme.theme_id).most_common(1)[0]
        if n >= 0.5 * theme.size and {stem(w) for w in tokenize(theme.label)} & keywords[key]:
            found.add(key)
    return found


def balanced_texts(seed, per_theme=150):
    rng = random.Random(seed)
    texts, truth = [], []
    for theme in OBSERVATION_THEMES:
        texts += generate_observations(rng, theme, per_theme)
        truth += [theme.key] * per_theme
    return texts, truth


def demo_mix_texts(seed, n=1300, n_periods=6):
    """Texts drawn as the demo organisation draws them: theme by `pick_theme`, period by period."""
    rng = random.Random(seed)
    texts, truth = [], []
    for i in range(n):
        theme = pick_theme(rng, i * n_periods // n, n_periods)
        texts.append(generate_observation(rng, theme))
        truth.append(theme.key)
    return texts, truth


@pytest.mark.parametrize("seed", [0, 1])
def test_all_planted_demo_themes_are_recovered_with_keyword_labels(seed):
    texts, truth = balanced_texts(seed)
    model = ThemeModel("auto", random_state=seed).fit(texts)
    missing = {t.key for t in OBSERVATION_THEMES} - recovered_themes(model, truth)
    assert not missing
    assert normalized_mutual_info_score(truth, model.labels_) >= 0.6


@pytest.mark.parametrize("seed", [0, 1])
def test_planted_themes_are_recovered_at_the_demo_scale_and_mix(seed):
    texts, truth = demo_mix_texts(seed)
    model = ThemeModel("auto", random_state=seed).fit(texts)
    assert len(recovered_themes(model, truth)) >= 11
    assert normalized_mutual_info_score(truth, model.labels_) >= 0.58


@pytest.mark.parametrize("seed", [0, 1])
def test_analyze_rule_gives_a_readable_count_at_the_demo_scale(seed):
    """analyze's rule (silhouette, then merged down to the spectral count): within +-30% of the 14
    signals, no worse grouping than the silhouette count alone (25 themes at its cap).

    Measured with the default static embedder, seeds 0 / 1 / 2: 19 / 15 / 16 themes, 14 / 13 / 13
    signals recovered, NMI 0.721 / 0.695 / 0.693 (unmerged: 25 themes, 14 each, NMI 0.700 / 0.672 /
    0.686); with MiniLM, as the demo runs, ``benchmarks/demo_themes.py``.
    """
    from webapp.analysis_runs.service import MAX_THEMES, OBSERVATION_COUNT_RULE

    texts, truth = demo_mix_texts(seed)
    merged = ThemeModel("auto", count_rule=OBSERVATION_COUNT_RULE, max_themes=MAX_THEMES, random_state=0).fit(texts)
    alone = ThemeModel("auto", count_rule=OBSERVATION_COUNT_RULE, max_themes=MAX_THEMES, merge_to_spectral=False,
                       random_state=0).fit(texts)
    assert alone.n_themes_ > 18  # what the merge is for
    assert 10 <= merged.n_themes_ <= 19
    assert len(recovered_themes(merged, truth)) >= 12
    assert normalized_mutual_info_score(truth, merged.labels_) >= normalized_mutual_info_score(truth, alone.labels_)
