"""The reports' figures, dates and periods, written by the app's one formatting module
(`quota_app.formatting`, Babel's CLDR data) in Danish, the PDF's language. The names are the renderer's;
the rules are the app's (docs/architecture.md, "Numbers, dates and periods")."""

from __future__ import annotations

from datetime import date, datetime

from quota_app import formatting


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (thousands dot, decimal comma, exactly `decimals` decimals); None -> '–'."""
    return formatting.number(value, digits=decimals, fixed=True)


def format_count(value: float | None) -> str:
    """Whole numbers without decimals, fte-weighted figures with one."""
    return formatting.count(value)


def format_pct(value: float | None) -> str:
    """81.04 -> '81,0 %' (one decimal, always); None -> '–'."""
    return formatting.percent(value)


def format_change(value: float | None, *, suffix: str = "", decimals: int = 1) -> str:
    """A signed change: '+3,0', '-2,5', '0'; None -> '–'."""
    return formatting.change(value, digits=decimals, suffix=suffix)


def format_date(value: date) -> str:
    return formatting.date_text(value)


def format_timestamp(value: datetime) -> str:
    """'15.08.2025 kl. 08.00' (value already in the time zone to show)."""
    return formatting.timestamp(value)


def unbroken(period_text: str) -> str:
    """'1. halvår 2025' with no line break inside it (a heading must not end on '1.')."""
    return period_text.replace(" ", "\u00a0")
