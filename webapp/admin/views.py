"""Administration: open and close campaigns, see the people and their reporting lines."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.loader import get_survey, list_surveys
from webapp.infra import jobs
from webapp.access import allow
from webapp.periods import PERIOD_CODE_PATTERN
from webapp.store import campaigns, people
from webapp.store.errors import StoreError
from webapp.infra.text_rules import no_nul

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


class OpenCampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200), no_nul])
    template = SelectField("Survey template", validators=[DataRequired()])
    period = StringField("Period (YYYY-Qn or YYYY-MM)", validators=[
        DataRequired(), Regexp(PERIOD_CODE_PATTERN, message="Write the period as YYYY-Qn or YYYY-MM.")])
    audience = SelectMultipleField(
        "Audience", choices=[SelectChoice("rep", "Reps"), SelectChoice("manager", "Managers"),
                 SelectChoice("leader", "Leaders")],
        default=["rep"], validators=[DataRequired(message="Choose at least one role.")],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    submit = SubmitField("Open campaign")


class CloseCampaignForm(FlaskForm):
    submit = SubmitField("Close")


def _template_choices() -> list[tuple[str, str]]:
    return [SelectChoice(f"{s.id}@{s.version}", f"{s.title} ({s.id} v{s.version})")
            for s in list_surveys(latest_only=True)]


@bp.route("/campaigns", methods=["GET", "POST"], endpoint="campaigns")
@allow("admin")
def campaigns_page():
    form = OpenCampaignForm()
    form.template.choices = _template_choices()
    status = 200
    if form.validate_on_submit():
        template_id, version = form.template.data.rsplit("@", 1)
        survey = get_survey(template_id, int(version))
        try:
            campaign = campaigns.open_campaign(
                name=form.name.data.strip(), template_id=survey.id, template_version=survey.version,
                period_code=form.period.data, audience=tuple(form.audience.data),
                has_plan=survey.has_plan)
        except StoreError as exc:
            flash(str(exc), "danger")
            status = 400
        else:
            flash(f"Campaign “{campaign.name}” is open.", "success")
            return redirect(url_for("admin.campaigns"))
    elif form.is_submitted():
        status = 400
    rows = [(c, *campaigns.participation_counts(c.id)) for c in campaigns.list_campaigns()]
    return render_template("admin/campaigns.html", form=form, rows=rows,
                           close_form=CloseCampaignForm()), status



@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@allow("admin")
def close(campaign_id: int):
    form = CloseCampaignForm()
    if form.validate_on_submit():
        try:
            campaign = campaigns.close_campaign(campaign_id)
        except StoreError as exc:
            flash(str(exc), "danger")
        else:
            # Results over every answer are computed in the background, not in this request.
            jobs.start("engagement_results", {"campaign_id": campaign.id}, current_user.id)
            flash(f"Campaign “{campaign.name}” is closed; its engagement results are being prepared.", "success")
    return redirect(url_for("admin.campaigns"))


@bp.route("/people", endpoint="people")
@allow("admin")
def people_page():
    return render_template("admin/people.html", people=people.list_people())

