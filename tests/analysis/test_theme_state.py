"""Tests for ThemeState: a JSON round trip refits exactly like the model it came from; bad states are refused."""

import json
import math

import numpy as np
import pytest

from analysis.theme_state import STATE_VERSION, InvalidThemeStateError, ThemeState
from analysis.themes import ThemeModel


@pytest.fixture(scope="module")
def three_then_four(make_corpus):
    """A model fitted on three planted themes, and the four-theme texts of the next period."""
    texts, truth = make_corpus(n_per_theme=30, seed=1)
    first = ThemeModel(3, random_state=0).fit([t for t, k in zip(texts, truth) if k != "budget"])
    return first, texts


def _through_json(state: dict) -> ThemeState:
    return ThemeState.from_state(json.loads(json.dumps(state, allow_nan=False)))


def test_state_is_plain_json_with_format_and_version(three_then_four):
    first, _ = three_then_four
    state = first.to_state()
    assert json.loads(json.dumps(state, allow_nan=False)) == state
    assert state["format"] == "groundswell.theme-state" and state["version"] == STATE_VERSION
    assert state["theme_ids"] == [0, 1, 2] and state["next_theme_id"] == 3
    assert state["labels"] == [t.label for t in first.themes_]


def test_state_read_back_holds_the_exact_centroids(three_then_four):
    first, _ = three_then_four
    state = _through_json(first.to_state())
    assert state.centroids.dtype == np.float32
    assert np.array_equal(state.centroids, first.centroids_)
    assert state.theme_ids == tuple(first.theme_ids_.tolist()) and state.next_theme_id == first.next_theme_id_


def test_refit_from_state_matches_refit_from_model(three_then_four):
    first, texts = three_then_four
    from_model = ThemeModel(4, random_state=0).fit(texts, previous=first)
    from_state = ThemeModel(4, random_state=0).fit(texts, previous=_through_json(first.to_state()))
    assert from_state.theme_ids_.tolist() == from_model.theme_ids_.tolist()
    assert from_state.labels_.tolist() == from_model.labels_.tolist()
    assert from_state.themes_ == from_model.themes_
    assert from_state.matches_ == from_model.matches_
    assert from_state.next_theme_id_ == from_model.next_theme_id_ == 4
    # the persisting themes kept their ids and labels; the new one got the next free id
    assert set(first.theme_ids_) < set(from_state.theme_ids_)
    assert [from_state.theme(i).label for i in first.theme_ids_] == [t.label for t in first.themes_]


def test_state_of_a_refit_carries_ids_forward(three_then_four):
    first, texts = three_then_four
    second = ThemeModel(4, random_state=0).fit(texts, previous=_through_json(first.to_state()))
    third = ThemeModel(4, random_state=0).fit(texts, previous=_through_json(second.to_state()))
    assert third.theme_ids_.tolist() == second.theme_ids_.tolist()
    assert {t.theme_id: t.label for t in third.themes_} == {t.theme_id: t.label for t in second.themes_}


def test_state_with_another_embedding_size_is_rejected_by_fit(three_then_four, corpus):
    from analysis.embedding import TfidfLsaEmbedder

    first, _ = three_then_four
    with pytest.raises(ValueError, match="representation"):
        ThemeModel(4, embedder=TfidfLsaEmbedder(n_components=20)).fit(
            corpus[0], previous=_through_json(first.to_state()))


def test_state_moved_into_another_representation_keeps_ids_on_refit(three_then_four):
    """The old themes' centroids rebuilt from their texts in the new space match the new themes.

    The new representation is wordllama cut to 128 dimensions: another size, as after a change of
    embedder, without loading the contextual model.
    """
    from analysis.embedding import WordLlamaEmbedder

    first, texts = three_then_four
    old_ids = first.assign(texts)  # what the earlier run would have stored for these texts
    embedder = WordLlamaEmbedder(dim=128).fit(texts)
    moved = _through_json(first.to_state()).in_new_space(embedder.transform(texts), old_ids)
    assert moved.theme_ids == tuple(first.theme_ids_.tolist())
    assert moved.centroids.shape == (3, embedder.n_features_out_)
    assert np.allclose(np.linalg.norm(moved.centroids, axis=1), 1.0, atol=1e-5)
    refit = ThemeModel(4, embedder=WordLlamaEmbedder(dim=128), random_state=0).fit(texts, previous=moved)
    assert set(first.theme_ids_.tolist()) < set(refit.theme_ids_.tolist())
    assert refit.next_theme_id_ == first.next_theme_id_ + 1
    # the same refit from the unmoved state is refused: the sizes differ
    with pytest.raises(ValueError, match="representation"):
        ThemeModel(4, embedder=WordLlamaEmbedder(dim=128)).fit(texts, previous=_through_json(first.to_state()))


def test_moving_a_state_drops_themes_without_texts_and_keeps_their_ids_used():
    state = ThemeState.from_state(_valid())
    moved = state.in_new_space(np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 2.0]]), [2, 2])
    assert moved.theme_ids == (2,) and moved.labels == ("delivery",) and moved.next_theme_id == 3
    assert np.allclose(moved.centroids, [np.array([3.0, 4.0, 2.0]) / math.sqrt(29.0)])
    assert state.in_new_space(np.ones((1, 3)), [-1]) is None


def _valid() -> dict:
    return {"format": "groundswell.theme-state", "version": 1, "theme_ids": [0, 2], "labels": ["price", "delivery"],
            "centroids": [[1.0, 0.0], [0.0, 1.0]], "next_theme_id": 3}


def test_a_valid_hand_written_state_is_read():
    state = ThemeState.from_state(_valid())
    assert state.theme_ids == (0, 2) and state.labels == ("price", "delivery") and state.next_theme_id == 3
    assert state.centroids.shape == (2, 2) and not state.centroids.flags.writeable


@pytest.mark.parametrize("change, message", [
    ({"version": 2}, "unknown theme state version 2"),
    ({"version": "1"}, "unknown theme state version '1'"),
    ({"version": True}, "unknown theme state version True"),
    ({"version": None}, "unknown theme state version None"),
    ({"format": "pickle"}, "not a theme state"),
    ({"theme_ids": None}, "'theme_ids' must be a list"),
    ({"theme_ids": []}, "no themes"),
    ({"theme_ids": [0, 0]}, "distinct non-negative integers"),
    ({"theme_ids": [0, -1]}, "distinct non-negative integers"),
    ({"theme_ids": [0, 1.5]}, "distinct non-negative integers"),
    ({"labels": ["price"]}, "'labels' must be 2 strings"),
    ({"labels": ["price", 7]}, "'labels' must be 2 strings"),
    ({"centroids": [[1.0, 0.0]]}, "'centroids' must be 2 rows"),
    ({"centroids": [[1.0, 0.0], [1.0]]}, "'centroids' must be 2 rows"),
    ({"centroids": [[], []]}, "'centroids' must be 2 rows"),
    ({"centroids": [[1.0, "x"], [0.0, 1.0]]}, "finite numbers"),
    ({"centroids": [[1.0, math.nan], [0.0, 1.0]]}, "finite numbers"),
    ({"centroids": [[1.0, math.inf], [0.0, 1.0]]}, "finite numbers"),
    ({"next_theme_id": 2}, "'next_theme_id' must be an integer above every theme id"),
    ({"next_theme_id": "3"}, "'next_theme_id' must be an integer, not str"),
    ({"next_theme_id": True}, "'next_theme_id' must be an integer, not bool"),
])
def test_invalid_state_is_refused_with_a_clear_error(change, message):
    with pytest.raises(InvalidThemeStateError, match=message):
        ThemeState.from_state({**_valid(), **change})


@pytest.mark.parametrize("field", ["theme_ids", "labels", "centroids", "next_theme_id"])
def test_missing_field_is_named(field):
    state = _valid()
    del state[field]
    with pytest.raises(InvalidThemeStateError, match=f"no '{field}'"):
        ThemeState.from_state(state)


@pytest.mark.parametrize("state", [None, [], "state", b"\x80\x05pickle"])
def test_non_object_is_refused(state):
    with pytest.raises(InvalidThemeStateError, match="a theme state is a JSON object"):
        ThemeState.from_state(state)


def test_invalid_state_error_is_a_value_error():
    assert issubclass(InvalidThemeStateError, ValueError)
