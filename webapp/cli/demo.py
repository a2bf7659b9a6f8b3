"""``groundswell demo`` and ``groundswell seed-demo``: load the demo organisation, analyse it, serve it."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp import MIGRATIONS_DIR
from webapp.demo.generator import DEMO_SEED

__all__ = ["demo_command", "seed_demo_command"]

DEMO_LOGINS = ("admin@demo.test", "leader@demo.test", "hr@demo.test", "manager1@demo.test",
               "rep1@demo.test")


def _upgrade() -> None:
    from flask_migrate import upgrade

    upgrade(directory=MIGRATIONS_DIR)


@click.command("seed-demo")
@click.option("--reps", default=80, show_default=True, type=click.IntRange(10, 5000))
@click.option("--periods", default=6, show_default=True, type=click.IntRange(2, 40))
@click.option("--seed", default=DEMO_SEED, show_default=True, type=int)
@with_appcontext
def seed_demo_command(reps: int, periods: int, seed: int) -> None:
    """Load a reproducible demo organisation into an empty database."""
    _seed(reps, periods, seed)


def _seed(reps: int, periods: int, seed: int) -> None:
    from webapp.demo.generator import build_demo_org
    from webapp.store.demo import load_demo_org
    from webapp.store.errors import StoreError

    org = build_demo_org(reps=reps, periods=periods, seed=seed, today=date.today())
    try:
        counts = load_demo_org(org)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Demo organisation loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Delete everything and load a fresh demo organisation.")
@with_appcontext
def demo_command(host: str, port: int, reset: bool) -> None:
    """Seed a demo organisation if the database is empty, analyse it, and serve it."""
    from webapp.extensions import db
    from webapp.store.people import count_people

    if reset:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    _upgrade()
    if count_people() == 0:
        _seed(80, 6, DEMO_SEED)
        _show_rollout()
    _run_analysis()
    url = f"http://{host}:{port}/"
    click.echo(f"\nGroundswell demo at {url}")
    click.echo("Log in with any of these (password: groundswell-demo):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login}")
    click.echo("  (manager2@demo.test … and rep2@demo.test … too; rep1 reports to manager1)\n")
    _serve(host, port)


def _show_rollout() -> None:
    """Schedules, reminders and invitations in the outbox (Admin → People → Outbox)."""
    from webapp.demo.rollout import show_rollout

    click.echo("Roll-out: " + show_rollout())


def _run_analysis() -> None:
    """Run theme analysis over the stored texts, as `groundswell analyze` does."""
    from webapp.cli.analyze import analyze_command

    click.get_current_context().invoke(analyze_command)


def _serve(host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    from webapp.infra.scheduler import start_embedded

    start_embedded(current_app._get_current_object())  # scheduled campaigns and reminders, in-process
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
