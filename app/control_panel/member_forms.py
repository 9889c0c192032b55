"""Forms of the seat and users pages of the panels."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# Only the shape: the address is checked by the invitation reaching it (and reserved test
# domains are fine).
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_VALIDATORS = [DataRequired(), Regexp(EMAIL, message="Enter an e-mail address such as name@example.com."),
                    Length(max=254)]
ROLE_CHOICES = [("member", "Member (may look)"), ("admin", "Administrator (may buy, change and invite)")]


class AssignSeatForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL_VALIDATORS, filters=[_strip])
    submit = SubmitField("Assign a seat")


class InviteForm(FlaskForm):
    email = EmailField("E-mail address", validators=EMAIL_VALIDATORS, filters=[_strip])
    role = SelectField("Role", choices=ROLE_CHOICES, default="member")
    submit = SubmitField("Send the invitation")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[("member", "Member"), ("admin", "Administrator")])
    submit = SubmitField("Change")
