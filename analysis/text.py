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
    "FUNCTION_WORDS",
    "STOP_WORDS",
    "CasedToken",
    "Dangling",
    "Entities",
    "SurfaceForms",
    "TextAnalyzer",
    "cased_tokens",
    "find_entities",
    "find_phrases",
    "has_words",
    "is_slot_filler",
    "mention_spans",
    "phrase_candidates",
    "stem",
    "tokenize",
]

# Words with an apostrophe stay whole ("don't"); numbers are kept ("24h" → "24h").
_TOKENIZER = RegexpTokenizer(r"[a-z0-9]+(?:['’][a-z]+)?")
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)

# Words scikit-learn's list drops although they carry a topic ("top up", "wrong amount", "bill",
# "CRM system", "interest rate", "change my name"): kept as content words.
_CONTENT_IN_SKLEARN = frozenset(
    {"amount", "bill", "bottom", "call", "detail", "empty", "fire", "front", "full", "interest",
     "move", "name", "part", "show", "side", "system", "top"}
)

# scikit-learn's list covers function words; the additions are fillers common in short
# free-text answers and contraction fragments the tokenizer leaves behind.
STOP_WORDS: frozenset[str] = (frozenset(ENGLISH_STOP_WORDS) - _CONTENT_IN_SKLEARN) | frozenset(
    {
        "i'm", "i've", "i'd", "i'll", "it's", "don't", "doesn't", "didn't", "can't", "won't",
        "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't", "shouldn't", "wouldn't",
        "couldn't", "there's", "that's", "what's", "let's", "you're", "they're", "we're",
        "im", "ive", "dont", "cant", "wont", "didnt", "doesnt", "isnt", "just", "really",
        "like", "want", "need", "please", "thanks", "thank", "hi", "hello", "ok", "okay",
        "yes", "got", "get", "getting", "s", "t", "d", "ll", "m", "re", "ve",
    }
) | frozenset(  # a pronoun's contractions: "we'll", "they've", "you'd", "she's"
    f"{word}{ending}" for word in ("i", "you", "we", "they", "he", "she", "it", "there", "that", "who", "what",
                                   "where", "here", "how", "this")
    for ending in ("'ll", "'re", "'ve", "'d", "'s", "'m")
)

# Words a theme name may neither start nor end with: grammatical words (articles, pronouns,
# prepositions, conjunctions, auxiliaries, negation, chat fillers). A name may hold them inside
# ("card not working", "cash from an ATM"). Content verbs such as "get" or "want" are not here:
# they may start a name ("get a refund") but never make one alone (see phrase_candidates).
FUNCTION_WORDS: frozenset[str] = (STOP_WORDS | frozenset(
    # "away": the one particle of _TRAILING_PARTICLES scikit-learn's list lacks; like the others it
    # may end a phrasal verb's name ("give away") but never start a name ("away free to undercut")
    {"does", "did", "doing", "having", "shall", "ought", "whilst", "upto", "an", "via", "per", "vs", "away"}
)) - frozenset(
    {"get", "getting", "got", "want", "need", "like", "keep", "give", "find", "found", "take", "made",
     "fill", "see", "go", "put"}
)
# A particle may end a phrasal verb's name: "top up", "cash out", "sign in", "pay back".
_TRAILING_PARTICLES = frozenset({"up", "out", "off", "down", "back", "away", "in"})
# Words that open a noun phrase: a word mostly followed by one is waiting for its object.
_DETERMINERS = frozenset({"the", "a", "an", "my", "our", "their", "his", "her", "its", "your", "this",
                          "that", "these", "those", "some", "any", "every", "each", "all", "no",
                          "me", "us", "him", "them", "it", "you"})
# A question word inside a span starts a new clause ("Europe how long"): never inside a name.
_CLAUSE_WORDS = frozenset({"how", "what", "when", "where", "why", "which", "who", "whom", "whose", "whether"})

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

    A hyphenated compound ("multi-year", "sign-off") is one word to a reader: the bigram of its
    parts is shown with its hyphen, and a part ("multi") or a bigram that cuts it ("year terms" of
    "multi-year terms") is not a term as written when that is how people mostly wrote it.

    Parameters
    ----------
    analyzer : TextAnalyzer, optional
        The analyzer whose terms should be mapped; a default one otherwise.
    """

    def __init__(self, analyzer: TextAnalyzer | None = None) -> None:
        self.analyzer = analyzer or TextAnalyzer()
        self._forms: dict[str, Counter[str]] = defaultdict(Counter)
        self._adjacent: Counter[str] = Counter()  # bigram -> occurrences written side by side
        self._cut: Counter[str] = Counter()  # term -> occurrences that are part of a compound, not all of it

    def update(self, texts: Iterable[str]) -> SurfaceForms:
        """Count the surface forms of every term in ``texts``; return self."""
        forms = self._forms
        for text in texts:
            words = self.analyzer.positioned_words(text)
            compound = _compound_of(text)
            for i, s, w in words:
                forms[s][w] += 1
                self._cut[s] += compound[i] >= 0
            if self.analyzer.bigrams:
                for (i1, s1, w1), (i2, s2, w2) in zip(words, words[1:]):
                    if s1 != s2:
                        term = f"{s1} {s2}"
                        joined = i2 == i1 + 1 and compound[i1] >= 0 and compound[i1] == compound[i2]
                        forms[term][f"{w1}-{w2}" if joined else f"{w1} {w2}"] += 1
                        self._adjacent[term] += i2 == i1 + 1
                        self._cut[term] += not joined and (compound[i1] >= 0 or compound[i2] >= 0)
        return self

    def written_together(self, term: str) -> bool:
        """Tell whether a term reads as written: a word or a bigram as people mostly wrote it.

        A bigram skips stop words, so "freight costs and slow shipping" gives "costs slow": a
        useful feature for grouping, but not a phrase anyone wrote. Nor is a part of a compound
        ("multi" of "multi-year") or a bigram across its edge ("year terms"): a term mostly
        written so does not read as written. Unknown terms count as written.
        """
        total = sum(self._forms[term].values()) if term in self._forms else 0
        if total == 0:
            return True
        if 2 * self._cut[term] > total:
            return False
        return " " not in term or 2 * self._adjacent[term] >= total

    def surface(self, term: str) -> str:
        """Return the most frequent written form of ``term`` (ties: alphabetical), or the term."""
        counts = self._forms.get(term)
        if not counts:
            if " " in term:
                return " ".join(self.surface(part) for part in term.split(" "))
            return term
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _compound_of(text: str) -> list[int]:
    """For each token of :func:`tokenize`, the index of the hyphenated compound it is part of, or -1."""
    tokens = cased_tokens(text)
    out = [-1] * len(tokens)
    for i in range(1, len(tokens)):
        if tokens[i].joined:
            out[i - 1] = out[i - 1] if out[i - 1] >= 0 else i - 1
            out[i] = out[i - 1]
    return out


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


# ------------------------------------------------------------------ cased tokens, entities, phrases

_CASED_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?:;\n\r\t\"(\[•*]|\s[-–—]+\s")
# What joins the parts of a compound word ("sign-off", "multi-year"): a hyphen with no space around it.
_HYPHENS = frozenset({"-", "\u2010", "\u2011"})


class CasedToken(tuple):
    """A token as written: ``(lower, surface, initial, joined)``.

    ``initial`` is True at a sentence start; ``joined`` is True when the token is attached to the
    one before by a hyphen, with no space ("offs" in "sign-offs", "year" in "multi-year"): the two
    are one compound word, which a name may hold whole but never cut.
    """

    __slots__ = ()

    def __new__(cls, lower: str, surface: str, initial: bool, joined: bool = False):
        return super().__new__(cls, (lower, surface, initial, joined))

    lower = property(lambda self: self[0])
    surface = property(lambda self: self[1])
    initial = property(lambda self: self[2])
    joined = property(lambda self: self[3])


def cased_tokens(text: str) -> list[CasedToken]:
    """Tokenize like :func:`tokenize` but keep each token's written form and sentence position.

    A token is *initial* when it opens the text or follows sentence punctuation (``.!?:;``, a
    line break, a quote or a bullet), where capitals say nothing about a word. For texts the
    ASCII pattern would split differently from :func:`tokenize` (rare letters whose lower case
    changes length), the tokens of :func:`tokenize` are returned as initial, i.e. without case
    evidence.
    """
    if not text:
        return []
    out: list[CasedToken] = []
    last_end = 0
    for m in _CASED_TOKEN_RE.finditer(text):
        gap = text[last_end : m.start()]
        initial = not out or bool(_SENTENCE_END.search(gap))
        word = m.group().replace("’", "'")
        out.append(CasedToken(word.lower(), word, initial, bool(out) and gap in _HYPHENS))
        last_end = m.end()
    if [t.lower for t in out] != tokenize(text):
        return [CasedToken(t, t, True) for t in tokenize(text)]
    return out


def is_slot_filler(word: str) -> bool:
    """Tell whether a token is a slot filler rather than a word: a number, amount, date or code ("24h", "q3", "10")."""
    return any(ch.isdigit() for ch in word)


def _acronym(surface: str) -> bool:
    """"ATM", "CRM", and their plurals "APIs", "KPIs": a common noun of a domain written in capitals."""
    stem = surface[:-1] if len(surface) > 2 and surface.endswith("s") else surface
    return len(stem) > 1 and stem.isupper()


def _capitalised(surface: str) -> bool:
    """"Corelli", "McKinsey", "iPhone": a capital not at a word's only position and not all capitals."""
    if surface.isupper() or surface.islower():
        return surface[:1].isupper() and not surface.isupper()
    return any(ch.isupper() for ch in surface)


def _normally_cased(tokens: Sequence[CasedToken]) -> bool:
    """A text that uses capitals as prose does: not ALL CAPS and not Title Case Throughout."""
    words = [t for t in tokens if len(t.lower) > 1 and t.lower.isalpha()]
    if not words:
        return False
    caps = sum(1 for t in words if t.surface[:1].isupper())
    return caps <= 0.5 * len(words) or len(words) <= 2 and not all(t.surface.isupper() for t in words)


class Entities:
    """Names of particular things found in a set of texts (competitors, products, customers, places).

    Attributes
    ----------
    words : dict of str to str
        Each entity word (lower case) and the form people write it in ("corelli" -> "Corelli").
    display : dict of str to str
        For every word seen, the form a name should show it in: an entity's capitalised form, an
        acronym in capitals ("ATM", "CRM"), anything else in lower case.
    """

    def __init__(self, words: dict[str, str], display: dict[str, str]) -> None:
        self.words = words
        self.display = display

    def __contains__(self, word: str) -> bool:
        return word in self.words or (word.endswith("'s") and word[:-2] in self.words)

    def show(self, word: str) -> str:
        """The form to show a (lower-case) word in."""
        return self.display.get(word, word)


def find_entities(texts: Iterable[str], min_count: int = 2, share: float = 0.5,
                  tokens: Iterable[Sequence[CasedToken]] | None = None) -> Entities:
    """Detect entity names in ``texts`` by how people capitalise them, with no list of names.

    A word is an entity when, away from sentence starts and in texts written in normal case, it
    is capitalised ("Corelli", "Halden", "iPhone") in more than ``share`` of at least
    ``min_count`` occurrences. Function words, slot fillers (tokens with digits) and acronyms
    written in capitals, plurals included ("ATM", "CRM", "PIN", "APIs": common nouns of a domain,
    not names) are never entities. "I" is a function word.

    Parameters
    ----------
    texts : iterable of str
    min_count : int, default 2
        Occurrences (not at a sentence start) needed before a word's case is taken as evidence.
    share : float, default 0.5
    tokens : iterable of token lists, optional
        The texts already split by :func:`cased_tokens` (then ``texts`` is not read).

    Returns
    -------
    Entities
    """
    caps: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    token_lists = tokens if tokens is not None else (cased_tokens(t) if isinstance(t, str) else [] for t in texts)
    for text_tokens in token_lists:
        normal = _normally_cased(text_tokens)
        for tok in text_tokens:
            if tok.initial or not normal:
                continue
            if tok.lower.endswith("'s") and len(tok.lower) > 3:  # "Vantix's" is Vantix
                tok = CasedToken(tok.lower[:-2], tok.surface[:-2], tok.initial)
            seen[tok.lower] += 1
            forms[tok.lower][tok.surface] += 1
            if _acronym(tok.surface):
                upper[tok.lower] += 1
            elif _capitalised(tok.surface):
                caps[tok.lower] += 1
    words: dict[str, str] = {}
    display: dict[str, str] = {}
    for word, n in seen.items():
        best = min(forms[word].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if upper[word] > share * n:
            display[word] = word.upper()
        elif (n >= min_count and caps[word] > share * n and word not in STOP_WORDS
              and not is_slot_filler(word) and len(word) > 1):
            form = min(((f, c) for f, c in forms[word].items() if _capitalised(f)), key=lambda kv: (-kv[1], kv[0]))[0]
            words[word] = display[word] = form
        elif best != word and best.isupper() and len(best) > 1:
            display[word] = best
    return Entities(words, display)


class Dangling:
    """Which words cannot end a phrase in a corpus, learned from how people write them.

    * A word nearly always followed by another content word or by a determiner is waiting for
      what it qualifies: a modifier for its head ("new" card, "virtual" card, "auto" top-up) or
      a verb for its object ("closed" the ticket, "gave" me): at least ``share`` of its
      (3 or more) occurrences inside a sentence are followed so.
    * A word nearly always followed by a particle is half of a phrasal verb ("top" up): it may
      end a phrase only with that particle, and a particle may end a phrase only after a word
      it follows in at least ``share / 2`` of that word's occurrences ("salary in" may not).
    * A particle is a preposition, not half of a phrasal verb, where it always has an object:
      people end a sentence with a phrasal verb ("I can't top up", "the VP signed off") but not
      with a preposition, so a pair written at least ``min_pair`` times and never at a sentence's
      end may not end a phrase ("turnover in [IT]", "reopen in [Q3]").
    """

    def __init__(self, share: float = 0.75, min_count: int = 3, min_pair: int = 5) -> None:
        self.share = share
        self.min_count = min_count
        self.min_pair = min_pair
        self._seen: Counter[str] = Counter()
        self._before_content: Counter[str] = Counter()
        self._before_particle: Counter[tuple[str, str]] = Counter()
        self._particle_final: Counter[tuple[str, str]] = Counter()

    def update(self, token_lists: Iterable[Sequence[CasedToken]]) -> Dangling:
        """Count how each word is followed in these tokenised texts; return self."""
        for tokens in token_lists:
            after = list(tokens[2:]) + [None, None]
            for tok, nxt, then in zip(tokens, list(tokens[1:]) + [None], after):
                self._seen[tok.lower] += 1
                if nxt is None or nxt.initial:
                    continue
                if nxt.lower in _TRAILING_PARTICLES:
                    self._before_particle[(tok.lower, nxt.lower)] += 1
                    if then is None or then.initial:
                        self._particle_final[(tok.lower, nxt.lower)] += 1
                elif (nxt.lower not in FUNCTION_WORDS and not is_slot_filler(nxt.lower)) or nxt.lower in _DETERMINERS:
                    self._before_content[tok.lower] += 1
        self._particle_total: Counter[str] = Counter()
        for (w, _), c in self._before_particle.items():
            self._particle_total[w] += c
        return self

    def ends_ok(self, words: Sequence[str]) -> bool:
        """Tell whether a phrase may end with its last word (see the class docstring)."""
        last = words[-1]
        if last in _TRAILING_PARTICLES:
            before = words[-2] if len(words) > 1 else ""
            pair = self._before_particle[(before, last)]
            if pair >= self.min_pair and not self._particle_final[(before, last)]:
                return False  # always followed by its object: a preposition
            return self._seen[before] > 0 and pair >= 0.5 * self.share * self._seen[before]
        n = self._seen[last]
        if n < self.min_count:
            return True
        return self._before_content[last] < self.share * n and self._particle_total[last] < 0.5 * n


def phrase_candidates(tokens: Sequence[CasedToken], entities: Entities, max_words: int = 4,
                      min_words: int = 1, dangling: Dangling | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Return the spans of a text that could name its theme, as ``(key, words)`` pairs.

    A candidate is 1 to ``max_words`` consecutive tokens, exactly as written (no skipped
    words), such that

    * it stays within one sentence and clause (no question word inside: "Europe how long") and
      says no content word twice;
    * it neither starts nor ends with a function word (:data:`FUNCTION_WORDS`), except that a
      particle may end a phrasal verb ("top up", "cash out"): no "the card", "charged for";
    * with ``dangling``, its last word is not one people rarely end a phrase with in this
      corpus ("order a new", "auto top", "salary in"; see :class:`Dangling`);
    * no token is a slot filler (numbers, amounts, dates: "10%", "2", "q3");
    * it holds at least one content word (not a function or stop word) that is not an entity
      nor part of an entity's mention ("Systems" in "Halden Systems"), so an entity
      ("Corelli", "Apple Pay", "Halden Systems") never makes up a name on its own.

    A compound word ("sign-off", "multi-year", "out-of-the-box") is one word here: a span of
    several words never starts or ends inside it, it counts once towards ``max_words``, and its
    parts may be function words ("sign-off" may end a name, "on-site" start one). Each part is
    still a one-word candidate, as evidence of the words a theme uses.

    ``key`` joins the stems of the words (function words as written), so "card arrived" and
    "card arriving" are one candidate, and so are "top-up" and "top up"; ``words`` are the
    lower-case words as written, a compound's parts joined by its hyphen.
    """
    words = [t.lower for t in tokens]
    named = set()  # positions inside an entity mention ("Halden Systems": both words)
    for a, b in _mention_runs(tokens, entities):
        named.update(range(a, b))
    out: list[tuple[str, tuple[str, ...]]] = []
    n = len(words)
    for i in range(n):
        first = words[i]
        if is_slot_filler(first):
            continue
        if first in FUNCTION_WORDS and not (i + 1 < n and tokens[i + 1].joined):
            continue  # a compound may start with one: "on-site", "out-of-the-box"
        n_words = 0
        for j in range(i + 1, n + 1):
            last = words[j - 1]
            if is_slot_filler(last) or (j - 1 > i and tokens[j - 1].initial):
                break  # no numbers, and never across a sentence end
            if not tokens[j - 1].joined:
                n_words += 1  # a compound word counts once
                if n_words > max_words:
                    break
            span = words[i:j]
            if last in _CLAUSE_WORDS:
                break  # a question word opens another clause
            if j - i > 1 and ((j < n and tokens[j].joined) or tokens[i].joined):
                continue  # a phrase never cuts a compound word: "procurement needs sign" of "sign-off"
            if n_words < min_words:
                continue
            compound_end = tokens[j - 1].joined  # "sign-off", "top-up": the compound is one word
            if last in FUNCTION_WORDS and not compound_end and not (
                    len(span) > 1 and last in _TRAILING_PARTICLES and span[-2] not in FUNCTION_WORDS):
                continue
            if not any(w not in STOP_WORDS and w not in entities and len(w) > 1 and i + o not in named
                       for o, w in enumerate(span)):
                continue
            if (dangling is not None and len(span) > 1 and not (compound_end and last in FUNCTION_WORDS)
                    and not dangling.ends_ok(span)):
                continue
            stems = [w if w in FUNCTION_WORDS else stem(w) for w in span]
            content = [st for st, w in zip(stems, span) if w not in FUNCTION_WORDS]
            if len(set(content)) < len(content):
                continue  # "AI AI AI", "card to card": a word said twice is not a name
            out.append((" ".join(stems), _written_words(tokens[i:j])))
    return out


def _written_words(tokens: Sequence[CasedToken]) -> tuple[str, ...]:
    """The lower-case words of a span, a compound's parts joined by its hyphen: ("sign-offs", "needed")."""
    out: list[str] = []
    for t in tokens:
        if t.joined and out:
            out[-1] = f"{out[-1]}-{t.lower}"
        else:
            out.append(t.lower)
    return tuple(out)


def _mention_runs(tokens: Sequence[CasedToken], entities: Entities) -> list[tuple[int, int]]:
    """Return ``(start, end)`` token ranges of entity mentions: runs of capitalised words holding an entity."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, tok in enumerate(tokens):
        joins = start is not None and not tok.initial and (
            tok.lower in entities or (_capitalised(tok.surface) and tok.lower not in STOP_WORDS))
        if joins:
            continue
        if start is not None:
            runs.append((start, i))
            start = None
        if tok.lower in entities:
            start = i
    if start is not None:
        runs.append((start, len(tokens)))
    return runs


def mention_spans(tokens: Sequence[CasedToken], entities: Entities) -> list[str]:
    """Return the entity mentions of a text as written: runs of capitalised words holding an entity.

    "switched to Halden Systems" -> ["Halden Systems"]; "top up with Apple Pay" -> ["Apple Pay"]
    (when "apple" is an entity). Each word is shown in the entities' own form when it has one.
    """

    def form(t: CasedToken) -> str:
        base = t.lower.removesuffix("'s")
        return entities.words.get(base, t.surface[: len(base)])

    return [" ".join(form(t) for t in tokens[a:b]) for a, b in _mention_runs(tokens, entities)]
