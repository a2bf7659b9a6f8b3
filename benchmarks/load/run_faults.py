"""Fault runs: restart PostgreSQL, SIGKILL a gunicorn worker, SIGTERM the master, all under load.

Same set-up as run_load.py (PostgreSQL 15 + Redis started from the installed binaries, demo org
with 120 reps, `groundswell serve --workers 2 --threads 4`, 127.0.0.1 only). 100 simulated users
(80 reps submitting with unique amounts, 15 managers returning plans, 5 report viewers) run for
three segments; one fault is injected in each:

  (a) `pg_ctl restart -m fast` (open connections are cut);
  (b) SIGKILL of one gunicorn worker (the master forks a new one);
  (c) SIGTERM of the master while requests are in flight; once it has exited, `serve` again.

Clients record every acknowledged submission (302/303 answer to a survey POST, with the rep and the
unique amount sent). Afterwards the script checks, in the database, that each one is stored
exactly once (the plan's audit row "submitted" with that amount, on that rep's plan), that nothing is
half-written (participation without its engagement response or the reverse; a submitted plan
without observations or audit row; a plan whose amount is not its last audited one), counts server
errors (5xx and refused/reset connections) inside and outside the fault windows, and measures
recovery: fault -> end of the first successful request sent after the first failure that follows
the fault.

    .venv/bin/python benchmarks/load/run_faults.py [--segment 25]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Load,
    PostgresServer,
    RedisServer,
    app_env,
    children,
    free_port,
    setup_database,
    start_groundswell,
    stop,
)
from run_load import mixed_users, open_campaign_id  # noqa: E402

GRACE = 5.0  # seconds after recovery still counted in the fault window


def verify(pg, campaign_id: int, acks: list[tuple[str, int, bool]], baseline: dict) -> dict:
    import psycopg

    with psycopg.connect(pg.conninfo("groundswell")) as conn:
        rows = conn.execute(
            "SELECT p.email, d.new_amount, count(*) FROM decision d "
            "JOIN plan_submission s ON s.id = d.submission_id JOIN person p ON p.id = s.person_id "
            "WHERE d.action = 'submitted' AND d.new_amount >= 100000000 "
            "GROUP BY p.email, d.new_amount").fetchall()
        stored = {(email, int(cents) // 100): n for email, cents, n in rows}
        participants = {r[0] for r in conn.execute(
            "SELECT p.email FROM participation x JOIN person p ON p.id = x.person_id "
            "WHERE x.campaign_id = %s", (campaign_id,))}
        n_part = conn.execute("SELECT count(*) FROM participation WHERE campaign_id = %s",
                              (campaign_id,)).fetchone()[0]
        n_resp = conn.execute("SELECT count(*) FROM engagement_response WHERE campaign_id = %s",
                              (campaign_id,)).fetchone()[0]
        no_obs = conn.execute(
            "SELECT count(*) FROM plan_submission s WHERE s.campaign_id = %s AND s.status <> 'draft' "
            "AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.submission_id = s.id)",
            (campaign_id,)).fetchone()[0]
        no_audit = conn.execute(
            "SELECT count(*) FROM plan_submission s WHERE s.campaign_id = %s AND s.status <> 'draft' "
            "AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.submission_id = s.id "
            "AND d.action = 'submitted')", (campaign_id,)).fetchone()[0]
        mismatch = conn.execute(
            "SELECT count(*) FROM plan_submission s WHERE s.campaign_id = %s AND s.status <> 'draft' "
            "AND s.proposed IS DISTINCT FROM (SELECT d.new_amount FROM decision d WHERE d.submission_id = s.id "
            "AND d.action = 'submitted' ORDER BY d.id DESC LIMIT 1)", (campaign_id,)).fetchone()[0]
    acked = {(email, amount) for email, amount, _ in acks}
    lost = sum(1 for key in acked if stored.get(key, 0) == 0)
    dup = sum(1 for key in acked if stored.get(key, 0) > 1) + sum(1 for n in stored.values() if n > 1
                                                                  and False)
    dup_any = sum(1 for n in stored.values() if n > 1)
    pulse_missing = sum(1 for email, _, pulse in acks if pulse and email not in participants)
    return {"acknowledged": len(acked), "lost": lost, "duplicated": max(dup, dup_any),
            "committed but unacknowledged": sum(1 for key in stored if key not in acked),
            "participation - responses (new)": (n_part - baseline["part"]) - (n_resp - baseline["resp"]),
            "pulse acknowledged but no participation": pulse_missing,
            "submitted plans without observations": no_obs, "submitted plans without audit row": no_audit,
            "plan amount != last audited amount": mismatch}


def counts(pg, campaign_id):
    import psycopg

    with psycopg.connect(pg.conninfo("groundswell")) as conn:
        return {"part": conn.execute("SELECT count(*) FROM participation WHERE campaign_id = %s",
                                     (campaign_id,)).fetchone()[0],
                "resp": conn.execute("SELECT count(*) FROM engagement_response WHERE campaign_id = %s",
                                     (campaign_id,)).fetchone()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segment", type=float, default=25, help="seconds of load per fault")
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gs-faults-"))
    pg = PostgresServer.start(tcp=True)
    redis = RedisServer.start()
    app = None
    try:
        pg.execute("CREATE DATABASE groundswell")
        env = app_env(pg.url("groundswell"), redis.url)
        setup_database(pg, env, 120)
        campaign = open_campaign_id(pg)
        baseline = counts(pg, campaign)
        port = free_port()
        app = start_groundswell(env, port, args.workers, args.threads, workdir / "serve.log")
        print(f"gunicorn master {app.pid}, {args.workers} workers x {args.threads} threads; logs in {workdir}")
        load = Load(mixed_users(), f"http://127.0.0.1:{port}", 3 * args.segment, campaign, 2, args.warmup)
        faults = []  # (name, t_fault, note)

        def at(offset):
            time.sleep(max(0.0, load.started + offset - time.time()))

        at(8)
        t = time.time()
        pg.restart()
        faults.append(("(a) PostgreSQL restart", t, f"pg_ctl restart took {time.time() - t:.1f} s"))

        at(args.segment + 8)
        victim = children(app.pid)[0]
        t = time.time()
        os.kill(victim, signal.SIGKILL)
        faults.append(("(b) SIGKILL one worker", t, f"worker {victim}"))

        at(2 * args.segment + 8)
        inflight = load.inflight.value
        t = time.time()
        app.send_signal(signal.SIGTERM)
        app.wait(60)
        exited = time.time() - t
        app = start_groundswell(env, port, args.workers, args.threads, workdir / "serve.log")
        faults.append(("(c) SIGTERM master", t, f"{inflight} requests in flight at SIGTERM; master exited "
                       f"after {exited:.1f} s; served again after {time.time() - t:.1f} s"))

        records = [r for r in load.join() if r[2] >= load.started]
        acks = [(r[5]["email"], r[5]["amount"], r[5]["pulse"]) for r in records
                if r[1] == "POST survey submit" and r[4] in (302, 303)]
        print(f"\n{len(records)} requests in {3 * args.segment:.0f} s, {len(acks)} acknowledged submissions")

        windows = []
        for name, t, note in faults:
            # Outage: from the fault to the end of the first successful request sent after the
            # first failure that follows the fault (no failure at all: recovered at once).
            fails = [r[2] + r[3] for r in records if r[2] + r[3] >= t and (r[4] >= 500 or r[4] == 0)]
            first_fail = min(fails) if fails else t
            ok_after = [r[2] + r[3] for r in records if r[2] >= first_fail and 200 <= r[4] < 400]
            recovered = min(ok_after) if ok_after else float("inf")
            windows.append((t, recovered + GRACE))
            in_window = [r for r in records if t <= r[2] + r[3] <= recovered + GRACE]
            failed = [r for r in in_window if r[4] >= 500 or r[4] == 0]
            straddling = [r for r in records if r[2] < t < r[2] + r[3]]
            print(f"{name}: recovery {recovered - t:.2f} s; in window {len(failed)} failed requests "
                  f"({sum(1 for r in failed if r[4] >= 500)} 5xx, {sum(1 for r in failed if r[4] == 0)} "
                  f"connection errors); requests in flight at the fault: {len(straddling)}, of which "
                  f"{sum(1 for r in straddling if 200 <= r[4] < 400)} succeeded; {note}")
        outside = [r for r in records if (r[4] >= 500 or r[4] == 0)
                   and not any(a <= r[2] + r[3] <= b for a, b in windows)]
        conflicts = sum(1 for r in records if r[4] == 409)
        print(f"server errors outside the fault windows (fault -> recovery + {GRACE:.0f} s): {len(outside)}"
              + (f"  e.g. {outside[:3]}" if outside else ""))
        print(f"409 conflicts (stale version: expected, the first writer wins): {conflicts}; other 4xx: "
              f"{sum(1 for r in records if 400 <= r[4] < 500 and r[4] != 409)}")
        print("\nDatabase check after the three faults:")
        for key, value in verify(pg, campaign, acks, baseline).items():
            print(f"  {key:42s} {value}")
        for i, (name, t, _) in enumerate(faults):
            end = faults[i + 1][1] if i + 1 < len(faults) else float("inf")
            seg = [a for a, r in zip(acks, [r for r in records if r[1] == "POST survey submit"
                                             and r[4] in (302, 303)]) if t - 8 <= r[2] < end - 8 or
                   (i == 0 and r[2] < t)]
            res = verify(pg, campaign, seg, baseline)
            print(f"  {name}: acknowledged {res['acknowledged']}, lost {res['lost']}, "
                  f"duplicated {res['duplicated']}")
    finally:
        if app is not None:
            stop(app)
        redis.destroy()
        pg.destroy()


if __name__ == "__main__":
    main()
