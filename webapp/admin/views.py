"""Administration: open and close campaigns; people (search, add, edit, move, deactivate, import)."""

from __future__ import annotations

import base64

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.loader import get_survey, list_surveys
from webapp import notifications
from webapp.infra import jobs
from webapp.access import allow
from webapp.periods import PERIOD_CODE_PATTERN
from webapp.admin.forms import (ApplyImportForm, ButtonForm, EditPersonForm, ImportForm, MoveTeamForm, PersonForm,
                                SearchForm)
from webapp.store import campaigns, people, roster, schedules
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
            jobs.start("campaign_opened", {"campaign_id": campaign.id}, current_user.id)  # mail, in the background
            flash(f"Campaign “{campaign.name}” is open.", "success")
            return redirect(url_for("admin.campaigns"))
    elif form.is_submitted():
        status = 400
    rows = [(c, *campaigns.participation_counts(c.id)) for c in campaigns.list_campaigns()]
    schedule_form = ScheduleForm(formdata=None, prefix="schedule")
    schedule_form.template.choices = form.template.choices
    return render_template("admin/campaigns.html", form=form, rows=rows, schedule_form=schedule_form,
                           schedules=schedules.list_schedules(), last_tick=None,
                           close_form=CloseCampaignForm()), status


class ScheduleForm(OpenCampaignForm):
    opens_at = DateTimeLocalField("Opens (UTC)", validators=[DataRequired()])
    closes_at = DateTimeLocalField("Closes (UTC)", validators=[DataRequired()])
    reminder_days = StringField("Remind those who have not answered, days before the close (e.g. 3,1)",
                                validators=[Optional(), Length(max=40), Regexp(r"^[\d, ]*$", message="Write days like 3,1.")])
    submit = SubmitField("Schedule campaign")


@bp.route("/campaigns/schedule", methods=["POST"], endpoint="schedule")
@allow("admin")
def schedule_campaign():
    form = ScheduleForm(prefix="schedule")
    form.template.choices = _template_choices()
    if form.validate_on_submit():
        template_id, version = form.template.data.rsplit("@", 1)
        survey = get_survey(template_id, int(version))
        try:
            schedule = schedules.create_schedule(
                name=form.name.data.strip(), template_id=survey.id, template_version=survey.version,
                period_code=form.period.data, audience=tuple(form.audience.data), has_plan=survey.has_plan,
                opens_at=form.opens_at.data, closes_at=form.closes_at.data, reminder_days=form.reminder_days.data or "")
        except StoreError as exc:
            flash(str(exc), "danger")
        else:
            flash(f"“{schedule.name}” will open {schedule.opens_at:%Y-%m-%d %H:%M} and close "
                  f"{schedule.closes_at:%Y-%m-%d %H:%M} UTC.", "success")
    else:
        for field, errors in form.errors.items():
            flash(f"{getattr(form, field).label.text}: {' '.join(errors)}", "danger")
    return redirect(url_for("admin.campaigns"), code=303)



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


# People ------------------------------------------------------------------------------------------

def _invite(person_ids: list[int]) -> int:
    """Queue invitation mails (sent by background jobs); return how many were queued."""
    return notifications.invite(person_ids)


@bp.route("/people", methods=["GET", "POST"], endpoint="people")
@allow("admin")
def people_page():
    search = SearchForm(request.args)
    search.region.choices = [SelectChoice("", "any region")] + [SelectChoice(r, r) for r in people.region_names()]
    add = PersonForm()
    status = 200
    if add.validate_on_submit():
        try:
            person = people.add_person(current_user.id, email=add.email.data, name=add.name.data,
                                       role=add.role.data, manager_email=add.manager_email.data,
                                       region=add.region.data, territory=add.territory.data,
                                       department=add.department.data)
        except StoreError as exc:
            flash(str(exc), "danger")
            status = 400
        else:
            invited = _invite([person.id]) if add.invite.data else 0
            flash(f"{person.name} ({person.email}) added" + (" and invited." if invited else "."), "success")
            return redirect(url_for("admin.person", person_id=person.id), code=303)
    elif add.is_submitted():
        status = 400
    rows = people.search_people(query=search.q.data or "", role=search.role.data or "",
                                region=search.region.data or "", active=search.active.data or "")
    return render_template("admin/people.html", people=rows, search=search, add=add,
                           changes=people.recent_changes(20)), status


@bp.route("/people/<int:person_id>", methods=["GET", "POST"], endpoint="person")
@allow("admin")
def person_page(person_id: int):
    person = people.get_person(person_id)
    if person is None:
        abort(404)
    form = EditPersonForm(obj=None if request.method == "POST" else _form_values(person))
    status = 200
    if form.validate_on_submit():
        try:
            changed = people.update_person(current_user.id, person_id, name=form.name.data, role=form.role.data,
                                           manager_email=form.manager_email.data, region=form.region.data,
                                           territory=form.territory.data, department=form.department.data)
        except StoreError as exc:
            flash(str(exc), "danger")
            status = 400
        else:
            flash(f"Saved: {', '.join(changed)}." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.person", person_id=person_id), code=303)
    elif form.is_submitted():
        status = 400
    return render_template("admin/person.html", person=person, form=form, move=MoveTeamForm(),
                           button=ButtonForm(), team=people.search_people(manager_id=person.id)), status


def _form_values(person):
    class Values:
        pass

    values = Values()
    for key, value in people.person_fields(person).items():
        setattr(values, key, value)
    return values


@bp.route("/people/<int:person_id>/deactivate", methods=["POST"], endpoint="deactivate")
@allow("admin")
def deactivate(person_id: int):
    return _set_active(person_id, False)


@bp.route("/people/<int:person_id>/reactivate", methods=["POST"], endpoint="reactivate")
@allow("admin")
def reactivate(person_id: int):
    return _set_active(person_id, True)


def _set_active(person_id: int, active: bool):
    if ButtonForm().validate_on_submit():
        try:
            person = people.change_active(current_user.id, person_id, active)
        except StoreError as exc:
            flash(str(exc), "danger")
        else:
            flash(f"{person.name} is {'active again' if active else 'deactivated; their sessions are ended'}.",
                  "success")
    return redirect(url_for("admin.person", person_id=person_id), code=303)


@bp.route("/people/<int:person_id>/move-team", methods=["POST"], endpoint="move_team")
@allow("admin")
def move_team(person_id: int):
    form = MoveTeamForm()
    if form.validate_on_submit():
        try:
            moved = people.move_team(current_user.id, person_id, form.to_manager_email.data)
        except StoreError as exc:
            flash(str(exc), "danger")
        else:
            flash(f"{moved} people now report to {form.to_manager_email.data.strip().lower()}.", "success")
    else:
        flash("Give the email of the manager the team moves to.", "danger")
    return redirect(url_for("admin.person", person_id=person_id), code=303)


@bp.route("/people/invite", methods=["POST"], endpoint="invite")
@allow("admin")
def invite():
    form = ButtonForm()
    ids = [int(v) for v in request.form.getlist("person_id") if v.isdigit()][:1000]
    if form.validate_on_submit() and ids:
        sent = _invite(ids)
        flash(f"{sent} invitation(s) queued.", "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("admin.people"), code=303)


@bp.route("/people/import", methods=["GET", "POST"], endpoint="import_people")
@allow("admin")
def import_people():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form), 400 if form.is_submitted() else 200
    upload = form.file.data
    filename = (upload.filename or "people.csv").rsplit("/", 1)[-1][:200]
    data = upload.read()
    try:
        plan = roster.preview_people_import(filename, data, deactivate_missing=form.deactivate_missing.data,
                                            actor_id=current_user.id)
    except StoreError as exc:
        return render_template("admin/import.html", form=form, errors=getattr(exc, "errors", [str(exc)])), 400
    apply = ApplyImportForm(filename=filename, content=base64.b64encode(data).decode(),
                            deactivate_missing="1" if form.deactivate_missing.data else "",
                            invite="1" if form.invite.data else "")
    return render_template("admin/import.html", form=form, plan=plan, apply=apply, filename=filename)


@bp.route("/people/import/apply", methods=["POST"], endpoint="apply_import")
@allow("admin")
def apply_import():
    form = ApplyImportForm()
    if not form.validate_on_submit():
        flash("The preview expired; choose the file again.", "danger")
        return redirect(url_for("admin.import_people"), code=303)
    try:
        data = base64.b64decode(form.content.data, validate=True)
        plan = roster.apply_people_import(form.filename.data, data, deactivate_missing=bool(form.deactivate_missing.data),
                                          actor_id=current_user.id)
    except (StoreError, ValueError) as exc:
        return render_template("admin/import.html", form=ImportForm(), errors=getattr(exc, "errors", [str(exc)])), 400
    invited = _invite(plan.created_ids) if form.invite.data else 0
    flash(f"Imported {form.filename.data}: {len(plan.created)} created, {len(plan.updated)} updated, "
          f"{len(plan.unchanged)} unchanged, {len(plan.deactivated)} deactivated"
          + (f"; {invited} invitations queued." if invited else "."), "success")
    return redirect(url_for("admin.people"), code=303)

