from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class AnswerForm(FlaskForm):
    """The buyer's answer to a vendor's question; the value is checked by ``clean_answer``."""

    value = StringField("Your answer", validators=[DataRequired(message="Enter a value."), Length(max=300)])


class StaffActionForm(FlaskForm):
    """Retry: nothing but the CSRF token."""


class ManualCompletionForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(message="Give the reason."), Length(max=1000)])
    vendor_reference = StringField("Vendor reference", validators=[Optional(), Length(max=120)])
