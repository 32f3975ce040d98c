"""The compliance pages: workplaces against the proportionality rule (BIF: all departments, HR: its own),
a workplace's page (P-number, headcount history, exemptions, the places filling it), the rule per year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import Session, col, select

from .. import converters
from ..auth.services import can_see_all_departments, visible_department_ids
from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..exports.views import download
from ..i18n import _
from ..models import Department, PlacementType, Unit
from ..web import db_session, localized, now, today
from . import exemptions, headcounts, rules
from .blueprint import bp
from .figures import Compliance, compliance, places_at
from .forms import ExemptionForm, HeadcountForm, PNumberForm, RuleForm

EXPORT_HEADER = (
    "Forvaltning",
    "Arbejdssted",
    "P-nummer",
    "Ordinære ansatte",
    "Loft",
    "Besat",
    "Ledigt",
    "Over",
    "Mangler udtalelse",
    "Dispensation",
)


def _moment() -> tuple[date, datetime]:
    """The page's date (?as_of=, default today) and knowledge time (?known_at=, default now); 400 if bad."""
    try:
        as_of = converters.parse_date(request.args.get("as_of") or today(), field="as_of")
        known_text = request.args.get("known_at") or ""
        known_at = converters.parse_timestamp(known_text) if known_text else now()
    except converters.ConversionError as error:
        abort(400, description=localized(error.message))
    return as_of, known_at


def _department_ids() -> list[int]:
    """HR: its own department; BIF and admin: ?department=CODE or all."""
    code = request.args.get("department") or ""
    if code:
        return [loading.department_by_code_or_404(code).id]
    return visible_department_ids(db_session(), current_user)


def _figures() -> Compliance:
    as_of, known_at = _moment()
    return compliance(db_session(), as_of=as_of, known_at=known_at, department_ids=_department_ids())


@bp.route("/")
@roles_required("hr", "bif", "admin")
def index() -> ResponseReturnValue:
    session = db_session()
    result = _figures()
    departments = (
        session.exec(select(Department).order_by(col(Department.sort), col(Department.code))).all()
        if can_see_all_departments(current_user)
        else []
    )
    types = {t.code: t for t in session.exec(select(PlacementType)).all()}
    return render_template(
        "compliance/index.html",
        result=result,
        departments=departments,
        chosen=request.args.get("department") or "",
        known_at_text=request.args.get("known_at") or "",
        covered_names=[_type_name(types[c]) if c in types else c for c in result.covered],
    )


def _type_name(placement_type: PlacementType) -> str:
    return placement_type.name_en if str(get_locale() or "da") == "en" else placement_type.name_da


@bp.route("/export.<fmt>")
@roles_required("hr", "bif", "admin")
def export(fmt: str) -> ResponseReturnValue:
    result = _figures()
    rows = [
        [
            r.department,
            r.unit,
            r.p_number or "",
            r.ordinary_employees,
            r.ceiling,
            r.occupied,
            r.free,
            r.over,
            r.missing_statements,
            r.exemption or "",
        ]
        for r in result.rows
    ]
    return download(
        EXPORT_HEADER,
        rows,
        fmt=fmt,
        name=f"rimelighedskrav-{result.as_of.isoformat()}",
        sheet_title="Rimelighedskrav",
    )


def _workplace_page(unit: Unit, *, status_code: int = 200, **forms: FlaskForm) -> ResponseReturnValue:
    session = db_session()
    as_of, known_at = _moment()
    forms.setdefault("p_form", PNumberForm(formdata=None, p_number=unit.p_number or ""))
    forms.setdefault("headcount_form", HeadcountForm(formdata=None))
    forms.setdefault("exemption_form", ExemptionForm(formdata=None))
    department = session.get(Department, unit.department_id)
    result = compliance(session, as_of=as_of, known_at=known_at, department_ids=[unit.department_id])
    row = next((r for r in result.rows if r.unit_id == unit.id), None)
    types = {t.code: t for t in session.exec(select(PlacementType)).all()}
    return (
        render_template(
            "compliance/workplace.html",
            unit=unit,
            department=department,
            row=row,
            as_of=as_of,
            places=places_at(session, unit=unit, as_of=as_of, known_at=known_at),
            history=headcounts.history(session, unit_id=unit.id),
            exemptions=exemptions.unit_exemptions(session, unit_id=unit.id),
            types=types,
            may_exempt=can_see_all_departments(current_user),
            **forms,
        ),
        status_code,
    )


@bp.route("/arbejdssted/<id:unit_id>")
@roles_required("hr", "bif", "admin")
def workplace(unit_id: int) -> ResponseReturnValue:
    return _workplace_page(loading.workplace_or_404(unit_id))


def _save(
    unit: Unit, form: FlaskForm, form_key: str, change: Callable[[Session], object], done: str
) -> ResponseReturnValue:
    """Validate, call the service, commit and redirect; or the page again with the errors (422)."""
    session = db_session()
    if form.validate_on_submit():
        try:
            change(session)
            session.commit()
        except DomainError as error:
            session.rollback()
            target = getattr(form, error.field, None) if error.field else None
            if target is not None and hasattr(target, "errors"):
                target.errors = [*target.errors, localized(error)]
            else:
                form.form_errors.append(localized(error))
        else:
            flash(done, "success")
            return redirect(url_for("compliance.workplace", unit_id=unit.id))
    return _workplace_page(unit, status_code=422, **{form_key: form})


@bp.route("/arbejdssted/<id:unit_id>/p-nummer", methods=["POST"])
@roles_required("hr", "bif", "admin")
def set_p_number(unit_id: int) -> ResponseReturnValue:
    unit = loading.workplace_or_404(unit_id)
    form = PNumberForm()
    return _save(
        unit,
        form,
        "p_form",
        lambda session: headcounts.set_p_number(
            session, unit_id=unit.id, p_number=form.p_number.data or None, actor=current_user, now=now()
        ),
        _("P-nummeret er gemt."),
    )


@bp.route("/arbejdssted/<id:unit_id>/ansatte", methods=["POST"])
@roles_required("hr", "bif", "admin")
def record_headcount(unit_id: int) -> ResponseReturnValue:
    unit = loading.workplace_or_404(unit_id)
    form = HeadcountForm()
    return _save(
        unit,
        form,
        "headcount_form",
        lambda session: headcounts.record_headcount(
            session,
            unit_id=unit.id,
            effective_date=form.effective_date.data,
            ordinary_employees=form.ordinary_employees.data,
            source=form.source.data or "",
            actor=current_user,
            now=now(),
        ),
        _("Antallet af ordinært ansatte er registreret."),
    )


@bp.route("/arbejdssted/<id:unit_id>/dispensation", methods=["POST"])
@roles_required("bif", "admin")
def record_exemption(unit_id: int) -> ResponseReturnValue:
    unit = loading.workplace_or_404(unit_id)
    form = ExemptionForm()
    return _save(
        unit,
        form,
        "exemption_form",
        lambda session: exemptions.record_exemption(
            session,
            unit_id=unit.id,
            reference=form.reference.data or "",
            valid_from=form.valid_from.data,
            valid_to=form.valid_to.data,
            reason=form.reason.data or "",
            actor=current_user,
            now=now(),
        ),
        _("Dispensationen er registreret."),
    )


@bp.route("/regler/<year:year>", methods=["GET", "POST"])
@roles_required("bif", "admin")
def rule(year: int) -> ResponseReturnValue:
    session = db_session()
    types = session.exec(select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.id))).all()
    current = rules.rule_for_year(session, year=year)
    form = (
        RuleForm()
        if request.method == "POST"
        else RuleForm(
            formdata=None,
            covered_types=list(current.covered),
            per_place_low=current.per_place_low,
            low_limit=current.low_limit,
            per_place_high=current.per_place_high,
            minimum=current.minimum,
        )
    )
    form.covered_types.choices = [(t.code, _type_name(t)) for t in types]
    status_code = 200
    if request.method == "POST":
        status_code = 422
        if form.validate_on_submit():
            try:
                rules.set_rule(
                    session,
                    year=year,
                    covered_types=form.covered_types.data or [],
                    per_place_low=form.per_place_low.data,
                    low_limit=form.low_limit.data,
                    per_place_high=form.per_place_high.data,
                    minimum=form.minimum.data,
                    actor=current_user,
                    now=now(),
                )
                session.commit()
            except DomainError as error:
                session.rollback()
                form.form_errors.append(localized(error))
            else:
                flash(_("Reglen for %(year)s er gemt.", year=year), "success")
                return redirect(url_for("compliance.rule", year=year))
    examples = [(n, current.ceiling(n)) for n in (0, 9, 10, 24, 50, 59, 60, 100)]
    return render_template("compliance/rule.html", form=form, year=year, examples=examples), status_code


from . import statement_views  # noqa: E402, F401  (its routes on bp)
