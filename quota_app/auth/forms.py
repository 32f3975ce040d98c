"""Sign-in forms: the sign-in, and choosing a password with a mailed link."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

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


class SetPasswordForm(FlaskForm):
    """A new password, chosen by its owner through a mailed sign-in link."""

    password = PasswordField(
        _("Ny adgangskode"),
        validators=[
            DataRequired(_("Skriv en adgangskode.")),
            Length(max=200, message=_("Adgangskoden må højst være %(max)d tegn.")),
        ],
    )
    confirm = PasswordField(
        _("Gentag adgangskoden"),
        validators=[
            DataRequired(_("Skriv adgangskoden igen.")),
            EqualTo("password", _("De to adgangskoder er ikke ens.")),
        ],
    )
    submit = SubmitField(_("Gem adgangskode"))
