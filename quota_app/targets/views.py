"""BIF's pages for targets, municipality figures and counting rules (BIF and admin only)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..i18n import _
from ..imports.limits import ImportLimits
from ..models import STATUSES
from ..reconcile.rules import counting_rules as applied_rules
from ..texts import ByLanguage
from ..web import all_or_nothing, db_session, localized, now
from . import counting_rules, municipal_targets, services, target_import
from .forms import (
    STATUS_LABELS,
    CopyYearForm,
    DeriveForm,
    TargetImportForm,
    cell_key,
    grid_form_class,
    municipality_form_class,
    rules_form_class,
)

bp = Blueprint("targets", __name__, template_folder="templates", url_prefix="/targets")
EDITORS = ("bif", "admin")


def _this_year() -> int:
    return now().year


@bp.route("/")
@roles_required(*EDITORS)
def index() -> ResponseReturnValue:
    return redirect(url_for("targets.grid", year=_this_year()))


@bp.route("/<year:year>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def grid(year: int) -> ResponseReturnValue:
    loading.target_year_or_404(year)
    session = db_session()
    departments, types, targets = services.grid(session, year=year)
    cells = [(d.id, t.id, f"{d.code} – {t.name_da}") for d in departments for t in types]
    form_class = grid_form_class(cells)
    form = form_class()
    if request.method == "GET":
        for (department_id, type_id), target in targets.items():
            key = cell_key(department_id, type_id)
            if hasattr(form, f"value_{key}"):
                getattr(form, f"value_{key}").data = target.value
                getattr(form, f"decided_{key}").data = target.decided_on
                getattr(form, f"reference_{key}").data = target.reference
    if form.validate_on_submit():
        changed = 0
        for department_id, type_id, _label in cells:
            key = cell_key(department_id, type_id)
            value = getattr(form, f"value_{key}").data
            existing = targets.get((department_id, type_id))
            if value is None:
                if existing is not None:
                    getattr(form, f"value_{key}").errors.append(
                        _("Et måltal kan ikke slettes; skriv 0 i stedet.")
                    )
                continue
            before = existing.id if existing else None
            old = (existing.value, existing.decided_on, existing.reference) if existing else None
            try:
                target = services.set_target(
                    session,
                    year=year,
                    department_id=department_id,
                    type_id=type_id,
                    value=value,
                    decided_on=getattr(form, f"decided_{key}").data,
                    reference=getattr(form, f"reference_{key}").data or "",
                    actor=current_user,
                    now=now(),
                )
            except DomainError as exc:
                getattr(form, f"value_{key}").errors.append(localized(exc))
                continue
            if before is None or old != (target.value, target.decided_on, target.reference):
                changed += 1
        if all_or_nothing(
            session, refused=any(field.errors for field in form), done=_("%(n)d måltal gemt.", n=changed)
        ):
            return redirect(url_for("targets.grid", year=year))
    return render_template(
        "targets/grid.html",
        year=year,
        form=form,
        departments=departments,
        types=types,
        targets=targets,
        cell_key=cell_key,
        warnings=municipal_targets.sum_warnings(session, year=year),
        copy_form=CopyYearForm(),
        has_targets=bool(targets),
    )


@bp.route("/<year:year>/copy", methods=["POST"])
@roles_required(*EDITORS)
def copy(year: int) -> ResponseReturnValue:
    loading.target_year_or_404(year)
    form = CopyYearForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        copied = services.copy_year(session, from_year=year - 1, to_year=year, actor=current_user, now=now())
    except DomainError as exc:
        session.rollback()
        flash(localized(exc), "error")
    else:
        session.commit()
        flash(_("%(n)d måltal kopieret fra %(year)d.", n=copied, year=year - 1), "success")
    return redirect(url_for("targets.grid", year=year))


@bp.route("/history/<id:target_id>")
@roles_required(*EDITORS)
def history(target_id: int) -> ResponseReturnValue:
    session = db_session()
    target = loading.target_or_404(target_id)
    revisions = services.target_history(session, target_id=target_id)
    return render_template(
        "targets/history.html",
        target=target,
        department=loading.department_or_404(target.department_id),
        placement_type=loading.placement_type_or_404(target.type_id),
        revisions=revisions,
        authors=services.revision_authors(session, revisions),
    )


@bp.route("/<year:year>/municipality", methods=["GET", "POST"])
@roles_required(*EDITORS)
def municipality(year: int) -> ResponseReturnValue:
    loading.target_year_or_404(year)
    session = db_session()
    departments = services.active_departments(session)
    types = services.active_types(session)
    form = municipality_form_class(
        [(t.id, t.name_da) for t in types], [(d.id, f"{d.code} {d.name}") for d in departments]
    )()
    municipal = municipal_targets.municipality_targets(session, year=year)
    counts = municipal_targets.headcounts(session, year=year)
    if request.method == "GET":
        for t in types:
            if t.id in municipal:
                getattr(form, f"municipal_{t.id}").data = municipal[t.id].value
        for d in departments:
            getattr(form, f"headcount_{d.id}").data = counts.get(d.id)
        first = next(iter(municipal.values()), None)
        if first is not None:
            form.decided_on.data, form.reference.data = first.decided_on, first.reference
    if form.validate_on_submit():
        for t in types:
            value = getattr(form, f"municipal_{t.id}").data
            if value is not None:
                municipal_targets.set_municipality_target(
                    session,
                    year=year,
                    type_id=t.id,
                    value=value,
                    decided_on=form.decided_on.data,
                    reference=form.reference.data or "",
                    actor=current_user,
                    now=now(),
                )
        for d in departments:
            employees = getattr(form, f"headcount_{d.id}").data
            if employees is not None and counts.get(d.id) != employees:
                municipal_targets.set_headcount(
                    session, year=year, department_id=d.id, employees=employees, actor=current_user, now=now()
                )
        session.commit()
        flash(_("Kommunale måltal og antal ansatte gemt."), "success")
        return redirect(url_for("targets.municipality", year=year))
    return render_template(
        "targets/municipality.html",
        year=year,
        form=form,
        types=types,
        departments=departments,
        municipal=municipal,
        derive_form=DeriveForm(),
        warnings=municipal_targets.sum_warnings(session, year=year),
    )


@bp.route("/<year:year>/derive", methods=["POST"])
@roles_required(*EDITORS)
def derive(year: int) -> ResponseReturnValue:
    loading.target_year_or_404(year)
    form = DeriveForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    placement_type = loading.placement_type_or_404(form.type_id.data)
    try:
        parts = municipal_targets.derive_department_targets(
            session, year=year, type_id=placement_type.id, actor=current_user, now=now()
        )
    except DomainError as exc:
        session.rollback()
        flash(localized(exc), "error")
    else:
        session.commit()
        flash(
            _(
                "%(type)s: %(total)d fordelt på %(n)d forvaltninger.",
                type=placement_type.name_da,
                total=sum(parts.values()),
                n=len(parts),
            ),
            "success",
        )
    return redirect(url_for("targets.municipality", year=year))


@bp.route("/<year:year>/rules", methods=["GET", "POST"])
@roles_required(*EDITORS)
def rules(year: int) -> ResponseReturnValue:
    """One table of types × statuses with the weighting beside each type, saved all together or not at all."""
    loading.target_year_or_404(year)
    session = db_session()
    types = services.active_types(session)
    names = {t.id: localized(ByLanguage(da=t.name_da, en=t.name_en)) for t in types}
    form = rules_form_class([(t.id, names[t.id], t.measure == "stock") for t in types])()
    current = counting_rules.rules_for_year(session, year=year)
    if request.method == "GET":
        # What counts this year: the adopted rule, or the default a year without one counts by.
        applied_by_code = applied_rules(session, year=year, types=types)
        for t in types:
            applied = applied_by_code[t.code]
            getattr(form, f"weighting_{t.id}").data = applied.weighting
            if t.measure == "stock":
                for status in STATUSES:
                    getattr(form, f"count_{t.id}_{status}").data = status in applied.statuses
    if form.validate_on_submit():
        failed = False
        for t in types:
            statuses = (
                [s for s in STATUSES if getattr(form, f"count_{t.id}_{s}").data]
                if t.measure == "stock"
                else []
            )
            weighting = getattr(form, f"weighting_{t.id}").data
            rule = current.get(t.id)
            if rule is not None and rule.statuses == tuple(statuses) and rule.weighting == weighting:
                continue
            try:
                counting_rules.set_counting_rule(
                    session,
                    year=year,
                    type_id=t.id,
                    counted_statuses=statuses,
                    weighting=weighting,
                    actor=current_user,
                    now=now(),
                )
            except DomainError as exc:
                getattr(form, f"weighting_{t.id}").errors.append(f"{names[t.id]}: {localized(exc)}")
                failed = True
        if all_or_nothing(session, refused=failed, done=_("Tælleregler for %(year)d gemt.", year=year)):
            return redirect(url_for("targets.rules", year=year))
    return render_template(
        "targets/rules.html",
        year=year,
        form=form,
        types=types,
        type_names=names,
        statuses=STATUSES,
        status_labels=STATUS_LABELS,
    )


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_file() -> ResponseReturnValue:
    form = TargetImportForm()
    result = None
    if form.validate_on_submit():
        session = db_session()
        upload = form.file.data
        try:
            result = target_import.import_targets(
                session,
                data=upload.read(),
                filename=upload.filename or "",
                actor=current_user,
                now=now(),
                dry_run=bool(form.dry_run.data),
                limits=ImportLimits.from_settings(current_app.config["QUOTA_SETTINGS"]),
            )
        except DomainError as exc:
            session.rollback()
            form.file.errors = [*form.file.errors, localized(exc)]
        else:
            if result.ok and not form.dry_run.data:
                session.commit()
            else:
                session.rollback()
    return render_template(
        "targets/import.html", form=form, result=result, dry_run=bool(form.dry_run.data), year=_this_year()
    )
