"""The shared input converters (quota_app.converters, quota_app.cpr, the URL converters): one rule set."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quota_app import converters, cpr
from quota_app.converters import ConversionError
from quota_app.errors import DomainError
from quota_app.periods import Period

UNICODE_DIGITS = ["²", "٣", "３", "१२", "𝟗", "①", "߃"]


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_digits_of_other_scripts_are_not_numbers(text):
    # Python's int() accepts some of these (int("٣") == 3, int("３") == 3) and isdigit() accepts "²".
    with pytest.raises(ConversionError):
        converters.parse_int(text)
    with pytest.raises(ConversionError):
        converters.parse_id(text)
    assert not converters.is_id(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("1", 1), (" 42 ", 42), ("+7", 7), ("2147483647", 2147483647), (5, 5)]
)
def test_ids_within_postgresql_integer(text, expected):
    assert converters.parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0", "-1", "2147483648", "9223372036854775808", "9" * 5000, "1.5", "1e3", "0x10", "1_000", "", True],
)
def test_ids_outside_the_range_or_not_integers_are_refused(text):
    with pytest.raises(ConversionError) as caught:
        converters.parse_id(text, field="place_id")
    assert caught.value.field == "place_id"
    assert len(caught.value.message) < 200  # the value is shortened in the message


@given(st.integers())
def test_any_integer_in_range_round_trips_and_any_other_is_refused(number):
    inside = 1 <= number <= converters.MAX_ID
    try:
        assert converters.parse_id(str(number)) == number
        assert inside
    except ConversionError:
        assert not inside


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_arbitrary_text_either_converts_or_is_a_conversion_error(text):
    # Whatever comes in, the converters answer with a value or a ConversionError, never another exception.
    for convert in (
        converters.parse_int,
        converters.parse_id,
        converters.parse_date,
        converters.parse_period,
        converters.parse_timestamp,
        converters.parse_bool,
    ):
        with contextlib.suppress(ConversionError):
            convert(text)
    with contextlib.suppress(DomainError):
        converters.clean_text(text, max_length=None, multiline=True, cpr_guard=True)


def test_int_or_is_lenient_for_filters():
    assert converters.int_or("²", 1, low=1, high=10) == 1
    assert converters.int_or("99999999999999999999", 1, low=1, high=10) == 1
    assert converters.int_or("3", 1, low=1, high=10) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("30.06.2025", date(2025, 6, 30)),
        ("3.6.2025", date(2025, 6, 3)),
        ("30-06-2025", date(2025, 6, 30)),
        (" 2000-01-01 ", date(2000, 1, 1)),
        (date(2025, 1, 2), date(2025, 1, 2)),
        (datetime(2025, 1, 2, 10, tzinfo=UTC), date(2025, 1, 2)),
    ],
)
def test_dates_iso_and_danish(text, expected):
    assert converters.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",
        "31.06.2025",
        "2025/06/30",
        "٢٠٢٥-٠٦-٣٠",
        "２０２５-０６-３０",
        "30.06-2025",
        "2025-06-30x",
        "x" * 500,
    ],
)
def test_malformed_dates_are_refused_with_a_message(text):
    with pytest.raises(ConversionError) as caught:
        converters.parse_date(text, field="effective_date")
    assert caught.value.field == "effective_date"
    assert "dato" in caught.value.message


def test_absurd_dates_are_refused():
    with pytest.raises(ConversionError, match="for tidlig"):
        converters.parse_date("1999-12-31")
    with pytest.raises(ConversionError, match="for tidlig"):
        converters.parse_date("01.01.0001")
    with pytest.raises(ConversionError, match="ligger efter"):
        converters.parse_date("9999-12-31")
    # Where a past date is required the caller gives today as the latest day.
    with pytest.raises(ConversionError, match=r"ligger efter 30\.09\.2025"):
        converters.parse_date("2025-10-01", latest=date(2025, 9, 30))
    assert converters.parse_date("2025-09-30", latest=date(2025, 9, 30)) == date(2025, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected"), [("2025", Period(2025)), ("2025-H1", Period(2025, 1)), ("2025-h2", Period(2025, 2))]
)
def test_periods(text, expected):
    assert converters.parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["٢٠٢٥", "２０２５-H1", "2025-H3", "1999", "2101", "2025H1", "2025-H1\x00", "", None, "9" * 9999]
)
def test_malformed_periods_are_refused(text):
    with pytest.raises(ConversionError) as caught:
        converters.parse_period(text)
    assert caught.value.field == "period"


def test_timestamps_need_an_offset_and_a_sane_year():
    assert converters.parse_timestamp("2025-08-15T08:00:00+02:00") == datetime(2025, 8, 15, 6, tzinfo=UTC)
    assert converters.parse_timestamp("2025-08-15T06:00:00z") == datetime(2025, 8, 15, 6, tzinfo=UTC)
    for text in (
        "2025-08-15T08:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-23:59",
        "٢٠٢٥-08-15T08:00Z",
    ):
        with pytest.raises(ConversionError):
            converters.parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("1", True), ("ja", True), ("on", True), ("0", False), ("nej", False), ("", False)]
)
def test_booleans(text, expected):
    assert converters.parse_bool(text) is expected


def test_booleans_refuse_anything_else():
    with pytest.raises(ConversionError):
        converters.parse_bool("måske")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_text_refuses_control_characters(char):
    with pytest.raises(ConversionError, match="ugyldigt tegn"):
        converters.clean_text(f"a{char}b", field="title", multiline=True)


def test_text_allows_line_breaks_only_where_several_lines_are():
    assert converters.clean_text(" a\r\nb\tc ", multiline=True) == "a\nb\tc"
    with pytest.raises(ConversionError):
        converters.clean_text("a\nb", multiline=False)


def test_text_length_and_required():
    with pytest.raises(ConversionError, match="højst være 5 tegn"):
        converters.clean_text("x" * 6, label="Titlen", max_length=5)
    with pytest.raises(ConversionError, match="skal udfyldes"):
        converters.clean_text("  ", label="Titlen", required=True)
    with pytest.raises(ConversionError):
        converters.clean_text(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "Borger 010203-1234",
        "0102031234",
        "010203 1234",
        "010203–1234",
        "０１０２０３-１２３４",  # full-width digits
        "٠١٠٢٠٣-١٢٣٤",  # Arabic-Indic digits
        "290200-1234",  # 29 Feb 2000
        "010203-1235",  # fails modulus 11: still a CPR number since 2007
    ],
)
def test_cpr_numbers_are_refused_in_any_digits(text):
    with pytest.raises(DomainError, match="CPR-nummer") as caught:
        converters.clean_text(text, field="title", label="Titlen", cpr_guard=True)
    assert caught.value.field == "title"


@pytest.mark.parametrize("text", ["Ref 320203-1234", "311303-1234", "123", "01020312345", "2025-06-30 1234"])
def test_numbers_that_are_no_cpr_number_pass(text):
    assert cpr.find_cpr(text) is None


def test_url_converters_answer_404_for_out_of_range_ids(client_factory):
    client = client_factory()
    # The rule does not match, so the answer is 404 before any view (or sign-in redirect) runs.
    for path in (
        "/places/2147483648",
        "/places/0",
        "/places/%D9%A3",
        "/places/%C2%B2",
        "/targets/1999",
        "/targets/99999999999",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/places/2147483647").status_code == 302  # in range: the view asks to sign in


@pytest.fixture
def client_factory(tmp_path):  # type: ignore[no-untyped-def]
    from quota_app import create_app
    from tests.factories import bare_settings

    app = create_app(bare_settings(tmp_path))
    return app.test_client


def test_cli_integer_option_refuses_unicode_digits():
    import click
    from click.testing import CliRunner

    from quota_app.cli_types import PERIOD, integer

    @click.command()
    @click.option("--places", type=integer(low=0, high=10))
    @click.option("--period", type=PERIOD)
    def command(places, period):  # type: ignore[no-untyped-def]
        click.echo(f"{places} {period}")

    runner = CliRunner()
    assert runner.invoke(command, ["--places", "3", "--period", "2025-H1"]).output == "3 2025-H1\n"
    for args in (["--places", "٣"], ["--places", "11"], ["--period", "٢٠٢٥"]):
        result = runner.invoke(command, args)
        assert result.exit_code == 2, args
        assert "Invalid value" in result.output
