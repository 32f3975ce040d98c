"""Hypothesis strategies for hostile input: the values people and programs send by mistake or on purpose."""

from __future__ import annotations

from hypothesis import strategies as st

# Digits Python's int() or str.isdigit() accept although nobody means them as numbers here.
UNICODE_DIGITS = ["²", "³", "¹", "٣", "۳", "३", "০", "๓", "３", "𝟑", "①", "Ⅻ", "½", "߃"]
CONTROL = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud800",
]
HUGE = [
    "0",
    "-1",
    "-0",
    "+1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "1" * 40,
    "9" * 5000,
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "1_000",
    " 1 ",
    "1.5",
    "1,5",
]
DATES = [
    "2025-06-30",
    "30.06.2025",
    "3.6.2025",
    "30-06-2025",
    "2025-02-30",
    "0001-01-01",
    "1899-12-31",
    "1999-12-31",
    "9999-12-31",
    "2099-01-01",
    "2025-13-01",
    "2025-06-31",
    "00.00.0000",
    "31.12.9999",
    "２０２５-０６-３０",
    "٢٠٢٥-٠٦-٣٠",
    "2025-06-30T25:00",
    "2025-06-30T10:00:00",
    "2025-06-30T10:00:00+02:00",
    "2025-06-30T10:00:00Z",
    "1970-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-23:59",
]
PERIODS = [
    "2025",
    "2025-H1",
    "2025-H2",
    "2025-H3",
    "1999",
    "2101",
    "0000",
    "٢٠٢٥",
    "２０２５-H1",
    "2025-h2",
    "2025H1",
]
WORDS = [
    "",
    " ",
    "..",
    "../..",
    "/",
    "%",
    "%00",
    "%2e%2e",
    "%ZZ",
    "%c0%ae",
    "a/b",
    "csv",
    "xlsx",
    "pdf",
    "json",
    "SOF",
    "sof",
    "ØKF",
    "internship",
    "open",
    "filled",
    "paused",
    "closed",
    "counted",
    "true",
    "false",
    "on",
    "ja",
    "null",
    "None",
    "[]",
    "{}",
    "'; DROP TABLE place; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "%(field)s",
    "%s%s%s",
    "\\",
    "010203-1234",
    "0102031234",
    "０１０２０３-１２３４",
    "x" * 301,
    "x" * 3000,
    "ß" * 70,
    "\U0001f600",
    "e\u0301",
    "\u202e",
]

nasty_scalar = st.sampled_from(UNICODE_DIGITS + CONTROL + HUGE + DATES + PERIODS + WORDS)
nasty_text = st.one_of(
    nasty_scalar,
    st.text(max_size=30),
    st.builds(lambda a, b: a + b, nasty_scalar, nasty_scalar),
    st.integers().map(str),
    st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
    st.dates().map(str),
)


def values_for(valid: list[str]):  # type: ignore[no-untyped-def]
    """A value that often is one the app knows (so the request gets deep) and otherwise is hostile."""
    if not valid:
        return nasty_text
    return st.one_of(st.sampled_from(valid), nasty_text)
