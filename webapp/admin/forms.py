"""The forms of people administration: search, add, edit, move a team, import a CSV file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from webapp.infra.text_rules import no_nul
from webapp.models.org import ROLES

ROLE_CHOICES = [SelectChoice(r, r) for r in ROLES]


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField("Search", validators=[Optional(), Length(max=100), no_nul])
    role = SelectField("Role", choices=[SelectChoice("", "any role"), *ROLE_CHOICES], validators=[Optional()])
    region = SelectField("Region", choices=[], validate_choice=False, validators=[Optional()])
    active = SelectField("Status", choices=[SelectChoice("", "active and not"), SelectChoice("yes", "active"),
                                             SelectChoice("no", "deactivated")], validators=[Optional()])


class PersonForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254), no_nul])
    name = StringField("Name", validators=[DataRequired(), Length(max=200), no_nul])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    manager_email = StringField("Manager's email", validators=[Optional(), Length(max=254), no_nul])
    region = StringField("Region", validators=[Optional(), Length(max=120), no_nul])
    territory = StringField("Territory", validators=[Optional(), Length(max=120), no_nul])
    department = StringField("Department", validators=[Optional(), Length(max=120), no_nul])
    invite = BooleanField("Send an invitation to set a password", default=True)
    submit = SubmitField("Save")


class EditPersonForm(PersonForm):
    email = HiddenField()  # the email is the person's key; it is not edited here
    invite = HiddenField()


class MoveTeamForm(FlaskForm):
    to_manager_email = StringField("Move every direct report to (manager's email)",
                                   validators=[DataRequired(), Length(max=254), no_nul])
    submit = SubmitField("Move team")


class ButtonForm(FlaskForm):
    submit = SubmitField()


class ImportForm(FlaskForm):
    file = FileField("People CSV file", validators=[FileRequired("Choose a CSV file.")])
    deactivate_missing = BooleanField("Deactivate active people who are not in the file")
    invite = BooleanField("Invite the people created", default=True)
    submit = SubmitField("Preview")


class ApplyImportForm(FlaskForm):
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    content = HiddenField(validators=[DataRequired()])  # the previewed file, base64; checked again
    deactivate_missing = HiddenField()
    invite = HiddenField()
    submit = SubmitField("Apply these changes")
