"""Departments and placement types as data: edited by BIF and admin, every change audited."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from .. import converters
from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..models import MEASURES, CountingRule, Department, PlacementType, User
from ..texts import N_

TARGET_UNITS = ("places", "persons", "courses")
BAD_TARGET_UNIT = N_("Enheden skal være places, persons eller courses.")
DANISH_NAME, ENGLISH_NAME = N_("Det danske navn"), N_("Det engelske navn")
_DEPARTMENT_CODE = re.compile(r"^[A-ZÆØÅ0-9]{2,10}$")
_TYPE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def normalise_email(address: str, *, field: str) -> str:
    """Return a normalised e-mail address or raise DomainError."""
    address = address.strip()
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(
            N_("'%(address)s' er ikke en gyldig e-mailadresse.", address=address), field=field
        ) from exc


def parse_email_list(text: str, *, field: str = "hr_emails") -> list[str]:
    """Split addresses on commas, semicolons, spaces or lines and validate each; no duplicates."""
    result: list[str] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if part:
            address = normalise_email(part, field=field)
            if address not in result:
                result.append(address)
    return result


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Stripped, bounded, without control characters or CPR numbers (quota_app.converters)."""
    return converters.clean_text(
        value, field=field, label=label, max_length=max_length, required=required, cpr_guard=True
    )


def list_departments(session: Session) -> list[Department]:
    return list(session.exec(select(Department).order_by(col(Department.sort), col(Department.id))).all())


def update_department(
    session: Session,
    *,
    department_id: int,
    code: str,
    name: str,
    mayor_title: str,
    mayor_name: str,
    mayor_email: str,
    hr_emails: str,
    active: bool,
    actor: User | str,
    now: datetime,
) -> Department:
    """Change a department's code, name, mayor and HR contacts (validated), or its active flag."""
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(N_("Forvaltningen findes ikke."))
    code = (code or "").strip().upper()
    if not _DEPARTMENT_CODE.match(code):
        raise DomainError(N_("Koden skal være 2-10 store bogstaver eller cifre (fx SOF, ØKF)."), field="code")
    clash = session.exec(
        select(Department).where(Department.code == code, Department.id != department_id)
    ).first()
    if clash is not None:
        raise DomainError(
            N_("Koden %(code)s bruges allerede af %(name)s.", code=code, name=clash.name), field="code"
        )
    values: dict[str, Any] = {
        "code": code,
        "name": _text(name, field="name", label=N_("Navnet"), max_length=200, required=True),
        "mayor_title": _text(
            mayor_title, field="mayor_title", label=N_("Borgmesterens titel"), max_length=200
        ),
        "mayor_name": _text(mayor_name, field="mayor_name", label=N_("Borgmesterens navn"), max_length=200),
        "mayor_email": normalise_email(mayor_email, field="mayor_email")
        if (mayor_email or "").strip()
        else "",
        "hr_emails": ", ".join(parse_email_list(hr_emails)),
        "active": bool(active),
    }
    if len(values["hr_emails"]) > 2000:
        raise DomainError(N_("Listen over HR-kontakter er for lang."), field="hr_emails")
    before = audit.snapshot(department)
    for key, value in values.items():
        setattr(department, key, value)
    session.flush()
    after = audit.snapshot(department)
    if after != before:
        audit.record(
            session,
            actor=actor,
            action="department.update",
            entity=department,
            before=before,
            after=after,
            at=now,
        )
    return department


def list_types(session: Session) -> list[PlacementType]:
    return list(
        session.exec(select(PlacementType).order_by(col(PlacementType.sort), col(PlacementType.id))).all()
    )


def add_type(
    session: Session,
    *,
    code: str,
    name_da: str,
    name_en: str,
    measure: str,
    target_unit: str,
    actor: User | str,
    now: datetime,
) -> PlacementType:
    """Add a placement type at the end of the list, with a default counting rule for the current year."""
    code = (code or "").strip().lower()
    if not _TYPE_CODE.match(code):
        raise DomainError(
            N_("Koden skal være 2-40 tegn: små bogstaver a-z, cifre og _, og begynde med et bogstav."),
            field="code",
        )
    if session.exec(select(PlacementType).where(PlacementType.code == code)).first() is not None:
        raise DomainError(N_("Der findes allerede en ordning med koden %(code)s.", code=code), field="code")
    if measure not in MEASURES:
        raise DomainError(N_("Måling skal være 'stock' (bestand) eller 'flow' (tilgang)."), field="measure")
    if target_unit not in TARGET_UNITS:
        raise DomainError(BAD_TARGET_UNIT, field="target_unit")
    last = session.exec(select(sa.func.max(PlacementType.sort))).one()
    placement_type = PlacementType(
        code=code,
        name_da=_text(name_da, field="name_da", label=DANISH_NAME, max_length=200, required=True),
        name_en=_text(name_en, field="name_en", label=ENGLISH_NAME, max_length=200, required=True),
        measure=measure,
        target_unit=target_unit,
        active=True,
        sort=(last or 0) + 1,
    )
    session.add(placement_type)
    session.flush()
    session.add(
        CountingRule(
            year=now.year,
            type_id=placement_type.id,
            counted_statuses="filled" if measure == "stock" else "",
            weighting="headcount",
        )
    )
    audit.flush_audited(
        session, placement_type, action="placement_type.create", before=None, actor=actor, now=now
    )
    return placement_type


def _get_type(session: Session, type_id: int) -> PlacementType:
    placement_type = session.get(PlacementType, type_id)
    if placement_type is None:
        raise NotFound(N_("Ordningen findes ikke."))
    return placement_type


def update_type(
    session: Session,
    *,
    type_id: int,
    name_da: str,
    name_en: str,
    target_unit: str,
    actor: User | str,
    now: datetime,
) -> PlacementType:
    """Rename a type or change its target unit (the code and measure stay: history depends on them)."""
    placement_type = _get_type(session, type_id)
    if target_unit not in TARGET_UNITS:
        raise DomainError(BAD_TARGET_UNIT, field="target_unit")
    before = audit.snapshot(placement_type)
    placement_type.name_da = _text(name_da, field="name_da", label=DANISH_NAME, max_length=200, required=True)
    placement_type.name_en = _text(
        name_en, field="name_en", label=ENGLISH_NAME, max_length=200, required=True
    )
    placement_type.target_unit = target_unit
    audit.flush_audited(
        session, placement_type, action="placement_type.update", before=before, actor=actor, now=now
    )
    return placement_type


def set_type_active(
    session: Session, *, type_id: int, active: bool, actor: User | str, now: datetime
) -> PlacementType:
    """Retire a type (it stays in history and old figures) or bring it back."""
    placement_type = _get_type(session, type_id)
    if placement_type.active != active:
        before = audit.snapshot(placement_type)
        placement_type.active = active
        action = "placement_type.activate" if active else "placement_type.retire"
        audit.flush_audited(session, placement_type, action=action, before=before, actor=actor, now=now)
    return placement_type


def move_type(session: Session, *, type_id: int, direction: int, actor: User | str, now: datetime) -> None:
    """Move a type one step up (-1) or down (+1) in the list; the ends stay where they are."""
    if direction not in (-1, 1):
        raise DomainError(N_("Ugyldig retning."), field="direction")
    ordered = list_types(session)
    position = next((i for i, t in enumerate(ordered) if t.id == type_id), None)
    if position is None:
        raise NotFound(N_("Ordningen findes ikke."))
    other = position + direction
    if not 0 <= other < len(ordered):
        return
    ordered[position], ordered[other] = ordered[other], ordered[position]
    for sort, placement_type in enumerate(ordered):
        placement_type.sort = sort
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="placement_type.reorder",
        entity_type="placement_type",
        entity_id=type_id,
        after={"order": [t.code for t in ordered]},
        at=now,
    )
