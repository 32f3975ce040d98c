"""Forms of the dispatch pages."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import DataRequired

from ..i18n import _


class SendForm(FlaskForm):
    period = SelectField(_("Periode"), validators=[DataRequired(_("Vælg en periode."))])
    department = SelectField(_("Forvaltning"), default="")
    submit = SubmitField(_("Send nu"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_("Ja, send igen"))
