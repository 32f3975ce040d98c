"""Places, their status events (history, never deleted) and the status intervals derived from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field

from ..db import DayNumber
from .base import STATUSES, TableModel, _in, _utc

_PLACE_VERSION = sa.Column("version", sa.Integer(), nullable=False)


class Place(TableModel, table=True):
    """A place; its status lives in its events. current_* cache the latest known event for lists."""

    __tablename__ = "place"
    __table_args__ = (
        sa.UniqueConstraint("department_id", "reference"),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        sa.CheckConstraint(
            f"current_status IS NULL OR {_in('current_status', STATUSES)}", name="status_known"
        ),
        sa.Index("ix_place_department_type", "department_id", "type_id"),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _PLACE_VERSION}  # optimistic locking

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    department_id: int = Field(foreign_key="department.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    type_id: int = Field(foreign_key="placement_type.id")
    reference: str = Field(max_length=100)
    title: str = Field(default="", max_length=300)
    fte: float = Field(default=1.0)
    version: int | None = Field(default=None, sa_column=_PLACE_VERSION)
    current_status: str | None = Field(default=None, max_length=10)
    current_since: date | None = None
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class PlaceEvent(TableModel, table=True):
    """One status change of a place; never deleted, voided by setting voided_at."""

    __tablename__ = "place_event"
    __table_args__ = (
        sa.CheckConstraint(_in("status", STATUSES), name="status_known"),
        sa.CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="void_has_reason"),
        # A place's events in date order with every column its intervals are derived from (covering):
        # rebuilding a place's intervals and its status on a date are index-only reads.
        sa.Index(
            "ix_place_event_timeline",
            "place_id",
            "effective_date",
            "recorded_at",
            "id",
            "status",
            "voided_at",
        ),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    place_id: int = Field(foreign_key="place.id")
    status: str = Field(max_length=10)
    effective_date: date
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=2000)
    corrects_event_id: int | None = Field(default=None, foreign_key="place_event.id")
    source: str = Field(default="web", max_length=20)
    voided_at: datetime | None = _utc(nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str | None = Field(default=None, max_length=2000)


class PlaceAttribute(TableModel, table=True):
    """A place's unit and fte from effective_date on, dated and known-at like its status events.

    Never deleted; a mistake is voided (voided_at) or overridden by a later recording for the same date.
    The row dated ORIGIN holds the place's attributes as first registered: they hold from the start and
    are known from always (so that the figures counted before the place's first edit stay as they were).
    Place.unit_id and Place.fte cache the latest-dated live row's values for lists.
    """

    __tablename__ = "place_attribute"
    __table_args__ = (
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        sa.CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="void_has_reason"),
        sa.Index("ix_place_attribute_timeline", "place_id", "effective_date", "recorded_at", "id"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    place_id: int = Field(foreign_key="place.id")
    effective_date: date
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    fte: float
    recorded_at: datetime = _utc()
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=2000)
    source: str = Field(default="web", max_length=20)
    voided_at: datetime | None = _utc(nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str | None = Field(default=None, max_length=2000)


ORIGIN = date.min  # effective_date of a place's first attributes: they hold from the start, known always
OPEN_END = date.max  # valid_to of an interval that no later event ends


class _IntervalColumns(TableModel):
    """A place's status from valid_from up to (not including) valid_to, derived from its events.

    Derived data (quota_app.reconcile.intervals rebuilds a place's rows from its events whenever they
    change): the status of every per-date winning event, from its date to the next winner's, split where
    the place's unit or fte changes (PlaceAttribute), each piece with the unit and fte that held on its
    dates as known at its known_from. Department and type are copies of the place's, so counting never
    joins the places. Days are day numbers.
    """

    place_id: int = Field(foreign_key="place.id", primary_key=True)
    valid_from: date = Field(sa_type=DayNumber, primary_key=True)
    valid_to: date = Field(sa_type=DayNumber)  # OPEN_END: still holds
    status: str = Field(max_length=10)
    prev_status: str | None = Field(default=None, max_length=10)  # None: the place's first interval
    spell_start: date | None = Field(default=None, sa_type=DayNumber)  # start of the latest open spell
    department_id: int
    type_id: int
    unit_id: int | None = None
    fte: float
    # Where the status interval this part belongs to begins: parts split off by a change of unit or fte
    # keep the interval's start (the forecast reads a status's sojourns and ages from it).
    status_since: date = Field(sa_type=DayNumber)
    known_from: datetime = _utc()  # known from this moment (a recording or a void)


# The columns every count reads, after the ones it seeks or ranges on: counts are index-only scans.
_COUNTED = ("valid_from", "known_from", "prev_status", "fte", "spell_start", "place_id", "unit_id")


class PlaceInterval(_IntervalColumns, table=True):
    """A status interval as known now (see _IntervalColumns)."""

    __tablename__ = "place_interval"
    __table_args__ = (
        # Per department, type and status, the intervals ending after a date: one range each.
        sa.Index("ix_place_interval_cell", "department_id", "type_id", "status", "valid_to", *_COUNTED),
    )


class SupersededInterval(_IntervalColumns, table=True):
    """A status interval that was known from known_from until a later recording or void at known_to."""

    __tablename__ = "place_interval_superseded"
    __table_args__ = (
        # Per department, type and status, the intervals superseded after T: one range each, short
        # unless T lies far back.
        sa.Index(
            "ix_place_interval_superseded_cell",
            "department_id",
            "type_id",
            "status",
            "known_to",
            "valid_to",
            *_COUNTED,
        ),
    )

    known_from: datetime = _utc(primary_key=True)
    known_to: datetime = _utc()


# Events are history: the database itself refuses to delete them, whatever the client.
_NO_EVENT_DELETE = {
    "sqlite": sa.DDL(
        "CREATE TRIGGER place_event_no_delete BEFORE DELETE ON place_event "
        "BEGIN SELECT RAISE(ABORT, 'place events cannot be deleted'); END"
    ),
    "postgresql": sa.DDL(
        "CREATE OR REPLACE FUNCTION place_event_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'place events cannot be deleted'; END $$; "
        "CREATE TRIGGER place_event_no_delete BEFORE DELETE ON place_event "
        "FOR EACH ROW EXECUTE FUNCTION place_event_no_delete()"
    ),
}
for _dialect, _ddl in _NO_EVENT_DELETE.items():
    sa.event.listen(PlaceEvent.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
sa.event.listen(
    PlaceEvent.__table__,
    "after_drop",
    sa.DDL("DROP FUNCTION IF EXISTS place_event_no_delete()").execute_if(dialect="postgresql"),
)
