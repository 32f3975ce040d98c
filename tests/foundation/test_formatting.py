"""The one formatting module (quota_app.formatting), the fulfilment words and the vocabulary: every rule in
Danish and English, and numbers and dates as message parameters."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from quota_app import formatting, levels, vocabulary
from quota_app.formatting import DayAndMonth, Decimal, day_and_month, decimal
from quota_app.periods import Period
from quota_app.texts import N_


def test_danish_and_english_dates_and_numbers() -> None:
    assert day_and_month(date(2025, 12, 31)) == "31. december"
    assert day_and_month(date(2025, 11, 2), "en") == "November 2"
    assert decimal(40.5) == "40,5" and decimal(40.5, "en") == "40.5"
    assert decimal(1200) == "1.200" and decimal(1200, "en") == "1,200"
    assert decimal(41.0) == "41" and decimal(2.346, digits=2) == "2,35"


def test_as_parameters_of_a_message() -> None:
    text = N_(
        "Frist %(day)s, median %(median)s dage.", day=DayAndMonth(date(2025, 11, 20)), median=Decimal(40.5)
    )
    assert text == "Frist 20. november, median 40,5 dage."
    english = {"Frist %(day)s, median %(median)s dage.": "Deadline %(day)s, median %(median)s days."}
    assert text.render(english.get, language="en") == "Deadline November 20, median 40.5 days."
    kept = pickle.loads(pickle.dumps(text))  # noqa: S301 - our own bytes
    assert kept.render(english.get, language="en") == text.render(english.get, language="en")


# --- the one formatting module: every rule in both languages ---------------------------------------------


CPH = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("value", "da", "en"),
    [
        (1234.5, "1.234,5", "1,234.5"),
        (1234567, "1.234.567", "1,234,567"),
        (-1234.5, "-1.234,5", "-1,234.5"),
        (-0.04, "0", "0"),  # rounds to nothing: never "-0"
        (2.0, "2", "2"),
        (0.25, "0,2", "0.2"),  # half to even, as CLDR rounds
        (None, "–", "–"),
    ],
)
def test_numbers(value, da: str, en: str) -> None:  # type: ignore[no-untyped-def]
    assert formatting.number(value) == da and formatting.number(value, "en") == en


def test_numbers_fixed_digits_and_no_grouping() -> None:
    assert formatting.number(5, digits=1, fixed=True) == "5,0"
    assert formatting.number(1234.567, "en", digits=2, fixed=True) == "1,234.57"
    assert formatting.number(1234.5, grouping=False) == "1234,5"
    assert formatting.excel_number(1234.5) == "1234,5" and formatting.excel_number(3.0) == "3"
    assert formatting.number(3, "da_DK") == "3" and formatting.number(1234.5, "en_GB") == "1,234.5"


def test_counts_whole_or_one_decimal() -> None:
    assert formatting.count(1001) == "1.001" and formatting.count(1001.0, "en") == "1,001"
    assert formatting.count(22.5) == "22,5" and formatting.count(4.96) == "5,0"
    assert formatting.count(None) == "–"


@pytest.mark.parametrize(
    ("value", "da", "en"),
    [
        (81, "81,0 %", "81.0%"),
        (81.04, "81,0 %", "81.0%"),
        (102.5, "102,5 %", "102.5%"),
        (1234.56, "1.234,6 %", "1,234.6%"),
        (-12.5, "-12,5 %", "-12.5%"),
        (-0.01, "0,0 %", "0.0%"),
        (None, "–", "–"),
    ],
)
def test_percentages_always_one_decimal(value, da: str, en: str) -> None:  # type: ignore[no-untyped-def]
    assert formatting.percent(value) == da and formatting.percent(value, "en") == en


def test_changes_are_signed() -> None:
    assert formatting.change(3) == "+3,0" and formatting.change(-2.54) == "-2,5"
    assert formatting.change(1234.5, "en") == "+1,234.5" and formatting.change(0.04) == "0"
    assert formatting.change(2, digits=0, suffix=" pp") == "+2 pp" and formatting.change(None) == "–"


def test_dates_times_and_moments() -> None:
    assert (
        formatting.date_text(date(2025, 6, 3)) == "03.06.2025" == formatting.date_text(date(2025, 6, 3), "en")
    )
    assert formatting.date_text(None) == "–"
    moment = datetime(2025, 8, 15, 6, 5, tzinfo=UTC)  # 08:05 in Copenhagen (summer time)
    assert formatting.timestamp(moment, zone=CPH) == "15.08.2025 kl. 08.05"
    assert formatting.timestamp(moment, "en", CPH) == "15.08.2025 at 08:05"
    assert formatting.timestamp(datetime(2025, 1, 15, 23, 30, tzinfo=UTC), zone=CPH) == "16.01.2025 kl. 00.30"
    assert (
        formatting.time_text(moment, zone=CPH) == "08.05"
        and formatting.time_text(moment, "en", CPH) == "08:05"
    )
    assert (
        formatting.month_name(date(2025, 6, 1)) == "juni 2025"
        and formatting.month_name(date(2025, 6, 1), "en") == "June 2025"
    )
    assert formatting.excel_date(date(2025, 6, 3)) == "03-06-2025"
    assert formatting.excel_timestamp(moment, CPH) == "15-08-2025 08:05"


def test_periods_in_words_codes_stay_codes() -> None:
    assert formatting.period_name(Period(2026, 1)) == "1. halvår 2026"
    assert formatting.period_name("2026-H2") == "2. halvår 2026"
    assert formatting.period_name("2026-h1", "en") == "1st half 2026"
    assert formatting.period_name(Period(2026, 2), "en") == "2nd half 2026"
    assert formatting.period_name(Period(2026)) == "2026" == formatting.period_name("2026", "en")
    assert formatting.period_name("not a period") == "not a period" and formatting.period_name(None) == "–"
    assert Period(2026, 1).label == "2026-H1"  # inputs, URLs, the API and JSON keep the code


def test_the_parameters_render_in_the_readers_language() -> None:
    text = N_(
        "%(period)s: %(pct)s, sendt kl. %(time)s",
        period=formatting.PeriodName(Period(2025, 1)),
        pct=formatting.Percent(75),
        time=formatting.TimeOfDay(datetime(2025, 8, 15, 8, 0)),
    )
    assert text == "1. halvår 2025: 75,0 %, sendt kl. 08.00"
    english = {"%(period)s: %(pct)s, sendt kl. %(time)s": "%(period)s: %(pct)s, sent at %(time)s"}
    assert text.render(english.get, language="en") == "1st half 2025: 75.0%, sent at 08:00"
    kept = pickle.loads(pickle.dumps(text))  # noqa: S301 - our own bytes
    assert kept.render(english.get, language="en") == text.render(english.get, language="en")


def test_over_and_under_target_in_the_same_words() -> None:
    assert levels.gap_words(3) == "mangler 3" and levels.gap_words(-2.5) == "2,5 over"
    assert levels.gap_words(0) == "0 over" and levels.gap_words(None) == "–"
    english = {"mangler %(n)s": "%(n)s short"}
    assert levels.gap_words(1234.5).render(english.get, language="en") == "1,234.5 short"


def test_one_vocabulary_of_statuses_and_types() -> None:
    assert [vocabulary.status_name(s) for s in ("open", "filled", "paused", "closed")] == [
        "åben",
        "besat",
        "i bero",
        "nedlagt",
    ]
    assert vocabulary.status_label("paused") == "I bero" and vocabulary.status_label("odd") == "odd"
    assert vocabulary.measure_name("flow") == "tilgang" and vocabulary.measure_note("stock") == ""

    class Type:
        name_da, name_en = "Virksomhedspraktik", "Work placement"

    name = vocabulary.type_name(Type())
    assert name == "Virksomhedspraktik" and name.render(language="en") == "Work placement"


def test_no_other_copy_of_the_status_words() -> None:
    """The packages use the vocabulary's words, not copies of their own."""
    from quota_app.exports import services as exports
    from quota_app.places import rules
    from reports import gather

    assert rules.STATUS_DA is vocabulary.STATUS_NAMES
    assert exports.STATUS_DA == gather.STATUS_DA == {k: str(v) for k, v in vocabulary.STATUS_NAMES.items()}
