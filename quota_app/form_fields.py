"""WTForms fields and validators built on quota_app.converters: forms parse as the API, CLI and imports do."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, Field
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from . import converters
from .errors import DomainError
from .i18n import _
from .texts import danish_date, render

if TYPE_CHECKING:

    class SelectChoice(NamedTuple):
        """WTForms 3.3's choice of a select field, which the WTForms stubs (3.2) do not know yet: typed as
        the (value, label) pair the stubs take, the two fields the app gives it."""

        value: Any
        label: str

else:
    from wtforms.fields.choices import SelectChoice as SelectChoice  # the forms import it from here


def _message(error: DomainError) -> str:
    from .web import localized

    try:
        return localized(error)
    except RuntimeError:  # outside a request (tests of forms): the Danish text
        return render(error.message)


class ConvertedDateField(Field):
    """A date typed as 30.06.2025 (the DKFDS date picker's format, dd.mm.åååå), 3.6.2025, 2025-06-30 or
    30-06-2025. The form macros render it in the DKFDS date picker; shown again as dd.mm.åååå, or as typed
    when it could not be read."""

    widget = TextInput()
    date_picker = True  # macros/forms.html: the DKFDS date picker

    format_message: Any = None  # shown when the text is no date at all (else the converter's message)

    def __init__(self, *args: Any, earliest: date | None = converters.EARLIEST_DATE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return danish_date(self.data) if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if self.format_message is not None:
            try:
                converters.parse_date(text, field=self.name, earliest=None, latest=None)
            except converters.ConversionError as exc:
                raise ValueError(str(self.format_message)) from exc
        try:
            self.data = converters.parse_date(text, field=self.name, earliest=self.earliest)
        except converters.ConversionError as exc:
            raise ValueError(_message(exc)) from exc


class ConvertedIntegerField(Field):
    """A whole number of ASCII digits within [low, high] (PostgreSQL's integer by default)."""

    widget = TextInput()

    def __init__(
        self, *args: Any, low: int = converters.MIN_INT, high: int = converters.MAX_ID, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = converters.parse_int(text, field=self.name, low=self.low, high=self.high)
        except converters.ConversionError as exc:
            raise ValueError(_message(exc)) from exc


class ConvertedBooleanField(BooleanField):
    """A checkbox read with converters.parse_bool: ticked (y, on, ja, ...) or not (absent, n, nej, ...);
    any other value is refused, not taken as ticked."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            self.data = False
            return
        try:
            self.data = converters.parse_bool(valuelist[0], field=self.name)
        except converters.ConversionError as exc:
            self.data = False
            raise ValueError(_message(exc)) from exc


class SafeText:
    """Validator: no control characters (line breaks only when multiline), optionally no CPR number."""

    def __init__(self, *, multiline: bool = False, cpr_guard: bool = False) -> None:
        self.multiline, self.cpr_guard = multiline, cpr_guard

    def __call__(self, form: Any, field: Field) -> None:
        try:
            converters.clean_text(
                field.data or "",
                field=field.name,
                label=str(field.label.text),
                max_length=None,
                multiline=self.multiline,
                cpr_guard=self.cpr_guard,
            )
        except DomainError as exc:
            raise ValidationError(_message(exc)) from exc


def import_file_field() -> FileField:
    """The file an import reads: CSV or XLSX (a .txt is read as CSV); its limits are checked as it is read."""
    return FileField(
        _("Fil (CSV eller XLSX)"),
        validators=[
            FileRequired(_("Vælg en fil.")),
            FileAllowed(["csv", "xlsx", "txt"], _("Filen skal være CSV eller XLSX.")),
        ],
    )
