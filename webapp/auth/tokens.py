"""Pages for personal access tokens (create, shown once; revoke) and the API's documentation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, StopValidation

from webapp.access import ALL_ROLES, allow
from webapp.api.problems import TYPES
from webapp.api.spec import build_spec
from webapp.models.types import utcnow
from webapp.store import tokens
from webapp.store.errors import StoreError
from webapp.infra.text_rules import no_nul

bp = Blueprint("tokens", __name__, template_folder="templates")


def _not_huge(form, field) -> None:
    # NumberRange compares through float: a 4,300-digit number overflowed into a 500 (issue 19).
    if isinstance(field.data, int) and abs(field.data) > 10**9:
        raise StopValidation(f"Between 1 and {tokens.MAX_LIFETIME_DAYS} days.")


class CreateTokenForm(FlaskForm):
    name = StringField("Name (what it is for)", validators=[DataRequired(), Length(max=100), no_nul])
    days = IntegerField("Expires after (days)", default=90, validators=[
        DataRequired(), _not_huge, NumberRange(1, tokens.MAX_LIFETIME_DAYS,
                                    message=f"Between 1 and {tokens.MAX_LIFETIME_DAYS} days.")])
    submit = SubmitField("Create token")


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")


def _index(form, status=200):
    return render_template("tokens/index.html", form=form, revoke_form=RevokeTokenForm(),
                           tokens=tokens.tokens_of(current_user), now=utcnow()), status


@bp.route("/tokens", methods=["GET"])
@allow(*ALL_ROLES)
def index():
    return _index(CreateTokenForm())


@bp.route("/tokens", methods=["POST"])
@allow(*ALL_ROLES)
def create():
    form = CreateTokenForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        new = tokens.create_token(current_user, name=form.name.data, days=form.days.data)
    except StoreError as exc:
        flash(str(exc), "danger")
        return _index(form, 400)
    # Shown in this response only (never in a flash: the session cookie is signed, not encrypted).
    return render_template("tokens/created.html", token=new.token, secret=new.secret), 201


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(*ALL_ROLES)
def revoke(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    try:
        token = tokens.revoke_token(current_user, token_id)
    except StoreError:
        abort(404)
    flash(f"Token “{token.name}” revoked; it no longer works.", "success")
    return redirect(url_for("tokens.index"))


def _type(prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "allOf" in prop:
        return " & ".join(_type(p) for p in prop["allOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        kind = f"list of {_type(prop.get('items', {}))}"
    elif kind == "object" and "additionalProperties" in prop and isinstance(prop["additionalProperties"], dict):
        kind = f"map of {_type(prop['additionalProperties'])}"
    if "enum" in prop:
        kind += " (" + ", ".join(str(v) for v in prop["enum"] if v is not None) + ")"
    if prop.get("format"):
        kind += f" ({prop['format']})"
    return kind + (" or null" if prop.get("nullable") else "")


def _schema_name(content: dict | None) -> str | None:
    if not content:
        return None
    media = next(iter(content.values()))
    return _type(media.get("schema", {}))


def _docs_model(spec: dict) -> dict:
    """Flatten the OpenAPI document into what the docs template lists."""
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            operations.append({
                "method": method.upper(), "path": path, "id": op["operationId"], "summary": op["summary"],
                "description": op.get("description"), "public": op.get("security") == [],
                "tag": op["tags"][0],
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": _type(p.get("schema", {})), "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": _schema_name(op.get("requestBody", {}).get("content")),
                "responses": [{"code": code, "description": r.get("description", ""),
                               "schema": _schema_name(r.get("content"))}
                              for code, r in op["responses"].items()],
            })
    schemas = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", ()))
        schemas.append({"name": name, "properties": [
            {"name": prop_name, "type": _type(prop), "required": prop_name in required,
             "description": prop.get("description", "")}
            for prop_name, prop in schema.get("properties", {}).items()]})
    return {"title": spec["info"]["title"], "version": spec["info"]["version"],
            "description": spec["info"].get("description", ""), "operations": operations, "schemas": schemas}


@bp.route("/api/v1/docs")
@allow(*ALL_ROLES)
def docs():
    return render_template("api/docs.html", doc=_docs_model(build_spec(current_app)), problem_types=TYPES)
