"""Snapshot the demo's report JSON, to prove a refactor changed nothing a user sees.

Builds the demo organisation in a fresh SQLite file, runs ``groundswell analyze`` and writes
``groundswell insights --period P --json`` for every period and ``groundswell engagement --campaign C
--json`` (every breakdown) for every closed campaign into OUT_DIR, one file each. Run it on two
checkouts and compare the folders with ``diff -r`` (or ``--compare OTHER_DIR``)::

    python benchmarks/report_snapshot.py /tmp/after
    PYTHONPATH=/tmp/baseline python /tmp/baseline/benchmarks/report_snapshot.py /tmp/before
    python benchmarks/report_snapshot.py /tmp/after --compare /tmp/before
"""

from __future__ import annotations

import argparse
import filecmp
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

BREAKDOWNS = (None, "department", "region", "tenure_band", "manager", "manager_tree")


def _cli():
    """The `groundswell` click group, wherever this checkout keeps it."""
    for name in ("webapp.cli", "webapp.commands"):
        try:
            return importlib.import_module(name).cli
        except (ImportError, AttributeError):
            continue
    raise SystemExit("no groundswell CLI group found")


def _run(cli, args: list[str]) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"groundswell {' '.join(args)} failed ({result.exit_code}):\n{result.output}")
    return result.stdout


def snapshot(out: Path) -> int:
    """Write every report JSON of a freshly analysed demo into `out`; return how many files."""
    return snapshot_with_db(out)[0]


def snapshot_with_db(out: Path) -> tuple[int, Path]:
    """`snapshot`, also returning the SQLite file it analysed (for scripts that count from it)."""
    out.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "snapshot.db"
    os.environ["GROUNDSWELL_DATABASE_URL"] = f"sqlite:///{db}"
    cli = _cli()
    _run(cli, ["db", "upgrade"])
    _run(cli, ["seed-demo"])
    _run(cli, ["analyze"])

    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        periods = [r[0] for r in conn.execute(text("SELECT code FROM period ORDER BY code"))]
        campaigns = [r[0] for r in conn.execute(text("SELECT id FROM campaign WHERE status = 'closed' ORDER BY id"))]
    n = 0
    for code in periods:
        (out / f"insights-{code}.json").write_text(_run(cli, ["insights", "--period", code, "--json"]))
        n += 1
    for cid in campaigns:
        for by in BREAKDOWNS:
            args = ["engagement", "--campaign", str(cid), "--json"] + (["--by", by] if by else [])
            (out / f"engagement-{cid}-{by or 'all'}.json").write_text(_run(cli, args))
            n += 1
    return n, db


def _normalised(path: Path) -> str:
    """The file's JSON with the two things that differ between any two runs of the same code masked.

    A run's ``created_at`` is its wall-clock time, and comments are shuffled on every request
    (PRODUCT.md: "without author, shuffled"), so they are compared as sorted lists.
    """
    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [walk(v) for v in value]
            return sorted(items) if key == "comments" and all(isinstance(v, str) for v in items) else items
        if isinstance(key, str) and key.endswith("_at") and isinstance(value, str):
            return "<time>"
        return value

    return json.dumps(walk(json.loads(path.read_text())), ensure_ascii=False)


def compare(a: Path, b: Path) -> int:
    """Print which snapshot files differ; return the number that differ or are missing."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    bad = raw = 0
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()):
            print(f"missing in one side: {name}")
            bad += 1
        elif filecmp.cmp(pa, pb, shallow=False):
            raw += 1
        elif _normalised(pa) != _normalised(pb):
            print(f"differs: {name}")
            bad += 1
    print(f"{len(names)} files compared: {raw} byte-identical, {len(names) - bad - raw} identical once run "
          f"timestamps and the comment shuffle are masked, {bad} different")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path, default=None, help="an earlier snapshot folder")
    args = parser.parse_args()
    if not (args.out.exists() and any(args.out.iterdir())):
        n = snapshot(args.out)
        print(f"{n} report files written to {args.out}")
    if args.compare is not None:
        sys.exit(1 if compare(args.out, args.compare) else 0)


if __name__ == "__main__":
    main()
