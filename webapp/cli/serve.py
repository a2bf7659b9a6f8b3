"""``groundswell serve`` (gunicorn) and ``groundswell worker`` (RQ): the production processes."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

__all__ = ["serve_command", "worker_command"]


def _app():
    from webapp import create_app

    return create_app()


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
    swept = jobs.sweep_stale()
    if swept:
        click.echo(f"{swept} job(s) left running by a stopped process marked failed; they can be retried.")
    if not burst and current_app.config.get("SCHEDULER") != "off":
        from webapp.infra.scheduler import keep_ticking_on_rq

        keep_ticking_on_rq(redis_url, float(current_app.config["SCHEDULER_EVERY"]))  # schedules run as jobs
    jobs.run_worker(redis_url, burst=burst)


def _require_shared_limiter_storage() -> None:
    """Several workers need login counters they all share (see webapp.extensions)."""
    from webapp import extensions

    check = getattr(extensions, "require_shared_limiter_storage", None)
    if check is not None:
        try:
            check(_app())
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
