"""schemathesis, in-process, against /api/v1/openapi.json for a token of each role: no 500 and every
response matches the documented schema (status, content type, headers and body).

`positive_data_acceptance` is left out: a schema-valid body can still be refused on the domain's
rules that JSON Schema cannot express (an unknown email in an import, a stale plan version).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.web import login, plan_form

ROLES = {"rep": "r1", "manager": "m1", "leader": "leader", "hr": "hr", "admin": "admin"}
EXAMPLES = 12


@pytest.fixture
def populated(app, org):
    """Submitted plans with observations for r1 and r3, and a token for each role."""
    from webapp.store import tokens

    for who in ("r1", "r3"):
        c = app.test_client()
        login(c, org[who].email)
        assert c.post(f"/campaigns/{org['campaign'].id}/respond", data=plan_form()).status_code == 302
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    return {role: tokens.create_token(org[who], name="schemathesis", days=1).secret for role, who in ROLES.items()}


def _isolated(app):
    """A WSGI callable that gives every request its own app context, as in production."""
    def wsgi(environ, start_response):
        with app.app_context():
            return list(app(environ, start_response))

    return wsgi


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_operation_answers_as_documented(app, populated, role):
    headers = {"Authorization": f"Bearer {populated[role]}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        strategy = operation.as_strategy()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
