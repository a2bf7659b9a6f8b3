"""The forms of actions: create one on a theme or a driver, change its status."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from webapp.infra.text_rules import no_nul
from webapp.models import ACTION_STATUSES
from webapp.periods import PERIOD_CODE_PATTERN
from webapp.store import actions as actions_store

__all__ = ["KIND_ROLES", "ActionFilter", "ActionForm", "StatusForm", "status_form_for"]

#: Who may act on what: themes are the leader report's, drivers the engagement dashboard's.
KIND_ROLES = {"theme": ("leader", "admin"), "driver": ("hr", "admin", "leader")}


class ActionForm(FlaskForm):
    kind = HiddenField(validators=[AnyOf(tuple(KIND_ROLES))])
    period = HiddenField(validators=[DataRequired(), Regexp(PERIOD_CODE_PATTERN)])
    subject = SelectField("About", validators=[DataRequired()])
    title = StringField("Action", validators=[DataRequired(), Length(max=200), no_nul])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired()])
    due_on = DateField("Due", validators=[DataRequired()])
    submit = SubmitField("Create action")


class StatusForm(FlaskForm):
    """Change one action's status; `current` is the status the page showed, so a stale form is refused."""

    status = SelectField("Status", choices=[SelectChoice(s, actions_store.STATUS_TITLES[s]) for s in ACTION_STATUSES])
    current = HiddenField(validators=[DataRequired(message="The form is out of date; reload the page."),
                                      AnyOf(ACTION_STATUSES, message="The form is out of date; reload the page.")])
    back = HiddenField()
    submit = SubmitField("Update")


def status_form_for(action) -> StatusForm:
    """A status form showing the action's current status (so Update never resets it silently)."""
    return StatusForm(formdata=None, status=action.status, current=action.status)


class ActionFilter(FlaskForm):
    """The filters of the actions list (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    owner = SelectField("Owner", validate_choice=False)
    status = SelectField("Status", choices=[SelectChoice("", "Any status"), SelectChoice("overdue", "Overdue")]
                         + [SelectChoice(s, actions_store.STATUS_TITLES[s]) for s in ACTION_STATUSES],
                         validate_choice=False)
    subject = SelectField("Theme or driver", validate_choice=False)
