"""Forms of the places pages: register, change status, correct, void, filter and import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Field, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from .. import converters
from ..form_fields import ConvertedDateField, SelectChoice
from ..i18n import _, _p
from .rules import FIRST_STATUSES

STATUS_LABELS = {
    "open": _("Åben"),
    "filled": _("Besat"),
    "paused": _("I bero"),
    "closed": _("Nedlagt"),
}


class DanishDateField(ConvertedDateField):
    """A date typed as 2025-06-30 (the browser's date input), 30.06.2025 or 30-06-2025 (quota_app.converters)."""

    format_message = _("Skriv datoen som ÅÅÅÅ-MM-DD, fx 2025-06-30.")


class DecimalCommaField(Field):
    """A number with decimal comma or point (1,0 or 0.5)."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}".replace(".", ",")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = converters.parse_decimal(text, field=self.name)
        except converters.ConversionError as exc:
            raise ValueError(_("Skriv et tal, fx 1 eller 0,5.")) from exc


def _fte_in_range(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not 0 < field.data <= 1:
        raise ValidationError(_("Årsværk skal være større end 0 og højst 1, fx 0,5."))


def status_choices(statuses: tuple[str, ...] = tuple(STATUS_LABELS)) -> list[SelectChoice]:
    return [SelectChoice(s, STATUS_LABELS[s]) for s in statuses]


class PlaceForm(FlaskForm):
    type_code = SelectField(_("Ordning"), validators=[DataRequired(_("Vælg en ordning."))])
    unit_id = SelectField(_("Enhed"), validators=[Optional()], coerce=str)
    reference = StringField(
        _("Reference"),
        validators=[DataRequired(_("Skriv pladsens reference.")), Length(max=100)],
        description=_("Forvaltningens egen betegnelse for pladsen, fx SOF-2025-014. Ingen personnavne."),
    )
    title = StringField(
        _("Stillingsbetegnelse"),
        validators=[Optional(), Length(max=300)],
        description=_("Fx kontorpraktikant. Skriv aldrig borgerens navn eller CPR-nummer."),
    )
    fte = DecimalCommaField(
        _p("label", "Årsværk"),
        default=1.0,
        validators=[InputRequired(_("Skriv årsværk, fx 1.")), _fte_in_range],
    )
    status = SelectField(
        _("Første status"),
        choices=status_choices(FIRST_STATUSES),
        validators=[InputRequired(_("Vælg en status."))],
    )
    effective_date = DanishDateField(
        _("Gælder fra"), validators=[InputRequired(_("Skriv den dato, statussen gælder fra."))]
    )
    note = TextAreaField(
        _("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_("Skriv aldrig borgerens navn eller CPR-nummer."),
    )
    submit = SubmitField(_("Registrér plads"))


class StatusForm(FlaskForm):
    version = HiddenField()
    status = SelectField(
        _("Ny status"), choices=status_choices(), validators=[InputRequired(_("Vælg en status."))]
    )
    effective_date = DanishDateField(
        _("Gælder fra"), validators=[InputRequired(_("Skriv den dato, statussen gælder fra."))]
    )
    note = TextAreaField(
        _("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_("Skriv aldrig borgerens navn eller CPR-nummer."),
    )
    submit = SubmitField(_("Gem ny status"))


class CorrectForm(FlaskForm):
    version = HiddenField()
    status = SelectField(
        _("Rettet status"), choices=status_choices(), validators=[InputRequired(_("Vælg en status."))]
    )
    reason = TextAreaField(
        _("Begrundelse"),
        validators=[DataRequired(_("Skriv hvorfor registreringen rettes.")), Length(max=2000)],
    )
    submit = SubmitField(_("Ret registrering"))


class VoidForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _("Begrundelse"),
        validators=[DataRequired(_("Skriv hvorfor registreringen annulleres.")), Length(max=2000)],
    )
    submit = SubmitField(_("Annullér registrering"))


class ImportForm(FlaskForm):
    file = FileField(
        _("Fil (CSV eller XLSX)"),
        validators=[
            FileRequired(_("Vælg en fil.")),
            FileAllowed(["csv", "xlsx", "txt"], _("Filen skal være CSV eller XLSX.")),
        ],
    )
    submit = SubmitField(_("Se forhåndsvisning"))


class ConfirmImportForm(FlaskForm):
    submit = SubmitField(_("Gem alle rækker"))
