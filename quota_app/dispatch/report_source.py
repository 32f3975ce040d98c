"""Where the PDFs come from: dispatch is given the functions that build and archive the reports.

Dispatch never imports the reports package (an import-linter contract): whoever composes the program passes
a ReportSource in. The scheduler builds one from `reports.services`; the web app and `quota` keep theirs in
`app.extensions[APP_EXTENSION]` (put there by `quota_app.reports_web`, the reports' web and CLI front);
tests pass their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from ..errors import DomainError
from ..models import Department, ReportArchive, User
from ..periods import Period
from ..texts import N_

APP_EXTENSION = "quota_report_source"


@dataclass(frozen=True)
class ReportSource:
    """The functions that build a department's or the consolidated report (PDF bytes) and archive one."""

    build_department: Callable[..., bytes]
    build_consolidated: Callable[..., bytes]
    archive: Callable[..., ReportArchive]
    # The figures all of a period's reports share, counted once and passed to the builders as context.
    gather: Callable[..., Any] | None = None
    # Gather a report once, render it and archive the PDF with its data (for the HTML twin and the mail's
    # verdict); without it the PDF alone is built and archived.
    build_archived: Callable[..., ReportArchive] | None = None


class ReportBuilder:
    """Builds a period's reports as known at one moment, counting their shared figures at most once."""

    def __init__(
        self, session: Session, source: ReportSource | None, *, period: Period, known_at: datetime
    ) -> None:
        self.session, self._source, self.period, self.known_at = session, source, period, known_at
        self._shared: dict[str, Any] | None = None

    @property
    def source(self) -> ReportSource:
        if self._source is None:  # asked only when a report is built: dry runs build none
            raise DomainError(N_("Der er ingen rapportkilde sat op; rapporterne kan ikke dannes."))
        return self._source

    def _context(self) -> dict[str, Any]:
        if self._shared is None:
            gather = self.source.gather
            self._shared = (
                {"context": gather(self.session, period=self.period, known_at=self.known_at)}
                if gather
                else {}
            )
        return self._shared

    def build(self, department: Department | None) -> bytes:
        common = {"period": self.period, "known_at": self.known_at, **self._context()}
        if department is None:
            return self.source.build_consolidated(self.session, **common)
        return self.source.build_department(self.session, department_code=department.code, **common)

    def archived(self, department: Department | None, *, actor: User | str, now: datetime) -> ReportArchive:
        """Build the scope's report now and archive it."""
        if self.source.build_archived is not None:
            return self.source.build_archived(
                self.session,
                period=self.period,
                department_code=department.code if department else None,
                known_at=self.known_at,
                actor=actor,
                now=now,
                **self._context(),
            )
        return self.source.archive(
            self.session,
            period=self.period,
            department_code=department.code if department else None,
            known_at=self.known_at,
            pdf=self.build(department),
            actor=actor,
            now=now,
        )
