"""The data model of docs/data-model.md, one module per subject; constraints live in the database, not only here."""

from __future__ import annotations

from .accounts import ApiToken, AuditEntry, LoginAttempt, SignInLink, User
from .base import (
    DAY_KINDS,
    DISPATCH_KINDS,
    DISPATCH_STATES,
    MEASURES,
    MUNICIPALITY_SCOPE,
    PERIOD_KINDS,
    REPORT_KINDS,
    ROLES,
    STATUSES,
    WEIGHTINGS,
)
from .compliance import (
    DEFAULT_COVERED_TYPES,
    ComplianceExemption,
    ComplianceRule,
    PlaceStatement,
    UnitHeadcount,
)
from .jobs import IMPORT_JOB_KINDS, IMPORT_JOB_STATES, ImportJob
from .organisation import Department, PlacementType, Unit
from .places import OPEN_END, ORIGIN, Place, PlaceAttribute, PlaceEvent, PlaceInterval, SupersededInterval
from .reporting import AppText, DepartmentComment, Dispatch, ReportArchive, ReportLink
from .targets import CountingRule, DepartmentHeadcount, MunicipalityTarget, Target, TargetRevision

__all__ = [
    "DAY_KINDS",
    "DEFAULT_COVERED_TYPES",
    "DISPATCH_KINDS",
    "DISPATCH_STATES",
    "IMPORT_JOB_KINDS",
    "IMPORT_JOB_STATES",
    "MEASURES",
    "MUNICIPALITY_SCOPE",
    "OPEN_END",
    "ORIGIN",
    "PERIOD_KINDS",
    "REPORT_KINDS",
    "ROLES",
    "STATUSES",
    "WEIGHTINGS",
    "ApiToken",
    "AppText",
    "AuditEntry",
    "ComplianceExemption",
    "ComplianceRule",
    "CountingRule",
    "Department",
    "DepartmentComment",
    "DepartmentHeadcount",
    "Dispatch",
    "ImportJob",
    "LoginAttempt",
    "MunicipalityTarget",
    "Place",
    "PlaceAttribute",
    "PlaceEvent",
    "PlaceInterval",
    "PlaceStatement",
    "PlacementType",
    "ReportArchive",
    "ReportLink",
    "SignInLink",
    "SupersededInterval",
    "Target",
    "TargetRevision",
    "Unit",
    "UnitHeadcount",
    "User",
]
