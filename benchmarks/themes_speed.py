"""Speed and memory of `groundswell themes` on 100,000 BANKING77 texts, beside a TF-IDF baseline.

Both run as fresh subprocesses (process start included) on the same resampled CSV; peak memory is
each child's maximum resident set size. Then times assigning 1,000 new texts to fitted themes.

Usage: python benchmarks/themes_speed.py [--n 100000] [--distinct] [--data ../shared/data/banking77]
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "banking77"


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MB, its stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{cmd} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_maxrss / 1024, err


def main() -> None:
    """Print the speed figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--distinct", action="store_true",
                        help="append a row reference to every text so no two are identical (worst case)")
    args = parser.parse_args()
    texts = []
    for name in ("train.csv", "test.csv"):
        with open(args.data / name, newline="", encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    rng = random.Random(0)
    sample = [rng.choice(texts) for _ in range(args.n)]
    if args.distinct:
        sample = [f"{t} (ref {i})" for i, t in enumerate(sample)]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "texts.csv"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text"])
            writer.writerows((f"t{i}", t) for i, t in enumerate(sample, start=1))
        py = sys.executable
        base_t, base_mem, _ = run([py, "benchmarks/tfidf_minibatch_baseline.py", str(src), "text", str(Path(tmp) / "b.csv")])
        ours_t, ours_mem, ours_err = run([py, "-m", "webapp.cli.themes", str(src), "--text-column", "text",
                                "--id-column", "id", "--themes", "auto", "--out", str(Path(tmp) / "o.csv"),
                                "--summary", str(Path(tmp) / "o.json")])
        with open(Path(tmp) / "o.csv", newline="", encoding="utf-8") as fh:
            out_rows = list(csv.DictReader(fh))
        n_themes = len({r["theme_id"] for r in out_rows} - {"-1"})
    kind = "all distinct" if args.distinct else f"{len(set(sample))} distinct"
    print(f"input: {args.n} texts (BANKING77 train+test resampled, seed 0; {kind})")
    print(f"TF-IDF + MiniBatchKMeans(30) script: {base_t:.1f} s, peak {base_mem:.0f} MB")
    print(f"groundswell themes --themes auto:    {ours_t:.1f} s, peak {ours_mem:.0f} MB, {n_themes} themes, {len(out_rows)} rows")
    said = [line for line in ours_err.splitlines() if "text representation" in line]
    print(f"  ({said[-1].strip() if said else 'representation not reported'}; "
          f"GROUNDSWELL_EMBEDDER={os.environ.get('GROUNDSWELL_EMBEDDER', 'auto')})")
    print(f"ratio: {ours_t / base_t:.1f}x")

    sys.path.insert(0, str(ROOT))
    from analysis.themes import ThemeModel

    model = ThemeModel("auto", random_state=0).fit(sample[:10_000])
    new = [rng.choice(texts) + " " + rng.choice(texts) for _ in range(1000)]
    model.assign(new[:10])
    times = []
    for _ in range(5):
        start = time.perf_counter()
        model.assign(new)
        times.append(time.perf_counter() - start)
    print(f"assign 1,000 new texts to {model.n_themes_} fitted themes: best {min(times):.3f} s, worst {max(times):.3f} s")


if __name__ == "__main__":
    main()
