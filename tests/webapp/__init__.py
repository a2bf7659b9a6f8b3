"""Tests of the Flask app: pages, API, CLI, store and schema, on SQLite and PostgreSQL."""
