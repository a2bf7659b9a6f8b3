"""Speed of recomputing the HR dashboard results of closed campaigns (`store_closed_results`).

Builds the demo org (80 reps, 6 quarters, seed 1) in a temporary SQLite file, copies the closed
campaigns' engagement responses under new random keys until there are --answers of them (the same
growing as `scale_reports.py`, whose `grow_sqlite` it reuses: groups keep their names and grow),
then times `webapp.engagement.results.store_closed_results(k)` -- what `groundswell analyze` runs --
and, with --per-campaign, `compute_results` of each closed campaign and scope. Prints wall seconds
and answers per second; --profile prints the top functions of a cProfile run instead of timing.

    .venv/bin/python benchmarks/hr_results_speed.py [--answers 200000] [--k 5] [--repeat 1]
        [--per-campaign] [--profile] [--keep DB_PATH]

--repeat N times store_closed_results N times and also prints the best (the figures of a shared
machine vary by 20% or more from run to run). Then it times one more call with ``skip_unchanged``,
which is what ``groundswell analyze`` runs: with no input changed, nothing is recomputed.

--keep DB_PATH builds the grown database at DB_PATH once and reuses it on later runs with the same
path (the build, not the timed part, dominates small runs).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scale_reports imports report_timing
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scale_reports import grow_sqlite  # noqa: E402


def build(path: Path, answers: int) -> None:
    """Create the schema, load the demo org and grow its closed campaigns' responses to ``answers``."""
    from webapp import create_app
    from webapp.demo.generator import build_demo_org
    from webapp.extensions import db
    from webapp.store.demo import load_demo_org

    app = create_app(_config(path))
    t = time.perf_counter()
    with app.app_context():
        db.create_all()
        load_demo_org(build_demo_org(reps=80, periods=6, seed=1, today=date(2026, 11, 27)))
        db.session.remove()
        db.engine.dispose()
    counts = grow_sqlite(path, answers, 0)
    print(f"built in {time.perf_counter() - t:.0f} s: {counts['engagement answers']:,} engagement answers",
          flush=True)


def _config(path: Path) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


def measure(path: Path, k: int, per_campaign: bool, profile: bool, repeat: int = 1) -> None:
    from sqlalchemy import func, select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Campaign, EngagementResponse
    from webapp.store import engagement as store
    from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401

    app = create_app(_config(path))
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(EngagementResponse).join(
            Campaign, EngagementResponse.campaign_id == Campaign.id).where(Campaign.status == "closed"))
        print(f"{n:,} engagement answers in closed campaigns, k={k}", flush=True)
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            eng_results.store_closed_results(k, replace=True)
            prof.disable()
            stats = pstats.Stats(prof, stream=sys.stdout).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(30)
            return
        walls = []
        for _ in range(repeat):
            t = time.perf_counter()
            done, _ = eng_results.store_closed_results(k, replace=True)
            walls.append(time.perf_counter() - t)
            print(f"store_closed_results: {done} closed campaigns in {walls[-1]:.2f} s "
                  f"({n / walls[-1]:,.0f} answers/s)", flush=True)
        if repeat > 1:
            print(f"best of {repeat}: {min(walls):.2f} s ({n / min(walls):,.0f} answers/s)", flush=True)
        # what `groundswell analyze` does next time, when no closed campaign's inputs changed
        t = time.perf_counter()
        done, unchanged = eng_results.store_closed_results(k, replace=True, skip_unchanged=True)
        print(f"again with skip_unchanged (as analyze runs it): {done} recomputed, {unchanged} unchanged, "
              f"in {time.perf_counter() - t:.2f} s", flush=True)
        if per_campaign:
            for c in store.list_campaigns():
                if not c.closed:
                    continue
                for scope in eng_results.SCOPES:
                    t = time.perf_counter()
                    res = eng_results.compute_results(c, scope, k)
                    wall = time.perf_counter() - t
                    shown = sum(not g.suppressed for g in res.groups.values())
                    print(f"  compute_results campaign {c.id} scope {scope:12s}: {wall:6.2f} s "
                          f"({shown}/{len(res.groups)} groups shown)", flush=True)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1, help="time store_closed_results this many times")
    parser.add_argument("--per-campaign", action="store_true", help="also time compute_results per campaign")
    parser.add_argument("--profile", action="store_true", help="print cProfile top functions instead of timing")
    parser.add_argument("--keep", type=Path, help="build the database here once and reuse it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "hr.db"
        if not path.exists():
            build(path, args.answers)
        measure(path, args.k, args.per_campaign, args.profile, args.repeat)


if __name__ == "__main__":
    main()
