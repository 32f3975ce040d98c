"""Forms for departments and placement types."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..form_fields import SelectChoice
from ..i18n import _

MEASURE_CHOICES = [
    SelectChoice("stock", _("bestand (pladser på en dato)")),
    SelectChoice("flow", _("tilgang (forløb startet)")),
]
UNIT_CHOICES = [
    SelectChoice("places", _("pladser")),
    SelectChoice("persons", _("personer")),
    SelectChoice("courses", _("forløb")),
]


class DepartmentForm(FlaskForm):
    code = StringField(
        _("Kode"),
        validators=[
            DataRequired(_("Skriv en kode.")),
            Length(min=2, max=10, message=_("Koden skal være 2-10 tegn.")),
        ],
    )
    name = StringField(_("Navn"), validators=[DataRequired(_("Skriv et navn.")), Length(max=200)])
    mayor_title = StringField(_("Borgmesterens titel"), validators=[Optional(), Length(max=200)])
    mayor_name = StringField(_("Borgmesterens navn"), validators=[Optional(), Length(max=200)])
    mayor_email = StringField(_("Borgmesterens e-mail"), validators=[Optional(), Length(max=254)])
    hr_emails = TextAreaField(
        _("HR-kontakter (e-mailadresser adskilt af komma eller linjeskift)"),
        validators=[Optional(), Length(max=2000)],
    )
    active = BooleanField(_("Aktiv"))
    submit = SubmitField(_("Gem forvaltning"))


class NewTypeForm(FlaskForm):
    code = StringField(
        _("Kode (små bogstaver, fx wage_subsidy)"),
        validators=[DataRequired(_("Skriv en kode.")), Length(max=40)],
    )
    name_da = StringField(
        _("Dansk navn"), validators=[DataRequired(_("Skriv et dansk navn.")), Length(max=200)]
    )
    name_en = StringField(
        _("Engelsk navn"), validators=[DataRequired(_("Skriv et engelsk navn.")), Length(max=200)]
    )
    measure = SelectField(_("Måling"), choices=MEASURE_CHOICES)
    target_unit = SelectField(_("Måltallets enhed"), choices=UNIT_CHOICES)
    submit = SubmitField(_("Tilføj ordning"))


class EditTypeForm(FlaskForm):
    name_da = StringField(
        _("Dansk navn"), validators=[DataRequired(_("Skriv et dansk navn.")), Length(max=200)]
    )
    name_en = StringField(
        _("Engelsk navn"), validators=[DataRequired(_("Skriv et engelsk navn.")), Length(max=200)]
    )
    target_unit = SelectField(_("Måltallets enhed"), choices=UNIT_CHOICES)
    submit = SubmitField(_("Gem ordning"))


class TypeActionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
