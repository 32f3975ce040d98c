"""What every table module shares: the vocabularies the database checks, the naming convention and column helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ..db import UTCDateTime

STATUSES = ("open", "filled", "paused", "closed")
ROLES = ("hr", "bif", "admin")
MEASURES = ("stock", "flow")
WEIGHTINGS = ("headcount", "fte")
DISPATCH_KINDS = ("report", "consolidated", "reminder", "alert", "warning", "failure_notice")
REPORT_KINDS = ("report", "consolidated")  # the kinds that carry a report PDF
PERIOD_KINDS = (*REPORT_KINDS, "reminder")  # the kinds about a period
DAY_KINDS = ("alert", "warning")  # the kinds about a day: the daily alert, the weekly warning (its Monday)
DISPATCH_STATES = ("pending", "sending", "sent", "failed")
MUNICIPALITY_SCOPE = "KK"  # the whole municipality, where a row is not about one department

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

if TYPE_CHECKING:

    class TableModel(SQLModel):
        """What mypy sees of a table model: SQLModel declares no type for the Core table it maps to."""

        __table__: ClassVar[sa.Table]

else:
    TableModel = SQLModel  # at run time the table models derive from SQLModel itself


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _utc(nullable: bool = False, **kw: Any) -> Any:
    return Field(
        default=None if nullable else ..., sa_column=sa.Column(UTCDateTime(), nullable=nullable, **kw)
    )
