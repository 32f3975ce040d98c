"""The scheduler's timetable in words, in Danish and English, and on the administrator's start page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from babel.support import Translations
from flask_babel import force_locale

from quota_app.core import schedules
from quota_app.settings import Settings
from quota_app.texts import PACKAGE_DIR
from quota_app.web import localized

ENGLISH = Translations.load(str(PACKAGE_DIR / "translations"), ["en"])


def words(expression: str, language: str = "da") -> str | None:
    text = schedules.describe(expression)
    return (
        None
        if text is None
        else text.render(ENGLISH.gettext if language == "en" else None, language=language)
    )


@pytest.mark.parametrize(
    ("expression", "danish", "english"),
    [
        ("0 8 15 2,8 *", "15. februar og 15. august kl. 08.00", "February 15 and August 15 at 08:00"),
        ("0 7 * * mon-fri", "mandag til fredag kl. 07.00", "Monday to Friday at 07:00"),
        ("30 7 * * *", "hver dag kl. 07.30", "every day at 07:30"),
        ("0 6,18 * * 1,4", "mandag og torsdag kl. 06.00 og 18.00", "Monday and Thursday at 06:00 and 18:00"),
        ("0 7 * * 6,0", "lørdag og søndag kl. 07.00", "Saturday and Sunday at 07:00"),
        ("15 9 1,15 * *", "den 1. og 15. i hver måned kl. 09.15", "on day 1 and 15 of every month at 09:15"),
        ("0 8 * 12 *", "hver dag i december kl. 08.00", "every day in December at 08:00"),
        ("0 8 29 2 *", "29. februar kl. 08.00", "February 29 at 08:00"),
        (
            "0 8 1 1,4,7,10 *",
            "1. januar, 1. april, 1. juli og 1. oktober kl. 08.00",
            "January 1, April 1, July 1, and October 1 at 08:00",
        ),
    ],
)
def test_common_schedules_in_words(expression, danish, english):
    assert words(expression) == danish
    assert words(expression, "en") == english


@pytest.mark.parametrize(
    "expression",
    ["*/5 * * * *", "0 * * * *", "0 8 15 * mon", "0 8 L * *", "0 0,4,8,12,16 * * *", "not cron"],
)
def test_what_is_hard_to_say_is_left_to_the_next_run(expression):
    assert schedules.describe(expression) is None


def test_the_schedules_from_the_settings_with_their_next_runs():
    settings = Settings(env="test", reminder_days_before=10, alert_cron="0 6 * * mon-fri")
    now = datetime(2025, 9, 30, 10, 0, tzinfo=UTC)  # a Tuesday, 12:00 in Copenhagen
    dispatch, reminder, alert, warning = schedules.schedules(settings, now=now)
    assert dispatch.when == "15. februar og 15. august kl. 08.00"
    assert dispatch.next_at.isoformat() == "2026-02-15T08:00:00+01:00"
    assert dispatch.next_run == "15. februar 2026 kl. 08.00"
    assert reminder.when == "hver dag kl. 07.30, fra 10 dage før et halvår slutter"
    assert reminder.next_at.isoformat() == "2025-10-01T07:30:00+02:00"
    assert alert.when == "mandag til fredag kl. 06.00"
    assert warning.when == "mandag kl. 07.30"
    assert warning.next_at.isoformat() == "2025-10-06T07:30:00+02:00"
    assert reminder.when.render(ENGLISH.gettext, language="en") == (
        "every day at 07:30, from 10 days before a half-year ends"
    )
    assert dispatch.next_run.render(ENGLISH.gettext, language="en") == "February 15, 2026 at 08:00"


def test_a_schedule_not_in_words_still_has_its_next_run():
    settings = Settings(env="test", alert_cron="*/10 * * * *")
    alert = schedules.schedules(settings, now=datetime(2025, 9, 30, 10, 3, tzinfo=UTC))[2]
    assert alert.when is None and alert.next_run == "30. september 2025 kl. 12.10"


def test_the_admin_start_page_lists_users_departments_and_schedules(client, login, make_user):
    login(make_user("admin"))
    page = client.get("/").get_data(as_text=True)
    assert "Du administrerer brugere, forvaltninger og tidsplaner." in page
    for link in ('href="/admin/users"', 'href="/admin/departments"'):
        assert link in page
    assert "15. februar og 15. august kl. 08.00" in page
    assert "mandag til fredag kl. 07.00" in page
    assert "hver dag kl. 07.30, fra 14 dage før et halvår slutter" in page
    for raw in ("0 8 15 2,8 *", "mon-fri", "dispatch_cron", "reminder", "Påmindelser</td>"):
        assert raw not in page


def test_the_schedules_in_english(app, client, login, make_user):
    login(make_user("admin"))
    token = client.get("/").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert "February 15 and August 15 at 08:00" in page and "Monday to Friday at 07:00" in page
    with app.test_request_context(), force_locale("en"):
        assert localized(schedules.describe("0 7 * * mon-fri")) == "Monday to Friday at 07:00"
