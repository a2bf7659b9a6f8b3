"""A closed period never changes by itself: add texts to the open period, re-run analyze, diff the closed reports.

Through the real command line on a fresh SQLite database:

1. ``groundswell db upgrade``, ``seed-demo`` (the default demo: closed past quarters, one open
   quarter), ``analyze``;
2. ``groundswell insights --period P --json`` of every closed period, and every closed-period
   observation's stored theme, similarity and sentiment;
3. ``groundswell import observations`` of new texts into the open period (a signal no theme holds,
   and texts like the existing ones), then ``analyze`` again;
4. the same reports and rows again: how many observations of closed periods changed theme (or
   similarity or sentiment), and how many JSON values of the closed reports changed (only the
   ``analysis_run`` object, the run's id, timestamp and total text count, is left out);
5. ``groundswell retheme`` (not applied): what an explicit refit would move, i.e. what a routine
   run moved before history was kept.

Run: ``.venv/bin/python benchmarks/closed_periods_immutable.py [--embedder wordllama|transformer|auto]
[--reps 80] [--periods 6] [--new 60]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GROUNDSWELL = [sys.executable, "-c", "from webapp.cli import main; main()"]
SIGNAL = ["the new steel tariff pushed our {x} costs up", "import tariffs on steel made the {x} pricier",
          "the steel tariff means customers delay {x} orders", "tariff on imported steel hits {x} margins",
          "customers expect steel tariffs to raise {x} prices"]
ITEMS = ["brackets", "frames", "racks", "panels", "rails", "beams", "shelving", "housings"]
FAMILIAR = ["customers ask for a bigger discount", "the delivery arrived late again",
            "a competitor cut prices on the whole range", "budget approval takes longer this quarter",
            "procurement wants a longer trial before signing"]


def run(env, *args) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(GROUNDSWELL + list(args), check=False, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"groundswell {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, time.perf_counter() - started


def closed_and_open(db: Path) -> tuple[list[str], str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT p.code, GROUP_CONCAT(c.status) FROM period p "
                            "LEFT JOIN campaign c ON c.period_id = p.id GROUP BY p.id ORDER BY p.starts_on").fetchall()
    open_codes = [code for code, statuses in rows if statuses and "open" in statuses.split(",")]
    closed = [code for code, statuses in rows if statuses and "open" not in statuses.split(",")]
    return closed, open_codes[-1]


def closed_rows(db: Path, closed: list[str]) -> dict[int, tuple]:
    marks = ",".join("?" * len(closed))
    with sqlite3.connect(db) as conn:
        return {o: (k, s, m) for o, k, s, m in conn.execute(
            "SELECT ot.observation_id, ot.theme_key, ot.similarity, ot.sentiment FROM observation_theme ot "
            "JOIN observation o ON o.id = ot.observation_id JOIN period p ON p.id = o.period_id "
            f"WHERE p.code IN ({marks})", closed)}


def report(env, period: str) -> dict:
    data = json.loads(run(env, "insights", "--period", period, "--json")[0])
    data.pop("analysis_run", None)
    return data


def leaves(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="wordllama")
    parser.add_argument("--reps", type=int, default=80)
    parser.add_argument("--periods", type=int, default=6)
    parser.add_argument("--new", type=int, default=60, help="texts added to the open period")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        env = {**os.environ, "GROUNDSWELL_DATABASE_URL": f"sqlite:///{db}", "GROUNDSWELL_EMBEDDER": args.embedder,
               "GROUNDSWELL_SECRET_KEY": "benchmark-only-secret-key-0123456789"}
        run(env, "db", "upgrade")
        run(env, "seed-demo", "--reps", str(args.reps), "--periods", str(args.periods))
        _, t_first = run(env, "analyze")
        closed, open_period = closed_and_open(db)
        before = {p: report(env, p) for p in closed}
        themed = closed_rows(db, closed)
        with sqlite3.connect(db) as conn:
            emails = [e for (e,) in conn.execute("SELECT email FROM person WHERE role = 'rep' ORDER BY id")]
            n_all = conn.execute("SELECT COUNT(*) FROM observation").fetchone()[0]
        texts = [t.format(x=x) for t in SIGNAL for x in ITEMS]
        texts = (texts + FAMILIAR * ((args.new // len(FAMILIAR)) + 1))[:args.new]
        path = Path(tmp) / "more.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "email", "period", "text", "tag"])
            for i, t in enumerate(texts):
                w.writerow([f"bench-{i}", emails[i % len(emails)], open_period, t, ""])
        run(env, "import", "observations", str(path))
        out, t_routine = run(env, "analyze")
        after = {p: report(env, p) for p in closed}
        themed_after = closed_rows(db, closed)
        moved = sum(1 for o, v in themed.items() if themed_after.get(o) != v)
        changed, total = 0, 0
        for p in closed:
            a, b = dict(leaves(before[p])), dict(leaves(after[p]))
            total += len(a)
            changed += sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
        retheme, t_retheme = run(env, "retheme")
        print(f"demo: {args.reps} reps, {args.periods} closed quarters + open {open_period}, {n_all} observations; "
              f"embedder {args.embedder}; {len(texts)} texts added to {open_period}")
        shown = next((x for x in out.splitlines() if "text representation:" in x), "")
        shown = shown.partition("text representation: ")[2].rstrip(").")
        print(f"first analyze {t_first:.1f} s; routine analyze after the import {t_routine:.1f} s "
              f"(text representation: {shown})")
        print(next(line for line in out.splitlines() if line.startswith("History kept")))
        print(f"closed periods {', '.join(closed)}: {moved} of {len(themed)} observations changed theme, "
              f"similarity or sentiment; {changed} of {total} JSON values of their insights reports changed")
        print(f"groundswell retheme (not applied, {t_retheme:.1f} s) — what a refit would have changed:")
        lines = retheme.splitlines()
        start = lines.index(next(x for x in lines if x.startswith("Re-theme of")))
        print("  " + lines[start])
        for line in lines[start + 1:]:
            if not line.startswith("  ") or " move" not in line:
                break
            print("  " + line)
        findings = [x for x in lines[lines.index(next(x for x in lines if x.startswith("Findings that change"))) + 1:]
                    if x.startswith("  ")]
        print(f"  findings that would change: {len(findings)} verdicts across the periods, "
              f"{sum('finding)' in x for x in findings)} of them a finding appearing or going")
        if moved or changed:
            raise SystemExit("FAIL: a closed period changed")


if __name__ == "__main__":
    main()
