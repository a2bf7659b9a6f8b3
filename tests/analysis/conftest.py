"""Fixtures for analysis tests: no network, a planted-theme corpus, the BANKING77 path."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

BANKING77 = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "banking77"

PLANTED = {
    "delivery": [
        "the {item} delivery arrived late again",
        "shipping delays on the {item} order",
        "our {item} shipment has not arrived yet",
        "delivery of {item} was delayed by two weeks",
        "late delivery of the {item} annoyed the customer",
        "the courier lost the {item} parcel",
    ],
    "price": [
        "the competitor cut the price of {item}",
        "customers say the {item} price is too expensive",
        "a rival offers a cheaper {item} with a discount",
        "price pressure on {item} from a discounting competitor",
        "they asked for a bigger discount on {item}",
        "the {item} is priced higher than the competitor",
    ],
    "support": [
        "support never answers calls about the {item}",
        "the helpdesk ticket for the {item} is still open",
        "customers complain that support is slow with {item} problems",
        "nobody from support replied about the broken {item}",
        "support response times for {item} issues are terrible",
        "the {item} support team closed the ticket without fixing it",
    ],
    "budget": [
        "the client froze the budget for {item} this year",
        "budget cuts mean no {item} purchase until next year",
        "finance put all {item} spending on hold",
        "their budget for {item} was cut in half",
        "no budget left for the {item} renewal",
        "spending freeze stopped the {item} deal",
    ],
}
ITEMS = ["printer", "laptop", "software licence", "scanner", "router", "server", "headset", "monitor"]


def make_corpus(n_per_theme: int = 30, seed: int = 0) -> tuple[list[str], list[str]]:
    """Return texts and their planted theme keys, shuffled."""
    rng = random.Random(seed)
    rows = [
        (rng.choice(templates).format(item=rng.choice(ITEMS)), key)
        for key, templates in PLANTED.items()
        for _ in range(n_per_theme)
    ]
    rng.shuffle(rows)
    return [t for t, _ in rows], [k for _, k in rows]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any attempt to open a network connection."""

    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str]]:
    """A planted 4-theme corpus of 120 short texts."""
    return make_corpus()


@pytest.fixture(scope="session")
def fitted(corpus):
    """A ThemeModel fitted with the automatic theme count on the planted corpus."""
    from analysis.themes import ThemeModel

    return ThemeModel("auto", random_state=0).fit(corpus[0])


@pytest.fixture
def banking77() -> Path:
    """The BANKING77 folder; skip when the shared data is not next to the repository."""
    if not (BANKING77 / "test.csv").is_file():
        pytest.skip(f"BANKING77 data not found at {BANKING77} (shared data folder absent)")
    return BANKING77


@pytest.fixture(name="make_corpus", scope="session")
def make_corpus_fixture():
    """The planted-corpus builder, ``make_corpus(n_per_theme=30, seed=0)``."""
    return make_corpus


@pytest.fixture
def oracle_checks(monkeypatch):
    """Every exact check the suppression makes: one entry per ``_Oracle.violations`` call, True
    when that oracle tracked the combinations behind its findings."""
    from analysis import privacy

    calls: list[bool] = []
    original = privacy._Oracle.violations

    def counted(self, *args, **kwargs):
        calls.append(self.space.hist is not None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(privacy._Oracle, "violations", counted)
    return calls
