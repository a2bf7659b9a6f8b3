"""Production web server: gunicorn running the app in N worker processes.

Each worker builds its own app, hence its own SQLAlchemy engine and pool, after the fork (no
preload), so no database connection is ever shared between processes. SIGTERM stops the master
gracefully: workers stop accepting, finish their in-flight requests (up to `graceful_timeout`),
then exit. Settings: `--workers` processes, `--threads` per worker (gthread), `timeout` before a
stuck worker is replaced, `graceful_timeout`; pool_pre_ping is on in the engine options, so a
worker notices a restarted database on its next checkout.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

GRACEFUL_TIMEOUT = 30  # seconds a worker gets to finish in-flight requests after SIGTERM
WORKER_TIMEOUT = 60  # a worker silent for this long is killed and replaced


def _app_factory():
    from webapp import create_app

    return create_app()


class GroundswellServer(BaseApplication):
    """gunicorn application whose workers each create the Flask app after forking."""

    def __init__(self, options: dict, factory=_app_factory):
        self.options = options
        self.factory = factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    def load(self):
        return self.factory()


def server_options(host: str, port: int, workers: int, threads: int = 4) -> dict:
    """gunicorn settings for `groundswell serve`."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,  # gthread worker: a few requests per process while one waits on the DB
        "worker_class": "gthread" if threads > 1 else "sync",
        "preload_app": False,  # the engine (and its pool) is created in each worker, after fork
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": WORKER_TIMEOUT,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn >= 25 opens a control socket at one fixed path per user; several servers on a
        # machine would fight over it, and nothing here uses it.
        "control_socket_disable": True,
    }


def run(host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve the app with gunicorn until SIGTERM/SIGINT."""
    GroundswellServer(server_options(host, port, workers, threads)).run()
