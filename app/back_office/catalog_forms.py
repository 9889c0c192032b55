"""Forms of the back office's catalog pages: field types and lengths only; every rule is in
``app.catalog.admin``, whose refusals name the field they belong to."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.catalog.models import Audience, ParameterKind, PaymentModel, PlanKind, ResourceKind


def _labelled(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


class ProductForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=200)])
    slug = StringField("Address name (in /products/…)", validators=[Length(max=80)])
    vendor = StringField("Vendor", validators=[Length(max=150)])
    category_id = SelectField("Category", coerce=int, validate_choice=False)
    summary = StringField("Summary", validators=[Length(max=300)])
    description = TextAreaField("Description", validators=[Length(max=20_000)])
    connector = SelectField("Connector (provisions the subscriptions)", validate_choice=False)
    connector_settings = TextAreaField("Connector settings (JSON object)", validators=[Length(max=5000)])
    terms_text = TextAreaField("Vendor terms (buyers accept them at checkout)", validators=[Length(max=100_000)])
    renewal_upgrade_only = BooleanField("Renewal and upgrade only (no new purchases)")


class PublishForm(FlaskForm):
    published = HiddenField()


class PlanForm(FlaskForm):
    code = StringField("Code", validators=[Length(max=80)])
    name = StringField("Name", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=20_000)])
    audience = SelectField("Audience", choices=_labelled(Audience), validate_choice=False)
    kind = SelectField("Kind", choices=_labelled(PlanKind), validate_choice=False)
    payment_model = SelectField("Payment model", choices=_labelled(PaymentModel), validate_choice=False)
    postponed_billing_allowed = BooleanField("A free first month (postponed billing) may be given")


class TermForm(FlaskForm):
    term_code = StringField("Term code", validators=[Length(max=30)])
    term_name = StringField("Term name", validators=[Length(max=100)])
    period_months = StringField("Period (months)", validators=[Length(max=6)])
    billing_frequency_months = StringField("Billed every (months)", validators=[Length(max=6)])


class LimitForm(FlaskForm):
    resource_id = SelectField("Resource", coerce=int, validate_choice=False)
    included = StringField("Included", validators=[Length(max=9)])
    minimum = StringField("Minimum", validators=[Length(max=9)])
    maximum = StringField("Maximum", validators=[Length(max=9)])
    step = StringField("Step", validators=[Length(max=9)])
    customer_changeable = BooleanField("Customers may change it", default=True)


class ResourceForm(FlaskForm):
    code = StringField("Code", validators=[Length(max=80)])
    name = StringField("Name", validators=[Length(max=200)])
    unit = StringField("Unit (singular)", validators=[Length(max=30)])
    kind = SelectField("Kind", choices=_labelled(ResourceKind), validate_choice=False)
    category_name = StringField("Resource category", validators=[Length(max=150)])
    measures_seats = BooleanField("Counts the subscription's seats")


class ParameterForm(FlaskForm):
    key = StringField("Key (passed to the connector)", validators=[Length(max=50)])
    label = StringField("Label (shown to the buyer)", validators=[Length(max=100)])
    kind = SelectField("Type", choices=_labelled(ParameterKind), validate_choice=False)
    required = BooleanField("Required", default=True)
    default = StringField("Default value", validators=[Length(max=200)])
    choices = TextAreaField("Choices (one value|label per line, for a choice)", validators=[Length(max=5000)])
    max_length = StringField("Maximum length", default="200", validators=[Length(max=4)])
    help_text = StringField("Help text", validators=[Length(max=300)])
