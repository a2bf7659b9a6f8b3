"""Tests for offline text processing: tokens, stop words, stems, phrases, surface forms."""

from analysis.text import STOP_WORDS, SurfaceForms, TextAnalyzer, find_phrases, has_words, stem, tokenize


def test_tokenize_lowercases_and_keeps_contractions_and_numbers():
    assert tokenize("Card DIDN’T arrive after 24h!") == ["card", "didn't", "arrive", "after", "24h"]


def test_tokenize_empty_text_gives_no_tokens():
    assert tokenize("") == []
    assert tokenize("?!  ...") == []


def test_stop_words_include_function_words_but_not_topic_words():
    assert {"the", "and", "my", "i'm"} <= STOP_WORDS
    assert "price" not in STOP_WORDS


def test_stem_uses_snowball():
    assert stem("arriving") == stem("arrived") == "arriv"


def test_analyzer_drops_stop_words_and_adds_bigrams():
    terms = TextAnalyzer()("My card has not arrived yet")
    assert terms == ["card", "arriv", "card arriv"]


def test_analyzer_without_bigrams():
    assert TextAnalyzer(bigrams=False)("Prices are rising, prices!") == ["price", "rise", "price"]


def test_surface_forms_map_stems_back_to_most_frequent_words():
    forms = SurfaceForms().update(["card arrived", "Card arrived late", "card arriving"])
    assert forms.surface("arriv") == "arrived"
    assert forms.surface("card arriv") == "card arrived"
    assert forms.surface("unknown") == "unknown"


def test_a_bigram_reads_as_written_only_when_its_words_stand_side_by_side():
    forms = SurfaceForms().update(["freight costs and slow shipping", "freight costs, slow shipping again",
                                   "costs are slow to come down", "slow shipping hurts"])
    assert forms.written_together("freight cost")  # "freight costs" twice, side by side
    assert forms.written_together("slow ship")
    assert not forms.written_together("cost slow")  # "costs and slow", "costs are slow": stop words between
    assert forms.written_together("freight")  # single words always read as written
    assert forms.written_together("never seen")
    # punctuation is not a stop word: "costs, slow" counts as side by side
    assert SurfaceForms().update(["costs, slow"]).written_together("cost slow")


def test_a_hyphenated_compound_is_one_term_as_written():
    texts = ["They want multi-year terms", "multi-year deal again", "a multi-year renewal", "the year ahead"]
    forms = SurfaceForms().update(texts)
    assert forms.surface("multi year") == "multi-year" and forms.written_together("multi year")
    assert not forms.written_together("multi")  # only ever part of "multi-year"
    assert not forms.written_together("year term")  # cuts "multi-year terms"
    assert not forms.written_together("year")  # three of its four uses are inside "multi-year"
    # written apart, the same words are terms of their own
    apart = SurfaceForms().update(["a multi year deal", "multi year terms", "next year"])
    assert apart.written_together("multi") and apart.surface("multi year") == "multi year"
    assert apart.written_together("year term")


def test_theme_key_terms_never_split_a_compound():
    from analysis.embedding import TfidfLsaEmbedder
    from analysis.themes import ThemeModel

    texts = [f"customer {c} wants multi-year terms now" for c in "abcdefgh"]
    texts += [f"printer {c} jammed again on paper" for c in "abcdefgh"]
    model = ThemeModel(2, embedder=TfidfLsaEmbedder(n_components=4, min_df=1), random_state=0).fit(texts)
    terms = [t for theme in model.themes_ for t in theme.terms]
    assert "multi-year" in terms
    assert not {"multi", "multi year", "year terms", "year"} & set(terms)


def test_find_phrases_finds_repeated_collocation():
    docs = [["credit", "card", "fee"], ["credit", "card"], ["credit", "card", "late"], ["fee", "late"]]
    assert find_phrases(docs, min_count=3) == [("credit", "card")]


def test_has_words():
    assert has_words("a1")
    assert not has_words("  ?? ")
    assert not has_words(None)


def test_topic_words_from_scikit_learns_list_are_content_words():
    from analysis.text import FUNCTION_WORDS

    assert {"top", "amount", "bill", "system", "interest"}.isdisjoint(STOP_WORDS)
    assert TextAnalyzer(bigrams=False)("Wrong amount on my bill") == ["wrong", "amount", "bill"]
    assert {"the", "of", "does", "my"} <= FUNCTION_WORDS and "get" not in FUNCTION_WORDS


def test_cased_tokens_keep_case_and_sentence_starts():
    from analysis.text import cased_tokens

    toks = cased_tokens("Lost to Corelli. Corelli won - again; multi-year deal")
    assert [t.lower for t in toks] == tokenize("Lost to Corelli. Corelli won - again; multi-year deal")
    assert [t.initial for t in toks] == [True, False, False, True, False, True, True, False, False]
    assert toks[2].surface == "Corelli"


def test_phrase_candidates_are_grammatical_spans_without_fillers_or_entity_only_names():
    from analysis.text import cased_tokens, find_entities, phrase_candidates

    entities = find_entities(["we lost to Corelli again", "the buyer likes Corelli"])
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("My card has not arrived after 3 weeks"), entities)]
    assert "card has not arrived" in spans and "card" in spans
    assert not [s for s in spans if s.startswith("my") or s.endswith("after") or "3" in s]
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("we lost to Corelli again"), entities)]
    assert "corelli" not in spans and "lost to corelli" in spans
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("I want to top up"), entities)]
    assert "top up" in spans and "want to top up" in spans and not [s for s in spans if s.endswith(" to")]
    keys = dict(phrase_candidates(cased_tokens("card arriving late"), entities))
    assert "card arriv" in keys  # keyed by stems: "card arrived" is the same candidate


def test_dangling_words_do_not_end_a_phrase():
    from analysis.text import Dangling, cased_tokens, find_entities, phrase_candidates

    texts = ["order a new card", "my new card is here", "a new card please", "new card today",
             "they closed the ticket", "support closed the case", "closed the ticket again",
             "top up my account", "top up failed", "auto top up is on", "my salary in euros", "top up",
             "salary paid late", "my salary arrived"]
    tokens = [cased_tokens(t) for t in texts]
    dangling = Dangling().update(tokens)
    assert not dangling.ends_ok(["order", "a", "new"]) and not dangling.ends_ok(["support", "closed"])
    assert dangling.ends_ok(["top", "up"]) and not dangling.ends_ok(["auto", "top"])
    assert not dangling.ends_ok(["salary", "in"]) and dangling.ends_ok(["new", "card"])
    spans = [" ".join(w) for _, w in phrase_candidates(tokens[9], find_entities(texts), dangling=dangling)]
    assert "auto top up" in spans and "auto top" not in spans


def test_a_compound_word_is_never_cut_and_keeps_its_hyphen():
    from analysis.text import cased_tokens, find_entities, phrase_candidates

    entities = find_entities(["x"])
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("Procurement now needs sign-offs from VPs"),
                                                       entities)]
    assert "needs sign-offs" in spans and "sign-offs" in spans
    phrases = [s for s in spans if " " in s or "-" in s]  # each part alone is still a one-word candidate
    assert not [s for s in phrases if s.endswith(" sign") or s.startswith("offs")]
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("They want multi-year terms"), entities)]
    assert "multi-year terms" in spans and "year terms" not in spans and "want multi" not in spans
    # a compound may start or end with a function word, and counts as one of the four words
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("out-of-the-box integration with SAP"),
                                                       entities)]
    assert "out-of-the-box integration with sap" in spans
    assert not [s for s in spans if " " in s and s.split(" ")[0] in ("of-the-box", "the-box", "box")]
    # "top-up" and "top up" are one candidate, shown as people write it
    assert dict(phrase_candidates(cased_tokens("top-up failed"), entities)).keys() & dict(
        phrase_candidates(cased_tokens("top up failed"), entities)).keys() >= {"top up fail"}


def test_a_particle_always_followed_by_its_object_is_a_preposition():
    from analysis.text import Dangling, cased_tokens

    texts = [f"high turnover in {team} again" for team in ("IT", "finance", "legal", "ops", "sales")]
    texts += ["I can't top up", "top up failed", "how do I top up", "top up my card", "top up by card"]
    dangling = Dangling().update([cased_tokens(t) for t in texts])
    assert not dangling.ends_ok(["turnover", "in"])  # five times, never at a sentence's end
    assert dangling.ends_ok(["top", "up"])  # ends a sentence too: a phrasal verb
    fewer = Dangling().update([cased_tokens(t) for t in texts[1:]])
    assert fewer.ends_ok(["turnover", "in"])  # four uses are too few to tell


def test_mentions_are_runs_of_capitalised_words_holding_an_entity():
    from analysis.text import cased_tokens, find_entities, mention_spans

    texts = ["switched to Halden Systems last week", "we chose Halden Systems", "Vantix's rep called",
             "a quote from Vantix today", "lost to Vantix again"]
    entities = find_entities(texts)
    assert mention_spans(cased_tokens(texts[0]), entities) == ["Halden Systems"]
    assert mention_spans(cased_tokens(texts[2]), entities) == ["Vantix"]


def test_a_name_never_starts_with_a_particle():
    """A particle belongs to the verb before it ("give ... away"): it may end a name, never start one."""
    from analysis.text import _TRAILING_PARTICLES, FUNCTION_WORDS, cased_tokens, find_entities, phrase_candidates

    text = "Vantix is giving the first year away free to undercut us"
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens(text), find_entities([text]))]
    assert "free to undercut" in spans
    assert not [s for s in spans if s.split(" ")[0] in _TRAILING_PARTICLES], spans
    assert "year away" in spans  # a particle may still end one
    assert _TRAILING_PARTICLES <= FUNCTION_WORDS


def test_a_pronoun_contraction_is_a_stop_word():
    """"we'll pay" is not a name, and "we'll" is not a key term."""
    from analysis.text import FUNCTION_WORDS, cased_tokens, find_entities, phrase_candidates

    assert {"we'll", "they've", "you'd", "she's", "we're"} <= STOP_WORDS & FUNCTION_WORDS
    assert TextAnalyzer(bigrams=False)("We'll pay the increase") == ["pay", "increas"]
    spans = [" ".join(w) for _, w in phrase_candidates(cased_tokens("We'll pay the increase"), find_entities(["x"]))]
    assert "we'll pay" not in spans and "pay the increase" in spans
