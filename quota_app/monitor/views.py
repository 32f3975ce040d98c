"""BIF's monitoring pages: the overview, the places behind a figure, drill-down and exports."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from .. import converters
from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..forecast.summary import GAP_ORDERS, WARNING_PCT, sort_gaps
from ..i18n import _
from ..levels import AT_FROM, NEAR_FROM, fulfilment_level
from ..models import STATUSES
from ..reconcile.places import places_behind
from ..reconcile.rules import PRO_RATA_RULE
from ..web import db_session, local_zone, localized, now, today
from . import drilldown, exporting, place_lists, presenters
from .forecasting import early_warning_for
from .forms import MeasureForm
from .measure import (
    DepartmentInfo,
    Measure,
    WhatIfChoice,
    active_departments,
    overrides_for,
    placement_types,
    what_if_choices,
)
from .overview import OPEN_LONGEST, build_overview
from .presenters import locale

bp = Blueprint(
    "monitor",
    __name__,
    url_prefix="/monitor",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/monitor",
)

MONITOR_ROLES = ("bif", "admin")
_YEAR = re.compile(r"^\s*([0-9]{4})")

bp.add_app_template_global(presenters.monitor_url)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "monitor_number": presenters.number,
        "monitor_percent": presenters.percent,
        "monitor_level": fulfilment_level,
        "monitor_level_text": presenters.LEVEL_TEXT,
        "monitor_status_text": presenters.STATUS_TEXT,
        "monitor_pro_rata_rule": PRO_RATA_RULE,
    }


def _year_asked(args: MultiDict) -> int:
    """The year the request asks about, for the what-if choices (the form validates it properly)."""
    for name in ("period", "date"):
        match = _YEAR.match(args.get(name, "") or "")
        if match and 2000 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return today().year


def _form() -> tuple[MeasureForm, list[WhatIfChoice]]:
    session = db_session()
    choices = what_if_choices(session, year=_year_asked(request.args))
    form = MeasureForm(request.args, now=now(), what_ifs=choices, locale=locale())
    return form, choices


def _bad_request(
    template: str, form: MeasureForm, action: str | None = None, **context: Any
) -> tuple[str, int]:
    """Show the form again with its errors (400), on the page that was asked for."""
    return render_template(template, form=form, form_action=action or request.path, **context), 400


def _link_args(form: MeasureForm, measure: Measure) -> dict[str, Any]:
    """The form's parameters with known-at pinned, so a linked page shows the same moment's figures."""
    args = form.query_args()
    args["known_at"] = measure.known_at.isoformat().replace("+00:00", "Z")
    return args


def _known_at_local(measure: Measure) -> str:
    return measure.known_at.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _asked_overview(*, action: str | None) -> tuple[tuple[MeasureForm, Measure, Any] | None, Any]:
    """The overview the form asks for, as ((form, measure, overview), None); or (None, the overview page again
    with the form's errors, 400) when the form or a what-if is refused."""
    form, choices = _form()
    if not form.validate():
        return None, _bad_request("monitor/overview.html", form=form, action=action, overview=None)
    measure = form.measure()
    overrides = overrides_for(choices, form.whatif.data or [])
    try:
        result = build_overview(db_session(), measure=measure, overrides=overrides, now=now())
    except DomainError as error:
        form.form_errors.append(localized(error))
        return None, _bad_request("monitor/overview.html", form=form, action=action, overview=None)
    return (form, measure, result), None


def _gap_order() -> str:
    """The order of the overview's gaps (?order=largest|smallest|department); anything else is 400."""
    order = request.args.get("order", GAP_ORDERS[0]) or GAP_ORDERS[0]
    if order not in GAP_ORDERS:
        abort(400, description=str(_("Ukendt sortering: %(order)s.", order=order)))
    return order


@bp.route("/")
@roles_required(*MONITOR_ROLES)
def overview() -> ResponseReturnValue:
    order = _gap_order()
    asked, refusal = _asked_overview(action=None)
    if asked is None:
        return refusal
    form, measure, result = asked
    session = db_session()
    warning = early_warning_for(session, now=now(), zone=local_zone())
    return render_template(
        "monitor/overview.html",
        form=form,
        overview=result,
        link_args=_link_args(form, measure),
        known_at_local=_known_at_local(measure),
        near_from=NEAR_FROM,
        at_from=AT_FROM,
        what_if_labels=[label for code, label in form.what_if_labels if code in (form.whatif.data or [])],
        matrix=presenters.matrix(result, _link_args(form, measure)),
        type_names={t.code: t.name(locale()) for t in result.types},
        pro_rata=presenters.has_pro_rata(result.adopted),
        longest_limit=OPEN_LONGEST,
        warning=warning,
        gaps=sort_gaps(warning.pace, order),
        gap_order=order,
        gap_orders=GAP_ORDERS,
        warning_pct=WARNING_PCT,
        department_names={d.code: d.name for d in result.departments},
    )


@bp.route("/export.<fmt>")
@roles_required(*MONITOR_ROLES)
def export(fmt: str) -> ResponseReturnValue:
    fmt = loading.file_format_or_404(fmt)
    asked, refusal = _asked_overview(action=url_for(".overview"))
    if asked is None:
        return refusal
    _asked_form, measure, result = asked
    rows = exporting.overview_rows(result, locale=locale(), labels=exporting.overview_labels())
    stamp = measure.period.label if measure.period else measure.day.isoformat()
    return exporting.download(
        rows, fmt=fmt, filename=f"kvoteopfyldelse-{stamp}.{fmt}", sheet=str(_("Overblik"))
    )


def _codes(name: str, known: list[str]) -> list[str]:
    value = request.args.get(name, "")
    if not value:
        return known
    if value not in known:
        abort(400, description=str(_("Ukendt kode: %(code)s.", code=value)))
    return [value]


def _places_asked(form: MeasureForm, choices: list[WhatIfChoice]) -> dict[str, Any]:
    """Parse a place-list request (after the form validated) and return the place ids and context."""
    session = db_session()
    departments = active_departments(session)
    types = placement_types(session)
    department_codes = _codes("department", [d.code for d in departments])
    type_codes = _codes("type", [t.code for t in types])
    status = request.args.get("status", "counted")
    if status not in (*STATUSES, "counted"):
        abort(400, description=str(_("Ukendt status: %(status)s.", status=status)))
    measure = form.measure()
    overrides = overrides_for(choices, form.whatif.data or [])
    ids = places_behind(
        session,
        as_of=measure.day,
        known_at=measure.known_at,
        department_codes=department_codes,
        type_codes=type_codes,
        status=None if status == "counted" else status,
        overrides=overrides,
        flow_from=measure.period.start if measure.period else None,
    )
    return {
        "ids": ids,
        "measure": measure,
        "status": status,
        "what_if": bool(overrides) and status == "counted",
        "type_names": {t.code: t.name(locale()) for t in types},
        "department_names": {d.code: d.name for d in departments},
    }


@bp.route("/places")
@roles_required(*MONITOR_ROLES)
def places() -> ResponseReturnValue:
    """The places behind a figure: one department or all, one type or all, a status or those counted."""
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    found = _places_asked(form, choices)
    ids, measure = found["ids"], found["measure"]
    page = request.args.get("page", "1")
    page_number = converters.int_or(page, 1, low=1, high=converters.MAX_PAGE)
    pages = max(1, -(-len(ids) // place_lists.PLACES_PER_PAGE))
    page_number = min(page_number, pages)
    shown = ids[(page_number - 1) * place_lists.PLACES_PER_PAGE : page_number * place_lists.PLACES_PER_PAGE]
    lines = place_lists.place_lines(
        db_session(), place_ids=shown, as_of=measure.day, known_at=measure.known_at
    )
    return render_template(
        "monitor/places.html",
        form=form,
        measure=measure,
        lines=lines,
        total=len(ids),
        page=page_number,
        pages=pages,
        status=found["status"],
        department=request.args.get("department"),
        type_code=request.args.get("type"),
        department_names=found["department_names"],
        type_names=found["type_names"],
        what_if=found["what_if"],
        link_args=_link_args(form, measure),
    )


@bp.route("/places.<fmt>")
@roles_required(*MONITOR_ROLES)
def places_export(fmt: str) -> ResponseReturnValue:
    """The places behind a figure as CSV or XLSX (every page)."""
    fmt = loading.file_format_or_404(fmt)
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    found = _places_asked(form, choices)
    measure = found["measure"]
    lines = place_lists.place_lines(
        db_session(), place_ids=found["ids"], as_of=measure.day, known_at=measure.known_at
    )
    rows = exporting.place_rows(lines, type_names=found["type_names"])
    stamp = measure.period.label if measure.period else measure.day.isoformat()
    return exporting.download(rows, fmt=fmt, filename=f"pladser-{stamp}.{fmt}", sheet=str(_("Pladser")))


def _department(code: str) -> DepartmentInfo:
    department = loading.department_by_code_or_404(code)
    return DepartmentInfo(department.id, department.code, department.name)


def _render_department_page(
    template: str, form: MeasureForm, info: DepartmentInfo, measure: Measure, **context: Any
) -> str:
    """Render one of a department's pages with the measure form and links that keep its parameters."""
    return render_template(
        template, form=form, department=info, measure=measure, link_args=_link_args(form, measure), **context
    )


@bp.route("/department/<code>")
@roles_required(*MONITOR_ROLES)
def department(code: str) -> ResponseReturnValue:
    info = _department(code)
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    session = db_session()
    figures = drilldown.department_figures(session, department=info, measure=measure, now=now())
    types = placement_types(session)
    warning = early_warning_for(session, now=now(), zone=local_zone(), department_codes=[info.code])
    return _render_department_page(
        "monitor/department.html",
        form,
        info,
        measure,
        summary=figures.summary,
        types=types,
        type_names={t.code: t.name(locale()) for t in types},
        pro_rata=presenters.has_pro_rata(figures.summary),
        units=figures.units,
        unit_total=figures.summary.by_department.get(info.code),
        longest=figures.longest,
        ageing=figures.ageing,
        fills=figures.fills,
        fill_period=figures.fill_period,
        warning=warning,
    )


@bp.route("/department/<code>/type/<type_code>")
@roles_required(*MONITOR_ROLES)
def trend(code: str, type_code: str) -> ResponseReturnValue:
    info = _department(code)
    session = db_session()
    types = {t.code: t for t in placement_types(session, active_only=False)}
    if type_code not in types:
        abort(404)
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    points, longest = drilldown.trend(
        session, department_code=code, type_code=type_code, measure=measure, now=now()
    )
    type_name = types[type_code].name(locale())
    title, svg = presenters.trend_chart(points, type_name=type_name, department_code=code)
    return _render_department_page(
        "monitor/trend.html",
        form,
        info,
        measure,
        type_code=type_code,
        type_name=type_name,
        points=points,
        svg=svg,
        title=title,
        longest=longest,
    )


@bp.route("/department/<code>/unit/<unit_ref>")
@roles_required(*MONITOR_ROLES)
def unit(code: str, unit_ref: str) -> ResponseReturnValue:
    """A unit's places on the date ('none' for the places without a unit)."""
    info = _department(code)
    session = db_session()
    found = loading.unit_ref_or_404(unit_ref, department_id=info.id)
    unit_id, unit_name = (found.id, found.name) if found is not None else (None, None)
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    ids = drilldown.unit_place_ids(
        session, department=info, unit_id=unit_id, as_of=measure.day, known_at=measure.known_at
    )
    lines = place_lists.place_lines(session, place_ids=ids, as_of=measure.day, known_at=measure.known_at)
    # The unit's figures are its line of the department page: the same computation, the same cache.
    figures = drilldown.department_figures(session, department=info, measure=measure, now=now())
    found_figures = next((u for u in figures.units if u.unit_id == unit_id), None)
    types = placement_types(session, active_only=False)
    return _render_department_page(
        "monitor/unit.html",
        form,
        info,
        measure,
        unit_name=unit_name,
        unit_figures=found_figures,
        active_types=[t for t in types if t.code in {r.type for r in figures.summary.rows}],
        lines=lines,
        type_names={t.code: t.name(locale()) for t in types},
    )
