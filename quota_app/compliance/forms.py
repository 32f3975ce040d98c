"""The compliance pages' forms: a workplace's P-number, its headcount, an exemption, a year's rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from ..form_fields import ConvertedBooleanField, ConvertedDateField, ConvertedIntegerField
from ..i18n import _
from .headcounts import MAX_EMPLOYEES
from .rules import MAX_PARAMETER

REQUIRED = _("Skal udfyldes.")


class PNumberForm(FlaskForm):
    p_number = StringField(_("P-nummer"), description=_("10 cifre; tomt fjerner P-nummeret."))
    submit = SubmitField(_("Gem P-nummer"))


class HeadcountForm(FlaskForm):
    effective_date = ConvertedDateField(_("Gælder fra"), validators=[InputRequired(REQUIRED)])
    ordinary_employees = ConvertedIntegerField(
        _("Ordinært ansatte"),
        low=0,
        high=MAX_EMPLOYEES,
        validators=[InputRequired(REQUIRED)],
        description=_(
            "Uden ansatte med offentligt tilskud (fleksjob, seniorjob, løntilskud) og projektansatte."
        ),
    )
    source = StringField(_("Kilde"), description=_("Fx lønsystemet pr. dato."))
    submit = SubmitField(_("Registrér antal ansatte"))


class ExemptionForm(FlaskForm):
    reference = StringField(_("Reference"), validators=[InputRequired(REQUIRED)])
    valid_from = ConvertedDateField(_("Fra"), validators=[InputRequired(REQUIRED)])
    valid_to = ConvertedDateField(_("Til og med"), validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_("Begrundelse"), validators=[InputRequired(REQUIRED)])
    submit = SubmitField(_("Registrér dispensation"))


class RuleForm(FlaskForm):
    covered_types = SelectMultipleField(_("Ordninger, som kravet gælder"), choices=[])
    per_place_low = ConvertedIntegerField(
        _("Ansatte pr. plads op til grænsen"), low=1, high=MAX_PARAMETER, validators=[InputRequired(REQUIRED)]
    )
    low_limit = ConvertedIntegerField(
        _("Grænse (ansatte)"), low=0, high=MAX_PARAMETER, validators=[InputRequired(REQUIRED)]
    )
    per_place_high = ConvertedIntegerField(
        _("Ansatte pr. plads over grænsen"), low=1, high=MAX_PARAMETER, validators=[InputRequired(REQUIRED)]
    )
    minimum = ConvertedIntegerField(
        _("Mindst antal pladser"), low=0, high=MAX_PARAMETER, validators=[InputRequired(REQUIRED)]
    )
    submit = SubmitField(_("Gem reglen"))


class StatementForm(FlaskForm):
    statement_date = ConvertedDateField(_("Udtalelsens dato"), validators=[InputRequired(REQUIRED)])
    representative_role = StringField(
        _("Repræsentantens rolle"),
        validators=[InputRequired(REQUIRED)],
        description=_("Fx tillidsrepræsentant eller arbejdsmiljørepræsentant. Aldrig navn eller CPR-nummer."),
    )
    net_addition = ConvertedBooleanField(_("Pladsen er en merbeskæftigelse (nettotilvækst)"))
    no_vacated_post = ConvertedBooleanField(
        _(
            "Pladsen er ikke en stilling, der er blevet ledig ved afskedigelse inden for de seneste tre måneder"
        )
    )
    pdf = FileField(_("Udtalelsen som PDF (valgfri)"), description=_("Højst 5 MB."))
    submit = SubmitField(_("Gem udtalelsen"))
