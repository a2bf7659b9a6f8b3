"""Observations over three planted themes, and running ``groundswell analyze`` on them in-process.

Shared by the tests of what analyze keeps between runs (theme state, kept vectors). Import the
fixture by name: ``from tests.support.analyze_fixtures import observations, run_analyze``.
"""

from __future__ import annotations

import random

import pytest

from webapp.extensions import db as _db

__all__ = ["ITEMS", "TEMPLATES", "observations", "run_analyze"]

TEMPLATES = {
    "delivery": ["the {x} delivery arrived late again", "shipping delays on the {x} order",
                 "our {x} shipment has not arrived yet", "delivery of {x} was delayed by two weeks"],
    "price": ["the competitor cut the price of {x}", "customers say the {x} price is too expensive",
              "a rival offers a cheaper {x} with a discount", "they asked for a bigger discount on {x}"],
    "support": ["support never answers calls about the {x}", "the helpdesk ticket for the {x} is still open",
                "customers complain that support is slow with {x} problems", "nobody from support replied about {x}"],
}
ITEMS = ["printer", "laptop", "scanner", "router", "server", "headset"]


@pytest.fixture
def observations(app, make_person):
    """Forty-five observations over three planted themes, by one rep in one period."""
    from webapp.models import Observation
    from webapp.store import people

    rep = make_person(role="rep", territory="North-1")
    period = people.ensure_period("2027-Q1")
    rng = random.Random(0)
    texts = [rng.choice(TEMPLATES[key]).format(x=rng.choice(ITEMS)) for key in TEMPLATES for _ in range(15)]
    _db.session.add_all(Observation(external_id=f"obs-{i}", person_id=rep.id, period_id=period.id, position=i,
                                    text=t) for i, t in enumerate(texts))
    _db.session.commit()
    return texts


def run_analyze(app, *args: str):
    """Invoke ``groundswell analyze --themes 3`` (plus ``args``) and return the click result."""
    from webapp.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    result = app.test_cli_runner().invoke(args=["analyze", "--themes", "3", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    _db.session.expire_all()
    return result
