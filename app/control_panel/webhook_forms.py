"""The form that registers a webhook endpoint (its rules are checked by ``app.webhooks.endpoints``)."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import Length, Optional

from app.webhooks.events import EVENT_TYPES


class EndpointForm(FlaskForm):
    url = StringField("Endpoint URL")  # checked by app.webhooks.endpoints.validate_url
    description = StringField("Description (optional)", validators=[Optional(), Length(max=200)])
    event_types = SelectMultipleField("Events to send", choices=[(code, f"{code}: {label}") for code, label in EVENT_TYPES.items()],
                                      option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                      validate_choice=False)
    submit = SubmitField("Add endpoint")
