"""Forms of the reseller panel's customer pages. They only carry the input: every rule (required
fields, e-mail and domain syntax, duplicates) is checked by ``app.accounts.customers`` and
``app.accounts.members``, whose refusals name the field to mark."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _marketplace_id(value):
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else value


class NewCustomerForm(FlaskForm):
    """Field names are ``NewCustomer``'s, so a refusal's ``field`` names its form field."""

    name = StringField("Company name", filters=[_strip], validators=[Length(max=200)])
    contact_name = StringField("Contact name", filters=[_strip], validators=[Length(max=200)])
    contact_email = EmailField("Contact e-mail", filters=[_strip], validators=[Length(max=254)])
    domain = StringField("Domain", filters=[_strip], validators=[Length(max=253)])
    marketplace_id = SelectField("Marketplace", coerce=_marketplace_id, validate_choice=False,
                                 validators=[InputRequired(message="Choose a marketplace.")])
    billing_contact_name = StringField("Billing contact name", filters=[_strip], validators=[Length(max=200)])
    billing_contact_email = EmailField("Billing contact e-mail", filters=[_strip], validators=[Length(max=254)])
    invite_contact = BooleanField("Invite the contact as the customer's administrator", default=True)
    submit = SubmitField("Create the customer")


class InviteAdministratorsForm(FlaskForm):
    emails = TextAreaField("E-mail addresses", filters=[_strip], validators=[Length(max=5000)])
    submit = SubmitField("Invite")
