"""The employee representative's statement on a place of a covered type (docs/compliance.md).

The statement's date, the representative's role (never a name or a CPR number), for wage subsidy the two
confirmations (a net addition to the staff; not a post vacated by dismissal in the last three months),
and optionally the signed statement as a PDF: at most MAX_PDF_BYTES, and only a file that is a PDF by its
first bytes. The PDF is kept in the database, never under a name the user chose. Missing statements never
block a place; the compliance view lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from .. import converters
from ..audit import services as audit
from ..clock import local_date
from ..errors import DomainError, NotFound
from ..models import Place, PlacementType, PlaceStatement, Unit, User
from ..texts import N_
from .exemptions import Exemption, covering, exemptions
from .headcounts import headcount_on, timelines
from .rules import RuleBook

MAX_PDF_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
WAGE_SUBSIDY = "wage_subsidy"


def statement_for(session: Session, *, place_id: int) -> PlaceStatement | None:
    return session.exec(select(PlaceStatement).where(PlaceStatement.place_id == place_id)).first()


def check_pdf(data: bytes) -> None:
    """Refuse a file over the size limit or one that is not a PDF by its magic bytes."""
    if len(data) > MAX_PDF_BYTES:
        raise DomainError(
            N_("Filen må højst fylde %(mb)d MB.", mb=MAX_PDF_BYTES // (1024 * 1024)), field="pdf"
        )
    if not data.startswith(PDF_MAGIC):
        raise DomainError(N_("Filen er ikke en PDF."), field="pdf")


def save_statement(
    session: Session,
    *,
    place_id: int,
    statement_date: date,
    representative_role: str,
    net_addition: bool = False,
    no_vacated_post: bool = False,
    pdf: bytes | None = None,
    actor: User | str,
    now: datetime,
) -> PlaceStatement:
    """Record (or replace) a place's statement; a PDF replaces the one kept, none keeps it (audited)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("Pladsen findes ikke."))
    placement_type = session.get(PlacementType, place.type_id)
    if placement_type is None or placement_type.id not in RuleBook(session).ever_covered_from(2000):
        raise DomainError(N_("Rimelighedskravet gælder ikke pladsens ordning."), field="statement_date")
    statement_date = converters.parse_date(statement_date, field="statement_date", latest=local_date(now))
    role = converters.clean_text(
        representative_role,
        field="representative_role",
        label=N_("Rollen"),
        max_length=200,
        required=True,
        cpr_guard=True,
    )
    if pdf is not None:
        check_pdf(pdf)
    wage_subsidy = placement_type.code == WAGE_SUBSIDY
    row = statement_for(session, place_id=place_id)
    before = audit.snapshot(row, exclude=("pdf_data",)) if row is not None else None
    if row is None:
        row = PlaceStatement(place_id=place_id, recorded_at=now)
        session.add(row)
    row.statement_date, row.representative_role = statement_date, role
    row.net_addition = bool(net_addition) and wage_subsidy
    row.no_vacated_post = bool(no_vacated_post) and wage_subsidy
    if pdf is not None:
        row.pdf_data, row.pdf_size, row.pdf_name = pdf, len(pdf), f"udtalelse-{place_id}.pdf"
    row.recorded_at = now
    row.recorded_by_id = actor.id if isinstance(actor, User) else None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="place_statement.save",
        entity=row,
        before=before,
        after=audit.snapshot(row, exclude=("pdf_data",)),
        at=now,
    )
    return row


@dataclass(frozen=True)
class PlaceCompliance:
    """What a place's page shows of the rule: its workplace's figures today, an exemption, its statement."""

    covered: bool
    wage_subsidy: bool
    unit: Unit | None
    employees: int | None
    ceiling: int | None
    exemption: Exemption | None
    statement: PlaceStatement | None

    @property
    def statement_missing(self) -> bool:
        s = self.statement
        if s is None or s.statement_date is None:
            return True
        return self.wage_subsidy and not (s.net_addition and s.no_vacated_post)


def place_compliance(session: Session, *, place: Place, day: date, now: datetime) -> PlaceCompliance:
    book = RuleBook(session)
    covered = place.type_id in book.covered_ids(day.year)
    unit = session.get(Unit, place.unit_id) if place.unit_id is not None else None
    employees = limit = exemption = None
    if unit is not None:
        employees = headcount_on(timelines(session, unit_ids=[unit.id], known_at=now).get(unit.id, []), day)
        limit = None if employees is None else book.rule(day.year).ceiling(employees)
        exemption = covering(exemptions(session, unit_ids=[unit.id], known_at=now).get(unit.id, []), day)
    return PlaceCompliance(
        covered=covered,
        wage_subsidy=book.type_codes.get(place.type_id) == WAGE_SUBSIDY,
        unit=unit,
        employees=employees,
        ceiling=limit,
        exemption=exemption,
        statement=statement_for(session, place_id=place.id),
    )
