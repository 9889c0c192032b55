from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.billing.countries import country_choices


class BillingInfoForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(max=200)])
    address_line1 = StringField("Address", validators=[DataRequired(), Length(max=200)])
    address_line2 = StringField("Address (second line)", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    postal_code = StringField("Postal code", validators=[DataRequired(), Length(max=20)])
    country = SelectField("Country", validators=[DataRequired()])
    tax_id = StringField("Tax ID (optional)", validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9 .\-/]+$", message="Use letters, digits, spaces, dots, dashes or slashes.")])
    billing_email = EmailField("Billing e-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    next = HiddenField()
    submit = SubmitField("Save billing information")

    def __init__(self, *args, locale: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The select offers ISO countries only and refuses any other posted value.
        self.country.choices = [("", "Choose a country…")] + country_choices(locale)
