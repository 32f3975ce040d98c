"""Forms of the places pages: register, change status, correct, void, filter and import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from .. import converters, formatting, vocabulary
from ..form_fields import ConvertedDateField, SelectChoice, import_file_field
from ..i18n import _, _p
from ..web import reader_language
from .rules import FIRST_STATUSES

STATUS_LABELS = {code: _(word.msgid) for code, word in vocabulary.STATUS_LABELS.items()}


class DanishDateField(ConvertedDateField):
    """A date typed as 30.06.2025 (the date picker's way), 2025-06-30 or 30-06-2025 (quota_app.converters)."""

    format_message = _("Skriv datoen som dd.mm.åååå, fx 30.06.2025.")


def effective_date_field() -> DanishDateField:
    """The date a new status holds from (registering a place, a new status)."""
    return DanishDateField(
        _("Gælder fra"), validators=[InputRequired(_("Skriv den dato, statussen gælder fra."))]
    )


def note_field() -> TextAreaField:
    """A status event's note, with the reminder that it holds no personal data."""
    return TextAreaField(
        _("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_("Skriv aldrig borgerens navn eller CPR-nummer."),
    )


class DecimalCommaField(Field):
    """A number with decimal comma or point (1,0 or 0.5)."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return (
            ""
            if self.data is None
            else formatting.number(self.data, reader_language(), digits=6, grouping=False)
        )

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
    effective_date = effective_date_field()
    note = note_field()
    submit = SubmitField(_("Registrér plads"))


class StatusForm(FlaskForm):
    version = HiddenField()
    status = SelectField(
        _("Ny status"), choices=status_choices(), validators=[InputRequired(_("Vælg en status."))]
    )
    effective_date = effective_date_field()
    note = note_field()
    submit = SubmitField(_("Gem ny status"))


class CorrectForm(FlaskForm):
    """Correct a registration: the right date (the old one is voided, the status recorded on the right
    date) and/or the right status, with one reason."""

    version = HiddenField()
    effective_date = DanishDateField(
        _("Rigtig dato"),
        validators=[Optional()],
        description=_(
            "Er datoen forkert, så skriv den rigtige: den gamle registrering annulleres. Tom: datoen er rigtig."
        ),
    )
    status = SelectField(
        _("Rigtig status"), choices=status_choices(), validators=[InputRequired(_("Vælg en status."))]
    )
    reason = TextAreaField(
        _("Begrundelse for rettelsen"),
        validators=[DataRequired(_("Skriv hvorfor registreringen rettes.")), Length(max=2000)],
    )
    submit = SubmitField(_("Ret registrering"))


class VoidForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _("Begrundelse for annulleringen"),
        validators=[DataRequired(_("Skriv hvorfor registreringen annulleres.")), Length(max=2000)],
    )
    submit = SubmitField(_("Annullér registrering"))


class RenameForm(FlaskForm):
    """A place's reference and title: not counted, changed as they are (audited)."""

    version = HiddenField()
    reference: StringField = PlaceForm.reference  # type: ignore[assignment]  # the stubs: unbound on the class
    title: StringField = PlaceForm.title  # type: ignore[assignment]  # the same field as PlaceForm's
    submit = SubmitField(_("Gem reference og stillingsbetegnelse"))


class AttributesForm(FlaskForm):
    """A place's unit and fte from a date (counted: kept as dated history)."""

    version = HiddenField()
    effective_date = DanishDateField(
        _("Gælder fra"),
        validators=[InputRequired(_("Skriv den dato, enhed og årsværk gælder fra."))],
        description=_("Fx den dag pladsen flyttede, eller timetallet i et fleksjob blev ændret."),
    )
    unit_id = SelectField(_("Enhed fra den dato"), validators=[Optional()], coerce=str)
    fte = DecimalCommaField(
        _("Årsværk fra den dato"),
        validators=[InputRequired(_("Skriv årsværk, fx 1.")), _fte_in_range],
    )
    note = TextAreaField(
        _("Note"),
        validators=[Optional(), Length(max=2000)],
        description=_("Skriv aldrig borgerens navn eller CPR-nummer."),
    )
    submit = SubmitField(_("Gem enhed og årsværk"))


class VoidAttributesForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _("Begrundelse for annullering af ændringen"),
        validators=[DataRequired(_("Skriv hvorfor ændringen annulleres.")), Length(max=2000)],
    )
    submit = SubmitField(_("Annullér ændringen"))


class ImportForm(FlaskForm):
    file = import_file_field()
    submit = SubmitField(_("Se forhåndsvisning"))


class ConfirmImportForm(FlaskForm):
    submit = SubmitField(_("Gem alle rækker"))
