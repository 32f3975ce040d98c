"""Importing places and their status events from CSV or XLSX: all or nothing (docs/files.md §3).

The steps, each in its own module: read and check the rows (place_rows), plan what each place's history
becomes (place_plan), then, without a single row error and unless it is a dry run, save it (place_writes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ..clock import local_date
from ..errors import Conflict, DomainError
from ..models import User
from ..texts import N_, Joined
from .files import ImportResult, RowError, read_table
from .limits import ImportLimits
from .place_ceiling import ceiling_errors
from .place_plan import existing_updates, load_existing, plan_events, planned_changes
from .place_rows import COLUMNS, PlaceRows, lookups, map_header, read_row
from .place_writes import CONFLICT_MESSAGE_IMPORT, ensure_units, write_import

__all__ = ["COLUMNS", "ImportResult", "RowError", "import_places"]

PROGRESS_EVERY = 1000


def import_places(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: User | str,
    now: datetime,
    dry_run: bool = False,
    only_department_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_saved: Callable[[int, int], None] | None = None,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Validate every row, then (without errors and unless dry_run) save places and events in bulk.

    progress(rows read so far) is called while reading; on_saved(events written, events to write) while saving.
    """
    table = read_table(data, filename, limits)
    result = ImportResult(dry_run=dry_run)
    positions, header_problems = map_header(table.header)
    if header_problems:
        result.errors.append(RowError(table.header_row, Joined(header_problems)))
        return result
    departments, types = lookups(session)
    today = local_date(now)
    places: dict[tuple[int, str], PlaceRows] = {}
    errors = result.errors
    for row_number, cells in _counted(table.rows, result, progress):
        if isinstance(cells, RowError):  # the reader found the row itself broken
            errors.append(cells)
            continue
        problems = read_row(
            row_number, cells, positions, departments, types, places, today, only_department_id
        )
        if problems:
            errors.append(RowError(row_number, Joined(problems)))
    if result.rows_read == 0 and not errors:
        raise DomainError(N_("Filen indeholder ingen rækker under overskriften."), field="file")
    existing = load_existing(session, places)
    plan = plan_events(places, existing, result)
    if not result.errors:
        ceiling_errors(session, places, existing, plan, result, now=now)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    units = ensure_units(session, places, result, create=not dry_run)
    updates = existing_updates(places, existing, plan, units, result)
    result.places_created = sum(1 for key in plan if key not in existing)
    for planned in plan.values():
        for _day, _status, corrects, _note in planned:
            if corrects is None:
                result.events_created += 1
            else:
                result.corrections += 1
    if dry_run:
        result.changes = planned_changes(places, existing, plan, updates)
    if not dry_run:
        try:
            write_import(
                session,
                places,
                existing,
                plan,
                units,
                updates,
                result,
                actor=actor,
                now=now,
                filename=filename,
                on_saved=on_saved,
            )
        except sa.exc.IntegrityError as exc:  # e.g. the same new place created meanwhile by someone else
            raise Conflict(CONFLICT_MESSAGE_IMPORT) from exc
    return result


def _counted(
    rows: Iterator[tuple[int, list[str] | RowError]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[int, list[str] | RowError]]:
    for item in rows:
        result.rows_read += 1
        if progress is not None and result.rows_read % PROGRESS_EVERY == 0:
            progress(result.rows_read)
        yield item
    if progress is not None:
        progress(result.rows_read)
