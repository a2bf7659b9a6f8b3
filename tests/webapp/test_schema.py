"""Schema promises: migrations match the models, and engagement tables hold no person link."""

from __future__ import annotations


from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from webapp import MIGRATIONS_DIR
from webapp.extensions import db

ENGAGEMENT_COLUMNS = {"key", "campaign_id", "manager_key", "region", "territory", "department",
                      "tenure_band", "answers"}


def test_migrations_have_a_single_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_matches_the_models(tmp_path, empty_database_url):
    from tests.support.web import make_app

    migrated = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with migrated.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        engine = create_engine(migrated.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert diff == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path, empty_database_url):
    """An operator can step back a release (`groundswell db downgrade`) and forward again."""
    from flask_migrate import downgrade

    from tests.support.web import make_app

    migrated = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with migrated.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        engine = create_engine(migrated.config["SQLALCHEMY_DATABASE_URI"])
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS_DIR)
        assert {"text_embedding", "campaign_result", "observation"} <= set(inspect(engine).get_table_names())
        assert "inputs" in {c["name"] for c in inspect(engine).get_columns("campaign_result")}
        engine.dispose()
        db.engine.dispose()


def test_engagement_response_has_only_allowlisted_columns(app):
    columns = {c["name"] for c in inspect(db.engine).get_columns("engagement_response")}
    assert columns == ENGAGEMENT_COLUMNS
    foreign = inspect(db.engine).get_foreign_keys("engagement_response")
    assert [fk["referred_table"] for fk in foreign] == ["campaign"]


def test_participation_is_unique_per_campaign_and_person(app):
    uniques = inspect(db.engine).get_unique_constraints("participation")
    assert any(set(u["column_names"]) == {"campaign_id", "person_id"} for u in uniques)
