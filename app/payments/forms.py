from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, Regexp


class SaveCardForm(FlaskForm):
    """Posted by the card form's script once Stripe.js confirmed the card (a SetupIntent)."""

    setup_intent_id = HiddenField(validators=[DataRequired(), Length(max=100), Regexp(r"^seti_\w+$")])
    next = HiddenField()


class AuthenticatedForm(FlaskForm):
    """Posted by the 3-D Secure page once Stripe.js has asked the bank."""

    next = HiddenField()
