from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Regexp

from app.accounts.reselling import PAYMENT_TERMS_CHOICES


class ResellingForm(FlaskForm):
    """Switch reselling on ("1") or off ("0")."""

    enabled = HiddenField(validators=[AnyOf(("0", "1"), message="Choose on or off.")])


class AccountTermsForm(FlaskForm):
    """Checked again by ``app.accounts.reselling.set_account_terms`` (amount format, currency)."""

    credit_limit = StringField("Credit limit", validators=[Length(max=20)])
    payment_terms_days = SelectField("Payment terms", choices=[(str(days), f"Net {days} days" if days else "Due on receipt")
                                                                for days in PAYMENT_TERMS_CHOICES])


class AssignStorefrontForm(FlaskForm):
    """Assign a storefront plan term at the quote shown (``app.orders.staff_assignment``)."""

    plan_term_id = HiddenField(validators=[Regexp(r"^[1-9][0-9]{0,9}$", message="Choose a plan.")])
    fingerprint = HiddenField(validators=[Regexp(r"^[0-9a-f]{64}$", message="Reload the page.")])
    idempotency_key = HiddenField(validators=[Regexp(r"^[0-9a-f]{32}$", message="Reload the page.")])
