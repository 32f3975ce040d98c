"""The whole run, as the command line, the scheduler and the browser use it: plan a period, then deliver."""

from __future__ import annotations

import sqlalchemy as sa

from ..clock import Clock
from ..db import Database
from ..mail.services import Transport
from ..periods import Period
from ..settings import Settings
from .delivery import DeliveryResult, deliver_due
from .ledger import Actor, PlanResult, plan_period
from .report_source import ReportSource


def run_dispatch(
    db: Database,
    *,
    settings: Settings,
    period: Period,
    transport: Transport,
    clock: Clock,
    worker: str,
    actor: Actor,
    department_code: str | None = None,
    source: ReportSource | None = None,
) -> tuple[PlanResult, DeliveryResult]:
    """Plan the period (committed; a concurrent planner's rows win and are reused), then deliver."""
    for attempt in range(3):
        try:
            with db.begin() as session:
                plan = plan_period(
                    session,
                    settings=settings,
                    period=period,
                    actor=actor,
                    now=clock.now(),
                    department_code=department_code,
                    source=source,
                )
            break
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # Another process planned the same rows at the same moment; read them on the next round.
            if attempt == 2:
                raise
    delivery = deliver_due(
        db,
        settings=settings,
        transport=transport,
        clock=clock,
        worker=worker,
        period=period.label,
        scope=department_code,
    )
    return plan, delivery
