"""Theme corrections and history: rename, merge, move quotes into a new theme, re-theme with a diff.

Leaders and admins correct the observation themes here; every change is a new theme version with
who and when, listed on the page. The work is done by ``webapp.analysis_runs`` (corrections, re-theme);
these views parse a form, call one function and redirect.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.access import allow
from webapp.analysis_runs import AnalysisUnavailable
from webapp.analysis_runs.corrections import (
    MAX_LABEL,
    CorrectionRefused,
    merge_themes,
    move_to_new_theme,
    rename_theme,
    theme_history,
)
from webapp.analysis_runs.retheme import (
    RethemeRefused,
    apply_retheme,
    describe_diff,
    pending_retheme,
    prepare_retheme,
)
from webapp.store import analysis as analysis_store

bp = Blueprint("themes", __name__, url_prefix="/themes", template_folder="templates")

#: Who corrects themes and re-themes history.
EDITOR_ROLES = ("leader", "admin")


class RenameForm(FlaskForm):
    key = HiddenField(validators=[InputRequired()])
    label = StringField("New name", validators=[DataRequired(), Length(max=MAX_LABEL)])
    submit = SubmitField("Rename")


class MergeForm(FlaskForm):
    source = SelectField("Merge theme", coerce=int)
    into = SelectField("into", coerce=int)
    submit = SubmitField("Merge")


class MoveForm(FlaskForm):
    key = HiddenField(validators=[InputRequired()])
    observations = SelectMultipleField("Quotes", coerce=int, option_widget=widgets.CheckboxInput(),
                                       widget=widgets.ListWidget(prefix_label=False))
    label = StringField("Name of the new theme", validators=[DataRequired(), Length(max=MAX_LABEL)])
    submit = SubmitField("Move into a new theme")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Go")


class ApplyForm(FlaskForm):
    proposal = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Apply")


def _key(value) -> int | None:
    """A theme key from a form or query field (ids are not in paths: themes are organisation-wide)."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if 0 <= key < 2**31 else None  # a database integer, not an overflow


def _actor() -> tuple[str, int]:
    return current_user.email, current_user.id


def _themes(run) -> list:
    return sorted((t for t in run.themes if t.size > 0), key=lambda t: (-t.size, t.theme_key))


def _merge_form(run, formdata=None) -> MergeForm:
    form = MergeForm(formdata=formdata) if formdata is not None else MergeForm()
    choices = [(t.theme_key, f"{t.label} ({t.size})") for t in _themes(run)]
    form.source.choices = choices
    form.into.choices = choices
    return form


@bp.route("", methods=["GET"])
@allow(*EDITOR_ROLES)
def index():
    """The current themes with their sizes per period, the corrections forms, a pending re-theme, the history."""
    run = analysis_store.latest_run("observations")
    proposal = pending_retheme()
    return render_template(
        "themes/index.html", run=run, themes=_themes(run) if run else [],
        counts=analysis_store.theme_period_counts(run.id) if run else {},
        version=analysis_store.current_theme_version(), history=theme_history(),
        rename_form=RenameForm(), merge_form=_merge_form(run) if run else None, confirm=ConfirmForm(),
        proposal=proposal, proposal_lines=describe_diff(proposal.diff) if proposal else [])


@bp.route("/theme", methods=["GET"])
@allow(*EDITOR_ROLES)
def theme():
    """One theme's quotes (``?key=K``), to move some of them into a new theme."""
    from flask import request

    theme_key = _key(request.args.get("key"))
    run = analysis_store.latest_run("observations")
    record = next((t for t in run.themes if t.theme_key == theme_key), None) if run else None
    if record is None:
        abort(404)
    texts = analysis_store.theme_texts(run.id, theme_key)
    form = MoveForm()
    form.observations.choices = [(t.observation_id, t.text) for t in texts]
    return render_template("themes/theme.html", record=record, texts=texts, form=form, rename_form=RenameForm())


@bp.route("/rename", methods=["POST"])
@allow(*EDITOR_ROLES)
def rename():
    form = RenameForm()
    theme_key = _key(form.key.data)
    if form.validate_on_submit() and theme_key is not None:
        email, person_id = _actor()
        try:
            version = rename_theme(theme_key, form.label.data, actor=email, actor_id=person_id)
            flash(f"Renamed: themes version {version}.", "success")
        except CorrectionRefused as exc:
            flash(str(exc), "danger")
    else:
        flash(f"Give the theme a name of 1 to {MAX_LABEL} characters.", "danger")
    return redirect(url_for("themes.index"))


@bp.route("/merge", methods=["POST"])
@allow(*EDITOR_ROLES)
def merge():
    from flask import request

    run = analysis_store.latest_run("observations")
    if run is None:
        abort(404)
    form = _merge_form(run, request.form)
    if form.validate_on_submit():
        email, person_id = _actor()
        try:
            version = merge_themes(form.into.data, form.source.data, actor=email, actor_id=person_id)
            flash(f"Merged: themes version {version}.", "success")
        except CorrectionRefused as exc:
            flash(str(exc), "danger")
    else:
        flash("Choose two current themes to merge.", "danger")
    return redirect(url_for("themes.index"))


@bp.route("/move", methods=["POST"])
@allow(*EDITOR_ROLES)
def move():
    run = analysis_store.latest_run("observations")
    form = MoveForm()
    theme_key = _key(form.key.data)
    if run is None or theme_key is None:
        abort(404)
    form.observations.choices = [(t.observation_id, t.text) for t in analysis_store.theme_texts(run.id, theme_key)]
    if form.validate_on_submit() and form.observations.data:
        email, person_id = _actor()
        try:
            key, version = move_to_new_theme(form.observations.data, form.label.data, actor=email,
                                             actor_id=person_id)
            flash(f"Moved {len(form.observations.data)} quote(s) into {form.label.data!r}: themes version "
                  f"{version}.", "success")
            return redirect(url_for("themes.theme", key=key))
        except CorrectionRefused as exc:
            flash(str(exc), "danger")
    else:
        flash("Choose quotes of this theme and name the new theme.", "danger")
    return redirect(url_for("themes.theme", key=theme_key))


@bp.route("/retheme", methods=["POST"])
@allow(*EDITOR_ROLES)
def retheme():
    """Prepare a re-theme of history and show its diff (nothing changes until it is applied)."""
    if ConfirmForm().validate_on_submit():
        try:
            prepare_retheme(embedder_choice=current_app.config["EMBEDDER"])
            flash("Re-theme prepared: review what moves below, then apply it or leave it.", "info")
        except AnalysisUnavailable as exc:
            flash(str(exc), "danger")
    return redirect(url_for("themes.index") + "#retheme")


@bp.route("/retheme/apply", methods=["POST"])
@allow(*EDITOR_ROLES)
def apply():
    form = ApplyForm()
    proposal = _key(form.proposal.data)
    if form.validate_on_submit() and proposal is not None:
        email, person_id = _actor()
        try:
            version = apply_retheme(proposal, actor=email, actor_id=person_id)
            flash(f"Re-theme applied: themes version {version}.", "success")
        except RethemeRefused as exc:
            flash(str(exc), "danger")
    return redirect(url_for("themes.index"))
