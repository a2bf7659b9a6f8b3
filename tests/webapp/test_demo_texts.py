"""Tests of the demo text generator (pure: no app, no database)."""

import ast
import random
import re
import sys
from itertools import combinations
from pathlib import Path

import pytest

from webapp.demo import texts as dt

ALL_THEMES = dt.OBSERVATION_THEMES + dt.ENGAGEMENT_COMMENT_THEMES


def _tokens(text):
    return set(re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", text.lower()))


def _has_keyword(text, keywords):
    return any(re.search(r"\b" + re.escape(k.lower()), text.lower()) for k in keywords)


def _jaccard(a, b):
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / len(ta | tb)


# --- structure -----------------------------------------------------------------------------


def test_enough_observation_themes_and_null_themes():
    themes = dt.OBSERVATION_THEMES
    assert len(themes) >= 12
    assert sum(1 for t in themes if t.change_effect == 0.0) >= 4
    assert sum(1 for t in themes if t.change_effect != 0.0) >= 4
    assert any(t.forecast_bias != 0.0 for t in themes)
    assert sum(1 for t in themes if t.forecast_bias == 0.0) >= 4


def test_observation_theme_fields_are_valid():
    themes = dt.OBSERVATION_THEMES
    assert len({t.key for t in themes}) == len(themes)
    assert len({t.name for t in themes}) == len(themes)
    for t in themes:
        assert t.tag in dt.TAGS
        assert t.trend in dt.TRENDS
        assert 3 <= len(t.keywords) <= 6
        assert all(k == k.lower() and k.strip() for k in t.keywords)
        assert -0.5 < t.change_effect < 0.5
        assert -0.5 < t.forecast_bias < 0.5
        assert dt.observation_theme(t.key) is t
    with pytest.raises(KeyError):
        dt.observation_theme("no-such-theme")


def test_themes_are_frozen():
    theme = dt.OBSERVATION_THEMES[0]
    with pytest.raises(AttributeError):
        theme.change_effect = 1.0  # type: ignore[misc]


def test_planted_effects_have_expected_signs():
    assert dt.observation_theme("competitor_discounting").change_effect < 0
    assert dt.observation_theme("budget_freeze").change_effect < 0
    assert dt.observation_theme("expansion_growth").change_effect > 0
    assert dt.observation_theme("integration_demand").change_effect > 0
    assert dt.observation_theme("supply_delays").forecast_bias < 0
    assert dt.observation_theme("price_increase_pushback").change_effect < 0
    assert dt.observation_theme("procurement_cycles").change_effect < 0
    assert dt.observation_theme("ai_automation").change_effect > 0
    assert dt.observation_theme("multi_year_renewals").change_effect > 0


def test_planted_change_effects_are_big_enough_to_be_found():
    """Six quarters of 80 reps cannot show an effect much below 5 points (see test_insights.py)."""
    planted = [t.change_effect for t in dt.OBSERVATION_THEMES if t.change_effect != 0.0]
    assert all(abs(e) >= 0.05 for e in planted)
    assert len({abs(e) for e in planted}) >= 3  # a mix of sizes, not one number


def test_invalid_theme_is_rejected():
    with pytest.raises(ValueError):
        dt.DemoTheme("k", "K", ("a",), "nonsense", 0.0, 0.0, ("x",))
    with pytest.raises(ValueError):
        dt.CommentTheme("k", "K", ("a",), "meh", "team", ("x",))
    with pytest.raises(ValueError):
        dt.CommentTheme("k", "K", ("a",), "positive", "team", ("x",), trend="sideways")


@pytest.mark.parametrize("theme", dt.OBSERVATION_THEMES, ids=lambda t: t.key)
def test_observation_templates_many_and_unique(theme):
    assert len(theme.templates) >= 20
    assert len(set(theme.templates)) == len(theme.templates)


@pytest.mark.parametrize("theme", dt.ENGAGEMENT_COMMENT_THEMES, ids=lambda t: t.key)
def test_comment_templates_many_and_unique(theme):
    assert len(theme.templates) >= 10
    assert len(set(theme.templates)) == len(theme.templates)


def test_templates_unique_across_themes():
    templates = [tpl for t in ALL_THEMES for tpl in t.templates]
    assert len(set(templates)) == len(templates)


@pytest.mark.parametrize("theme", ALL_THEMES, ids=lambda t: t.key)
def test_template_slots_are_all_known(theme):
    dummy = {name: "X" for name in dt.SLOT_VALUES}
    for template in theme.templates:
        assert set(dt.template_slots(template)) <= set(dt.SLOT_VALUES), template
        template.format(**dummy)  # no KeyError / IndexError / ValueError


def test_slot_values_nonempty_and_some_templates_use_each_main_slot():
    assert all(values for values in dt.SLOT_VALUES.values())
    used = {s for t in dt.OBSERVATION_THEMES for tpl in t.templates for s in dt.template_slots(tpl)}
    assert {"competitor", "product", "customer", "percent", "weeks", "quarter"} <= used


@pytest.mark.parametrize("theme", ALL_THEMES, ids=lambda t: t.key)
def test_phrasings_are_genuinely_different(theme):
    for a, b in combinations(theme.templates, 2):
        assert _jaccard(a, b) <= 0.7, (a, b)


@pytest.mark.parametrize("theme", ALL_THEMES, ids=lambda t: t.key)
def test_most_templates_contain_a_keyword_but_not_all_need_to(theme):
    texts = [re.sub(r"\{\w+\}", " ", tpl) for tpl in theme.templates]  # slot names don't count
    with_keyword = sum(_has_keyword(text, theme.keywords) for text in texts)
    assert 0.6 <= with_keyword / len(texts) < 1.0


def test_themes_share_vocabulary():
    def uses(key, stem):
        return any(_has_keyword(tpl, [stem]) for tpl in dt.observation_theme(key).templates)

    shared = [
        ("price", "competitor_discounting", "price_increase_pushback"),
        ("budget", "budget_freeze", "procurement_cycles"),
        ("delay", "supply_delays", "procurement_cycles"),
        ("vendor", "vendor_consolidation", "security_compliance"),
        ("discount", "competitor_discounting", "multi_year_renewals"),
    ]
    for stem, first, second in shared:
        assert uses(first, stem) and uses(second, stem), stem


# --- generation ----------------------------------------------------------------------------


def test_generation_is_deterministic_for_a_seeded_rng():
    for theme in dt.OBSERVATION_THEMES:
        first = dt.generate_observations(random.Random(42), theme, 30)
        second = dt.generate_observations(random.Random(42), theme, 30)
        assert first == second
        assert dt.generate_observations(random.Random(43), theme, 30) != first
    for theme in dt.ENGAGEMENT_COMMENT_THEMES:
        first = [dt.generate_comment(random.Random(7), theme) for _ in range(3)]
        assert len(set(first)) == 1
        assert dt.generate_comments(random.Random(7), theme, 20) == dt.generate_comments(
            random.Random(7), theme, 20
        )


@pytest.mark.parametrize("theme", ALL_THEMES, ids=lambda t: t.key)
def test_generated_texts_are_filled_and_varied(theme):
    generate = dt.generate_observations if isinstance(theme, dt.DemoTheme) else dt.generate_comments
    texts = generate(random.Random(1), theme, 200)
    assert all(text and "{" not in text and "}" not in text for text in texts)
    assert all(len(text) < 500 for text in texts)
    assert len(set(texts)) >= min(len(theme.templates), 10)


@pytest.mark.parametrize("theme", dt.OBSERVATION_THEMES, ids=lambda t: t.key)
def test_most_generated_observations_contain_a_keyword(theme):
    texts = dt.generate_observations(random.Random(2024), theme, 300)
    share = sum(_has_keyword(text, theme.keywords) for text in texts) / len(texts)
    assert share >= 0.6


@pytest.mark.parametrize("theme", dt.ENGAGEMENT_COMMENT_THEMES, ids=lambda t: t.key)
def test_most_generated_comments_contain_a_keyword(theme):
    texts = dt.generate_comments(random.Random(2024), theme, 300)
    share = sum(_has_keyword(text, theme.keywords) for text in texts) / len(texts)
    assert share >= 0.6


def test_noise_is_present_but_optional():
    theme = dt.observation_theme("competitor_discounting")
    noisy = dt.generate_observations(random.Random(5), theme, 400)
    clean = dt.generate_observations(random.Random(5), theme, 400, noise=False)
    assert noisy != clean
    changed = [(n, c) for n, c in zip(noisy, clean) if n != c]
    assert any(n == c.lower() for n, c in changed)  # all lower case
    assert any(n == c[:-1] for n, c in changed)  # final full stop dropped
    assert any(re.search(r"\b(cust|custs|qtr|w/|&)(\s|$)", n) for n, _ in changed)  # shorthand
    assert len(changed) < 0.6 * len(clean)  # noise is light


def test_slot_starting_a_sentence_is_capitalised_and_others_are_not():
    for seed in range(20):
        text = dt.fill_template(random.Random(seed), "{customer} asked. Why? {customer} left {customer}.")
        first, _, rest = text.partition(" asked. Why? ")
        second, _, third = rest.partition(" left ")
        assert first[0].isupper() and second[0].isupper()
        assert third[0].islower()  # customer values are written in lower case
        assert first.lower() == second.lower() == third.rstrip(".").lower()  # one value per slot


def test_format_specs_in_templates_are_rejected():
    with pytest.raises(ValueError):
        dt.fill_template(random.Random(0), "{percent!r} off")


# --- comments ------------------------------------------------------------------------------


def test_comment_themes_cover_both_sentiments():
    themes = dt.ENGAGEMENT_COMMENT_THEMES
    assert len(themes) >= 6
    assert len({t.key for t in themes}) == len(themes)
    assert {t.sentiment for t in themes} == {"positive", "negative"}
    for t in themes:
        assert t.sign == (1 if t.sentiment == "positive" else -1)
        assert t.trend in dt.TRENDS
        assert dt.comment_theme(t.key) is t
    keys = {t.key for t in themes}
    assert {"workload", "manager_support", "recognition", "career_growth"} <= keys
    assert {"tools_friction", "team_spirit"} <= keys


# --- trends --------------------------------------------------------------------------------


@pytest.mark.parametrize("n_periods", [2, 6, 9])
def test_period_weight_follows_trend(n_periods):
    for theme in ALL_THEMES:
        weights = [dt.period_weight(theme, i, n_periods) for i in range(n_periods)]
        assert all(w > 0 for w in weights)
        pairs = list(zip(weights, weights[1:]))
        if theme.trend == "emerging":
            assert all(a < b for a, b in pairs)
        elif theme.trend == "fading":
            assert all(a > b for a, b in pairs)
        else:
            assert all(a == pytest.approx(b) for a, b in pairs)
        assert sum(weights) / n_periods == pytest.approx(theme.prevalence)


def test_period_weight_edge_cases():
    theme = dt.observation_theme("ai_automation")
    assert theme.trend == "emerging"
    assert dt.period_weight(theme, 0, 1) == pytest.approx(theme.prevalence)
    for index, n in [(-1, 4), (4, 4), (0, 0)]:
        with pytest.raises(ValueError):
            dt.period_weight(theme, index, n)


def test_both_emerging_and_fading_themes_exist():
    trends = {t.trend for t in dt.OBSERVATION_THEMES}
    assert {"emerging", "fading", "stable"} <= trends


def test_pick_theme_makes_emerging_themes_rise_and_fading_fall():
    def share(period_index, key):
        rng = random.Random(11)
        picks = [dt.pick_theme(rng, period_index, 6) for _ in range(3000)]
        return sum(p.key == key for p in picks) / len(picks)

    assert share(5, "ai_automation") > 2 * share(0, "ai_automation")
    assert share(0, "supply_delays") > 2 * share(5, "supply_delays")
    rng_a, rng_b = random.Random(3), random.Random(3)
    assert [dt.pick_theme(rng_a, 2, 6).key for _ in range(50)] == [
        dt.pick_theme(rng_b, 2, 6).key for _ in range(50)
    ]
    comment = dt.pick_theme(random.Random(0), 0, 3, dt.ENGAGEMENT_COMMENT_THEMES)
    assert isinstance(comment, dt.CommentTheme)


# --- purity --------------------------------------------------------------------------------


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(dt.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add(node.module.split(".")[0])
    imported.discard("__future__")
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
