"""XSS-1, XSS-2, CSRF-1 (no GET changes a row), CSV-1: a payload corpus stored in every text field,
then every GET page crawled as every role: payloads escaped, headers on every response, no row
changed, and every CSV export neutralised."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests.support.web import EMAILS, login, plan_form, table_snapshot
from webapp.access import PUBLIC_ENDPOINTS

#: Each field gets its own tag so the test can prove the payload was rendered somewhere.
PAYLOADS = (
    '<script>alert("{tag}")</script>',
    '"><img src=x onerror=alert("{tag}")>',
    "'><svg onload=alert('{tag}')>",
    '</textarea><script>alert("{tag}")</script>',
    '" onmouseover="alert(\'{tag}\')" x="',
    'javascript:alert("{tag}")',
    '<iframe src="//evil.example/{tag}"></iframe>',
    '{{{{ 7*7 }}}}{{% raw %}}<b>{tag}</b>',
)
#: Fragments that appear only if a payload reached the page unescaped.
RAW = ('<script>alert(', '<img src=x onerror', '<svg onload', '" onmouseover="', 'href="javascript:',
       '<iframe src="//evil', '<b>xss-')
FIELDS = ("rationale", "observation", "comment", "name", "territory", "department", "campaign",
          "return_reason", "adjust_reason", "theme_label", "theme_term", "theme_quote", "action_title",
          "comment_theme")
#: Fields that must show up (escaped) on at least one page: otherwise the test proves nothing.
#: (Theme quotes are shown from the observations themselves, covered by "observation".)
MUST_RENDER = ("rationale", "observation", "name", "territory", "campaign", "return_reason",
               "adjust_reason", "theme_label", "theme_term")
#: Trusted, non-user content marked safe on purpose, with the reason.
SAFE_ALLOWED: dict[str, str] = {}  # template -> why; the offline report no longer inlines plotly.js


def payload(field: str, n: int = 0) -> str:
    return PAYLOADS[(FIELDS.index(field) + n) % len(PAYLOADS)].format(tag=f"xss-{field}-{n}")


@pytest.fixture
def app_overrides():
    return {"MIN_GROUP_SIZE": 3}  # small org: let the HR dashboard show aggregates and comments


@pytest.fixture
def world(app, org, db, tmp_path):
    """Every text field of the product holds a payload."""
    from webapp.models import PlanSubmission
    from webapp.store import actions, analysis, campaigns, imports

    # Names, territory and department through the people import (the way they arrive).
    people_csv = tmp_path / "people.csv"
    with people_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["email", "name", "role", "manager_email", "region", "territory", "department", "hire_date"])
        w.writerow(["x1@example.test", payload("name"), "rep", EMAILS["m1"], "North", payload("territory"),
                    payload("department"), "2020-01-01"])
        w.writerow([EMAILS["r2"], payload("name", 1), "rep", EMAILS["m1"], "North", "North-2", "Sales", ""])
    imports.import_csv("people", people_csv)

    admin = app.test_client()
    login(admin, EMAILS["admin"])
    assert admin.post("/admin/campaigns", data={"name": payload("campaign"), "template": "quarterly-planning@1",
                                                "period": "2027-Q2", "audience": ["rep", "manager"]}).status_code == 302

    url = f"/campaigns/{org['campaign'].id}/respond"
    for who in ("r1", "r2", "r3", "m1", "m2"):
        c = app.test_client()
        login(c, EMAILS[who])
        response = c.post(url, data=plan_form(
            rationale=payload("rationale", len(who)),
            observations=(payload("observation"), payload("observation", 1), payload("observation", 2)),
            comment=payload("comment")))
        assert response.status_code == 302, (who, response.get_data(as_text=True)[:3000])

    plans = {p.person_id: p for p in db.session.query(PlanSubmission).filter_by(period_id=org["campaign"].period_id)}
    m1 = app.test_client()
    login(m1, EMAILS["m1"])
    p1, p2 = plans[org["r1"].id], plans[org["r2"].id]
    assert m1.post(f"/plans/{p1.id}/decide", data={"action": "return", "reason": payload("return_reason"),
                                                  "version": str(p1.version)}).status_code == 302
    assert m1.post(f"/plans/{p2.id}/decide", data={"action": "adjust", "amount": "1000",
                                                  "reason": payload("adjust_reason"),
                                                  "version": str(p2.version)}).status_code == 302

    obs = plans[org["r1"].id].observations
    analysis.replace_run(kind="observations", scope="all", parameters={}, n_texts=len(obs),
                         themes=[analysis.ThemeRow(7, payload("theme_label"), [payload("theme_term"), "discount"],
                                                   len(obs), [payload("theme_quote")], -0.2)],
                         assignments=[(o.id, 7, 0.9, -0.2) for o in obs])
    actions.create_action(theme_key=7, subject_label=payload("theme_label"), title=payload("action_title"),
                          owner_id=org["leader"].id, due_on=date(2027, 3, 31), period_code="2027-Q1",
                          created_by_id=org["leader"].id)
    campaigns.close_campaign(org["campaign"].id)
    try:
        from webapp.store import engagement
        from webapp.engagement import dashboard as eng_dashboard, results as eng_results  # noqa: F401

        engagement.replace_comment_run(
            parameters={}, n_texts=5, counts={(org["campaign"].id, 3): (5, 0.1)},
            themes=[analysis.ThemeRow(3, payload("comment_theme"), ["pay"], 5, [], 0.1)])
    except ImportError:  # pragma: no cover - before the HR dashboard exists
        pass
    return {"plans": plans}


def _urls(app, org, world, who) -> list[str]:
    """Every GET page a person can be sent to, with every id and the usual query strings."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            for query in ("?period=2027-Q1", f"?campaign={org['campaign'].id}", "?period=2026-Q4&region=North",
                          f"?campaign={org['campaign'].id}&by=manager", f"?campaign={org['campaign'].id}&by=territory",
                          "?by=territory&period=2027-Q1"):
                urls.append(rule.rule + query)
    urls += [f"/plans/{p.id}" for p in world["plans"].values()]
    urls += [f"/campaigns/{org['campaign'].id}/respond", "/insights/themes/7?period=2027-Q1",
             "/no-such-page", "/plans/999999"]
    return urls


def _crawl(app, org, world):
    """Yield (role, url, response) for every page as every person, following CSV links found."""
    for who in ("r1", "r2", "m1", "leader", "hr", "admin"):
        c = app.test_client()
        assert login(c, EMAILS[who]).status_code == 302
        seen = set()
        queue = _urls(app, org, world, who)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = c.get(url)
            body = response.get_data(as_text=True)
            if response.mimetype == "text/html":
                queue += [u.replace("&amp;", "&") for u in re.findall(r'href="(/[^"]+\.csv[^"]*)"', body)]
            yield who, url, response, body
            response.close()


@pytest.fixture
def crawl(app, org, world, db):
    before = table_snapshot(db)
    pages = list(_crawl(app, org, world))
    return {"pages": pages, "unchanged": table_snapshot(db) == before}


def test_payloads_are_escaped_on_every_page_as_every_role(crawl):
    rendered = set()
    for who, url, response, body in crawl["pages"]:
        assert response.status_code < 500, (who, url)
        if response.mimetype != "text/html":
            continue
        for fragment in RAW:
            assert fragment not in body, (who, url, fragment)
        rendered |= set(re.findall(r"xss-([a-z_]+)-\d", body))
    missing = sorted(set(MUST_RENDER) - rendered)
    assert missing == [], f"payloads never rendered, so not tested: {missing}"


def test_templates_mark_no_user_data_safe():
    """Autoescape is on for every template, and no template switches it off or trusts data."""
    from pathlib import Path

    import webapp

    templates = Path(webapp.__file__).parent / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        name = path.relative_to(templates).as_posix()
        uses = re.findall(r"([\w.]+)\s*\|\s*safe\b", path.read_text())
        if re.search(r"autoescape\s+false", path.read_text()):
            offenders.append((name, "autoescape false"))
        if uses and name not in SAFE_ALLOWED:
            offenders.append((name, uses))
    assert offenders == []


def _attachment(response) -> bool:
    return "attachment" in response.headers.get("Content-Disposition", "")


def test_pages_carry_no_inline_script_or_handlers(crawl):
    for who, url, response, body in crawl["pages"]:
        if response.mimetype != "text/html" or _attachment(response):
            continue
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, (who, url, tag)
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", body), (who, url)


def test_every_response_carries_the_security_headers(crawl):
    for who, url, response, body in crawl["pages"]:
        h = response.headers
        csp = h.get("Content-Security-Policy", "")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
        if _attachment(response) and response.mimetype == "text/html":
            # A downloaded file that inlines its scripts: sandboxed, so it runs nothing on our origin.
            assert "sandbox" in directives and directives.get("default-src") == "'none'", (who, url, csp)
            assert h.get("X-Content-Type-Options") == "nosniff" and h.get("Cache-Control") == "no-store"
            continue
        assert directives.get("script-src") == "'self'", (who, url, csp)
        assert directives.get("frame-ancestors") == "'none'", (who, url)
        assert directives.get("object-src") == "'none'", (who, url)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (who, url)
        assert h.get("X-Content-Type-Options") == "nosniff", (who, url)
        assert h.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
        if not url.startswith(("/assets/", "/static/")):  # public library files may be cached
            assert h.get("Cache-Control") == "no-store", (who, url)


def test_error_pages_carry_the_headers_too(app, client, org):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():  # pragma: no cover - raises
        raise RuntimeError("boom")

    boom._allowed_roles = ("rep",)
    login(client, EMAILS["r1"])
    responses = {
        "404": client.get("/no-such-page"), "403": client.get("/admin/people"),
        "405": client.put("/plans/history"), "400": client.get("/rollup?by=nonsense"),
        "500": client.get("/boom"), "anonymous": app.test_client().get("/login"),
        "static": client.get("/static/groundswell.css"),
    }
    for what, response in responses.items():
        assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""), what
        assert response.headers.get("X-Content-Type-Options") == "nosniff", what
        if what != "static":
            assert response.headers.get("Cache-Control") == "no-store", what
        response.close()
    assert responses["500"].status_code == 500


def test_no_get_request_changes_any_row(crawl):
    """CSRF-1: every GET page as every role (payload data everywhere) left every table as it was."""
    assert len(crawl["pages"]) > 100
    assert crawl["unchanged"]


def test_csv_exports_neutralise_formulas(app, org, world, db):
    """CSV-1: every export reachable from the pages; no text cell can start a formula."""
    from webapp.store import analysis

    run_obs = world["plans"][org["r1"].id].observations
    evil = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\tTAB=1+1", "\rCR=1+1"]
    analysis.replace_run(kind="observations", scope="all", parameters={}, n_texts=len(run_obs),
                         themes=[analysis.ThemeRow(7, evil[0], evil[1:3], len(run_obs), evil[3:], -0.2)],
                         assignments=[(o.id, 7, 0.9, -0.2) for o in run_obs])
    exports = [(who, url, r, body) for who, url, r, body in _crawl(app, org, world) if r.mimetype == "text/csv"]
    assert exports, "the crawl found no CSV export to check"
    cells = 0
    for who, url, response, body in exports:
        assert response.status_code == 200, (who, url)
        assert "attachment" in response.headers.get("Content-Disposition", "")
        for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
            for cell in row:
                cells += 1
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(cell)  # only a number may start so (e.g. a negative change)
    assert cells > 0
    assert any("'=HYPERLINK" in body for _, _, _, body in exports), "the evil theme label was not exported"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+1", "@A1", "\t=1", "\r=1", "=cmd|'/C calc'!A0"])
def test_neutralise_prefixes_formula_cells(value):
    exports = pytest.importorskip("webapp.infra.exports")
    assert exports.neutralise(value) == "'" + value


#: What may be served without logging in, and why. Growing this list is a security decision.
ALLOWED_PUBLIC = {
    "auth.login": "the way in",
    "static": "CSS, no data",
    "bootstrap.static": "Bootstrap's own files, no data",
    "api.openapi": "the API's description (routes and schemas), no data",
    "auth.forgot_password": "asks for a reset link; the same answer for every address (no enumeration)",
    "auth.set_password": "a one-time, expiring link sent by mail is the credential; an unknown one is 404",
    "auth.sso_login": "the way in through the organisation's OpenID provider (404 when not configured)",
    "auth.sso_callback": "the provider's answer; state, PKCE and nonce are checked before anyone is signed in",
}


def test_public_endpoints_are_only_login_static_and_the_api_description():
    assert "auth.login" in PUBLIC_ENDPOINTS
    assert set(PUBLIC_ENDPOINTS) <= set(ALLOWED_PUBLIC)
