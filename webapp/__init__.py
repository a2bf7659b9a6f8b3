"""Flask web application for Groundswell: the factory assembles config, extensions and blueprints."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Groundswell app; no side effects beyond the instance folder."""
    from webapp import access, formatting, home
    from webapp.actions import views as actions
    from webapp.admin import jobs as admin_jobs
    from webapp.admin import views as admin
    from webapp import api
    from webapp.auth import oidc, tokens
    from webapp.auth import views as auth
    from webapp.config import load_config
    from webapp.engagement import views as engagement
    from webapp.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from webapp.infra import chart_assets, flashes, headers, request_limits
    from webapp.insights import corrections as theme_corrections
    from webapp.insights import views as insights
    from webapp.infra import mail as mail_delivery
    from webapp.notifications import views as notifications
    from webapp.planning import survey
    from webapp.planning import views as planning

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
    mail_delivery.init_app(app)
    oidc.init_app(app)
    request_limits.init_app(app)  # before the blueprints: their <int:> rules use its converter

    for module in (auth, home, survey, planning, insights, admin, engagement, actions, chart_assets, api,
                   tokens, admin_jobs, notifications, theme_corrections):
        app.register_blueprint(module.bp)
    access.init_app(app)
    headers.init_app(app)
    flashes.init_app(app)
    formatting.init_app(app)
    return app
