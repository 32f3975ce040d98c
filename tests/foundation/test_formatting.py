"""Numbers and dates as message parameters, written the way the reader's language writes them."""

from __future__ import annotations

import pickle
from datetime import date

from quota_app.formatting import DayAndMonth, Decimal, day_and_month, decimal
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
