"""BIF's monitoring pages: the overview, the places behind a figure, drill-down and exports."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from .. import converters
from ..auth.views import roles_required
from ..errors import DomainError
from ..i18n import _
from ..models import STATUSES, Department, Unit
from ..web import db_session, local_zone, localized, now, today
from . import charts, services
from .forms import MeasureForm

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


def locale() -> str:
    return str(get_locale() or "da")


_SEPARATORS = {"da": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def format_figure(value: float | int, *, digits: int, locale_code: str, fixed: bool = False) -> str:
    """Format a number with the locale's separators; trailing zero decimals dropped unless fixed."""
    group, decimal = _SEPARATORS.get(locale_code, _SEPARATORS["da"])
    text = f"{abs(value):,.{digits}f}"
    if digits and not fixed:
        text = text.rstrip("0").rstrip(".")
    whole, _dot, fraction = text.partition(".")
    text = whole.replace(",", group) + (decimal + fraction if fraction else "")
    negative = value < 0 and text.strip("0.,") != ""
    return ("-" if negative else "") + text


def number(value: float | int | None, digits: int = 2) -> str:
    """Format a figure the reader's way (decimal comma in Danish), with at most `digits` decimals."""
    if value is None:
        return "–"
    return format_figure(value, digits=digits, locale_code=locale())


def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return format_figure(value, digits=1, locale_code=locale(), fixed=True) + " %"


LEVEL_TEXT = {
    "below": _("Under mål"),
    "near": _("Tæt på mål"),
    "at": _("Mål nået"),
    "none": _("Intet måltal"),
}
STATUS_TEXT = {"open": _("Åben"), "filled": _("Besat"), "paused": _("I bero"), "closed": _("Nedlagt")}


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "monitor_number": number,
        "monitor_percent": percent,
        "monitor_level": services.fulfilment_level,
        "monitor_level_text": LEVEL_TEXT,
        "monitor_status_text": STATUS_TEXT,
    }


def _year_asked(args: MultiDict) -> int:
    """The year the request asks about, for the what-if choices (the form validates it properly)."""
    for name in ("period", "date"):
        match = _YEAR.match(args.get(name, "") or "")
        if match and 2000 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return today().year


def _form() -> tuple[MeasureForm, list[services.WhatIfChoice]]:
    session = db_session()
    choices = services.what_if_choices(session, year=_year_asked(request.args))
    form = MeasureForm(request.args, now=now(), what_ifs=choices, locale=locale())
    return form, choices


def _bad_request(
    template: str, form: MeasureForm, action: str | None = None, **context: Any
) -> tuple[str, int]:
    """Show the form again with its errors (400), on the page that was asked for."""
    return render_template(template, form=form, form_action=action or request.path, **context), 400


def _link_args(form: MeasureForm, measure: services.Measure) -> dict[str, Any]:
    """The form's parameters with known-at pinned, so a linked page shows the same moment's figures."""
    args = form.query_args()
    args["known_at"] = measure.known_at.isoformat().replace("+00:00", "Z")
    return args


def _known_at_local(measure: services.Measure) -> str:
    return measure.known_at.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


@bp.route("/")
@roles_required(*MONITOR_ROLES)
def overview():  # type: ignore[no-untyped-def]
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    session = db_session()
    overrides = services.overrides_for(choices, form.whatif.data or [])
    try:
        result = services.build_overview(session, measure=measure, overrides=overrides, now=now())
    except DomainError as error:
        form.form_errors.append(localized(error))
        return _bad_request("monitor/overview.html", form=form, overview=None)
    return render_template(
        "monitor/overview.html",
        form=form,
        overview=result,
        link_args=_link_args(form, measure),
        known_at_local=_known_at_local(measure),
        near_from=services.NEAR_FROM,
        at_from=services.AT_FROM,
        what_if_labels=[label for code, label in form.whatif.choices if code in (form.whatif.data or [])],
        matrix=_matrix(result, _link_args(form, measure)),
    )


def _matrix(overview: services.Overview, args: dict[str, Any]) -> dict[str, Any]:
    """Every cell of the overview as ready text and links: the page has 56 cells or more, and building
    them here is several times faster than template macros."""
    text = {
        "adopted": str(_("Vedtaget")),
        "what_if": str(_("Hvad nu hvis")),
        "link": str(_("%(counted)s optalt, vis pladserne")),
        "what_if_link": str(_("%(counted)s optalt med hvad-nu-hvis-reglen, vis pladserne")),
        "short": str(_("mangler %(n)s")),
        "over": str(_("%(n)s over")),
        "pro_rata": str(_("halvårets andel af måltallet: %(n)s")),
    }
    levels = {level: str(label) for level, label in LEVEL_TEXT.items()}
    what_if_args = dict(args)
    adopted_args = {k: v for k, v in args.items() if k != "whatif"}

    def block(row: Any, department: str | None, type_code: str | None, what_if: bool, labelled: bool) -> dict:
        level = services.fulfilment_level(row.fulfilment_pct)
        counted = number(row.counted)
        gap = None
        if row.gap is not None:
            gap = (
                text["short"] % {"n": number(row.gap)}
                if row.gap > 0
                else text["over"] % {"n": number(-row.gap)}
            )
        link_args = what_if_args if what_if else adopted_args
        return {
            "label": (text["what_if"] if what_if else text["adopted"]) if labelled else None,
            "what_if": what_if,
            "level": level,
            "level_text": levels[level],
            "href": monitor_url(
                "monitor.places", link_args, department=department, type=type_code, status="counted"
            ),
            "aria": (text["what_if_link"] if what_if else text["link"]) % {"counted": counted},
            "counted": counted,
            "target": number(row.target),
            "pct": percent(row.fulfilment_pct),
            "gap": gap,
            "pro_rata": (
                text["pro_rata"] % {"n": number(row.target_pro_rata, 1)}
                if getattr(row, "target_pro_rata", None) is not None
                else None
            ),
        }

    def cell(adopted: Any, what_if: Any, department: str | None, type_code: str | None, both: bool) -> list:
        if adopted is None:
            return []
        blocks = [block(adopted, department, type_code, False, both)]
        if both and what_if is not None:
            blocks.append(block(what_if, department, type_code, True, True))
        return blocks

    wi = overview.what_if
    changed = overview.overridden_types if wi is not None else set()
    rows = []
    for d in overview.departments:
        cells = [
            cell(
                overview.cell(d.code, t.code),
                overview.what_if_cell(d.code, t.code),
                d.code,
                t.code,
                t.code in changed,
            )
            for t in overview.types
        ]
        cells.append(
            cell(
                overview.adopted.by_department.get(d.code),
                wi.by_department.get(d.code) if wi else None,
                d.code,
                None,
                wi is not None,
            )
        )
        rows.append({"department": d, "cells": cells})
    totals = [
        cell(
            overview.adopted.by_type.get(t.code),
            wi.by_type.get(t.code) if wi else None,
            None,
            t.code,
            t.code in changed,
        )
        for t in overview.types
    ]
    totals.append(
        cell(overview.adopted.municipality, wi.municipality if wi else None, None, None, wi is not None)
    )
    return {"rows": rows, "totals": totals}


def _export_labels() -> dict[str, str]:
    return {
        key: str(value)
        for key, value in {
            "department": _("Forvaltning"),
            "type": _("Ordning"),
            "rule": _("Tæller"),
            "target": _("Måltal"),
            "counted": _("Optalt"),
            "fulfilment": _("Opfyldelse (%)"),
            "gap": _("Mangler"),
            "level": _("Status"),
            "what_if_counted": _("Hvad nu hvis: optalt"),
            "what_if_fulfilment": _("Hvad nu hvis: opfyldelse (%)"),
            "what_if_gap": _("Hvad nu hvis: mangler"),
            "total": _("I alt"),
            "municipality": _("Kommunen"),
            **{f"level_{level}": text for level, text in LEVEL_TEXT.items()},
        }.items()
    }


@bp.route("/export.<fmt>")
@roles_required(*MONITOR_ROLES)
def export(fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    measure = form.measure()
    session = db_session()
    overrides = services.overrides_for(choices, form.whatif.data or [])
    try:
        result = services.build_overview(session, measure=measure, overrides=overrides, now=now())
    except DomainError as error:
        form.form_errors.append(localized(error))
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    rows = services.overview_rows(result, locale=locale(), labels=_export_labels())
    stamp = measure.period.label if measure.period else measure.day.isoformat()
    return _download(rows, fmt=fmt, filename=f"kvoteopfyldelse-{stamp}.{fmt}", sheet=str(_("Overblik")))


def _codes(name: str, known: list[str]) -> list[str]:
    value = request.args.get(name, "")
    if not value:
        return known
    if value not in known:
        abort(400, description=str(_("Ukendt kode: %(code)s.", code=value)))
    return [value]


def _places_behind(form: MeasureForm, choices: list[services.WhatIfChoice]) -> dict[str, Any]:
    """Parse a place-list request (after the form validated) and return the place ids and context."""
    session = db_session()
    departments = services.active_departments(session)
    types = services.placement_types(session)
    department_codes = _codes("department", [d.code for d in departments])
    type_codes = _codes("type", [t.code for t in types])
    status = request.args.get("status", "counted")
    if status not in (*STATUSES, "counted"):
        abort(400, description=str(_("Ukendt status: %(status)s.", status=status)))
    measure = form.measure()
    overrides = services.overrides_for(choices, form.whatif.data or [])
    ids = services.places_behind(
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
def places():  # type: ignore[no-untyped-def]
    """The places behind a figure: one department or all, one type or all, a status or those counted."""
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    found = _places_behind(form, choices)
    ids, measure = found["ids"], found["measure"]
    page = request.args.get("page", "1")
    page_number = converters.int_or(page, 1, low=1, high=converters.MAX_PAGE)
    pages = max(1, -(-len(ids) // services.PLACES_PER_PAGE))
    page_number = min(page_number, pages)
    shown = ids[(page_number - 1) * services.PLACES_PER_PAGE : page_number * services.PLACES_PER_PAGE]
    lines = services.place_lines(db_session(), place_ids=shown, as_of=measure.day, known_at=measure.known_at)
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
def places_export(fmt: str):  # type: ignore[no-untyped-def]
    """The places behind a figure as CSV or XLSX (every page)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form, choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, action=url_for(".overview"), overview=None)
    found = _places_behind(form, choices)
    measure = found["measure"]
    lines = services.place_lines(
        db_session(), place_ids=found["ids"], as_of=measure.day, known_at=measure.known_at
    )
    header = [
        str(_("Reference")),
        str(_("Titel")),
        str(_("Forvaltning")),
        str(_("Enhed")),
        str(_("Ordning")),
        str(_("Årsværk")),
        str(_("Status på datoen")),
    ]
    rows = [header] + [
        [
            line.reference,
            line.title,
            line.department,
            line.unit or "",
            found["type_names"].get(line.type, line.type),
            line.fte,
            str(STATUS_TEXT[line.status]) if line.status else "",
        ]
        for line in lines
    ]
    stamp = measure.period.label if measure.period else measure.day.isoformat()
    return _download(rows, fmt=fmt, filename=f"pladser-{stamp}.{fmt}", sheet=str(_("Pladser")))


def _download(rows: list[list[Any]], *, fmt: str, filename: str, sheet: str) -> Response:
    from . import exporting

    data, mimetype = exporting.render(rows, fmt=fmt, sheet=sheet)
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _department(code: str) -> services.DepartmentInfo:
    department = db_session().exec(select(Department).where(Department.code == code)).first()
    if department is None:
        abort(404)
    return services.DepartmentInfo(department.id, department.code, department.name)  # type: ignore[arg-type]


def _render_department_page(
    template: str, form: MeasureForm, info: services.DepartmentInfo, measure: services.Measure, **context: Any
) -> str:
    """Render one of a department's pages with the measure form and links that keep its parameters."""
    return render_template(
        template, form=form, department=info, measure=measure, link_args=_link_args(form, measure), **context
    )


@bp.route("/department/<code>")
@roles_required(*MONITOR_ROLES)
def department(code: str):  # type: ignore[no-untyped-def]
    info = _department(code)
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    session = db_session()
    figures = services.department_figures(session, department=info, measure=measure, now=now())
    types = services.placement_types(session)
    return _render_department_page(
        "monitor/department.html",
        form,
        info,
        measure,
        summary=figures.summary,
        types=types,
        type_names={t.code: t.name(locale()) for t in types},
        units=figures.units,
        longest=figures.longest,
        ageing=figures.ageing,
        fills=figures.fills,
        fill_period=figures.fill_period,
    )


@bp.route("/department/<code>/type/<type_code>")
@roles_required(*MONITOR_ROLES)
def trend(code: str, type_code: str):  # type: ignore[no-untyped-def]
    info = _department(code)
    session = db_session()
    types = {t.code: t for t in services.placement_types(session, active_only=False)}
    if type_code not in types:
        abort(404)
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    points, longest = services.trend(
        session, department_code=code, type_code=type_code, measure=measure, now=now()
    )
    type_name = types[type_code].name(locale())
    title = str(_("%(type)s i %(department)s: optalt mod måltal pr. måned", type=type_name, department=code))
    description = ""
    if points:
        first, last = points[0], points[-1]
        description = str(
            _(
                "Fra %(start)s til %(end)s gik det optalte fra %(a)s til %(b)s; måltallet er nu %(target)s.",
                start=first[0].strftime("%m.%Y"),
                end=last[0].strftime("%m.%Y"),
                a=number(first[1]),
                b=number(last[1]),
                target=number(last[2]),
            )
        )
    svg = charts.trend_svg(
        points,
        chart_id="trend",
        title=title,
        description=description,
        counted_label=str(_("Optalt")),
        target_label=str(_("Måltal")),
        number=lambda v: number(v, 1),
    )
    return _render_department_page(
        "monitor/trend.html",
        form,
        info,
        measure,
        type_code=type_code,
        type_name=type_name,
        points=points,
        svg=Markup(svg),  # noqa: S704 - built by charts.trend_svg, every text escaped there
        title=title,
        longest=longest,
    )


@bp.route("/department/<code>/unit/<unit_ref>")
@roles_required(*MONITOR_ROLES)
def unit(code: str, unit_ref: str):  # type: ignore[no-untyped-def]
    """A unit's places on the date ('none' for the places without a unit)."""
    info = _department(code)
    session = db_session()
    unit_id: int | None = None
    unit_name = None
    if unit_ref != "none":
        if not converters.is_id(unit_ref):
            abort(404)
        found = session.get(Unit, converters.parse_id(unit_ref))
        if found is None or found.department_id != info.id:
            abort(404)
        unit_id, unit_name = found.id, found.name
    form, _choices = _form()
    if not form.validate():
        return _bad_request("monitor/overview.html", form=form, overview=None)
    measure = form.measure()
    ids = services.unit_place_ids(
        session, department=info, unit_id=unit_id, as_of=measure.day, known_at=measure.known_at
    )
    lines = services.place_lines(session, place_ids=ids, as_of=measure.day, known_at=measure.known_at)
    types = services.placement_types(session, active_only=False)
    return _render_department_page(
        "monitor/unit.html",
        form,
        info,
        measure,
        unit_name=unit_name,
        lines=lines,
        type_names={t.code: t.name(locale()) for t in types},
    )


@bp.app_template_global()
def monitor_url(endpoint: str, args: dict[str, Any], **extra: Any) -> str:
    """url_for with the page's measure parameters plus extra ones (links to place lists built directly)."""
    merged = {**args, **extra}
    if endpoint != "monitor.places":
        return url_for(endpoint, **merged)
    if "monitor_places_url" not in g:
        g.monitor_places_url = url_for("monitor.places")
    query = urlencode([(k, v) for k, v in merged.items() if v is not None and v != []], doseq=True, safe=":")
    return f"{g.monitor_places_url}?{query}" if query else g.monitor_places_url
