"""Danish formatting of the reports' figures, dates and periods (thousands dot, decimal comma)."""

from __future__ import annotations

from datetime import date, datetime


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (thousands dot, decimal comma); None -> '–'."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_count(value: float | None) -> str:
    """Whole numbers without decimals, fte-weighted figures with one."""
    if value is None:
        return "–"
    return format_number(value, 0 if float(value).is_integer() else 1)


def format_pct(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 1)} %"


def format_change(value: float | None, *, suffix: str = "", decimals: int = 1) -> str:
    if value is None:
        return "–"
    if round(value, decimals) == 0:
        return f"0{suffix}"
    sign = "+" if value > 0 else "-"
    return f"{sign}{format_number(abs(value), decimals)}{suffix}"


def format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def format_timestamp(value: datetime) -> str:
    return value.strftime("%d.%m.%Y kl. %H.%M")


def unbroken(period_text: str) -> str:
    """'1. halvår 2025' with no line break inside it (a heading must not end on '1.')."""
    return period_text.replace(" ", "\u00a0")
