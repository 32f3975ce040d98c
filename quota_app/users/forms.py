"""Forms of the user administration: the list's filters, a new user, a user's role and department."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, Form, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from .. import converters
from ..form_fields import SafeText, SelectChoice
from ..i18n import _
from ..models import Department

ROLE_CHOICES = [
    SelectChoice("hr", _("HR (én forvaltnings pladser)")),
    SelectChoice("bif", _("BIF (alle forvaltninger, måltal og udsendelser)")),
    SelectChoice("admin", _("Administrator (som BIF, og brugere)")),
]
ACTIVE_CHOICES = [
    SelectChoice("", _("Alle")),
    SelectChoice("yes", _("Aktive")),
    SelectChoice("no", _("Deaktiverede")),
]


def department_choices(departments: Iterable[Department], *, empty_label: str) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [
        SelectChoice(str(d.id), f"{d.code} – {d.name}") for d in departments
    ]


class UserFilterForm(Form):
    """Which users the list shows; read from the query string (GET), so no CSRF token."""

    q = StringField(_("Søg i navn og e-mail"))
    role = SelectField(_("Rolle"), validate_choice=False)
    department = SelectField(_("Forvaltning"), validate_choice=False)
    active = SelectField(_("Status"), choices=ACTIVE_CHOICES, validate_choice=False)

    def __init__(self, formdata: MultiDict[str, str] | None, *, departments: Iterable[Department]) -> None:
        super().__init__(formdata)
        self.role.choices = [SelectChoice("", _("Alle roller")), *ROLE_CHOICES]
        self.department.choices = department_choices(departments, empty_label=_("Alle forvaltninger"))

    def filters(self) -> dict[str, str]:
        """The filters as they may be used: unknown values are dropped (the list shows everyone then)."""
        known = {
            "q": (self.q.data or "").strip()[:100],
            "role": self.role.data if self.role.data in {c.value for c in ROLE_CHOICES} else "",
            "department": self.department.data if converters.is_id(self.department.data) else "",
            "active": self.active.data if self.active.data in ("yes", "no") else "",
        }
        return {name: value for name, value in known.items() if value}


class _AccessFields(FlaskForm):
    name = StringField(
        _("Navn"),
        validators=[
            DataRequired(_("Skriv brugerens navn.")),
            Length(max=200, message=_("Navnet må højst være %(max)d tegn.")),
            SafeText(cpr_guard=True),
        ],
    )
    # An unknown role is refused by the service, in the reader's language (WTForms' own message is English).
    role = SelectField(
        _("Rolle"),
        choices=ROLE_CHOICES,
        validate_choice=False,
        validators=[DataRequired(_("Vælg en rolle."))],
    )
    department = SelectField(_("Forvaltning (for HR)"), validate_choice=False)

    def __init__(self, *args: Any, departments: Iterable[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.department.choices = department_choices(departments, empty_label=_("Ingen"))

    @property
    def department_id(self) -> int | None:
        return converters.optional_id(self.department.data, field="department")


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class NewUserForm(_AccessFields):
    email = EmailField(
        _("E-mail"),
        filters=[_stripped],
        validators=[
            DataRequired(_("Skriv brugerens e-mailadresse.")),
            Email(_("Skriv en gyldig e-mailadresse.")),
            Length(max=254, message=_("E-mailadressen må højst være %(max)d tegn.")),
        ],
    )


class EditUserForm(_AccessFields):
    pass


class UserActionForm(FlaskForm):
    """A button on a user's page: send a sign-in link, deactivate or activate."""

    action = HiddenField(validators=[DataRequired()])
