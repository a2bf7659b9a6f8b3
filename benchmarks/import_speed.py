"""Print how long CSV imports of 10,000 people and 10,000 targets take, and a no-change re-import.

Usage: python benchmarks/import_speed.py [--rows N] [--database-url URL]
Runs on a temporary SQLite file unless a database URL is given.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from webapp import create_app
from webapp.extensions import db
from webapp.store.imports import import_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        people = ["email,name,role,manager_email,region,territory,department,hire_date",
                  "boss@example.test,Boss,manager,,North,,,"]
        people += [f"rep{n}@example.test,Rep {n},rep,boss@example.test,North,N-{n % 50},Sales,"
                   for n in range(args.rows)]
        targets = ["email,period,proposed,approved,top_down"]
        targets += [f"rep{n}@example.test,2027-Q1,{1000 + n}.50,{1000 + n}.50,900" for n in range(args.rows)]
        (folder / "people.csv").write_text("\n".join(people) + "\n")
        (folder / "targets.csv").write_text("\n".join(targets) + "\n")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            for label, kind, name in (("people (new)", "people", "people.csv"),
                                      ("targets (new)", "targets", "targets.csv"),
                                      ("targets (unchanged)", "targets", "targets.csv")):
                started = time.perf_counter()
                result = import_csv(kind, folder / name)
                print(f"{label:22s} {result.rows:6d} rows  {time.perf_counter() - started:6.2f} s")
            db.engine.dispose()


if __name__ == "__main__":
    main()
