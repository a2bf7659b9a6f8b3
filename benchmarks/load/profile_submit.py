"""Profile survey submissions in process: N POSTs of the open planning survey by logged-in reps.

The database must already hold the demo org (`groundswell db upgrade && groundswell seed-demo`);
GROUNDSWELL_DATABASE_URL names it. CSRF is on, as in production. Prints the mean wall time per
POST and, with --profile, a cProfile listing (or pyinstrument's, when installed and --pyinstrument).

    GROUNDSWELL_DATABASE_URL=sqlite:////tmp/g.db .venv/bin/python benchmarks/load/profile_submit.py -n 200
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CSRF_RE, DEMO_PASSWORD, _rep_form  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="POSTs to time")
    parser.add_argument("--reps", type=int, default=20, help="distinct reps taking turns")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sort", default="cumulative",
                        help="pstats sort key, or 'package': own time summed per installed package / module")
    args = parser.parse_args()

    from sqlalchemy import text

    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        campaign = db.session.execute(text(
            "SELECT id FROM campaign WHERE status = 'open' AND template_id = 'quarterly-planning' "
            "ORDER BY id DESC LIMIT 1")).scalar_one()
    path = f"/campaigns/{campaign}/respond"
    rng = random.Random(1)
    clients = []
    for i in range(1, args.reps + 1):
        c = app.test_client()
        r = c.get("/login")
        token = CSRF_RE.search(r.text).group(1)
        r = c.post("/login", data={"email": f"rep{i}@demo.test", "password": DEMO_PASSWORD, "csrf_token": token})
        assert r.status_code in (302, 303), r.status_code
        r = c.get(path)
        m = CSRF_RE.search(r.text)
        if m is None:
            continue
        clients.append([c, m.group(1), 'name="proud"' in r.text])
    assert clients, "no rep has anything left to answer"

    def post(k: int) -> None:
        entry = clients[k % len(clients)]
        c, token, pulse = entry
        r = c.post(path, data=_rep_form(1_000_000 + k, rng, token, pulse, k))
        assert r.status_code in (302, 303), (r.status_code, r.text[:2000])
        entry[2] = False

    for k in range(len(clients)):  # warm-up: first (pulse) submission of each rep
        post(k)
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    elif args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(args.n):
        post(k)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    if args.pyinstrument:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    elif profiler is not None:
        import pstats

        profiler.disable()
        if args.sort == "package":
            print_by_package(pstats.Stats(profiler))
        else:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
    print(f"{args.n} submit POSTs: {1000 * elapsed / args.n:.2f} ms each, {1000 * cpu / args.n:.2f} ms CPU "
          f"of this process (app + test client; not the database server's) ({len(clients)} reps)")


def print_by_package(stats) -> None:
    """Own (exclusive) time per installed package, repository module or stdlib file: where CPU goes."""
    from collections import Counter

    by = Counter()
    for (file, _, name), (_, _, own, _, _) in stats.stats.items():
        if file == "~":
            key = f"builtin {name}" if own > 0.01 * stats.total_tt else "builtin (other)"
        elif "site-packages/" in file:
            key = file.split("site-packages/")[1].split("/")[0]
        elif str(Path(__file__).resolve().parents[2]) in file:
            key = file.split(str(Path(__file__).resolve().parents[2]) + "/")[1]
        else:
            key = "stdlib " + Path(file).name
        by[key] += own
    for key, own in by.most_common(30):
        print(f"{key:60s} {1000 * own:9.1f} ms {100 * own / stats.total_tt:5.1f}%")


if __name__ == "__main__":
    main()
