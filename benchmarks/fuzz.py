"""Fuzz a live server: schemathesis over the whole API and Hypothesis over every form post.

Starts `groundswell serve` (gunicorn, one worker) on a fresh SQLite database seeded with the demo
org, on 127.0.0.1 only, then:

- schemathesis, over HTTP against /api/v1/openapi.json, with a token of each role: every case
  checked for server errors and against the documented response (status, headers, body);
- Hypothesis over every POST route of the pages (found in the app's url_map), logged in as a role
  that may use it, with a valid CSRF token and field values drawn from hostile text (lone
  surrogates, huge digits, other scripts' digits, NUL, very long strings) and ids of any size.

Prints the cases tried and the server errors (5xx or a dropped connection) for each part, and
exits non-zero when there was any.

    .venv/bin/python benchmarks/fuzz.py [--api-cases 3000] [--form-cases 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "load"))

from common import GROUNDSWELL, free_port, wait_for_port  # noqa: E402

ROLES = {"rep": "rep1@demo.test", "manager": "manager1@demo.test", "leader": "leader@demo.test",
         "hr": "hr@demo.test", "admin": "admin@demo.test"}
PASSWORD = "groundswell-demo"


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GROUNDSWELL_DATABASE_URL": f"sqlite:///{workdir / 'fuzz.db'}",
                "GROUNDSWELL_SECRET_KEY": "fuzz-secret", "PYTHONUNBUFFERED": "1",
                "GROUNDSWELL_LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
                "GROUNDSWELL_LOGIN_LIMIT_PER_CLIENT": "100000 per minute"})
    env.pop("GROUNDSWELL_REDIS_URL", None)
    return env


def _setup(env: dict) -> dict[str, str]:
    for argv in (["db", "upgrade"], ["seed-demo", "--reps", "10", "--periods", "2"]):
        out = subprocess.run([GROUNDSWELL, *argv], env=env, capture_output=True, text=True, cwd=REPO)
        if out.returncode != 0:
            raise SystemExit(f"groundswell {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
    # One API token per role, made through the store as the tokens page would.
    script = (
        "import json\n"
        "from webapp import create_app\n"
        "from webapp.store import tokens, people\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    roles = {ROLES!r}\n"
        "    print(json.dumps({r: tokens.create_token(people.person_by_email(e), name='fuzz', days=1).secret"
        " for r, e in roles.items()}))\n")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def fuzz_api(base: str, tokens: dict[str, str], cases: int) -> Counter:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

    # ignored_auth replays requests without a token, which the per-client rate limit (300 a minute)
    # answers 429 at this pace; tests/webapp/test_api_schemathesis.py checks it in-process.
    excluded = [positive_data_acceptance, ignored_auth]

    stats: Counter = Counter()
    first = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json",
                                          headers={"Authorization": f"Bearer {tokens['admin']}"})
    n_ops = sum(1 for _ in first.get_all_operations())
    per_op = max(1, cases // (n_ops * len(tokens)))
    for role, secret in tokens.items():
        headers = {"Authorization": f"Bearer {secret}"}
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", headers=headers)
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(max_examples=per_op, deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy())
            def check(case):
                stats["cases"] += 1
                try:
                    response = case.call(base_url=base, headers=headers)
                except Exception as exc:  # a dropped connection counts as a server error
                    stats["server errors"] += 1
                    print(f"  {role} {operation.label}: {type(exc).__name__}: {exc}")
                    return
                if response.status_code >= 500:
                    stats["server errors"] += 1
                    print(f"  {role} {operation.label}: {response.status_code}")
                try:
                    case.validate_response(response, excluded_checks=excluded)
                except (Exception, BaseExceptionGroup) as exc:
                    stats["schema mismatches"] += 1
                    if stats["schema mismatches"] <= 10:
                        print(f"  {role} {operation.label}: mismatch {str(exc).splitlines()[0][:200]}")

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # re-raised first failure; counted
                print(f"  {role} {operation.label}: {type(exc).__name__}")
    return stats


HOSTILE = ["1e3", "١٢٣", "１２３", "9" * 4300, "9" * 5000, "-1", "0", "NaN", "inf", "\x00", "\ud800",
           "x" * 20_000, "=1+1", "<script>alert(1)</script>", "", " ", "125,000.50", "4", "approve",
           "adjust", "return", "submit", "draft", "open", "done", "2027-Q1", "rep1@demo.test"]
FIELDS = ["proposed_target", "confidence", "rationale", "observations-0-text", "observations-0-tag",
          "proud", "enps", "pulse_comment", "action", "amount", "reason", "version", "name",
          "template", "period", "period_code", "audience", "title", "owner", "due", "status",
          "theme", "driver", "days", "email", "password", "job", "scope", "next"]


def _login(base: str, email: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
                 allow_redirects=False)
    home = session.get(f"{base}/").text
    session.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', home).group(1)
    return session


def _post_routes() -> list[tuple[str, list[str]]]:
    from webapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            routes.append((rule.rule, list(rule.arguments)))
    return sorted(routes)


def fuzz_forms(base: str, cases: int) -> Counter:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    stats: Counter = Counter()
    sessions = {role: _login(base, email) for role, email in ROLES.items()}
    routes = [r for r in _post_routes() if r[0] not in ("/logout",)]
    text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60),
                     st.integers(min_value=-10**30, max_value=10**30).map(str))
    ids = st.one_of(st.integers(1, 40), st.sampled_from(["9" * 20, "9" * 4300, "0"]),
                    st.integers(1, 10**12)).map(str)
    per_route = max(1, cases // (len(routes) * len(sessions)))
    for rule, arguments in routes:
        for role, session in sessions.items():
            @settings(max_examples=per_route, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(data=st.dictionaries(st.sampled_from(FIELDS), text, max_size=10),
                   path_ids=st.fixed_dictionaries({a: ids for a in arguments}))
            def check(data, path_ids):
                url = rule
                for name, value in path_ids.items():
                    url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
                stats["cases"] += 1
                body = {k: v.encode("utf-8", "surrogatepass") for k, v in data.items()}
                body["csrf_token"] = session.csrf
                try:
                    response = session.post(f"{base}{url}", data=body, allow_redirects=False, timeout=60)
                except Exception as exc:
                    stats["server errors"] += 1
                    print(f"  {role} POST {rule}: {type(exc).__name__}")
                    return
                if response.status_code >= 500:
                    stats["server errors"] += 1
                    print(f"  {role} POST {rule} {sorted(data)[:5]}: {response.status_code}")

            check()
    # GET pages and CSV exports with hostile query strings and ids, too.
    for role, session in sessions.items():
        for value in HOSTILE[:12]:
            for url in ("/engagement", "/engagement/export/participation.csv", "/insights",
                        "/rollup", "/insights/export/themes.csv"):
                stats["cases"] += 1
                key = "campaign" if url.startswith("/engagement") else "period"
                response = session.get(f"{base}{url}", params={key: value.replace("\x00", "").encode("utf-8", "surrogatepass")},
                                       allow_redirects=False)
                if response.status_code >= 500:
                    stats["server errors"] += 1
                    print(f"  {role} GET {url}?{key}=...: {response.status_code}")
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-cases", type=int, default=3000)
    parser.add_argument("--form-cases", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="groundswell-fuzz-") as tmp:
        workdir = Path(tmp)
        env = _env(workdir)
        tokens = _setup(env)
        port = free_port()
        log = workdir / "server.log"
        server = subprocess.Popen([GROUNDSWELL, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", "1", "--threads", "4"], env=env, cwd=REPO,
                                  stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(port, proc=server)
            base = f"http://127.0.0.1:{port}"
            started = time.monotonic()
            api = fuzz_api(base, tokens, args.api_cases)
            print(f"schemathesis (live gunicorn): {api['cases']} cases, {api['server errors']} server errors, "
                  f"{api['schema mismatches']} responses not as documented")
            forms = fuzz_forms(base, args.form_cases)
            print(f"hypothesis over every form post: {forms['cases']} cases, {forms['server errors']} server errors")
            server_log = log.read_text(errors="replace")
            tracebacks = server_log.count("Traceback")
            for excerpt in server_log.split("Traceback")[1:4]:  # the first few, to act on
                print("server traceback:" + "\n".join(excerpt.splitlines()[-6:]))
            total = api["cases"] + forms["cases"]
            errors = api["server errors"] + forms["server errors"]
            print(f"total: {total} cases in {time.monotonic() - started:.0f} s, {errors} server errors, "
                  f"{tracebacks} tracebacks in the server log")
            return 1 if errors or tracebacks or api["schema mismatches"] else 0
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
