"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..i18n import _


class LoginForm(FlaskForm):
    email = EmailField(
        _("E-mail"),
        validators=[
            DataRequired(_("Skriv din e-mailadresse.")),
            Email(_("Skriv en gyldig e-mailadresse.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _("Adgangskode"), validators=[DataRequired(_("Skriv din adgangskode.")), Length(max=200)]
    )
    submit = SubmitField(_("Log ind"))
