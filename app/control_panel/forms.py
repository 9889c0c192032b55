from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp


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


class StorefrontForm(FlaskForm):
    """The reseller's storefront settings; every value is checked again by
    ``app.accounts.storefronts.save_branding`` (colours, contrast, domain, logo type and size)."""

    display_name = StringField("Storefront name", validators=[Length(max=120)])
    tagline = StringField("Tagline", validators=[Length(max=200)])
    contact_email = StringField("Contact e-mail", validators=[Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[Length(max=40)])
    primary_colour = StringField("Main colour", validators=[Length(max=50)])
    accent_colour = StringField("Header colour", validators=[Length(max=50)])
    custom_domain = StringField("Your own domain", validators=[Length(max=253)])
    remove_logo = BooleanField("Remove the logo")
