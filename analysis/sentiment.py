"""Sentiment of short texts with NLTK's VADER, offline, its mean per theme, and when to show it.

Each text gets VADER's *compound* score (:func:`sentiment_scores`), explained to readers by
:data:`SCALE_EXPLANATION`. A theme's sentiment is the mean of its texts' scores; it is shown only
when the engine is sure of it (:func:`summarise_sentiment`): at least :data:`MIN_TEXTS` texts,
and the 90% bootstrap interval of the mean lies wholly on one side of zero or wholly inside the
neutral band (-0.05, 0.05). Otherwise the interval straddles a boundary between negative,
neutral and positive, and showing a number would claim more than the texts say.

Not measured on labelled sentiment data: no such data set with a licence that allows it is on
this machine (``../shared/data`` holds BANKING77 only, which has intents, not sentiment), and
nothing may be downloaded.

NLTK 3.10 loads resources only from folders on ``nltk.data.path``, so the lexicon shipped in the
``vaderSentiment`` package is copied once into an nltk_data-shaped cache folder
(``<cache>/nltk_data/sentiment/vader_lexicon.zip`` holding ``vader_lexicon/vader_lexicon.txt``).
The cache is ``$GROUNDSWELL_CACHE_DIR``, else ``$XDG_CACHE_HOME/groundswell``, else
``~/.cache/groundswell``, falling back to the system temp folder if that is not writable.
"""

from __future__ import annotations

import os
import tempfile
import threading
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nltk
import numpy as np

__all__ = [
    "MIN_TEXTS",
    "NEUTRAL_BAND",
    "RULE_EXPLANATION",
    "SCALE_EXPLANATION",
    "ThemeSentiment",
    "ensure_vader_lexicon",
    "sentiment_band",
    "sentiment_scores",
    "summarise_sentiment",
    "theme_sentiment",
    "theme_sentiment_summary",
    "vader",
]

SCALE_EXPLANATION = ("Sentiment runs from -1 (very negative) through 0 (neutral) to +1 (very positive): "
                     "VADER's compound score of the words used, averaged over the texts.")
NEUTRAL_BAND = 0.05  # |score| below this is neutral (VADER's own convention)
MIN_TEXTS = 5  # fewer texts than this: a theme's sentiment is not shown
CONFIDENCE = 0.90
_RESAMPLES = 2000
# The rule of `summarise_sentiment` in words, from its own constants, for every page that shows a theme's sentiment.
RULE_EXPLANATION = (f"A theme's sentiment is shown only when the engine is sure of it: at least {MIN_TEXTS} texts and "
                    f"the {CONFIDENCE:.0%} interval of their mean wholly above 0, wholly below 0 or wholly "
                    f"inside ±{NEUTRAL_BAND:.2f} (neutral); otherwise it reads “unclear”.")
_NORMAL_ABOVE = 2000  # texts above which the interval uses the normal approximation (CLT) instead

_LOCK = threading.Lock()
_LEXICON_MEMBER = "vader_lexicon/vader_lexicon.txt"


def _cache_roots() -> list[Path]:
    roots = []
    if os.environ.get("GROUNDSWELL_CACHE_DIR"):
        roots.append(Path(os.environ["GROUNDSWELL_CACHE_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME")
    roots.append(Path(xdg) / "groundswell" if xdg else Path.home() / ".cache" / "groundswell")
    roots.append(Path(tempfile.gettempdir()) / "groundswell")
    return roots


def _source_lexicon() -> Path:
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    if not path.is_file():
        raise FileNotFoundError(f"the vaderSentiment package has no lexicon at {path}")
    return path


def ensure_vader_lexicon(cache_dir: str | os.PathLike | None = None) -> Path:
    """Make the VADER lexicon loadable by NLTK offline; return the nltk_data folder used.

    Parameters
    ----------
    cache_dir : path, optional
        Folder in which to build ``nltk_data/``; default: see the module docstring.

    Returns
    -------
    pathlib.Path
        The nltk_data folder, now on ``nltk.data.path``.
    """
    with _LOCK:
        roots = [Path(cache_dir)] if cache_dir is not None else _cache_roots()
        source = _source_lexicon()
        last_error: OSError | None = None
        for root in roots:
            data_dir = root / "nltk_data"
            target = data_dir / "sentiment" / "vader_lexicon.zip"
            try:
                if not target.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    # write to a temp name then rename, so a concurrent reader never sees half a zip
                    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".zip")
                    os.close(fd)
                    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                        zf.write(source, _LEXICON_MEMBER)
                    os.replace(tmp, target)
            except OSError as exc:
                last_error = exc
                continue
            if str(data_dir) not in nltk.data.path:
                nltk.data.path.insert(0, str(data_dir))
            return data_dir
        raise OSError(f"no writable cache folder for the VADER lexicon: {last_error}")


@lru_cache(maxsize=1)
def vader():
    """Return a shared NLTK ``SentimentIntensityAnalyzer`` built from the offline lexicon."""
    ensure_vader_lexicon()
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_scores(texts: Iterable[str]) -> list[float]:
    """Return VADER's compound score in [-1, 1] for each text (0.0 for empty texts).

    Parameters
    ----------
    texts : iterable of str

    Returns
    -------
    list of float
    """
    analyzer = vader()
    return [
        float(analyzer.polarity_scores(t)["compound"]) if isinstance(t, str) and t.strip() else 0.0
        for t in texts
    ]


def theme_sentiment(theme_ids: Sequence[int], scores: Sequence[float]) -> dict[int, float]:
    """Return the mean sentiment score per theme id (texts with id -1 are left out).

    Parameters
    ----------
    theme_ids : sequence of int
        Theme of each text, as ``ThemeModel.labels_``.
    scores : sequence of float
        Score of each text, as from :func:`sentiment_scores`.

    Returns
    -------
    dict of int to float
    """
    by_theme = _scores_by_theme(theme_ids, scores)
    return {tid: sum(v) / len(v) for tid, v in sorted(by_theme.items())}


def _scores_by_theme(theme_ids: Sequence[int], scores: Sequence[float]) -> dict[int, list[float]]:
    """Each theme id's scores, in text order; texts with id -1 (no theme) are left out."""
    if len(theme_ids) != len(scores):
        raise ValueError(f"{len(theme_ids)} theme ids but {len(scores)} scores")
    by_theme: dict[int, list[float]] = defaultdict(list)
    for tid, s in zip(theme_ids, scores):
        if int(tid) >= 0:
            by_theme[int(tid)].append(float(s))
    return by_theme


def sentiment_band(score: float) -> str:
    """"positive" (>= 0.05), "negative" (<= -0.05) or "neutral": VADER's conventional bands."""
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class ThemeSentiment:
    """A theme's mean sentiment, its uncertainty, and whether it is sure enough to show.

    Attributes
    ----------
    mean : float or None
        Mean score of the texts (None without texts).
    low, high : float or None
        The ``CONFIDENCE`` (90%) interval of the mean: bootstrap percentiles, or the normal
        approximation above 2,000 texts.
    n : int
    shown : bool
        True when the rule of :func:`summarise_sentiment` holds.
    band : str
        :func:`sentiment_band` of the mean ("positive", "neutral", "negative").
    reason : str
        Why it is not shown ("" when shown).
    """

    mean: float | None
    low: float | None
    high: float | None
    n: int
    shown: bool
    band: str
    reason: str = ""


def summarise_sentiment(scores: Sequence[float], *, min_texts: int = MIN_TEXTS, confidence: float = CONFIDENCE,
                        seed: int = 0) -> ThemeSentiment:
    """Mean sentiment of one theme's texts and whether the engine is sure enough to show it.

    Rule: shown when there are at least ``min_texts`` texts and the ``confidence`` interval of
    the mean lies wholly above 0, wholly below 0, or wholly inside the neutral band
    (-0.05, 0.05); hidden when it straddles 0 or a band edge reaching past it. The interval is a
    percentile bootstrap (2,000 resamples, seeded: the same scores always give the same answer);
    above 2,000 texts the normal approximation (mean +- z x standard error).

    Parameters
    ----------
    scores : sequence of float
        Per-text scores in [-1, 1], as from :func:`sentiment_scores`.
    min_texts : int, default 5
    confidence : float, default 0.9
    seed : int, default 0

    Returns
    -------
    ThemeSentiment
    """
    x = np.asarray(list(scores), dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return ThemeSentiment(None, None, None, 0, False, "neutral", "no texts")
    mean = float(x.mean())
    alpha = (1.0 - confidence) / 2.0
    if n == 1:
        low = high = mean
    elif n > _NORMAL_ABOVE:
        from scipy.stats import norm

        half = float(norm.ppf(1.0 - alpha)) * float(x.std(ddof=1)) / np.sqrt(n)
        low, high = mean - half, mean + half
    else:
        rng = np.random.default_rng(seed)
        means = x[rng.integers(0, n, size=(_RESAMPLES, n))].mean(axis=1)
        low, high = (float(v) for v in np.quantile(means, [alpha, 1.0 - alpha]))
    band = sentiment_band(mean)
    if n < min_texts:
        return ThemeSentiment(mean, low, high, n, False, band, f"fewer than {min_texts} texts")
    sure = low > 0.0 or high < 0.0 or (low > -NEUTRAL_BAND and high < NEUTRAL_BAND)
    reason = "" if sure else (f"unsure: the {confidence:.0%} interval of the mean, {low:+.2f} to {high:+.2f}, "
                              "spans more than one of negative, neutral and positive")
    return ThemeSentiment(mean, low, high, n, sure, band, reason)


def theme_sentiment_summary(theme_ids: Sequence[int], scores: Sequence[float], *, min_texts: int = MIN_TEXTS,
                            confidence: float = CONFIDENCE, seed: int = 0) -> dict[int, ThemeSentiment]:
    """:func:`summarise_sentiment` per theme id (texts with id -1 are left out).

    Parameters
    ----------
    theme_ids : sequence of int
        Theme of each text, as ``ThemeModel.labels_``.
    scores : sequence of float
        Score of each text, as from :func:`sentiment_scores`.

    Returns
    -------
    dict of int to ThemeSentiment
    """
    by_theme = _scores_by_theme(theme_ids, scores)
    return {tid: summarise_sentiment(v, min_texts=min_texts, confidence=confidence, seed=seed)
            for tid, v in sorted(by_theme.items())}
