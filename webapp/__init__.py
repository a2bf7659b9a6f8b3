"""Flask web application for Groundswell: the factory assembles config, extensions and blueprints."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Groundswell app; no side effects beyond the instance folder."""
    from webapp import access, admin, auth, flashes, formatting, headers, home, insights, plans, respond
    from webapp.config import load_config
    from webapp.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    from webapp import actions, api, chart_assets, engagement
    from webapp import jobs_views
    from webapp.api import token_views

    for module in (auth, home, respond, plans, insights, admin, engagement, actions, chart_assets, api,
                   token_views):
        app.register_blueprint(module.bp)
    app.register_blueprint(jobs_views.bp)
    access.init_app(app)
    headers.init_app(app)
    flashes.init_app(app)
    formatting.init_app(app)
    return app
