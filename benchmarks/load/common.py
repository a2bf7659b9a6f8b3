"""Shared pieces of the load and fault benchmarks: servers, the app under gunicorn, simulated users.

Everything listens on 127.0.0.1 only. Simulated users are threads spread over a few client
processes (one Python process cannot drive 100 users on its own because of the GIL); each request
is recorded as (user kind, endpoint, start time, latency, status, extra) and sent back to the parent
when the run ends.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "webapp"))

from dbservers import PostgresServer, RedisServer, free_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
GROUNDSWELL = str(VENV_BIN / "groundswell")
DEMO_PASSWORD = "groundswell-demo"
SECRET = "load-benchmark-secret-" + "x" * 20
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PLAN_LINK_RE = re.compile(r'href="/plans/(\d+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
LIKERT_IDS = ("proud", "recommend_employer", "see_myself_here", "manager_support", "manager_feedback",
              "tools_information", "target_achievable", "input_valued")


def app_env(db_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "GROUNDSWELL_DATABASE_URL": db_url,
        "GROUNDSWELL_RATELIMIT_STORAGE_URL": redis_url.rsplit("/", 1)[0] + "/1",
        "GROUNDSWELL_SECRET_KEY": SECRET,
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("GROUNDSWELL_REDIS_URL", None)
    return env


def setup_database(pg: PostgresServer, env: dict, reps: int) -> None:
    """Migrate and seed the demo org (the open planning campaign comes with it)."""
    for argv in (["db", "upgrade"], ["seed-demo", "--reps", str(reps)]):
        out = subprocess.run([GROUNDSWELL, *argv], env=env, capture_output=True, text=True, cwd=REPO)
        if out.returncode != 0:
            raise RuntimeError(f"groundswell {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
        print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else f"groundswell {argv[0]} ok")


def wait_for_port(port: int, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def start_groundswell(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([GROUNDSWELL, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers), "--threads", str(threads)],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=REPO,
                            start_new_session=True)
    wait_for_port(port, proc=proc)
    wait_workers(proc.pid, workers)
    return proc


def start_bare(db_url: str, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(REPO / "benchmarks" / "load" / "bare_app.py"),
                             "--db", db_url, "--port", str(port), "--workers", str(workers),
                             "--threads", str(threads)],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=REPO,
                            start_new_session=True)
    wait_for_port(port, proc=proc)
    wait_workers(proc.pid, workers)
    return proc


def children(pid: int) -> list[int]:
    result = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                result.append(int(entry))
    return result


def wait_workers(master: int, n: int, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = children(master)
        if len(kids) >= n:
            return kids
        time.sleep(0.1)
    raise RuntimeError("workers did not start")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one live process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of `root` and its live children (gunicorn master + workers, postmaster + backends)."""
    return _cpu_seconds(root) + sum(_cpu_seconds(pid) for pid in children(root))


def postmaster_pid(pg: PostgresServer) -> int:
    return int((pg.data / "postmaster.pid").read_text().split()[0])


class CpuMeter:
    """CPU seconds used by named process trees between two points in time (a measured window).

    Under a CPU-bound load on shared cores, throughput says little about *which* process costs what;
    CPU ms per acknowledged request per tree (server, database, load clients) does.
    """

    def __init__(self, roots: dict[str, list[int]]):
        self.roots = dict(roots)
        self.start: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def snapshot(self) -> dict[str, float]:
        return {name: sum(tree_cpu_seconds(pid) for pid in pids) for name, pids in self.roots.items()}

    def measure(self, start: float, deadline: float) -> threading.Thread:
        """Sample at `start` and `deadline` (wall-clock times) from a background thread."""
        def run():
            time.sleep(max(0.0, start - time.time()))
            before = self.snapshot()
            time.sleep(max(0.0, deadline - time.time()))
            after = self.snapshot()
            self.used = {name: after[name] - before[name] for name in before}
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def report(self, requests: int) -> str:
        if not self.used or not requests:
            return "CPU: not measured"
        parts = [f"{name} {1000 * secs / requests:.1f}" for name, secs in self.used.items()]
        return f"CPU ms per acknowledged request: {', '.join(parts)} (total {1000 * sum(self.used.values()) / requests:.1f})"


def stop(proc: subprocess.Popen, timeout: float = 40) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- simulated users

@dataclass(frozen=True)
class User:
    kind: str        # rep | manager | viewer | submitter | bare
    email: str = ""
    index: int = 0   # unique per user: makes submitted amounts unique


def _session(base: str):
    import requests
    from requests.adapters import HTTPAdapter

    s = requests.Session()
    s.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0))
    s.base = base
    return s


class Recorder:
    def __init__(self, records, inflight):
        self.records = records
        self.inflight = inflight

    def request(self, s, kind, name, method, path, extra=None, **kw):
        t0 = time.time()
        with self.inflight.get_lock():
            self.inflight.value += 1
        try:
            r = s.request(method, s.base + path, allow_redirects=False, timeout=60, **kw)
            status = r.status_code
        except Exception as exc:  # connection refused/reset during faults
            r, status = None, 0
            extra = dict(extra or {}, error=type(exc).__name__)
        finally:
            with self.inflight.get_lock():
                self.inflight.value -= 1
        self.records.append((kind, name, t0, time.time() - t0, status, extra))
        return r, status


def _login(rec, s, user) -> bool:
    r, status = rec.request(s, user.kind, "GET /login", "GET", "/login")
    if r is None or status != 200:
        return False
    token = CSRF_RE.search(r.text)
    r, status = rec.request(s, user.kind, "POST /login", "POST", "/login",
                            data={"email": user.email, "password": DEMO_PASSWORD,
                                  "csrf_token": token.group(1) if token else ""})
    return status in (302, 303)


def _rep_form(proposed: int, rng: random.Random, token: str, with_pulse: bool, n: int) -> dict:
    data = {"csrf_token": token, "proposed_target": str(proposed), "confidence": str(rng.randint(1, 5)),
            "rationale": f"Load test plan {n}: {rng.randint(2, 9)} renewals and a new logo.",
            "action": "submit"}
    for i in range(rng.randint(1, 3)):
        data[f"observations-{i}-text"] = rng.choice((
            "Competitor is discounting hard", "Budgets frozen at two banks",
            "Customers ask for CRM integration", "Procurement cycles are getting longer"))
        data[f"observations-{i}-tag"] = ""
    if with_pulse:
        for item in LIKERT_IDS:
            data[item] = str(rng.randint(1, 5))
        data["enps"] = str(rng.randint(0, 10))
        data["pulse_comment"] = "Fine."
    return data


def _run_user(user: User, base: str, start: float, deadline: float, rec: Recorder, campaign_id: int) -> None:
    rng = random.Random(user.index)
    s = _session(base)
    seq = 0
    logged_in = user.kind == "bare"
    token, with_pulse = None, False
    # Warm-up: log in (Argon2id verification is deliberately costly), then wait for the common start.
    while not logged_in and time.time() < start:
        logged_in = _login(rec, s, user)
        if not logged_in:
            time.sleep(0.5)
    if user.kind == "submitter" and logged_in and time.time() < start:
        # Submit-only users read the form (its CSRF token) once, in the warm-up too, so that the
        # measured window holds their submit POSTs only (a reload of the form is still fetched in
        # the window if the token is missing or refused).
        r, status = rec.request(s, user.kind, "GET survey form", "GET", f"/campaigns/{campaign_id}/respond")
        m = CSRF_RE.search(r.text) if r is not None and status == 200 else None
        if m is not None:
            token, with_pulse = m.group(1), 'name="proud"' in r.text
    time.sleep(max(0.0, start - time.time()))
    while time.time() < deadline:
        if not logged_in:
            logged_in = _login(rec, s, user)
            if not logged_in:
                time.sleep(0.2)
                continue
        if user.kind == "bare":
            _, status = rec.request(s, "bare", "POST /insert", "POST", "/insert",
                                    data={"payload": f"u{user.index}-{seq}"})
            seq += 1
            if status == 0:
                time.sleep(0.2)
            continue
        if user.kind in ("rep", "submitter"):
            path = f"/campaigns/{campaign_id}/respond"
            if user.kind == "rep" or token is None:
                r, status = rec.request(s, user.kind, "GET survey form", "GET", path)
                if status in (302, 401, 403):
                    logged_in = False
                    continue
                if r is None or status != 200:
                    time.sleep(0.2)
                    continue
                m = CSRF_RE.search(r.text)
                if m is None:  # nothing left to answer (plan decided)
                    time.sleep(1)
                    continue
                token, with_pulse = m.group(1), 'name="proud"' in r.text
            seq += 1
            # Unique per (user, submission): 1,000,000 + user index * 100,000 + seq (whole units).
            amount = 1_000_000 + user.index * 100_000 + seq
            _, status = rec.request(s, user.kind, "POST survey submit", "POST", path,
                                    extra={"email": user.email, "amount": amount, "pulse": with_pulse},
                                    data=_rep_form(amount, rng, token, with_pulse, seq))
            if status in (302, 303):
                with_pulse = False  # the confidential section is answered once
            elif status == 0:
                time.sleep(0.2)
            if user.kind == "rep":
                time.sleep(rng.uniform(0, 0.2))
        elif user.kind == "manager":
            r, status = rec.request(s, "manager", "GET /queue", "GET", "/queue")
            if status == 302:
                logged_in = False
                continue
            if r is None or status != 200:
                time.sleep(0.2)
                continue
            ids = PLAN_LINK_RE.findall(r.text)
            if not ids:
                time.sleep(0.5)
                continue
            plan_id = rng.choice(ids[:10])
            r, status = rec.request(s, "manager", "GET plan detail", "GET", f"/plans/{plan_id}")
            if r is None or status != 200:
                continue
            m, v = CSRF_RE.search(r.text), VERSION_RE.search(r.text)
            if not (m and v):
                continue  # no longer waiting for a decision
            # Return for revision: the rep can keep updating (approve would lock the plan).
            rec.request(s, "manager", "POST decision", "POST", f"/plans/{plan_id}/decide",
                        data={"csrf_token": m.group(1), "action": "return", "version": v.group(1),
                              "reason": "Load test: split the number by product line.", "amount": ""})
            time.sleep(rng.uniform(0, 0.3))
        else:  # leader / HR / admin viewing reports
            pages = ["/engagement"] if user.email.startswith("hr") else ["/insights", "/engagement"]
            for page in pages:
                _, status = rec.request(s, "viewer", f"GET {page}", "GET", page)
                if status == 302:
                    logged_in = False
            time.sleep(rng.uniform(0, 0.5))


def _client_process(users, base, start, deadline, campaign_id, inflight, conn):
    records = []
    rec = Recorder(records, inflight)
    threads = [threading.Thread(target=_run_user, args=(u, base, start, deadline, rec, campaign_id),
                                daemon=True)
               for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1, deadline - time.time() + 90))
    conn.send(list(records))
    conn.close()


class Load:
    """Run users against `base` for `duration` seconds in `procs` client processes (background)."""

    def __init__(self, users: list[User], base: str, duration: float, campaign_id: int = 0, procs: int = 2,
                 warmup: float = 0.0):
        ctx = mp.get_context("fork")
        self.inflight = ctx.Value("i", 0)
        self.started = time.time() + warmup  # measurement starts after the log-ins of the warm-up
        self.deadline = self.started + duration
        self.parts = []
        for i in range(procs):
            parent, child = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_client_process,
                            args=(users[i::procs], base, self.started, self.deadline, campaign_id, self.inflight, child))
            p.start()
            self.parts.append((p, parent))
        self.meter: CpuMeter | None = None

    def measure_cpu(self, roots: dict[str, int]) -> CpuMeter:
        """Meter the CPU of the `roots` trees and of this load's client processes over the measured window."""
        trees = {name: [pid] for name, pid in roots.items()}
        trees["load clients"] = [p.pid for p, _ in self.parts]
        self.meter = CpuMeter(trees)
        self._meter_thread = self.meter.measure(self.started, self.deadline)
        return self.meter

    def join(self) -> list[tuple]:
        records = []
        for p, conn in self.parts:
            records.extend(conn.recv())
            p.join()
        if self.meter is not None:
            self._meter_thread.join()
        return records


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summarize(records, duration: float, title: str, start: float = 0.0) -> dict[str, float]:
    """Print per-endpoint throughput and latency of requests sent from `start`; return requests/s."""
    records = [r for r in records if r[2] >= start]
    by = {}
    for kind, name, t0, lat, status, extra in records:
        by.setdefault(name, []).append((lat, status))
    print(f"\n{title}  ({duration:.0f} s)")
    print(f"{'endpoint':22s} {'n':>7s} {'req/s':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s} "
          f"{'5xx':>5s} {'conn':>5s} {'4xx':>5s}")
    rates = {}
    for name in sorted(by):
        rows = by[name]
        lats = [1000 * lat for lat, st in rows if st]
        n5 = sum(1 for _, st in rows if st >= 500)
        n0 = sum(1 for _, st in rows if st == 0)
        n4 = sum(1 for _, st in rows if 400 <= st < 500)
        ok = sum(1 for _, st in rows if 200 <= st < 400)
        rates[name] = ok / duration
        print(f"{name:22s} {len(rows):7d} {ok / duration:7.1f} {pct(lats, .5):7.0f} {pct(lats, .95):7.0f} "
              f"{pct(lats, .99):7.0f} {n5:5d} {n0:5d} {n4:5d}")
    total_ok = sum(1 for r in records if 200 <= r[4] < 400)
    print(f"{'all':22s} {len(records):7d} {total_ok / duration:7.1f}   "
          f"5xx={sum(1 for r in records if r[4] >= 500)} conn-errors={sum(1 for r in records if r[4] == 0)} "
          f"4xx={sum(1 for r in records if 400 <= r[4] < 500)}")
    return rates
