"""Offline text processing for themes: tokenising, stop words, stemming, phrases, readable surface forms.

Everything here works without NLTK data downloads: a regular-expression tokenizer, scikit-learn's
English stop-word list (plus a few chat fillers), the Snowball stemmer and NLTK's collocation
finder. Terms are stems ("arriv") or stem bigrams ("card arriv"); :class:`SurfaceForms` maps each
term back to the words people actually wrote ("arrived", "card arrived") so labels read naturally.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = [
    "STOP_WORDS",
    "SurfaceForms",
    "TextAnalyzer",
    "find_phrases",
    "has_words",
    "stem",
    "tokenize",
]

# Words with an apostrophe stay whole ("don't"); numbers are kept ("24h" → "24h").
_TOKENIZER = RegexpTokenizer(r"[a-z0-9]+(?:['’][a-z]+)?")
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)

# scikit-learn's list covers function words; the additions are fillers common in short
# free-text answers and contraction fragments the tokenizer leaves behind.
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    {
        "i'm", "i've", "i'd", "i'll", "it's", "don't", "doesn't", "didn't", "can't", "won't",
        "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't", "shouldn't", "wouldn't",
        "couldn't", "there's", "that's", "what's", "let's", "you're", "they're", "we're",
        "im", "ive", "dont", "cant", "wont", "didnt", "doesnt", "isnt", "just", "really",
        "like", "want", "need", "please", "thanks", "thank", "hi", "hello", "ok", "okay",
        "yes", "got", "get", "getting", "s", "t", "d", "ll", "m", "re", "ve",
    }
)

_STEMMER = SnowballStemmer("english")


def tokenize(text: str) -> list[str]:
    """Split a text into lower-case word tokens.

    Parameters
    ----------
    text : str
        Any text; ``None``-like empty input gives an empty list.

    Returns
    -------
    list of str
        Lower-cased tokens, curly apostrophes normalised to ``'``.
    """
    if not text:
        return []
    return [tok.replace("’", "'") for tok in _TOKENIZER.tokenize(text.lower())]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Snowball (Porter 2) stem of a lower-case word."""
    return _STEMMER.stem(word)


def has_words(text: str | None) -> bool:
    """Tell whether a text contains at least one letter or digit."""
    return bool(text) and _WORD_RE.search(text) is not None


class TextAnalyzer:
    """Turn texts into theme terms: stemmed content words and, optionally, adjacent-word bigrams.

    An instance is a picklable callable suitable as scikit-learn's ``analyzer=`` argument.

    Parameters
    ----------
    stop_words : iterable of str, optional
        Words to drop before stemming; defaults to :data:`STOP_WORDS`.
    bigrams : bool, default True
        Also emit ``"stem1 stem2"`` for consecutive content words (stop words in between are
        skipped, so "top up my card" gives "top card" only if "up" is a stop word).
    min_length : int, default 2
        Drop tokens shorter than this (single letters carry no theme).
    """

    def __init__(
        self, stop_words: Iterable[str] | None = None, bigrams: bool = True, min_length: int = 2
    ) -> None:
        self.stop_words = frozenset(STOP_WORDS if stop_words is None else stop_words)
        self.bigrams = bigrams
        self.min_length = min_length

    def words(self, text: str) -> list[tuple[str, str]]:
        """Return ``(stem, surface word)`` pairs for the content words of ``text``, in order."""
        return [(s, w) for _, s, w in self.positioned_words(text)]

    def positioned_words(self, text: str) -> list[tuple[int, str, str]]:
        """Return ``(token position, stem, surface word)`` for the content words of ``text``, in order.

        Positions count every token, stop words included, so two content words are written side
        by side exactly when their positions differ by one.
        """
        return [
            (i, stem(tok), tok)
            for i, tok in enumerate(tokenize(text))
            if len(tok) >= self.min_length and tok not in self.stop_words
        ]

    def __call__(self, text: str) -> list[str]:
        """Return the terms of ``text``: stems, then stem bigrams."""
        stems = [s for s, _ in self.words(text)]
        if self.bigrams and len(stems) > 1:
            stems.extend(f"{a} {b}" for a, b in zip(stems, stems[1:]) if a != b)
        return stems


class SurfaceForms:
    """Map stems and stem bigrams back to their most frequent written form.

    Parameters
    ----------
    analyzer : TextAnalyzer, optional
        The analyzer whose terms should be mapped; a default one otherwise.
    """

    def __init__(self, analyzer: TextAnalyzer | None = None) -> None:
        self.analyzer = analyzer or TextAnalyzer()
        self._forms: dict[str, Counter[str]] = defaultdict(Counter)
        self._adjacent: Counter[str] = Counter()  # bigram -> occurrences written side by side

    def update(self, texts: Iterable[str]) -> SurfaceForms:
        """Count the surface forms of every term in ``texts``; return self."""
        forms = self._forms
        for text in texts:
            words = self.analyzer.positioned_words(text)
            for _, s, w in words:
                forms[s][w] += 1
            if self.analyzer.bigrams:
                for (i1, s1, w1), (i2, s2, w2) in zip(words, words[1:]):
                    if s1 != s2:
                        forms[f"{s1} {s2}"][f"{w1} {w2}"] += 1
                        self._adjacent[f"{s1} {s2}"] += i2 == i1 + 1
        return self

    def written_together(self, term: str) -> bool:
        """Tell whether a term reads as written: a word, or a bigram mostly written side by side.

        A bigram skips stop words, so "freight costs and slow shipping" gives "costs slow": a
        useful feature for grouping, but not a phrase anyone wrote. Unknown terms count as written.
        """
        total = sum(self._forms[term].values()) if " " in term and term in self._forms else 0
        return total == 0 or 2 * self._adjacent[term] >= total

    def surface(self, term: str) -> str:
        """Return the most frequent written form of ``term`` (ties: alphabetical), or the term."""
        counts = self._forms.get(term)
        if not counts:
            if " " in term:
                return " ".join(self.surface(part) for part in term.split(" "))
            return term
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def find_phrases(
    token_lists: Iterable[Sequence[str]], min_count: int = 3, top: int = 100
) -> list[tuple[str, str]]:
    """Find collocations (two-word phrases) by Dunning's log-likelihood ratio.

    Parameters
    ----------
    token_lists : iterable of sequences of str
        Tokenised texts (e.g. stems from :meth:`TextAnalyzer.words`); bigrams never span texts.
    min_count : int, default 3
        Ignore pairs seen fewer times than this.
    top : int, default 100
        Return at most this many phrases, strongest first.

    Returns
    -------
    list of (str, str)
    """
    finder = BigramCollocationFinder.from_documents(list(token_lists))
    finder.apply_freq_filter(min_count)
    return finder.nbest(BigramAssocMeasures.likelihood_ratio, top)
