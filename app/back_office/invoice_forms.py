"""The forms of settling an invoice by hand (``app.billing.settling`` checks the rest)."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.billing.settling import REASON_MAX, REFERENCE_MAX


class PaymentReceivedForm(FlaskForm):
    slot = "paid_form"  # which form of the page it is, to show its errors in place
    text = StringField("Payment reference (bank transfer, remittance advice)",
                       validators=[DataRequired(message="Enter the payment reference."), Length(max=REFERENCE_MAX)])


class WriteOffForm(FlaskForm):
    slot = "void_form"
    text = TextAreaField("Reason for voiding",
                         validators=[DataRequired(message="Enter the reason."), Length(max=REASON_MAX)])
