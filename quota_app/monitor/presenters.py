"""How the monitoring pages show figures: fulfilment levels (the rule is `quota_app.levels`), numbers the
reader's way, the overview's cell matrix, the trend chart and the links that keep a page's measure.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import g, url_for
from flask_babel import get_locale
from markupsafe import Markup

from .. import formatting
from ..i18n import _
from ..levels import GAP_WORDS, LEVEL_WORDS, fulfilment_level
from ..vocabulary import STATUS_LABELS
from . import charts
from .overview import Overview


def locale() -> str:
    return str(get_locale() or "da")


def format_figure(value: float | int, *, digits: int, locale_code: str, fixed: bool = False) -> str:
    """A number with the locale's separators (quota_app.formatting); trailing zero decimals dropped
    unless fixed."""
    return formatting.number(value, locale_code, digits=digits, fixed=fixed)


def number(value: float | int | None, digits: int = 2) -> str:
    """Format a figure the reader's way (decimal comma in Danish), with at most `digits` decimals."""
    return formatting.number(value, locale(), digits=digits)


def percent(value: float | None) -> str:
    """A percentage the reader's way, one decimal: '81,0 %' / '81.0%' (quota_app.formatting)."""
    return formatting.percent(value, locale())


LEVEL_TEXT = {level: _(word.msgid) for level, word in LEVEL_WORDS.items()}  # in the reader's language
STATUS_TEXT = {code: _(word.msgid) for code, word in STATUS_LABELS.items()}


def matrix(overview: Overview, args: dict[str, Any]) -> dict[str, Any]:
    """Every cell of the overview as ready text and links: the page has 56 cells or more, and building
    them here is several times faster than template macros."""
    text = {
        "adopted": str(_("Vedtaget")),
        "what_if": str(_("Hvad nu hvis")),
        "link": str(_("%(counted)s optalt, vis pladserne")),
        "what_if_link": str(_("%(counted)s optalt med hvad-nu-hvis-reglen, vis pladserne")),
        # the shared wording of the distance to the target (quota_app.levels.gap_words)
        **{key: str(_(word.msgid)) for key, word in GAP_WORDS.items()},
        "pro_rata": str(_("halvårets andel af måltallet: %(n)s, opfyldelse af andelen: %(pct)s")),
    }
    levels = {level: str(label) for level, label in LEVEL_TEXT.items()}
    what_if_args = dict(args)
    adopted_args = {k: v for k, v in args.items() if k != "whatif"}

    def block(row: Any, department: str | None, type_code: str | None, what_if: bool, labelled: bool) -> dict:
        level = fulfilment_level(row.fulfilment_pct)
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
                text["pro_rata"]
                % {"n": number(row.target_pro_rata, 1), "pct": percent(row.fulfilment_pro_rata_pct)}
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


def trend_chart(
    points: list[tuple[date, float, int | None]], *, type_name: str, department_code: str
) -> tuple[str, Markup]:
    """Return the trend chart's title and its SVG (counted against target per month)."""
    title = str(
        _(
            "%(type)s i %(department)s: optalt mod måltal pr. måned",
            type=type_name,
            department=department_code,
        )
    )
    description = ""
    if points:
        first, last = points[0], points[-1]
        description = str(
            _(
                "Fra %(start)s til %(end)s gik det optalte fra %(a)s til %(b)s; måltallet er nu %(target)s.",
                start=formatting.month_name(first[0], locale()),
                end=formatting.month_name(last[0], locale()),
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
    return title, Markup(svg)  # noqa: S704 - built by charts.trend_svg, every text escaped there


def monitor_url(endpoint: str, args: dict[str, Any], **extra: Any) -> str:
    """url_for with the page's measure parameters plus extra ones (links to place lists built directly)."""
    merged = {**args, **extra}
    if endpoint != "monitor.places":
        return url_for(endpoint, **merged)
    if "monitor_places_url" not in g:
        g.monitor_places_url = url_for("monitor.places")
    query = urlencode([(k, v) for k, v in merged.items() if v is not None and v != []], doseq=True, safe=":")
    return f"{g.monitor_places_url}?{query}" if query else g.monitor_places_url


def has_pro_rata(result: Any) -> bool:
    """Whether any row of a reconciliation has a half-year's share of its target (a flow type)."""
    return any(row.target_pro_rata is not None for row in result.rows)
