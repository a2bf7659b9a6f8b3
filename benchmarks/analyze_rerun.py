"""Wall time of ``groundswell analyze`` run again: nothing new, and after a new period of observations.

With the contextual text representation most of a run is embedding. ``analyze`` keeps the vectors
it computed (``text_embedding``), so a re-run embeds only texts it has not seen; engagement
comments that did not change since the last comments run are not fitted again. This script shows
what that buys, through the installed console script only (each command a fresh process, as a
user or a scheduler would run it):

1. builds an org from BANKING77 customer texts (``benchmarks/planted_real_texts.py``'s generator:
   ``--reps`` reps, ``--periods`` quarters, ``--n-intents`` intents) in a temporary SQLite file,
   and imports everything but the last period's observations;
2. ``analyze`` with no kept vectors (first run), then ``analyze`` again (nothing new);
3. imports the last period's observations, then ``analyze`` (only those texts are new);
4. with ``--demo``, the same on the demo organisation (``seed-demo``): first run, then a re-run.

With ``--database postgresql`` every org lives in its own database of a throwaway PostgreSQL 15
cluster (``tests/webapp/dbservers.py``: fsync off, unix socket, destroyed at the end) instead of a
SQLite file; the commands are the same.

Prints each run's wall time and its own summary line (texts embedded / reused). The data are read
from ``../shared/data/banking77`` (CC-BY-4.0) and never copied into this repository.

    .venv/bin/python benchmarks/analyze_rerun.py [--reps 1200] [--periods 4] [--n-intents 77] [--demo]
        [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from planted_real_texts import (  # noqa: E402  (a sibling script, not a package)
    COLUMNS,
    DATA,
    Spec,
    build_org,
    cli_env,
    load_banking77,
    run_cli,
    write_csvs,
)

SUMMARY = re.compile(r"^\d+ themes over .*$|^Engagement comments unchanged.*$|^\d+ comment themes over .*$", re.M)


def _analyze(label: str, env: dict[str, str]) -> None:
    timings: dict[str, float] = {}
    out = run_cli(["analyze"], env, timings, key="analyze")
    lines = SUMMARY.findall(out)
    print(f"{label:40s} {timings['analyze']:7.1f} s   " + "\n" + "\n".join(f"{'':42s}{line}" for line in lines),
          flush=True)


class Databases:
    """Where each org lives: a SQLite file in its work folder, or a database of one PostgreSQL cluster."""

    def __init__(self, kind: str) -> None:
        self.server = None
        if kind == "postgresql":
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "webapp"))
            from dbservers import PostgresServer

            self.server = PostgresServer.start()

    def env(self, work: Path, name: str) -> dict[str, str]:
        env = cli_env(work)
        if self.server is not None:
            self.server.execute(f"CREATE DATABASE {name}")
            env["GROUNDSWELL_DATABASE_URL"] = self.server.url(name)
        return env

    def close(self) -> None:
        if self.server is not None:
            self.server.destroy()


def banking_org(args, databases: Databases) -> None:
    org = build_org(Spec(reps=args.reps, periods=args.periods, seed=args.seed, n_intents=args.n_intents),
                    load_banking77(args.data))
    last = org.periods[-1]
    distinct = {o["text"].strip() for o in org.observations}
    new = {o["text"].strip() for o in org.observations if o["period"] == last} - {
        o["text"].strip() for o in org.observations if o["period"] != last}
    print(f"BANKING77 org: {args.reps} reps, {len(org.periods)} periods, {len(org.observations)} observations "
          f"({len(distinct)} distinct; {len(new)} new in {last})")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = write_csvs(org, work)
        later = work / "observations_last.csv"
        with open(paths["observations"], newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for path, keep in ((paths["observations"], lambda r: r["period"] != last), (later, lambda r: r["period"] == last)):
            with open(path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=COLUMNS["observations"])
                writer.writeheader()
                writer.writerows(r for r in rows if keep(r))
        env = databases.env(work, "banking")
        timings: dict[str, float] = {}
        run_cli(["db", "upgrade"], env, timings)
        for kind in ("people", "targets", "observations", "actuals"):
            run_cli(["import", kind, str(paths[kind])], env, timings)
        _analyze("first run (nothing kept)", env)
        _analyze("again, nothing new", env)
        run_cli(["import", "observations", str(later)], env, timings)
        _analyze(f"after importing {last}'s observations", env)


def demo_org(databases: Databases) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = databases.env(Path(tmp), "demo")
        timings: dict[str, float] = {}
        run_cli(["db", "upgrade"], env, timings)
        run_cli(["seed-demo"], env, timings)
        print("demo organisation (seed-demo)")
        _analyze("first run (nothing kept)", env)
        _analyze("again, nothing new", env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1200)
    parser.add_argument("--periods", type=int, default=4)
    parser.add_argument("--n-intents", type=int, default=77)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--demo", action="store_true", help="also time the demo organisation")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"BANKING77 not found at {args.data} (see ../shared/data)")
    databases = Databases(args.database)
    try:
        print(f"database: {args.database}")
        banking_org(args, databases)
        if args.demo:
            demo_org(databases)
    finally:
        databases.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
