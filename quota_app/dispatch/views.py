"""BIF's pages: the schedule, the dispatch ledger, a preview of each mail, send now and resend."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import col, select

from ..auth.views import roles_required
from ..core import loading
from ..errors import DomainError
from ..formatting import period_name
from ..i18n import _
from ..mail.services import MailError, transport_from_settings
from ..models import DISPATCH_STATES, REPORT_KINDS, Department
from ..periods import Period, last_completed_half_year, parse_period
from ..settings import Settings
from ..web import clock, database, db_session, localized, now, reader_language, today
from . import delivery, heartbeat, ledger, mail_texts, overdue, run
from .forms import ConfirmForm, SendForm
from .report_source import APP_EXTENSION, ReportSource
from .sent_copy import SECRET_LEFT_OUT, SentMessage

bp = Blueprint("dispatch", __name__, template_folder="templates", url_prefix="/udsendelser")


# Every BIF page asks; the answer changes when a grace ends or a dispatch goes out, so each process keeps it
# for a minute (a send from this process forgets it at once; another process's send shows within the minute).
OVERDUE_KEPT_FOR = timedelta(minutes=1)
_OVERDUE_CACHE = "quota_overdue_dispatches"


def overdue_dispatches() -> list[overdue.OverduePeriod]:
    """The half-years whose reports are overdue, for BIF and admins (templates: dispatch/_overdue.html)."""
    if not current_user.is_authenticated or current_user.role not in ("bif", "admin"):
        return []
    at = now()
    kept = current_app.extensions.get(_OVERDUE_CACHE)
    if kept is not None and kept[0] <= at < kept[0] + OVERDUE_KEPT_FOR:
        return kept[1]
    found = overdue.overdue_periods(db_session(), settings=_settings(), now=at)
    current_app.extensions[_OVERDUE_CACHE] = (at, found)
    return found


def _forget_overdue() -> None:
    current_app.extensions.pop(_OVERDUE_CACHE, None)


bp.record_once(lambda state: state.app.add_template_global(overdue_dispatches))

KIND_LABELS = {
    "report": _("Halvårsstatus"),
    "consolidated": _("Samlet halvårsstatus"),
    "reminder": _("Påmindelse"),
    "alert": _("Nye ledige pladser"),
    "warning": _("Tidlig varsling"),
    "failure_notice": _("Fejlbesked"),
}
STATE_LABELS = {
    "pending": _("Venter"),
    "sending": _("Sendes"),
    "sent": _("Sendt"),
    "failed": _("Fejlet"),
}


def _settings() -> Settings:
    return current_app.config["QUOTA_SETTINGS"]


def _worker() -> str:
    return f"web:{current_user.email}"[:100]


def _report_source() -> ReportSource | None:
    """The reports' builders, which the app was given (quota_app.reports_web registers them)."""
    return current_app.extensions.get(APP_EXTENSION)


def _schedule() -> list[dict]:
    settings = _settings()
    status = heartbeat.scheduler_status(db_session())
    jobs = [
        (
            "dispatch",
            _("Halvårsstatus til borgmestre (BIF i kopi) og samlet rapport til udvalgene"),
            settings.dispatch_cron,
        ),
        (
            "reminder",
            _("Påmindelse til HR %(days)s dage før periodens slut", days=settings.reminder_days_before),
            "30 7 * * *",
        ),
        ("alert", _("Nye ledige pladser til rekruttering"), settings.alert_cron),
        ("warning", _("Ugentlig tidlig varsling til BIF og HR"), settings.warning_cron),
        ("deliver", _("Genforsøg og fejlbeskeder"), "*/5 * * * *"),
    ]
    return [
        {"id": job_id, "label": label, "cron": cron, "next": status.next_runs.get(job_id) if status else None}
        for job_id, label, cron in jobs
    ]


@bp.route("/")
@roles_required("bif", "admin")
def index() -> ResponseReturnValue:
    session = db_session()
    period = request.args.get("period", "").strip().upper() or None
    state = request.args.get("state", "") or None
    if state is not None and state not in DISPATCH_STATES:
        abort(400)
    status = heartbeat.scheduler_status(session)
    stale = status is not None and now() - status.heartbeat > heartbeat.HEARTBEAT_STALE_AFTER
    return render_template(
        "dispatch/index.html",
        rows=ledger.ledger(session, state=state, **_about(period)),
        schedule=_schedule(),
        status=status,
        stale=stale,
        period=period or "",
        state=state or "",
        states=DISPATCH_STATES,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
    )


def _about(text: str | None) -> dict:
    """The ledger's filter: a period label, or a day (the alerts of that day)."""
    try:
        return {"as_of": date.fromisoformat(text)} if text else {}
    except ValueError:
        return {"period": text}


@bp.route("/<id:dispatch_id>")
@roles_required("bif", "admin")
def preview(dispatch_id: int) -> ResponseReturnValue:
    """A mail as it was sent (kept on the row); one not sent yet as it would be sent now."""
    row = loading.dispatch_or_404(dispatch_id)
    session = db_session()
    sent = SentMessage.of(row.sent_message)
    mail, problem = None, None
    if sent is None and row.state != "sent":
        try:
            secret = SECRET_LEFT_OUT if row.kind in REPORT_KINDS else None  # the link is made when it is sent
            mail = mail_texts.compose(session, row, settings=_settings(), link_token=secret)
        except MailError as exc:
            problem = localized(exc.message)
    archive = loading.archived_report_or_404(row.archive_id) if row.archive_id else None
    return render_template(
        "dispatch/preview.html",
        row=row,
        sent=sent,
        mail=mail,
        problem=problem,
        archive=archive,
        settings=_settings(),
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
    )


@bp.route("/<id:dispatch_id>/gensend", methods=["GET", "POST"])
@roles_required("bif", "admin")
def resend(dispatch_id: int) -> ResponseReturnValue:
    row = loading.dispatch_or_404(dispatch_id)
    if row.state not in ("failed", "sent"):
        flash(_("Kun fejlede eller sendte mails kan sendes igen."), "error")
        return redirect(url_for(".preview", dispatch_id=row.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        session = db_session()
        delivery.resend(session, dispatch_id=row.id, actor=current_user, now=now(), allow_sent=True)
        subject = ledger.about(session, row)  # a failure notice goes with the mail it is about
        session.commit()
        result = delivery.deliver_due(
            database(),
            settings=_settings(),
            transport=transport_from_settings(_settings()),
            clock=clock(),
            worker=_worker(),
            period=subject.period,
            as_of=subject.as_of,
            scope=row.scope,
        )
        _forget_overdue()
        _flash_result(result)
        return redirect(url_for(".preview", dispatch_id=row.id))
    return render_template("dispatch/confirm_resend.html", row=row, form=form, kind_labels=KIND_LABELS)


def _flash_result(result: delivery.DeliveryResult) -> None:
    flash(
        _(
            "%(sent)s sendt, %(retrying)s forsøges igen senere, %(failed)s fejlet.",
            sent=len(result.sent),
            retrying=len(result.retrying),
            failed=len(result.failed),
        ),
        "error" if result.failed else "success",
    )


def _send_form(*formdata: Any, **kwargs: Any) -> SendForm:
    latest = last_completed_half_year(today())
    periods = [latest]
    for _i in range(3):
        periods.append(periods[-1].previous())
    form = SendForm(*formdata, **kwargs)  # no formdata: the request's form (FlaskForm's default)
    form.period.choices = [(p.label, period_name(p, reader_language())) for p in periods]
    departments = (
        db_session()
        .exec(
            select(Department)
            .where(col(Department.active))
            .order_by(col(Department.sort), col(Department.code))
        )
        .all()
    )
    form.department.choices = [("", _("Alle forvaltninger og den samlede rapport"))] + [
        (d.code, f"{d.code} – {d.name}") for d in departments
    ]
    return form


@bp.route("/send", methods=["GET", "POST"])
@roles_required("bif", "admin")
def send() -> ResponseReturnValue:
    """GET: choose a period and see what would be sent (nothing written); POST: send it."""
    if request.method == "POST":
        form = _send_form()
        if form.validate_on_submit():
            period = parse_period(form.period.data)
            # The dispatch writes in transactions of its own: end the request's first, or on SQLite they
            # would wait for the write lock this request holds.
            db_session().commit()
            try:
                plan, result = run.run_dispatch(
                    database(),
                    settings=_settings(),
                    period=period,
                    transport=transport_from_settings(_settings()),
                    clock=clock(),
                    worker=_worker(),
                    actor=current_user,
                    department_code=form.department.data or None,
                    source=_report_source(),
                )
            except DomainError as exc:
                flash(localized(exc), "error")
                return redirect(url_for(".send"))
            _forget_overdue()
            for warning in plan.warnings:
                flash(localized(warning), "warning")
            _flash_result(result)
            return redirect(url_for(".index", period=period.label))
        return render_template(
            "dispatch/send.html",
            form=form,
            confirm=form,
            plan=None,
            problem=None,
            kind_labels=KIND_LABELS,
            state_labels=STATE_LABELS,
        )
    chosen = _send_form(request.args, meta={"csrf": False})
    preview: ledger.PlanResult | None = None
    problem: str | None = None
    if "period" in request.args and chosen.validate():
        try:
            preview = _dry_run(parse_period(chosen.period.data), chosen.department.data or None)
        except DomainError as exc:
            problem = localized(exc)
    confirm = _send_form(None, period=chosen.period.data, department=chosen.department.data)  # no formdata
    return render_template(
        "dispatch/send.html",
        form=chosen,
        confirm=confirm,
        plan=preview,
        problem=problem,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
    )


def _dry_run(period: Period, department_code: str | None) -> ledger.PlanResult:
    session = database().session()
    try:
        return ledger.plan_period(
            session,
            settings=_settings(),
            period=period,
            actor="web",
            now=now(),
            department_code=department_code,
            dry_run=True,
        )
    finally:
        session.rollback()
        session.close()
