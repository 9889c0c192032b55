from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Optional, Regexp


class ChangeForm(FlaskForm):
    """Change resource limits: the new quantities (``qty-<resource code>``, read by
    ``subscription_pages.requested_quantities``), the quote the buyer saw and a token that makes confirming
    idempotent."""

    fingerprint = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{64}$")])
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    review = SubmitField("Review the price")
    confirm = SubmitField("Confirm the change")


class ActionForm(FlaskForm):
    """Cancel, resume, withdraw a scheduled decrease: a button with the CSRF token."""

    submit = SubmitField("Confirm")
