"""Administration of background jobs: their state and progress, start an analysis, retry a failure."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp

from webapp.infra import jobs
from webapp.access import allow
from webapp.infra import scheduler
from webapp.store import jobs as store
from webapp.store import schedules
from webapp.store.errors import StoreError

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs", template_folder="templates")


class ActionForm(FlaskForm):
    submit = SubmitField()


class RetryForm(FlaskForm):
    # The job id travels in the form, not the URL: jobs belong to no one, and only admins reach this.
    job_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])


@bp.route("", methods=["GET"], endpoint="index")
@allow("admin")
def index():
    rows = store.recent_jobs()
    # A GET changes nothing: a job its dead process left "running" is only *shown* as stopped,
    # with a retry button; the retry (a POST) records it as failed first.
    stopped = {j.id for j in rows if jobs.is_stale(j)}
    active = any(j.state == "queued" or (j.state == "running" and j.id not in stopped) for j in rows)
    return render_template("jobs/index.html", jobs=rows, active=active, stopped=stopped, form=ActionForm(),
                           schedules=schedules.list_schedules(), last_tick=scheduler.last_tick())


@bp.route("/analyze", methods=["POST"], endpoint="analyze")
@allow("admin")
def analyze():
    if ActionForm().validate_on_submit():
        jobs.sweep_stale()
        job, started = jobs.start_once("analyze", {"n_themes": "auto"}, requested_by_id=current_user.id)
        if started:
            flash(f"Theme analysis queued as job {job.id}.", "success")
        else:
            flash(f"Theme analysis is already {job.state} as job {job.id}; it was not started again.", "info")
    return redirect(url_for("jobs.index"), code=303)


@bp.route("/retry", methods=["POST"], endpoint="retry")
@allow("admin")
def retry():
    form = RetryForm()
    if form.validate_on_submit():
        job_id = int(form.job_id.data)
        jobs.sweep_stale()  # a job left "running" by a dead process becomes failed, so retryable
        try:
            jobs.retry(job_id)
        except StoreError as exc:
            flash(str(exc), "danger")
        else:
            flash(f"Job {job_id} queued again.", "success")
    return redirect(url_for("jobs.index"), code=303)
