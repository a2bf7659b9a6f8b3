"""Leader report and HR dashboard server time at scale: 1,000,000 engagement answers, 200,000 observations.

Builds the demo org (80 reps, 6 quarters, seed 1) in a temporary SQLite file, runs `groundswell
analyze` on it, then multiplies the stored rows directly in SQL (INSERT ... SELECT, fast): engagement
responses of the closed campaigns are copied under new random keys until there are --answers of
them, and observations (with the theme the analysis gave their original) until there are
--observations. Then it logs in through the test client and times each page --runs times in
process (server time only). Because the rows are grown behind the application's back, the
precomputed aggregates that `groundswell analyze` writes (the HR dashboard results of closed
campaigns in `campaign_result`, the leader report's per-period theme counts in
`observation_theme_stat`) are then recomputed over the grown data, as `analyze` would (timed and
printed: background work, not page time). "cold" is the first request of a fresh app (empty
in-process decode cache).

    .venv/bin/python benchmarks/scale_reports.py [--answers 1000000] [--observations 200000] [--runs 20]
        [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from report_timing import time_pages

BATCH = 200_000  # rows per INSERT ... SELECT on PostgreSQL


def grow_sqlite(path: Path, answers: int, observations: int) -> dict[str, int]:
    conn = sqlite3.connect(path)
    closed = [r[0] for r in conn.execute("SELECT id FROM campaign WHERE status = 'closed'")]
    marks = ",".join("?" * len(closed))
    n = conn.execute("SELECT count(*) FROM engagement_response").fetchone()[0]
    while n < answers:
        conn.execute(
            "INSERT INTO engagement_response (key, campaign_id, manager_key, region, territory, department, "
            "tenure_band, answers) SELECT lower(hex(randomblob(16))), campaign_id, manager_key, region, "
            f"territory, department, tenure_band, answers FROM engagement_response WHERE campaign_id IN ({marks}) "
            "LIMIT ?", (*closed, answers - n))
        n = conn.execute("SELECT count(*) FROM engagement_response").fetchone()[0]
    run_id = conn.execute("SELECT max(run_id) FROM observation_theme").fetchone()[0]
    n = conn.execute("SELECT count(*) FROM observation").fetchone()[0]
    batch = 0
    while n < observations:
        batch += 1
        conn.execute(
            "INSERT INTO observation (external_id, person_id, territory_id, period_id, submission_id, position, "
            f"text, tag) SELECT 'scale-{batch}-' || id, person_id, territory_id, period_id, submission_id, "
            "position, text, tag FROM observation WHERE external_id NOT LIKE 'scale-%' LIMIT ?",
            (observations - n,))
        conn.execute(
            "INSERT INTO observation_theme (observation_id, run_id, theme_key, similarity, sentiment) "
            "SELECT c.id, t.run_id, t.theme_key, t.similarity, t.sentiment FROM observation c "
            f"JOIN observation o ON c.external_id = 'scale-{batch}-' || o.id "
            "JOIN observation_theme t ON t.observation_id = o.id AND t.run_id = ?", (run_id,))
        n = conn.execute("SELECT count(*) FROM observation").fetchone()[0]
    conn.commit()
    counts = {"engagement answers": conn.execute("SELECT count(*) FROM engagement_response").fetchone()[0],
              "observations": n,
              "themed observations": conn.execute("SELECT count(*) FROM observation_theme").fetchone()[0]}
    conn.execute("ANALYZE")
    conn.close()
    return counts


def grow_postgresql(url: str, answers: int, observations: int) -> dict[str, int]:
    """The same growing as `grow_sqlite`, in PostgreSQL SQL through SQLAlchemy, in batches."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        def count(table: str) -> int:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

        closed = [r[0] for r in conn.execute(text("SELECT id FROM campaign WHERE status = 'closed'"))]
        n = count("engagement_response")
        while n < answers:
            conn.execute(text(
                "INSERT INTO engagement_response (key, campaign_id, manager_key, region, territory, department, "
                "tenure_band, answers) SELECT md5(random()::text || clock_timestamp()::text), campaign_id, "
                "manager_key, region, territory, department, tenure_band, answers FROM engagement_response "
                "WHERE campaign_id = ANY(:closed) LIMIT :n"), {"closed": closed, "n": min(BATCH, answers - n)})
            n = count("engagement_response")
        run_id = conn.execute(text("SELECT max(run_id) FROM observation_theme")).scalar_one()
        n = count("observation")
        batch = 0
        while n < observations:
            batch += 1
            prefix = f"scale-{batch}-"
            conn.execute(text(
                "INSERT INTO observation (external_id, person_id, territory_id, period_id, submission_id, "
                "position, text, tag) SELECT :prefix || id::text, person_id, territory_id, period_id, "
                "submission_id, position, text, tag FROM observation WHERE external_id NOT LIKE 'scale-%' "
                "ORDER BY id LIMIT :n"), {"prefix": prefix, "n": min(BATCH, observations - n)})
            conn.execute(text(
                "INSERT INTO observation_theme (observation_id, run_id, theme_key, similarity, sentiment) "
                "SELECT c.id, t.run_id, t.theme_key, t.similarity, t.sentiment FROM observation c "
                "JOIN observation o ON c.external_id = :prefix || o.id::text "
                "JOIN observation_theme t ON t.observation_id = o.id AND t.run_id = :run "
                "WHERE c.external_id LIKE :like"), {"prefix": prefix, "run": run_id, "like": prefix + "%"})
            n = count("observation")
        counts = {"engagement answers": count("engagement_response"), "observations": n,
                  "themed observations": count("observation_theme")}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    pg = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scale.db"
            if args.database == "postgresql":
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "webapp"))
                from dbservers import PostgresServer

                t = time.perf_counter()
                pg = PostgresServer.start()
                pg.execute("CREATE DATABASE scale")
                url = pg.url("scale")
                print(f"PostgreSQL cluster started in {time.perf_counter() - t:.1f} s", flush=True)
            else:
                url = f"sqlite:///{path}"
            run(args, url)
    finally:
        if pg is not None:
            pg.destroy()


def run(args: argparse.Namespace, url: str) -> None:
    from webapp import create_app
    from webapp.cli import cli
    from webapp.demo.generator import build_demo_org
    from webapp.extensions import db
    from webapp.store.demo import load_demo_org

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
    app = create_app(config)
    t = time.perf_counter()
    with app.app_context():
        db.create_all()
        org = build_demo_org(reps=80, periods=6, seed=1, today=date(2026, 11, 27))
        load_demo_org(org)
        db.session.remove()
    print(f"schema and demo org loaded in {time.perf_counter() - t:.0f} s", flush=True)
    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    t = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["analyze"])
    assert result.exit_code == 0, result.output
    print(f"analyze on the demo org: {time.perf_counter() - t:.0f} s", flush=True)
    with app.app_context():
        db.engine.dispose()
    t = time.perf_counter()
    if args.database == "postgresql":
        counts = grow_postgresql(url, args.answers, args.observations)
    else:
        counts = grow_sqlite(Path(url.removeprefix("sqlite:///")), args.answers, args.observations)
    print(f"grown in {time.perf_counter() - t:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()),
          flush=True)
    app = create_app(config)
    with app.app_context():
        from webapp.store import analysis as analysis_store
        from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401

        t = time.perf_counter()
        latest = analysis_store.latest_run("observations")
        n = analysis_store.store_theme_stats(latest.id)
        print(f"observation theme aggregates recomputed in {time.perf_counter() - t:.1f} s ({n:,} rows)")
        t = time.perf_counter()
        n, _ = eng_results.store_closed_results(app.config["MIN_GROUP_SIZE"], replace=True)
        print(f"dashboard results of {n} closed campaigns recomputed in {time.perf_counter() - t:.1f} s",
              flush=True)
        db.session.remove()
        db.engine.dispose()
    app = create_app(config)  # a fresh process-like start: empty caches
    period = org.periods[-1]
    pages = {
        "leader report": ("leader@demo.test", f"/insights?period={period}"),
        "HR dashboard": ("hr@demo.test", "/engagement"),
        "HR dashboard by manager tree": ("hr@demo.test", "/engagement?by=manager_tree"),
    }
    time_pages(app, pages, args.runs)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
