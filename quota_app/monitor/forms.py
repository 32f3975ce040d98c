"""The GET form that chooses what the monitoring pages measure: date or period, method, known-at, what-if."""

from __future__ import annotations

from datetime import UTC, date, datetime

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import converters
from ..clock import local_date
from ..converters import parse_timestamp
from ..errors import DomainError
from ..formatting import period_name
from ..i18n import _
from ..periods import Period, parse_period
from ..settings import local_zone
from ..texts import N_
from ..web import reader_language
from .measure import Measure, WhatIfChoice

METHODS = ("point", "average")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (the form macros render this type as a checkbox group)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def period_choices(today: date) -> list[tuple[str, str]]:
    """The half-years and years from this one back six years, newest first."""
    choices: list[tuple[str, str]] = [("", "—")]
    for year in range(today.year, today.year - 7, -1):
        for period in (Period(year, 2), Period(year, 1), Period(year)):
            if period.start <= today:
                choices.append((period.label, period_name(period, reader_language())))
    return choices


def parse_local_known_at(text: str) -> datetime:
    """Parse a known-at: a local time (QUOTA_TIMEZONE) (as a datetime-local field sends it) or ISO with offset."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DomainError(
            N_("Ugyldigt tidspunkt: brug ÅÅÅÅ-MM-DDTTT:MM, fx 2025-08-15T08:00."), field="known_at"
        ) from exc
    if not 2000 <= value.year <= 2100:  # year 1 local would be year 0 in UTC: out of range
        raise DomainError(
            N_("Tidspunktet '%(text)s' ligger uden for årene 2000-2100.", text=text), field="known_at"
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=local_zone()).astimezone(UTC)
    return parse_timestamp(text)


class MeasureForm(Form):
    """What to measure; read from the query string (GET), so no CSRF token."""

    date = StringField(_("Dato"))
    period = SelectField(_("eller periode"), validate_choice=False)
    method = SelectField(_("Metode"), validate_choice=False)
    known_at = StringField(_("Som kendt pr. (dansk tid)"))
    whatif = MultiCheckboxField(_("Hvad nu hvis (vises ved siden af de vedtagne tal)"), validate_choice=False)

    def __init__(
        self,
        formdata: MultiDict[str, str] | None,
        *,
        now: datetime,
        what_ifs: list[WhatIfChoice],
        locale: str,
    ) -> None:
        super().__init__(formdata)
        self.now = now
        self.what_ifs = what_ifs
        self.period.choices = period_choices(local_date(now))
        self.method.choices = [
            ("point", str(_("Opgørelse på datoen"))),
            ("average", str(_("Gennemsnit over perioden"))),
        ]
        self.whatif.choices = self.what_if_labels = [  # (type code, label)
            (
                c.type.code,
                str(
                    _("Tæl åbne %(type)s-pladser med", type=c.type.name(locale).lower())
                    if c.adds_open
                    else _("Tæl ikke åbne %(type)s-pladser med", type=c.type.name(locale).lower())
                ),
            )
            for c in what_ifs
        ]
        self.parsed_date: date | None = None
        self.parsed_period: Period | None = None
        self.parsed_known_at: datetime | None = None

    def validate_date(self, field: StringField) -> None:
        if not field.data:
            return
        try:
            value = converters.parse_date(field.data, field="date", earliest=None, latest=None)
        except DomainError as exc:
            raise ValidationError(str(_("Ugyldig dato: skriv den som dd.mm.åååå, fx 30.06.2025."))) from exc
        if not 2000 <= value.year <= 2100:
            raise ValidationError(str(_("Datoen skal ligge mellem år 2000 og 2100.")))
        self.parsed_date = value

    def validate_period(self, field: SelectField) -> None:
        if not field.data:
            return
        try:
            self.parsed_period = parse_period(field.data)
        except DomainError as exc:
            raise ValidationError(str(_("Ugyldig periode: brug fx 2025, 2025-H1 eller 2025-H2."))) from exc
        if self.date.data:
            raise ValidationError(str(_("Vælg enten en dato eller en periode, ikke begge.")))

    def validate_method(self, field: SelectField) -> None:
        if not field.data:
            field.data = "point"
        if field.data not in METHODS:
            raise ValidationError(str(_("Ukendt metode: vælg opgørelse på datoen eller gennemsnit.")))
        if field.data == "average" and not self.period.data:
            raise ValidationError(str(_("Et gennemsnit kræver en periode: vælg en periode.")))

    def validate_known_at(self, field: StringField) -> None:
        if not field.data:
            return
        try:
            value = parse_local_known_at(field.data)
        except DomainError as exc:
            raise ValidationError(
                str(_("Ugyldigt tidspunkt: brug ÅÅÅÅ-MM-DD TT:MM, fx 2025-08-15 08:00."))
            ) from exc
        if value > self.now:
            raise ValidationError(str(_("Tidspunktet ligger i fremtiden.")))
        self.parsed_known_at = value

    def validate_whatif(self, field: MultiCheckboxField) -> None:
        known = {c.type.code for c in self.what_ifs}
        if any(code not in known for code in field.data or []):
            raise ValidationError(str(_("Ukendt hvad-nu-hvis-regel.")))

    def measure(self) -> Measure:
        """The measure chosen (call after validate()); today and now where nothing is chosen."""
        as_of = self.parsed_date
        if as_of is None and self.parsed_period is None:
            as_of = local_date(self.now)
        return Measure(
            as_of=as_of,
            period=self.parsed_period,
            method=self.method.data or "point",
            known_at=self.parsed_known_at or self.now,
            live=self.parsed_known_at is None,
        )

    def query_args(self) -> dict[str, object]:
        """The chosen parameters, for links to other pages with the same measure."""
        args: dict[str, object] = {}
        for name in ("date", "period", "method", "known_at"):
            value = getattr(self, name).data
            if value:
                args[name] = value
        if self.whatif.data:
            args["whatif"] = list(self.whatif.data)
        return args
