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


def test_find_phrases_finds_repeated_collocation():
    docs = [["credit", "card", "fee"], ["credit", "card"], ["credit", "card", "late"], ["fee", "late"]]
    assert find_phrases(docs, min_count=3) == [("credit", "card")]


def test_has_words():
    assert has_words("a1")
    assert not has_words("  ?? ")
    assert not has_words(None)
