"""The accessible twin of every archived report: the PDF's data as an HTML page (ReportLab cannot tag PDFs,
and the committee papers the reports end up in are published on the web).

- `/rapport/<secret>`: no sign-in, through a link's secret (`quota_app.dispatch.report_links`), which the
  report mail carries or BIF makes to publish a report; a revoked or unknown secret is 404.
- `/rapporter/arkiv/<id>`: signed in (HR their own department's reports; BIF and admin all), with the
  report's links, which BIF and admin make and revoke here.

The page shows the data the PDF was rendered from, kept with it in the archive (`reports.stored`); a report
archived before that was kept is gathered again as known at its archived moment, and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from reports import services as report_services
from reports.data import DepartmentReport
from reports.stored import Report, from_archive

from .. import formatting
from ..auth.views import roles_required
from ..core.loading import archived_report_or_404, linked_report_or_404, report_link_or_404
from ..dispatch import report_links
from ..errors import DomainError
from ..i18n import _
from ..levels import LEVEL_WORDS
from ..models import MUNICIPALITY_SCOPE, ReportArchive
from ..periods import parse_period
from ..verdicts import lines
from ..web import db_session, localized, now, reader_language

bp = Blueprint(
    "report_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/reports",
)

# The figures are written by the rules the PDF is written by (quota_app.formatting), in the reader's
# language: the Danish page reads as the PDF, the English one the English way.
FILTERS: dict[str, Callable[..., str]] = {
    "report_count": lambda value: formatting.count(value, reader_language()),
    "report_pct": lambda value: formatting.percent(value, reader_language()),
    "report_change": lambda value, suffix="", decimals=1: formatting.change(
        value, reader_language(), digits=decimals, suffix=suffix
    ),
    "report_number": lambda value, decimals=0: formatting.number(
        value, reader_language(), digits=decimals, fixed=True
    ),
    "report_date": lambda value: formatting.date_text(value, reader_language()),
    "report_timestamp": lambda value: formatting.timestamp(value, reader_language()),
}
bp.record_once(lambda state: state.app.jinja_env.filters.update(FILTERS))
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _data(entry: ReportArchive) -> tuple[Report | None, bool]:
    """The archived report's data, and whether it had to be gathered again (archived before it was kept)."""
    data = from_archive(entry)
    if data is not None:
        return data, False
    try:
        return report_services.gather_report(
            db_session(),
            period=parse_period(entry.period),
            department_code=None if entry.scope == MUNICIPALITY_SCOPE else entry.scope,
            known_at=entry.known_at,
        ), True
    except DomainError:
        return None, True


def _page(entry: ReportArchive, *, public: bool, new_link: str | None = None) -> tuple[str, dict[str, str]]:
    report, regathered = _data(entry)
    if report is None:
        abort(404)
    department = isinstance(report, DepartmentReport)
    verdict = report.verdict if isinstance(report, DepartmentReport) else None
    manage = not public and current_user.role in ("bif", "admin")
    return render_template(
        "reports_web/twin.html",
        entry=entry,
        report=report,
        department=department,
        verdict=lines(verdict) if verdict is not None else None,
        level_word=LEVEL_WORDS[verdict.level] if verdict is not None else None,
        regathered=regathered,
        public=public,
        links=report_links.links_of(db_session(), archive_id=entry.id) if manage else None,
        new_link=new_link,
    ), PRIVATE


@bp.route("/rapport/<token>")
def public(token: str) -> ResponseReturnValue:
    """An archived report through a link's secret, for anyone who has the link."""
    body, headers = _page(linked_report_or_404(token), public=True)
    return body, {**headers, "Referrer-Policy": "no-referrer"}


@bp.route("/rapporter/arkiv/<id:archive_id>")
@roles_required("hr", "bif", "admin")
def archived(archive_id: int) -> ResponseReturnValue:
    return _page(archived_report_or_404(archive_id), public=False)


@bp.route("/rapporter/arkiv/<id:archive_id>/links", methods=["POST"])
@roles_required("bif", "admin")
def issue_link(archive_id: int) -> ResponseReturnValue:
    """Make a link to publish the report; its address is shown this once."""
    entry = archived_report_or_404(archive_id)
    session = db_session()
    _link, secret = report_links.issue_link(session, archive_id=entry.id, actor=current_user, now=now())
    session.commit()
    base = current_app.config["QUOTA_SETTINGS"].base_url or request.host_url
    return _page(entry, public=False, new_link=report_links.link_url(base, secret))


@bp.route("/rapporter/links/<id:link_id>/tilbagekald", methods=["POST"])
@roles_required("bif", "admin")
def revoke_link(link_id: int) -> ResponseReturnValue:
    session = db_session()
    link = report_link_or_404(link_id)
    try:
        report_links.revoke_link(session, link_id=link.id, actor=current_user, now=now())
    except DomainError as exc:
        flash(localized(exc), "error")
    else:
        session.commit()
        flash(_("Linket er trukket tilbage: siden kan ikke længere ses uden login gennem det."), "success")
    return redirect(url_for(".archived", archive_id=link.archive_id))
