from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SubmitField
from wtforms.validators import DataRequired, NumberRange, Regexp
from wtforms.widgets import HiddenInput


class CheckoutForm(FlaskForm):
    """The order summary's form: the quote the buyer saw and a token that makes placing it
    idempotent. The terms checkboxes (``terms``) are read from the request by token."""

    fingerprint = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    payment_method = RadioField("Payment method", choices=[], validators=[DataRequired(message="Choose a payment method.")])
    submit = SubmitField("Place order")


class PayForm(FlaskForm):
    """Pay a card order (again): ``seen_attempts`` is how many attempts the page showed, so a
    double submit starts one new attempt, not two."""

    seen_attempts = IntegerField(widget=HiddenInput(), validators=[NumberRange(min=0, max=1000)], default=0)
    submit = SubmitField("Pay now")
