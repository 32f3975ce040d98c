"""The period chooser of the report page (a GET form: it changes nothing, so no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from ..errors import DomainError
from ..i18n import _
from ..periods import parse_period
from ..web import localized


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    period = StringField(_("Periode"), validators=[InputRequired(message=_("Skriv en periode."))])

    def validate_period(self, field: StringField) -> None:
        try:
            parse_period(field.data or "")
        except DomainError as exc:
            raise ValidationError(localized(exc)) from exc
