"""What a survey submit costs in server CPU next to the framework's floor, in process.

The load test's ratio (submit throughput / bare insert throughput) is a ratio of CPU per request
once the 2 shared cores are saturated. This script measures, on the same database, the CPU one
request takes for each rung of a ladder from the bare insert to the real submit:

1. the bare Flask + SQLAlchemy Core insert of benchmarks/load/bare_app.py;
2. a logged-in POST with its CSRF token to a view that does nothing (session cookie, user loader,
   access check, CSRF; the route exists only in this script's app);
3. the same plus one SELECT and a commit through the ORM session;
4. the survey submit (reps taking turns, as in benchmarks/load/profile_submit.py).

The database must hold the demo org (`groundswell db upgrade && groundswell seed-demo --reps 120`)
named by GROUNDSWELL_DATABASE_URL. CPU is this process's (app + test client), not the database's.

    GROUNDSWELL_DATABASE_URL=postgresql+psycopg://... .venv/bin/python benchmarks/load/submit_floor.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CSRF_RE, DEMO_PASSWORD, _rep_form  # noqa: E402


def per_request(post, n: int, warmup: int = 30) -> tuple[float, float]:
    """Mean CPU and wall milliseconds of `post(k)` over n calls, after `warmup` calls."""
    for k in range(warmup):
        post(-1 - k)
    c0, t0 = time.process_time(), time.perf_counter()
    for k in range(n):
        post(k)
    return 1000 * (time.process_time() - c0) / n, 1000 * (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400, help="requests per rung")
    parser.add_argument("--reps", type=int, default=20, help="distinct reps taking turns to submit")
    args = parser.parse_args()
    url = os.environ["GROUNDSWELL_DATABASE_URL"]

    import bare_app
    from sqlalchemy import text

    from webapp import create_app
    from webapp.access import allow
    from webapp.extensions import db

    rows = []
    bare = bare_app.make_app(url).test_client()

    def bare_post(k):
        assert bare.post("/insert", data={"payload": f"floor-{k}"}).status_code == 201

    rows.append(("bare Flask + SQLAlchemy Core insert", *per_request(bare_post, args.n)))

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})

    @allow("rep")
    def floor_noop():
        return "", 204

    @allow("rep")
    def floor_select():
        db.session.execute(text("SELECT 1")).scalar()
        db.session.commit()
        return "", 204

    app.add_url_rule("/floor/noop", "floor_noop", floor_noop, methods=["POST"])
    app.add_url_rule("/floor/select", "floor_select", floor_select, methods=["POST"])
    with app.app_context():
        campaign = db.session.execute(text(
            "SELECT id FROM campaign WHERE status = 'open' AND template_id = 'quarterly-planning' "
            "ORDER BY id DESC LIMIT 1")).scalar_one()
    path = f"/campaigns/{campaign}/respond"
    reps = []
    for i in range(1, args.reps + 1):
        client = app.test_client()
        token = CSRF_RE.search(client.get("/login").text).group(1)
        client.post("/login", data={"email": f"rep{i}@demo.test", "password": DEMO_PASSWORD, "csrf_token": token})
        page = client.get(path)
        found = CSRF_RE.search(page.text)
        if found:
            reps.append([client, found.group(1), 'name="proud"' in page.text])
    assert reps, "no rep has anything left to answer"
    rng = random.Random(1)
    client, token, _ = reps[0]

    def noop(k):
        assert client.post("/floor/noop", data={"csrf_token": token}).status_code == 204

    def select_one(k):
        assert client.post("/floor/select", data={"csrf_token": token}).status_code == 204

    def submit(k):
        entry = reps[k % len(reps)]
        response = entry[0].post(path, data=_rep_form(7_000_000 + k, rng, entry[1], entry[2], abs(k)))
        assert response.status_code in (302, 303), response.status_code
        entry[2] = False

    rows.append(("logged-in CSRF POST, no-op view", *per_request(noop, args.n)))
    rows.append(("  + SELECT 1 and commit (ORM session)", *per_request(select_one, args.n)))
    rows.append(("survey submit", *per_request(submit, args.n)))

    print(f"{'request':40s} {'CPU ms':>7s} {'wall ms':>8s}")
    for name, cpu, wall in rows:
        print(f"{name:40s} {cpu:7.2f} {wall:8.2f}")
    print(f"submit / bare CPU: {rows[-1][1] / rows[0][1]:.1f}x; framework floor (no-op) / bare: "
          f"{rows[1][1] / rows[0][1]:.1f}x")


if __name__ == "__main__":
    main()
