"""The audit log: who changed what, from what to what, and when."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from functools import partial
from typing import Any

from sqlmodel import Session

from ..models import AuditEntry, User


def snapshot(
    obj: Any,
    *,
    exclude: tuple[str, ...] = ("password_hash", "pdf", "token_hash", "report_data", "sent_message"),
) -> dict[str, Any]:
    """Return a JSON-safe dict of a model's columns, for before/after in the audit log (secrets and bulky
    copies left out: a report's PDF and data, a sent mail's text)."""
    return {
        column.key: _json_safe(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in exclude
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def record(
    session: Session,
    *,
    actor: User | str | None,
    action: str,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime,
) -> AuditEntry:
    """Add one audit entry to the session: written with the next flush (before the next query, or at
    commit), so that the entries of one change go to the database in one statement."""
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    if isinstance(actor, User):
        actor_id, label = actor.id, actor.email
    else:
        actor_id, label = None, actor or "system"
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=label,
        action=action,
        entity_type=entity_type or "",
        entity_id="" if entity_id is None else str(entity_id),
        before={k: _json_safe(v) for k, v in before.items()} if before else None,
        after={k: _json_safe(v) for k, v in after.items()} if after else None,
        at=at,
    )
    session.add(entry)
    return entry


def record_change(
    session: Session,
    row: Any,
    *,
    action: str,
    before: dict[str, Any] | None,
    actor: User | str,
    now: datetime,
    flush: bool = False,
) -> AuditEntry:
    """Audit a created or changed row as it is now (before: its snapshot before the change, None if new);
    with flush, flush it first (a new row gets its id)."""
    if flush:
        session.flush()
    return record(session, actor=actor, action=action, entity=row, before=before, after=snapshot(row), at=now)


# Flush a created or changed row and audit it.
flush_audited = partial(record_change, flush=True)
