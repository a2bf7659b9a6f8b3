"""The `groundswell` command line: a Flask CLI group whose commands call the store and analysis."""

from __future__ import annotations

import os
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from webapp import MIGRATIONS_DIR, create_app
from webapp.cli.analyze import analyze_command
from webapp.demo.generator import DEMO_SEED
from webapp.cli.engagement import engagement_command
from webapp.cli.imports import import_group
from webapp.cli.insights import insights_command
from webapp.cli.themes import themes_command

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


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["rep", "manager", "leader", "hr", "admin"]))
@click.option("--name", default=None, help="Display name (defaults to the part of the email before @).")
@click.password_option("--password", prompt="Password", help="Prompted for when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str | None, password: str) -> None:
    """Create a user who can log in (the first admin comes from here)."""
    from webapp.infra.passwords import PasswordPolicyError
    from webapp.store import people
    from webapp.store.errors import StoreError

    try:
        person = people.create_person(email=email, name=name or email.split("@")[0], role=role,
                                      password=password)
    except (StoreError, PasswordPolicyError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {person.role} {person.email}.")


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
    _run_analysis_if_available()
    url = f"http://{host}:{port}/"
    click.echo(f"\nGroundswell demo at {url}")
    click.echo("Log in with any of these (password: groundswell-demo):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login}")
    click.echo("  (manager2@demo.test … and rep2@demo.test … too; rep1 reports to manager1)\n")
    _serve(host, port)


def _run_analysis_if_available() -> None:
    """Run theme analysis over stored texts when the analysis command is installed."""
    command = cli_commands().get("analyze")
    if command is not None:
        click.get_current_context().invoke(command)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes; each creates its own app and database pool.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker.")
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn (graceful on SIGTERM) on the configured database."""
    from webapp.infra import server

    if workers > 1:
        _require_shared_limiter_storage()
    server.run(host, port, workers, threads)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run a background worker (RQ) for analysis jobs; needs GROUNDSWELL_REDIS_URL.

    Each job runs in a forked work horse; this process never opens a database connection, so
    every horse starts with an empty pool of its own.
    """
    from webapp.infra import jobs

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        raise click.ClickException(
            "GROUNDSWELL_REDIS_URL is not set: without Redis, jobs run inside the web process "
            "and no worker is needed.")
    jobs.run_worker(redis_url, burst=burst)


def _require_shared_limiter_storage() -> None:
    """Several workers need login counters they all share (see webapp.extensions)."""
    from webapp import extensions

    check = getattr(extensions, "require_shared_limiter_storage", None)
    if check is not None:
        try:
            check(create_app())
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None


def _serve(host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


def cli_commands() -> dict[str, click.Command]:
    return dict(cli.commands)


def _make_app():
    from webapp.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:  # a bad environment variable: one line saying which and why
        raise click.ClickException(str(exc)) from exc


cli = FlaskGroup(create_app=_make_app, add_default_commands=False, load_dotenv=False,
                 help="Groundswell: bottom-up sales planning, field themes and engagement.")
for _command in (demo_command, seed_demo_command, create_user_command, serve_command,
                 worker_command, import_group, themes_command, analyze_command, insights_command,
                 engagement_command):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the `groundswell` console script."""
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    cli.main(args=sys.argv[1:], prog_name="groundswell")
