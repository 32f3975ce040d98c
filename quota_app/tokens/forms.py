"""Forms for creating and revoking personal API tokens."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..i18n import _


class CreateTokenForm(FlaskForm):
    name = StringField(
        _("Navn på nøglen (fx det system, der bruger den)"),
        validators=[DataRequired(_("Giv nøglen et navn.")), Length(max=100)],
    )
    submit = SubmitField(_("Opret nøgle"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_("Tilbagekald"))
