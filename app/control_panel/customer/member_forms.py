"""Forms of the customer panel's seat and users pages."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, Length

ROLE_CHOICES = [("member", "Member (may look)"), ("admin", "Administrator (may buy, change and invite)")]


class AssignSeatForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    submit = SubmitField("Assign a seat")


class InviteForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="member")
    submit = SubmitField("Send the invitation")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[("member", "Member"), ("admin", "Administrator")])
    submit = SubmitField("Change")
