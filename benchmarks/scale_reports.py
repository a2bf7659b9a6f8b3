"""Leader report and HR dashboard server time at scale: 1,000,000 engagement answers, 200,000 observations.

Builds the demo org (80 reps, 6 quarters, seed 7) in a temporary SQLite file, runs `groundswell
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
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from report_timing import time_pages


def grow(path: Path, answers: int, observations: int) -> dict[str, int]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from webapp import create_app
    from webapp.commands import cli
    from webapp.demo import build_demo_org
    from webapp.extensions import db
    from webapp.store.demo import load_demo_org

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
        app = create_app(config)
        with app.app_context():
            db.create_all()
            org = build_demo_org(reps=80, periods=6, seed=7, today=date(2026, 11, 27))
            load_demo_org(org)
            db.session.remove()
        for name, command in cli.commands.items():
            app.cli.add_command(command, name)
        t = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["analyze"])
        assert result.exit_code == 0, result.output
        print(f"analyze on the demo org: {time.perf_counter() - t:.0f} s")
        with app.app_context():
            db.engine.dispose()
        t = time.perf_counter()
        counts = grow(path, args.answers, args.observations)
        print(f"grown in {time.perf_counter() - t:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        app = create_app(config)
        with app.app_context():
            from webapp.store import analysis as analysis_store, engagement as engagement_store

            t = time.perf_counter()
            run = analysis_store.latest_run("observations")
            n = analysis_store.store_theme_stats(run.id)
            print(f"observation theme aggregates recomputed in {time.perf_counter() - t:.1f} s ({n:,} rows)")
            t = time.perf_counter()
            n = engagement_store.store_closed_results(app.config["MIN_GROUP_SIZE"], replace=True)
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
