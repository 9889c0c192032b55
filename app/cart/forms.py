"""Cart forms. Quantities and ordering parameters vary by plan: they are read by
``app.cart.input`` and checked by ``app.orders.validation``; these forms carry the fixed
fields and the CSRF token."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class AddToCartForm(FlaskForm):
    plan_term_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    postponed_billing = BooleanField("Start with a free first month")
    submit = SubmitField("Add to cart")


class QuantitiesForm(FlaskForm):
    submit = SubmitField("Update")


class RemoveLineForm(FlaskForm):
    submit = SubmitField("Remove")


class CartLineForm(FlaskForm):
    FIELDS = ("beneficiary", "new_customer_name", "new_customer_email", "postponed_billing")
    beneficiary = SelectField("Who is this subscription for?", validate_choice=False)  # choices set per line
    new_customer_name = StringField("New customer's organisation name", validators=[Length(max=200)])
    new_customer_email = EmailField("Administrator's e-mail address", validators=[Length(max=254)])
    postponed_billing = BooleanField("Start with a free first month (billing starts one month later)")
    submit = SubmitField("Save line")
