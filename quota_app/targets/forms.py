"""Forms for the target grid, municipality figures, counting rules and the target import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..form_fields import ConvertedBooleanField, SelectChoice, import_file_field
from ..form_fields import ConvertedDateField as DateField
from ..form_fields import ConvertedIntegerField as IntegerField
from ..i18n import _
from ..models import STATUSES
from ..vocabulary import STATUS_NAMES
from .checks import MAX_VALUE

NON_NEGATIVE = NumberRange(min=0, max=MAX_VALUE, message=_("Skriv et helt tal, 0 eller større."))
DATE_ERROR = _("Skriv en dato som åååå-mm-dd.")


def cell_key(department_id: int, type_id: int) -> str:
    return f"{department_id}_{type_id}"


def grid_form_class(cells: list[tuple[int, int, str]]) -> type[FlaskForm]:
    """Return a form with value, decision date and reference fields for every (department, type) cell."""

    class GridForm(FlaskForm):
        submit = SubmitField(_("Gem måltal"))

    for department_id, type_id, label in cells:
        key = cell_key(department_id, type_id)
        setattr(
            GridForm,
            f"value_{key}",
            IntegerField(
                _("%(cell)s: måltal", cell=label),
                validators=[Optional(), NON_NEGATIVE],
                render_kw={"inputmode": "numeric", "min": 0, "size": 5},
            ),
        )
        setattr(
            GridForm,
            f"decided_{key}",
            DateField(_("%(cell)s: besluttet", cell=label), validators=[Optional()]),
        )
        setattr(
            GridForm,
            f"reference_{key}",
            StringField(_("%(cell)s: reference", cell=label), validators=[Optional(), Length(max=300)]),
        )
    return GridForm


class MunicipalityForm(FlaskForm):
    """The fields every municipality form has; municipality_form_class adds one per type and department."""

    decided_on = DateField(_("Besluttet den"), validators=[Optional()])
    reference = StringField(_("Reference (fx BR-beslutning)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_("Gem kommunale tal"))


def municipality_form_class(
    type_ids: list[tuple[int, str]], department_ids: list[tuple[int, str]]
) -> type[MunicipalityForm]:
    """Return a form with a municipality figure per type and a headcount per department."""

    class YearForm(MunicipalityForm):
        pass

    for type_id, label in type_ids:
        setattr(
            YearForm,
            f"municipal_{type_id}",
            IntegerField(label, validators=[Optional(), NON_NEGATIVE], render_kw={"inputmode": "numeric"}),
        )
    for department_id, label in department_ids:
        setattr(
            YearForm,
            f"headcount_{department_id}",
            IntegerField(
                _("%(department)s: antal ansatte", department=label),
                validators=[Optional(), NumberRange(min=0, max=10_000_000)],
                render_kw={"inputmode": "numeric"},
            ),
        )
    return YearForm


class DeriveForm(FlaskForm):
    type_id = IntegerField(validators=[InputRequired()])
    submit = SubmitField(_("Fordel efter antal ansatte"))


# The statuses as the counting rules table names them (its columns, and its checkboxes' labels).
STATUS_LABELS = {code: _(word.msgid) for code, word in STATUS_NAMES.items()}


def rules_form_class(types: list[tuple[int, str, bool]]) -> type[FlaskForm]:
    """Return a form with counted-status checkboxes (stock types) and a weighting per type."""

    class RulesForm(FlaskForm):
        submit = SubmitField(_("Gem tælleregler"))

    status_labels = STATUS_LABELS
    for type_id, label, is_stock in types:
        if is_stock:
            for status in STATUSES:
                setattr(
                    RulesForm,
                    f"count_{type_id}_{status}",
                    ConvertedBooleanField(
                        _("%(type)s: tæl %(status)s", type=label, status=status_labels[status])
                    ),
                )
        setattr(
            RulesForm,
            f"weighting_{type_id}",
            SelectField(
                _("%(type)s: vægtning", type=label),
                choices=[
                    SelectChoice("headcount", _("antal pladser")),
                    SelectChoice("fte", _("årsværk (fte)")),
                ],
            ),
        )
    return RulesForm


class CopyYearForm(FlaskForm):
    submit = SubmitField(_("Kopiér sidste års måltal"))


class TargetImportForm(FlaskForm):
    file = import_file_field()
    dry_run = BooleanField(_("Prøv kun (gem intet)"))
    submit = SubmitField(_("Indlæs måltal"))
