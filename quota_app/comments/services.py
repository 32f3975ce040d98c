"""The department's half-yearly shortfall explanation: written by HR, locked when the report is sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError
from ..models import DepartmentComment, User
from ..periods import Period, parse_period
from ..places.rules import check_personal_data
from ..texts import N_

MAX_COMMENT_LENGTH = 10000


def _half_year(period: Period | str) -> Period:
    value = parse_period(period) if isinstance(period, str) else period
    if value.half is None:
        raise DomainError(
            N_("Kommentaren gælder et halvår, fx %(example)s, ikke et helt år.", example=f"{value.year}-H1"),
            field="period",
        )
    return value


def get_comment(session: Session, *, period: Period | str, department_id: int) -> DepartmentComment | None:
    """Return the department's comment for a half-year, or None when none is written."""
    label = _half_year(period).label
    return session.exec(
        select(DepartmentComment).where(
            DepartmentComment.period == label, DepartmentComment.department_id == department_id
        )
    ).first()


def save_comment(
    session: Session,
    *,
    period: Period | str,
    department_id: int,
    text: str,
    actor: User | str,
    now: datetime,
) -> DepartmentComment:
    """Create or update the comment; refuse when it is locked or the text holds personal data."""
    label = _half_year(period).label
    text = (text or "").strip()
    if len(text) > MAX_COMMENT_LENGTH:
        raise DomainError(N_("Kommentaren må højst være %(max)d tegn.", max=MAX_COMMENT_LENGTH), field="text")
    text = converters.clean_text(text, field="text", label=N_("Kommentaren"), max_length=None, multiline=True)
    check_personal_data(text, field="text")
    comment = get_comment(session, period=label, department_id=department_id)
    if comment is not None and comment.locked_at is not None:
        raise DomainError(
            N_(
                "Kommentaren for %(period)s er låst, fordi halvårsrapporten er sendt; den kan ikke ændres.",
                period=label,
            ),
            field="text",
        )
    before = audit.snapshot(comment) if comment is not None else None
    if comment is None:
        comment = DepartmentComment(period=label, department_id=department_id, text=text, updated_at=now)
        session.add(comment)
    elif comment.text == text:
        return comment
    comment.text = text
    comment.author_id = actor.id if isinstance(actor, User) else None
    comment.updated_at = now
    action = "comment.create" if before is None else "comment.update"
    audit.flush_audited(session, comment, action=action, before=before, actor=actor, now=now)
    return comment


def lock_comment(
    session: Session, *, period: Period | str, department_id: int, now: datetime, actor: User | str = "system"
) -> DepartmentComment:
    """Lock the comment of a period (creating an empty one if none was written); idempotent."""
    label = _half_year(period).label
    comment = get_comment(session, period=label, department_id=department_id)
    if comment is None:
        comment = DepartmentComment(period=label, department_id=department_id, text="", updated_at=now)
        session.add(comment)
        session.flush()
    if comment.locked_at is not None:
        return comment
    before = audit.snapshot(comment)
    comment.locked_at = now
    audit.flush_audited(session, comment, action="comment.lock", before=before, actor=actor, now=now)
    return comment


def comments_for_period(session: Session, *, period: Period | str) -> list[DepartmentComment]:
    """Every department's comment for a half-year (BIF reads them all)."""
    label = _half_year(period).label
    return list(session.exec(select(DepartmentComment).where(DepartmentComment.period == label)).all())
