"""Departments, their units and the placement types they provide."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field

from .base import MEASURES, TableModel, _in


class Department(TableModel, table=True):
    __tablename__ = "department"
    __table_args__ = (sa.CheckConstraint("length(code) >= 2", name="code_length"),)

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    code: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    mayor_title: str = Field(default="", max_length=200)
    mayor_name: str = Field(default="", max_length=200)
    mayor_email: str = Field(default="", max_length=254)
    hr_emails: str = Field(default="", max_length=2000)  # comma-separated HR contact addresses
    active: bool = Field(default=True)
    sort: int = Field(default=0)

    @property
    def hr_addresses(self) -> list[str]:
        return [a.strip() for a in self.hr_emails.split(",") if a.strip()]


class Unit(TableModel, table=True):
    """A unit of a department; with a P-number it is a workplace (docs/compliance.md)."""

    __tablename__ = "unit"
    __table_args__ = (
        sa.UniqueConstraint("department_id", "name"),
        sa.CheckConstraint("p_number IS NULL OR length(p_number) = 10", name="p_number_length"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    department_id: int = Field(foreign_key="department.id", index=True)
    name: str = Field(max_length=200)
    active: bool = Field(default=True)
    p_number: str | None = Field(default=None, max_length=10, unique=True)  # the workplace's P-number


class PlacementType(TableModel, table=True):
    __tablename__ = "placement_type"
    __table_args__ = (
        sa.CheckConstraint(_in("measure", MEASURES), name="measure_known"),
        sa.CheckConstraint(_in("target_unit", ("places", "persons", "courses")), name="target_unit_known"),
    )

    id: int = Field(default=None, primary_key=True)  # None until flushed, like Mapped[int]
    code: str = Field(max_length=40, unique=True)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    measure: str = Field(default="stock", max_length=10)
    target_unit: str = Field(default="places", max_length=10)
    active: bool = Field(default=True)
    sort: int = Field(default=0)
