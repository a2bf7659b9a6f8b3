"""Sentiment of short texts with NLTK's VADER, offline, and its mean per theme.

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
from functools import lru_cache
from pathlib import Path

import nltk

__all__ = ["ensure_vader_lexicon", "sentiment_scores", "theme_sentiment", "vader"]

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
    if len(theme_ids) != len(scores):
        raise ValueError(f"{len(theme_ids)} theme ids but {len(scores)} scores")
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for tid, s in zip(theme_ids, scores):
        tid = int(tid)
        if tid < 0:
            continue
        sums[tid] += float(s)
        counts[tid] += 1
    return {tid: sums[tid] / counts[tid] for tid in sorted(sums)}
