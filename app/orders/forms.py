from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.validators import DataRequired, Regexp


class CheckoutForm(FlaskForm):
    """The order summary's form: the quote the buyer saw and a token that makes placing it
    idempotent. The terms checkboxes (``terms``) are read from the request by token."""

    fingerprint = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    payment_method = RadioField("Payment method", choices=[], validators=[DataRequired(message="Choose a payment method.")])
    submit = SubmitField("Place order")
