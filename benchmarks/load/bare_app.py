"""A bare Flask + SQLAlchemy app inserting one row per POST: the baseline for the load benchmark.

Served by the same gunicorn settings as `groundswell serve` (webapp.infra.server.server_options), on the
same PostgreSQL server, so the ratio of survey-submit throughput to this endpoint's shows what the
app's own work (session, CSRF, form validation, several rows in one transaction) costs.

    python benchmarks/load/bare_app.py --db URL --port 8001 --workers 2 --threads 4
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask import Flask, request  # noqa: E402
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func  # noqa: E402

metadata = MetaData()
bare_row = Table("bare_row", metadata, Column("id", Integer, primary_key=True),
                 Column("payload", String(200)), Column("created_at", DateTime, server_default=func.now()))


def make_app(db_url: str) -> Flask:
    app = Flask(__name__)
    engine = create_engine(db_url, pool_pre_ping=True)  # created in the worker, after fork
    metadata.create_all(engine, checkfirst=True)

    @app.post("/insert")
    def insert():
        with engine.begin() as conn:
            new_id = conn.execute(bare_row.insert().values(payload=request.form.get("payload", ""))
                                  .returning(bare_row.c.id)).scalar_one()
        return {"id": new_id}, 201

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    from webapp.infra.server import GroundswellServer, server_options

    # Create the table once, before the workers start, so they don't race on CREATE TABLE.
    metadata.create_all(create_engine(args.db), checkfirst=True)
    GroundswellServer(server_options("127.0.0.1", args.port, args.workers, args.threads),
                      factory=lambda: make_app(args.db)).run()


if __name__ == "__main__":
    main()
