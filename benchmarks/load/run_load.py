"""Load test: 100 simulated users against `groundswell serve` (gunicorn) + PostgreSQL, on 127.0.0.1.

Starts a throwaway PostgreSQL 15 and Redis (tests/webapp/dbservers.py), migrates, seeds the demo
org (`seed-demo --reps 120`: 120 reps, 15 managers, its planning campaign is open), serves it with
gunicorn, then:

1. mixed run (--duration, 60 s): 80 reps (GET the survey form, POST it with its CSRF token: first a
   full submission with the confidential pulse, then plan updates), 15 managers (GET /queue, GET a
   plan, POST a decision with its version: "return", so reps can keep updating), 5 leader/HR/admin
   sessions (GET /insights, /engagement);
2. submit-only run (--ratio-duration, 30 s): 100 reps POST survey submissions back to back
   (each reads the form once, during the warm-up, for its CSRF token; the redirect a submit answers
   with is not followed). The submit rate counts POSTs answered 302: each one a whole submission,
   validated, written and committed (plan, observations, audit row; the first one of each rep also
   the confidential response and participation). Errors and 4xx are not counted;
3. bare run (same length, same 100 users): POST /insert on benchmarks/load/bare_app.py (Flask +
   SQLAlchemy, one row) under the same gunicorn settings on the same PostgreSQL server.

Prints throughput and p50/p95/p99 per endpoint, errors, and the ratio submit/bare.
Login throttling: only *failed* log-ins count against the limits, so the defaults stand; the
counters live in the Redis server (GROUNDSWELL_RATELIMIT_STORAGE_URL), as `serve` requires.

    .venv/bin/python benchmarks/load/run_load.py [--duration 60] [--workers 2 --threads 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Load,
    PostgresServer,
    postmaster_pid,
    RedisServer,
    User,
    app_env,
    free_port,
    setup_database,
    start_bare,
    start_groundswell,
    stop,
    summarize,
)


def open_campaign_id(pg) -> int:
    import psycopg

    with psycopg.connect(pg.conninfo("groundswell")) as conn:
        return conn.execute("SELECT id FROM campaign WHERE status = 'open' AND template_id = "
                            "'quarterly-planning' ORDER BY id DESC LIMIT 1").fetchone()[0]


def acknowledged(records) -> int:
    """Requests answered 2xx/3xx (the ones the throughput counts)."""
    return sum(1 for r in records if 200 <= r[4] < 400)


def mixed_users() -> list[User]:
    users = [User("rep", f"rep{i}@demo.test", i) for i in range(1, 81)]
    users += [User("manager", f"manager{i}@demo.test", 200 + i) for i in range(1, 16)]
    users += [User("viewer", email, 300 + i) for i, email in enumerate(
        ("leader@demo.test", "hr@demo.test", "admin@demo.test", "leader@demo.test", "hr@demo.test"))]
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--ratio-duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=30, help="seconds for the log-ins, not measured")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--reps", type=int, default=120)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gs-load-"))
    pg = PostgresServer.start(tcp=True)
    redis = RedisServer.start()
    procs = []
    try:
        pg.execute("CREATE DATABASE groundswell")
        pg.execute("CREATE DATABASE bare")
        env = app_env(pg.url("groundswell"), redis.url)
        setup_database(pg, env, args.reps)
        campaign = open_campaign_id(pg)
        port, bare_port = free_port(), free_port()
        app = start_groundswell(env, port, args.workers, args.threads, workdir / "serve.log")
        procs.append(app)
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {base}; "
              f"{os.cpu_count()} CPUs; logs in {workdir}")

        load = Load(mixed_users(), base, args.duration, campaign, args.client_procs, args.warmup)
        mixed = load.join()
        print(f"warm-up: {sum(1 for r in mixed if r[1] == 'POST /login' and r[4] in (302, 303))} log-ins "
              f"in {args.warmup:.0f} s (not measured)")
        rates = summarize(mixed, args.duration, "Mixed load: 80 reps, 15 managers, 5 leader/HR/admin",
                          load.started)
        mixed = [r for r in mixed if r[2] >= load.started]

        submitters = [User("submitter", f"rep{i}@demo.test", 1000 + i) for i in range(1, 101)]
        only_load = Load(submitters, base, args.ratio_duration, campaign, args.client_procs, args.warmup)
        submit_cpu = only_load.measure_cpu({"gunicorn": app.pid, "PostgreSQL": postmaster_pid(pg)})
        only = [r for r in only_load.join() if r[2] >= only_load.started]
        submit_rates = summarize(only, args.ratio_duration, "Submit-only: 100 reps POSTing the survey")
        print(submit_cpu.report(acknowledged(only)))
        stop(app)

        bare = start_bare(pg.url("bare"), bare_port, args.workers, args.threads, workdir / "bare.log")
        procs.append(bare)
        bare_load = Load([User("bare", "", 2000 + i) for i in range(100)], f"http://127.0.0.1:{bare_port}",
                         args.ratio_duration, 0, args.client_procs)
        bare_cpu = bare_load.measure_cpu({"gunicorn": bare.pid, "PostgreSQL": postmaster_pid(pg)})
        bare_records = bare_load.join()
        bare_rates = summarize(bare_records, args.ratio_duration, "Bare Flask + SQLAlchemy insert: 100 users")
        print(bare_cpu.report(acknowledged(bare_records)))

        b = bare_rates.get("POST /insert", 0.0)
        s_only = submit_rates.get("POST survey submit", 0.0)
        s_mixed = rates.get("POST survey submit", 0.0)
        print(f"\nratio survey submit / bare insert: submit-only {s_only:.1f}/{b:.1f} = {s_only / b:.2f}; "
              f"in the mixed run {s_mixed:.1f}/{b:.1f} = {s_mixed / b:.2f}  (target >= 0.5)")
        errors = sum(1 for r in mixed + only if r[4] >= 500 or r[4] == 0)
        print(f"server errors (5xx + connection errors), mixed + submit-only: {errors}")
    finally:
        for p in procs:
            stop(p)
        redis.destroy()
        pg.destroy()


if __name__ == "__main__":
    main()
