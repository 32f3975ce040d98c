"""What every target service checks before it writes (year, value, reference, the department and type
exist) and the audited flush after it writes."""

from __future__ import annotations

from sqlmodel import Session

from .. import converters
from ..errors import DomainError, NotFound
from ..models import Department, PlacementType
from ..texts import N_

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_VALUE = 1_000_000
REFERENCE_TOO_LONG = N_("Referencen må højst være 300 tegn.")


def check_year(year: int) -> None:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            N_("Året skal være mellem %(low)d og %(high)d.", low=MIN_YEAR, high=MAX_YEAR), field="year"
        )


def check_value(value: int, *, field_name: str = "value") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(N_("Måltallet skal være et helt tal, 0 eller større."), field=field_name)
    if value > MAX_VALUE:
        raise DomainError(N_("Måltallet må højst være %(max)d.", max=MAX_VALUE), field=field_name)


def check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if len(reference) > 300:
        raise DomainError(REFERENCE_TOO_LONG, field="reference")
    return converters.clean_text(
        reference, field="reference", label=N_("Referencen"), max_length=None, cpr_guard=True
    )


def require_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Ukendt forvaltning."))
    return department


def require_type(session: Session, type_id: int) -> PlacementType:
    placement_type = session.get(PlacementType, type_id)
    if placement_type is None:
        raise NotFound(N_("Ukendt ordning."))
    return placement_type
