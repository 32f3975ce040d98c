"""Reading the rows of a place import: the header, each row's cells checked, what the file says per place.

docs/files.md §3. Nothing here touches a place: `read_row` only collects (planning and saving come after).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from .. import converters
from ..errors import DomainError
from ..models import Department, PlacementType
from ..places.rules import FIELD_DA, MAX_LENGTH, too_long, unknown_status
from ..texts import N_, Joined
from .cells import looks_like_formula, parse_date, parse_decimal

COLUMNS = ("reference", "department", "type", "status", "effective_date", "unit", "title", "fte", "note")
REQUIRED = COLUMNS[:5]
HEADER_ALIASES = {
    "reference": "reference",
    "ref": "reference",
    "department": "department",
    "forvaltning": "department",
    "type": "type",
    "ordning": "type",
    "status": "status",
    "effective_date": "effective_date",
    "dato": "effective_date",
    "virkningsdato": "effective_date",
    "unit": "unit",
    "enhed": "unit",
    "title": "title",
    "titel": "title",
    "fte": "fte",
    "årsværk": "fte",
    "note": "note",
    "bemærkning": "note",
}
COLUMN_DA = {
    "reference": N_("reference"),
    "department": N_("forvaltning"),
    "type": N_("ordning"),
    "status": N_("status"),
    "effective_date": N_("dato"),
    "unit": N_("enhed"),
    "title": N_("titel"),
    "fte": N_("årsværk (fte)"),
    "note": N_("bemærkning"),
}
STATUS_WORDS = {
    "open": "open",
    "filled": "filled",
    "paused": "paused",
    "closed": "closed",
    "åben": "open",
    "aaben": "open",
    "besat": "filled",
    "i bero": "paused",
    "nedlagt": "closed",
}
STATUS_CODES = ("open", "filled", "paused", "closed")


class PlaceRows:
    """What the file says about one place, kept small: attributes and (date, status, row, note) events."""

    __slots__ = (
        "department_id",
        "events",
        "first_row",
        "fte",
        "reference",
        "tainted",
        "title",
        "type_id",
        "unit",
    )

    def __init__(self, department_id: int, reference: str, first_row: int) -> None:
        self.department_id = department_id
        self.reference = reference
        self.first_row = first_row
        self.type_id: int | None = None
        self.unit: str | None = None
        self.title: str | None = None
        self.fte: float | None = None
        self.events: list[tuple[int, int, int, str]] = []  # (date ordinal, status index, row, note)
        self.tainted = False  # a row of this place is bad: its history is not checked (it would mislead)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def lookups(session: Session) -> tuple[dict[str, Department], dict[str, PlacementType]]:
    departments: dict[str, Department] = {}
    for department in session.execute(sa.select(Department)).scalars():
        departments[fold(department.code)] = department
        departments.setdefault(fold(department.name), department)
    types: dict[str, PlacementType] = {}
    for placement_type in session.execute(sa.select(PlacementType)).scalars():
        for name in (placement_type.name_en, placement_type.name_da, placement_type.code):
            types[fold(name)] = placement_type
    return departments, types


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        if not name:
            continue
        column = HEADER_ALIASES.get(name)
        if column is None:
            problems.append(N_("Ukendt kolonne '%(name)s'.", name=name))
        elif column in positions:
            problems.append(N_("Kolonnen '%(name)s' står der to gange.", name=name))
        else:
            positions[column] = index
    missing = [COLUMN_DA[c] for c in REQUIRED if c not in positions]
    if missing:
        problems.append(N_("Kolonner mangler: %(columns)s.", columns=Joined(missing, ", ")))
    return positions, problems


def read_row(
    row_number: int,
    cells: list[str],
    positions: dict[str, int],
    departments: dict[str, Department],
    types: dict[str, PlacementType],
    places: dict[tuple[int, str], PlaceRows],
    today: date,
    only_department_id: int | None,
) -> list[str]:
    """Check one row and remember what it says; return its problems (empty when the row is good)."""
    values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()}
    problems: list[str] = []
    for column, value in values.items():
        if looks_like_formula(value):
            problems.append(
                N_(
                    "Cellen i kolonnen %(column)s ligner en formel ('%(start)s').",
                    column=COLUMN_DA[column],
                    start=value[:20],
                )
            )
    if problems:
        return problems
    missing = [COLUMN_DA[c] for c in REQUIRED if not values.get(c)]
    if missing:
        problems.append(N_("Mangler %(columns)s.", columns=Joined(missing, ", ")))
    department = departments.get(fold(values.get("department", ""))) if values.get("department") else None
    if values.get("department") and department is None:
        problems.append(N_("Ukendt forvaltning '%(code)s'.", code=values["department"]))
    if department is not None and only_department_id is not None and department.id != only_department_id:
        problems.append(
            N_("Rækken hører til en anden forvaltning (%(department)s) end din.", department=department.code)
        )
    placement_type = types.get(fold(values.get("type", ""))) if values.get("type") else None
    if values.get("type") and placement_type is None:
        problems.append(N_("Ukendt ordning '%(code)s'.", code=values["type"]))
    status = STATUS_WORDS.get(fold(values.get("status", ""))) if values.get("status") else None
    if values.get("status") and status is None:
        problems.append(unknown_status(values["status"]))
    day: date | None = None
    if values.get("effective_date"):
        try:
            day = parse_date(values["effective_date"])
        except DomainError as exc:
            problems.append(exc.message)
        else:
            if day > today:
                problems.append(N_("Datoen %(date)s ligger i fremtiden.", date=day))
    fte: float | None = None
    if values.get("fte"):
        try:
            fte = parse_decimal(values["fte"])
        except DomainError:
            fte = None
        if fte is None or not (0 < fte <= 1):
            problems.append(
                N_("Årsværk (fte) skal være et tal over 0 og højst 1, ikke '%(value)s'.", value=values["fte"])
            )
    for column in ("reference", "title", "note"):
        limit = MAX_LENGTH[column]
        if len(values.get(column, "")) > limit:
            problems.append(too_long(FIELD_DA[column], limit))
    if len(values.get("unit", "")) > 200:
        problems.append(N_("Enhedens navn må højst være 200 tegn."))
    for column in ("reference", "title", "unit", "note"):
        if not values.get(column):
            continue  # most rows leave title, unit and note blank
        try:
            converters.clean_text(
                values[column],
                field=column,
                label=FIELD_DA[column],
                max_length=None,
                multiline=column == "note",
                cpr_guard=True,
            )
        except DomainError as exc:
            problems.append(exc.message)
    key = (department.id, values["reference"]) if department is not None and values.get("reference") else None
    place = places.get(key) if key else None
    if key and place is None:
        place = places[key] = PlaceRows(key[0], values["reference"], row_number)
    if problems or place is None or placement_type is None or status is None or day is None:
        if place is not None:
            place.tainted = True
        return problems
    if place.type_id is None:
        place.type_id = placement_type.id
    elif place.type_id != placement_type.id:
        problems.append(
            N_(
                "Pladsen %(reference)s har en anden ordning i række %(row)d.",
                reference=values["reference"],
                row=place.first_row,
            )
        )
    copied: tuple[tuple[str, Any], ...] = (
        ("unit", values.get("unit")),
        ("title", values.get("title")),
        ("fte", fte),
    )
    for attribute, value in copied:
        if value in (None, ""):
            continue
        known = getattr(place, attribute)
        if known is None:
            setattr(place, attribute, value)
        elif (known.casefold() if attribute == "unit" else known) != (
            value.casefold() if attribute == "unit" else value
        ):
            problems.append(
                N_(
                    "Pladsen %(reference)s har %(column)s '%(known)s' i en tidligere række og '%(value)s' her.",
                    reference=values["reference"],
                    column=COLUMN_DA[attribute],
                    known=known,
                    value=value,
                )
            )
    if problems:
        place.tainted = True
    else:
        place.events.append((day.toordinal(), STATUS_CODES.index(status), row_number, values.get("note", "")))
    return problems
