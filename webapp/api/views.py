"""The `/api/v1` views: thin, each parses input with a schema, calls the store and dumps a schema.

Authorisation is the pages': `access._check_request` turns the bearer token into the current
user and applies `@allow`; object checks use `can_view_plan`, `can_decide` and `plan_scope`.
"""

from __future__ import annotations

import math
from datetime import UTC
from urllib.parse import urlencode

from flask import Response, current_app, json, request, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError

from webapp.access import ALL_ROLES, allow, can_decide, can_view_plan, plan_scope
from webapp.api import bp, schemas
from webapp.api.problems import ApiProblem
from webapp.api.spec import build_spec, operation
from webapp.engagement.tables import dashboard_as_dict
from webapp.insights.report_json import report_as_dict
from webapp.insights import report as insights_report
from webapp.engagement import dashboard as engagement_dashboard
from webapp.store import listing, plans
from webapp.store import people as people_store, tokens as tokens_store
from webapp.store.errors import InvalidInput, Locked, NotAllowed, NotFound, StaleDecision
from webapp.store.imports import CsvImportError, ImportOptions, import_rows

PLAN_READERS = ("rep", "manager", "leader", "admin")


# Helpers ----------------------------------------------------------------------------------------


def _finite(value):
    """Replace NaN and infinities (not JSON) by null, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(_finite(data)), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _invalid(error: ValidationError, where: str) -> ApiProblem:
    lines = []

    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(value, path + [str(key)])
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            lines.extend(f"{where} {'.'.join(path) or '(body)'}: {m}" for m in messages)
        else:
            for m in messages:
                walk(m, path)

    walk(error.messages, [])
    return ApiProblem(422, "The request has invalid fields.", kind="validation", errors=lines)


def _query(schema: type[Schema]) -> dict:
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as exc:
        raise _invalid(exc, "query") from None


def _body(schema: type[Schema]) -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(422, "The body must be a JSON object (Content-Type: application/json).",
                         kind="validation")
    try:
        return schema().load(data)
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


def _paged(page: listing.Page, item_schema: type[Schema], endpoint: str, args: dict) -> Response:
    """One page of a list, with `next` and a `Link` header (RFC 8288) for next and previous."""
    def link(number: int) -> str:
        query = {k: v for k, v in args.items() if v is not None and k not in ("page", "per_page")}
        query.update(page=number, per_page=page.per_page)
        return url_for(endpoint) + "?" + urlencode(query)

    has_next = page.page * page.per_page < page.total
    links = []
    if has_next:
        links.append(f'<{link(page.page + 1)}>; rel="next"')
    if page.page > 1:
        links.append(f'<{link(page.page - 1)}>; rel="prev"')
    body = {"items": item_schema(many=True).dump(page.items), "page": page.page,
            "per_page": page.per_page, "total": page.total, "next": link(page.page + 1) if has_next else None}
    return _json(body, headers={"Link": ", ".join(links)} if links else None)


def _utc(moment):
    """Stored times are naive UTC; RFC 3339 wants the offset."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def _ref(person) -> dict:
    return {"id": person.id, "email": person.email, "name": person.name}


def _person(person) -> dict:
    territory = person.territory
    return {**_ref(person), "role": person.role, "active": person.active,
            "manager": _ref(person.manager) if person.manager else None,
            "region": territory.region.name if territory else None,
            "territory": territory.name if territory else None,
            "department": person.department, "hire_date": person.hire_date}


def _plan(plan, *, detail: bool = False) -> dict:
    baseline = plans.baseline_for(plan.person_id, plan.period)
    data = {
        "id": plan.id, "person": _ref(plan.person), "period": plan.period.code, "status": plan.status,
        "version": plan.version, "proposed": plan.proposed, "approved": plan.approved,
        "confidence": plan.confidence, "rationale": plan.rationale,
        "territory": plan.territory.name if plan.territory else None,
        "submitted_at": _utc(plan.submitted_at), "decided_at": _utc(plan.decided_at),
        "baseline": {"amount": baseline.amount, "source": baseline.source, "period": baseline.period_code},
        "change": plans.change_fraction(plan.proposed, baseline.amount),
    }
    if detail:
        data["observations"] = [{"id": o.id, "external_id": o.external_id, "text": o.text, "tag": o.tag}
                                for o in plan.observations]
        data["decisions"] = [{"action": d.action, "actor": _ref(d.actor), "old_amount": d.old_amount,
                              "new_amount": d.new_amount, "reason": d.reason, "at": _utc(d.at),
                              "above_manager": d.above_manager,
                              "direct_manager": _ref(d.direct_manager) if d.direct_manager is not None else None}
                             for d in plan.decisions]
    return data


def _observation(row) -> dict:
    obs, period_code = row
    return {"id": obs.id, "external_id": obs.external_id, "text": obs.text, "tag": obs.tag,
            "person": _ref(obs.person), "period": period_code, "plan_id": obs.submission_id}


def _visible_plan(plan_id: int):
    """The plan if the current user may see it on the pages; 404 otherwise (existence not confirmed)."""
    try:
        plan = plans.get_plan(plan_id)
    except NotFound:
        raise ApiProblem(404, "No such plan.") from None
    if not can_view_plan(current_user, plan):
        raise ApiProblem(404, "No such plan.")
    return plan


# Views ------------------------------------------------------------------------------------------


@bp.route("/openapi.json")
@allow(*ALL_ROLES)
@operation(summary="This OpenAPI document", tag="meta", response=schemas.OpenApiDocument)
def openapi():
    return _json(build_spec(current_app))


@bp.route("/me")
@allow(*ALL_ROLES)
@operation(summary="The token's owner", tag="meta", response=schemas.Me)
def me():
    return _json(schemas.Me().dump({**_ref(current_user), "role": current_user.role}))


@bp.route("/people")
@allow("admin")
@operation(summary="List people (admins)", tag="people", query=schemas.PageQuery, response=schemas.PersonPage)
def people():
    args = _query(schemas.PageQuery)
    page = listing.people_page(page=args["page"], per_page=args["per_page"])
    return _paged(page.map(_person), schemas.PersonOut, "api.people", args)


@bp.route("/people/<int:person_id>")
@allow("admin")
@operation(summary="One person (admins)", tag="people", response=schemas.PersonOut)
def person(person_id: int):
    found = people_store.get_person(person_id) if person_id <= schemas.MAX_ID else None
    if found is None:
        raise ApiProblem(404, "No such person.")
    return _json(schemas.PersonOut().dump(_person(found)))


@bp.route("/plans")
@allow(*PLAN_READERS)
@operation(summary="List plans", tag="plans", query=schemas.PlanListQuery, response=schemas.PlanPage,
           description="Scoped as the pages: reps their own, managers theirs and everyone below them, "
                       "leaders and admins all. HR sees no individual targets.")
def plan_list():
    args = _query(schemas.PlanListQuery)
    page = listing.plans_page(plan_scope(current_user), period=args.get("period"), status=args.get("status"),
                              page=args["page"], per_page=args["per_page"])
    return _paged(page.map(_plan), schemas.PlanOut, "api.plan_list", args)


@bp.route("/plans/<int:plan_id>")
@allow(*PLAN_READERS)
@operation(summary="One plan with its observations and audit trail", tag="plans",
           response=schemas.PlanDetailOut)
def plan(plan_id: int):
    if plan_id > schemas.MAX_ID:
        raise ApiProblem(404, "No such plan.")
    return _json(schemas.PlanDetailOut().dump(_plan(_visible_plan(plan_id), detail=True)))


@bp.route("/plans/<int:plan_id>/decision", methods=["POST"])
@allow("manager", "leader")
@operation(summary="Approve, adjust or return a submitted plan", tag="plans", body=schemas.DecisionIn,
           response=schemas.PlanDetailOut, problems=(409,),
           description="Send the `version` you read: if the plan changed since, the answer is 409 and "
                       "the first decision stands.")
def decide(plan_id: int):
    if plan_id > schemas.MAX_ID:
        raise ApiProblem(404, "No such plan.")
    plan_row = _visible_plan(plan_id)
    if not can_decide(current_user, plan_row):
        raise ApiProblem(403, "Only a manager above the plan's owner decides on it.")
    data = _body(schemas.DecisionIn)
    amount = data.get("amount")
    try:
        decided = plans.decide(current_user, plan_id, action=data["action"], expected_version=data["version"],
                               amount=amount, reason=data.get("reason"),
                               above_may_decide=current_app.config.get("PLANS_ABOVE_MAY_DECIDE", False))
    except StaleDecision as exc:
        raise ApiProblem(409, str(exc), kind="stale-version") from None
    except Locked as exc:
        raise ApiProblem(409, str(exc), kind="decision-refused") from None
    except NotAllowed as exc:
        raise ApiProblem(403, str(exc)) from None
    except InvalidInput as exc:
        raise ApiProblem(422, str(exc), kind="validation", errors=[str(exc)]) from None
    return _json(schemas.PlanDetailOut().dump(_plan(decided, detail=True)))


@bp.route("/observations")
@allow(*PLAN_READERS)
@operation(summary="List observations", tag="plans", query=schemas.ObservationListQuery,
           response=schemas.ObservationPage, description="Scoped like plans.")
def observations():
    args = _query(schemas.ObservationListQuery)
    page = listing.observations_page(plan_scope(current_user), period=args.get("period"),
                                     page=args["page"], per_page=args["per_page"])
    return _paged(page.map(_observation), schemas.ObservationOut, "api.observations", args)


def _report(args: dict):
    try:
        return insights_report.leader_report(args["period"], args.get("region"))
    except NotFound as exc:
        raise ApiProblem(404, str(exc)) from None


@bp.route("/insights")
@allow("leader", "admin")
@operation(summary="The leader report's numbers", tag="insights", query=schemas.InsightsQuery,
           response=schemas.Insights, problems=(404,),
           description="The same object as `groundswell insights --period P --json`.")
def insights():
    return _json(report_as_dict(_report(_query(schemas.InsightsQuery))))


@bp.route("/themes")
@allow("leader", "admin")
@operation(summary="Themes of a period", tag="insights", query=schemas.ThemeQuery, response=schemas.ThemePage,
           problems=(404,),
           description="The `themes` of `/api/v1/insights`, one page at a time.")
def themes():
    args = _query(schemas.ThemeQuery)
    all_themes = report_as_dict(_report(args))["themes"]
    start = (args["page"] - 1) * args["per_page"]
    page = listing.Page(all_themes[start:start + args["per_page"]], len(all_themes), args["page"], args["per_page"])
    return _paged(page, schemas.Theme, "api.themes", args)


@bp.route("/engagement")
@allow("hr", "leader", "admin")
@operation(summary="Engagement aggregates of a campaign, suppressed", tag="engagement",
           query=schemas.EngagementQuery, response=schemas.Engagement, problems=(404,),
           description="The same object as `groundswell engagement --campaign C --by ATTR --json` for "
                       "the token owner's role: groups under the minimum size, and groups that could "
                       "be worked out from others, are suppressed exactly as on the HR dashboard.")
def engagement():
    args = _query(schemas.EngagementQuery)
    try:
        d = engagement_dashboard.dashboard(args.get("campaign"), current_user.role,
                                       current_app.config["MIN_GROUP_SIZE"], args.get("by"))
    except NotFound as exc:
        raise ApiProblem(404, str(exc)) from None
    return _json(dashboard_as_dict(d))


def _import(kind: str) -> Response:
    """Rows are checked by `store.imports` (the CSV import's checks); the schema checks only the shape."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200 and all(33 <= ord(ch) <= 126 for ch in key)):
        raise ApiProblem(422, "Idempotency-Key must be 1 to 200 visible ASCII characters.", kind="validation")
    rows = _body(schemas.ImportIn)["rows"]

    def work(commit: bool = False) -> tuple[int, dict]:
        try:
            result = import_rows(kind, rows, source=f"{kind} rows", commit=commit,
                                 options=ImportOptions(actor_id=current_user.id))
        except CsvImportError as exc:
            raise ApiProblem(422, f"Nothing was imported: {len(exc.errors)} problem(s) in the rows.",
                             kind="validation", errors=exc.errors) from None
        return 200, schemas.ImportResultOut().dump(result)

    if key is None:
        status, body = work(commit=True)
        return _json(body, status)
    fingerprint = tokens_store.request_hash(f"import:{kind}", request.get_json(silent=True))
    try:
        stored, replay = tokens_store.run_once(current_user, key, f"import:{kind}", fingerprint, work)
    except tokens_store.IdempotencyConflict as exc:
        raise ApiProblem(422, str(exc), kind="idempotency-key-reused") from None
    return _json(stored.body, stored.status_code, headers={"Idempotent-Replayed": "true"} if replay else None)


@bp.route("/imports/targets", methods=["POST"])
@allow("admin")
@operation(summary="Import plans and top-down targets", tag="imports", body=schemas.TargetsImportIn,
           response=schemas.ImportResultOut, idempotent=True,
           description="Rows in the targets CSV's columns (`email,period,proposed,approved,top_down`). "
                       "All or nothing: one bad row refuses the request (422, each problem named by row "
                       "and column) and nothing is written. Upserts: sending the same rows twice "
                       "changes nothing.")
def import_targets():
    return _import("targets")


@bp.route("/imports/actuals", methods=["POST"])
@allow("admin")
@operation(summary="Import actuals", tag="imports", body=schemas.ActualsImportIn,
           response=schemas.ImportResultOut, idempotent=True,
           description="Rows in the actuals CSV's columns (`email,period,actual`); all or nothing, "
                       "upserts.")
def import_actuals():
    return _import("actuals")
