"""A campaign's engagement comments under their comment themes, with counts and a search, where the rules allow.

What may be shown, and why nothing more can be worked out from it (PRODUCT.md, confidentiality):

- **Only the comments the results already show.** The texts come from the campaign's suppressed
  results (``CampaignResults.comments``): the whole campaign, shown only when at least k people
  commented and the whole campaign's results are shown. That rule is reused as it is; when it hides
  the comments, nothing here exists (no themes, no counts, no search, not even a total).
- **Never per group.** Comments are listed, counted and searched for the whole campaign only. No
  breakdown, team or filter narrows them: a per-group list or count would let a reader intersect
  or subtract groups and place a comment (or a count of comments) in a group below k. The search
  matches text only, within the comments already on the page, so a search can't count the comments
  of a hidden group: there is no group to search in.
- **A theme is a group of commenters.** Its count, share and sentiment are aggregates, so a theme
  gets its own heading and count only when at least k *people* (distinct responses, not comments:
  the annual survey asks two comment questions) wrote in it. Smaller themes are pooled under
  "Other comments". The themes partition the comments, so the pool's count is the total minus the
  shown themes: if the pool held 1 to k-1 people, the smallest shown themes are folded into it until
  it holds at least k (the differencing rule, applied to the theme partition). The total has at
  least k commenters, so this always ends with an empty pool or one of at least k.
- **A theme's sentiment follows the leader report's rule.** It is decided by
  ``analysis.sentiment.theme_sentiment_summary`` over the scores of that theme's comments (the
  texts already under its heading, scored the way the comments run scores them): shown only when
  the engine is sure, else "unclear" with the reason. Only for a theme with a heading of its own
  (whole organisation, at least k people); never for the pool, a group or one comment.
- **No author, ever.** Response keys are read to count people and are dropped here: the view holds
  texts, theme names and counts only, in the results' random order.

Comments a comments run has not themed yet (it ran before the campaign closed) leave the whole list
unthemed rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from analysis.sentiment import ThemeSentiment, sentiment_scores, theme_sentiment_summary
from webapp.store import engagement as store
from webapp.store.engagement import CampaignRef

#: Searches longer than this are cut (a search is a word or a phrase, not a document).
MAX_QUERY = 100

OTHER_LABEL = "Other comments"


@dataclass(frozen=True)
class CommentGroup:
    """One heading of the comments list: a comment theme, or the pool of smaller themes."""

    theme_key: int | None  # None: the pool of themes below k (or every comment, when not themed)
    label: str
    terms: tuple[str, ...]
    count: int  # comments under this heading (all of them, whatever the search)
    sentiment: ThemeSentiment | None  # the theme's sentiment and whether it is sure enough to show; None for the pool
    comments: tuple[str, ...]  # the comments shown: those matching the search, in random order


@dataclass(frozen=True)
class CommentView:
    """The whole campaign's comments as the page, CSV and JSON show them."""

    groups: tuple[CommentGroup, ...]  # themes by size, the pool last
    total: int  # every comment shown for the campaign
    themed: bool  # False: no comments run has themed this campaign's comments yet
    query: str  # the search ("" for none)

    @property
    def matched(self) -> int:
        return sum(len(g.comments) for g in self.groups)

    @property
    def themes(self) -> tuple[CommentGroup, ...]:
        """The headings that are comment themes of their own (at least k people each)."""
        return tuple(g for g in self.groups if g.theme_key is not None)


def normalise_query(text: str | None) -> str:
    """The search as matched: trimmed, inner whitespace collapsed, at most MAX_QUERY characters."""
    return " ".join((text or "").split())[:MAX_QUERY]


def _matches(query: str):
    needle = query.casefold()
    return (lambda text: True) if not needle else (lambda text: needle in " ".join(text.split()).casefold())


def shown_themes(people: dict[int, set[str]], k: int) -> set[int]:
    """Which themes get a heading of their own: each with at least k people, and the pool of the
    others empty or of at least k people (smallest shown themes folded into it until it is)."""
    shown = {t for t, who in people.items() if len(who) >= k}
    while True:
        pooled = set().union(*(people[t] for t in people if t not in shown))
        if not pooled or len(pooled) >= k or not shown:
            return shown
        shown.remove(min(shown, key=lambda t: (len(people[t]), t)))


def theme_sentiments(texts: dict[int, list[str]]) -> dict[int, ThemeSentiment]:
    """Each theme's sentiment summary over all its comments (whatever the search), by the leader report's rule.

    The comments come in a new random order on every request and the bootstrap is seeded, so the
    scores are sorted first: the same comments always give the same answer.
    """
    pairs = sorted((t, s) for t, theme_texts in texts.items() for s in sentiment_scores(theme_texts))
    return theme_sentiment_summary([t for t, _ in pairs], [s for _, s in pairs])


def comment_view(campaign: CampaignRef, comments: tuple[str, ...] | None, k: int, query: str = "") -> CommentView | None:
    """Group the comments the results show (None when they show none) under their themes; filter by `query`."""
    if comments is None:
        return None
    query = normalise_query(query)
    keep = _matches(query)
    assigned = store.comment_assignments(campaign.id)
    info = {key: (label, tuple(terms or ()))
            for key, label, terms, _, _ in (store.comment_theme_counts(campaign.id) or ())}
    by_text: dict[str, list[int]] = defaultdict(list)
    people: dict[int, set[str]] = defaultdict(set)
    for response_key, text, theme_key in assigned or ():
        by_text[text].append(theme_key)
        people[theme_key].add(response_key)
    themes_of = []
    for text in comments:
        keys = by_text.get(text)
        themes_of.append(keys.pop() if keys else None)
    if not comments or None in themes_of or any(t not in info for t in themes_of):
        everything = CommentGroup(None, "All comments", (), len(comments), None,
                                  tuple(t for t in comments if keep(t)))
        return CommentView((everything,) if comments else (), len(comments), False, query)
    del by_text  # nothing keyed by response leaves this function
    shown = shown_themes({t: people[t] for t in set(themes_of)}, k)
    texts: dict[int | None, list[str]] = defaultdict(list)
    for text, theme_key in zip(comments, themes_of):
        texts[theme_key if theme_key in shown else None].append(text)
    sentiment = theme_sentiments({t: texts[t] for t in shown})
    groups = [CommentGroup(t, info[t][0], info[t][1], len(texts[t]), sentiment.get(t),
                           tuple(x for x in texts[t] if keep(x))) for t in shown]
    groups.sort(key=lambda g: (-g.count, g.theme_key))
    if texts[None]:
        groups.append(CommentGroup(None, OTHER_LABEL if groups else "All comments", (), len(texts[None]), None,
                                   tuple(x for x in texts[None] if keep(x))))
    return CommentView(tuple(groups), len(comments), True, query)
