"""How much of the demo's annual engagement survey HR may see: groups with >= k respondents shown.

Builds the demo (``report_snapshot.snapshot_with_db``), then, for the annual campaign's breakdowns
by region, department, tenure band and manager team, counts the groups with at least k respondents
and how many of them the HR dashboard's JSON shows with their numbers, and lists every hidden
group with its reason. Run it on two checkouts to compare::

    python benchmarks/hr_groups_shown.py
    PYTHONPATH=/tmp/baseline python benchmarks/hr_groups_shown.py   # an older checkout's webapp
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report_snapshot import snapshot_with_db  # noqa: E402

BREAKDOWNS = {"region": "region", "department": "department", "tenure_band": "tenure_band", "manager": "manager_key"}
K = 5


def main() -> None:
    from sqlalchemy import create_engine, text

    out = Path(tempfile.mkdtemp())
    _, db = snapshot_with_db(out)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        cid = conn.execute(text("SELECT id FROM campaign WHERE template_id = 'engagement-annual' "
                                "AND status = 'closed' ORDER BY id DESC LIMIT 1")).scalar_one()
        counts = {by: Counter(dict(conn.execute(text(
            f"SELECT {col}, COUNT(*) FROM engagement_response WHERE campaign_id = :c AND {col} IS NOT NULL "
            f"GROUP BY {col}"), {"c": cid}).all())) for by, col in BREAKDOWNS.items()}
    total_big = total_shown = 0
    for by in BREAKDOWNS:
        data = json.loads((out / f"engagement-{cid}-{by}.json").read_text())
        groups = {g["group"].split("=", 1)[1]: g for g in data["results"]["groups"]}
        big = [name for name, n in counts[by].items() if n >= K]
        shown = [name for name in big if name in groups and not groups[name]["suppressed"]]
        total_big += len(big)
        total_shown += len(shown)
        print(f"{by:12s} groups with >= {K} respondents: {len(big):3d}; shown: {len(shown):3d}")
        for name, g in sorted(groups.items()):
            if g["suppressed"]:
                print(f"    hidden: {g.get('label', name)} ({counts[by].get(name, 0)} respondents): "
                      f"{g.get('reason')}")
    share = total_shown / total_big if total_big else 1.0
    print(f"all breakdowns: {total_shown} of {total_big} groups with >= {K} respondents shown ({share:.0%})")


if __name__ == "__main__":
    main()
