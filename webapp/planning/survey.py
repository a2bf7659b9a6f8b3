"""The survey page: a person answers an open campaign (plan, observations, confidential pulse)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from surveys.answers import Answers, answers_from_json, answers_to_json, confidence_level
from surveys.forms import build_form_class, form_sections, parse_answers, validate_for_draft
from surveys.loader import get_survey
from surveys.model import Survey
from webapp.access import PLAN_SUBMITTERS, allow
from webapp.store import plans
from webapp.store.errors import AlreadyAnswered, StoreError
from webapp.store.plans import EDITABLE_STATUSES, EngagementInput, PlanInput

bp = Blueprint("respond", __name__, template_folder="templates")


def _draft_key(campaign_id: int) -> str:
    # Where earlier versions kept a draft's confidential answers, in the session cookie; only
    # ever removed now (a long comment in a non-Latin script outgrew what browsers keep of a
    # cookie, and the answers vanished without a word).
    return f"engagement-draft-{campaign_id}"


DRAFT_WITHOUT_CONFIDENTIAL = ("Draft saved. Your confidential answers were not saved with it: "
                              "confidential answers are kept only when you submit.")


def _sections(survey: Survey, plan, answered: bool, campaign) -> list[str]:
    attributed = [s.id for s in survey.sections if not s.confidential]
    editable_plan = survey.has_plan and (plan is None or plan.status in EDITABLE_STATUSES)
    confidential = [s.id for s in survey.sections if s.confidential]
    return (attributed if editable_plan else []) + ([] if answered else confidential)


def to_plan_input(survey: Survey, answers: Answers) -> PlanInput | None:
    """Map bound answers to plan columns; every attributed answer is also kept verbatim."""
    if not survey.has_plan:
        return None

    def bound(name: str):
        question = survey.bound(name)
        return answers.get(question.id) if question else None

    attributed = answers.only(survey.attributed_questions())
    return PlanInput(
        proposed=bound("plan.proposed"),
        confidence=confidence_level(bound("plan.confidence")),
        rationale=bound("plan.rationale"),
        observations=tuple(bound("observations") or ()),
        answers=answers_to_json(survey, attributed),
    )


def to_engagement_input(survey: Survey, answers: Answers) -> EngagementInput | None:
    """Collect the confidential answers; None when the form held none of them."""
    confidential = survey.confidential_questions()
    if not any(q.id in answers for q in confidential):
        return None
    enps = survey.bound("engagement.enps")
    return EngagementInput(
        likert={q.id: answers[q.id] for q in confidential if q.kind == "likert5" and answers.get(q.id) is not None},
        enps=answers.get(enps.id) if enps else None,
        comments={q.id: answers[q.id] for q in survey.bound_all("engagement.comment") if answers.get(q.id)},
    )


def _load(campaign_id: int):
    # One query for campaign (+ period), membership, plan and participation.
    try:
        context = plans.answer_context(campaign_id, current_user.id)
    except StoreError:
        abort(404)
    if context.member is None:
        abort(404)
    campaign = context.campaign
    survey = get_survey(campaign.template_id, campaign.template_version)
    plan = context.plan if survey.has_plan else None
    return campaign, survey, plan, context.answered, context


def _prefill(survey: Survey, plan, campaign_id: int) -> dict:
    from surveys.answers import form_data_from_answers

    data = {}
    if plan is not None and plan.answers:
        data.update(form_data_from_answers(survey, answers_from_json(survey, plan.answers)))
    return data


@bp.route("/campaigns/<int:campaign_id>/respond", methods=["GET", "POST"])
@allow(*PLAN_SUBMITTERS)
def respond(campaign_id: int):
    campaign, survey, plan, answered, context = _load(campaign_id)
    section_ids = _sections(survey, plan, answered, campaign) if campaign.is_open else []

    def baseline_now():  # shown on the page only; a successful POST redirects without it
        return plans.baseline_for(current_user.id, campaign.period) if survey.has_plan else None

    if not section_ids:
        baseline = baseline_now()
        return render_template("respond/done.html", campaign=campaign, survey=survey, plan=plan,
                               answered=answered, baseline=baseline,
                               change=plans.change_fraction(plan.proposed if plan else None,
                                                            baseline.amount if baseline else None))
    form_class = build_form_class(survey, base=FlaskForm, sections=section_ids)
    status = 200
    if request.method == "POST":
        form = form_class()
        submit = request.form.get("action") == "submit"
        valid = form.validate() if submit else validate_for_draft(form)
        if valid:
            answers = parse_answers(survey, form)
            engagement = to_engagement_input(survey, answers) if submit else None
            try:
                plans.save_answers(current_user, campaign, to_plan_input(survey, answers), engagement,
                                   submit=submit, context=context)
            except AlreadyAnswered as exc:
                flash(str(exc), "info")
                return redirect(url_for("respond.respond", campaign_id=campaign_id))
            except StoreError as exc:
                flash(str(exc), "danger")
                status = 409
            else:
                # After the commit: use the URL's id, not campaign.id (expired, a reload query).
                session.pop(_draft_key(campaign_id), None)
                if submit:
                    flash("Thank you: your answers are submitted. You can edit your plan until your manager decides.", "success")
                elif _typed_confidential(survey):
                    # Said plainly, never dropped silently: no confidential answer is stored
                    # anywhere (cookie, server or database) before the anonymised submission.
                    flash(DRAFT_WITHOUT_CONFIDENTIAL, "warning")
                else:
                    flash("Draft saved.", "success")
                return redirect(url_for("respond.respond", campaign_id=campaign_id))
        else:
            status = 400
            flash("Some answers need another look; see the messages by each question.", "danger")
    else:
        form = form_class(formdata=None, data=_prefill(survey, plan, campaign.id))
    return render_template("respond/form.html", campaign=campaign, survey=survey, plan=plan,
                           form=form, sections=form_sections(survey, form), baseline=baseline_now(),
                           answered=answered, min_group_size=current_app.config["MIN_GROUP_SIZE"]), status


def _typed_confidential(survey: Survey) -> bool:
    """Tell whether the posted draft carried any confidential answer (which a draft does not keep)."""
    ids = {q.id for q in survey.confidential_questions()}
    return any(value.strip() for key, value in request.form.items(multi=True) if key in ids)
