"""Server time of the leader report and the HR dashboard on the demo organisation: p50 and p95.

Builds the demo org (80 reps, 6 quarters, seed 1) in a temporary SQLite file, runs
`groundswell analyze`, logs in through the test client and times each page N times in process
(server time: no network, no browser). The first HR dashboard request fills the per-campaign cache
of closed campaigns' results; it is reported separately as "cold".

    .venv/bin/python benchmarks/report_timing.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def time_pages(app, pages: dict[str, tuple[str, str]], runs: int) -> None:
    """Log in as each page's user, time one cold GET and `runs` warm GETs, print cold/p50/p95 ms."""
    from webapp.demo.generator import DEMO_PASSWORD

    print(f"{'page':32s} {'cold ms':>8s} {'p50 ms':>8s} {'p95 ms':>8s}  ({runs} runs)")
    for label, (email, url) in pages.items():
        client = app.test_client()
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        t = time.perf_counter()
        assert client.get(url).status_code == 200, url
        cold = 1000 * (time.perf_counter() - t)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - t))
            assert response.status_code == 200
        print(f"{label:32s} {cold:8.0f} {statistics.median(times):8.0f} {_pct(times, 0.95):8.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    from webapp import create_app
    from webapp.cli import cli
    from webapp.demo.generator import build_demo_org
    from webapp.extensions import db
    from webapp.store.demo import load_demo_org

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            org = build_demo_org(reps=80, periods=6, seed=1, today=date(2026, 11, 27))
            load_demo_org(org)
            db.session.remove()
        for name, command in cli.commands.items():
            app.cli.add_command(command, name)
        result = app.test_cli_runner().invoke(args=["analyze"])
        assert result.exit_code == 0, result.output
        period = org.periods[-1]
        pages = {
            "leader report": ("leader@demo.test", f"/insights?period={period}"),
            "theme drill-down": ("leader@demo.test", f"/insights/themes/0?period={period}"),
            "HR dashboard": ("hr@demo.test", "/engagement"),
            "HR dashboard by manager tree": ("hr@demo.test", "/engagement?by=manager_tree"),
        }
        time_pages(app, pages, args.runs)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
