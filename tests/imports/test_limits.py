"""Hostile and broken files through the import service: each refused with its message, nothing saved."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quota_app.errors import DomainError
from quota_app.imports.files import read_table
from quota_app.imports.limits import ImportLimits

from .cases import CASES, IDS, Case
from .hostile import GOOD, HEADER, SMALL_LIMITS, csv_file, xlsx_file


def check_refused(case: Case, run) -> None:  # type: ignore[no-untyped-def]
    """Run the case through run(data, filename) -> ImportResult and check its answer."""
    data = case.build()
    if case.file_message is not None:
        with pytest.raises(DomainError) as info:
            run(data, case.filename)
        assert info.value.message == case.file_message
        return
    result = run(data, case.filename)
    assert not result.ok
    found = {error.row: error.message for error in result.errors}
    assert set(found) == set(case.rows), result.errors
    for line, text in case.rows.items():
        assert text in found[line]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_hostile_file_is_refused_and_nothing_saved(case, run_import, counts):  # type: ignore[no-untyped-def]
    before = counts()
    check_refused(case, lambda data, name: run_import(data, name, limits=SMALL_LIMITS))
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_same_files_refused_by_the_reader_alone(case):  # type: ignore[no-untyped-def]
    data = case.build()
    if case.file_message is not None:
        with pytest.raises(DomainError) as info:
            list(read_table(data, case.filename, SMALL_LIMITS).rows)
        assert info.value.message == case.file_message
    else:
        rows = dict(read_table(data, case.filename, SMALL_LIMITS).rows)
        assert {n for n, cells in rows.items() if not isinstance(cells, list)} == set(case.rows)


def test_default_limits_refuse_a_declared_gigabyte_by_the_central_directory_alone():
    from .hostile import _splice

    small = xlsx_file([HEADER.split(";"), GOOD.format(n=1).split(";")])
    # A part claiming 1 GiB (its real content is small): refused before anything is inflated.
    lying_big = _splice(small, "xl/worksheets/sheet1.xml", b"\x03\x00", 0, 1024**3)
    with pytest.raises(DomainError) as info:
        read_table(lying_big, "x.xlsx")
    assert "når det pakkes ud" in info.value.message and "512 MB" in info.value.message


def test_rows_at_the_limits_are_read():
    limits = ImportLimits(max_rows=3, max_columns=9, max_cell_chars=2000)
    data = csv_file(*(GOOD.format(n=n).replace("Praktik", "P" * 2000) for n in range(3)))
    assert [n for n, _ in read_table(data, "x.csv", limits).rows] == [2, 3, 4]


# --- encodings, line ends and headers ---


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (("\ufeff" + HEADER + "\r\nSOF-1;SOF;internship;åben;2025-01-06;;Køkken;1;\r\n").encode(), 2),
        ((HEADER + "\rSOF-1;SOF;internship;åben;2025-01-06;;Køkken;1;\r\r").encode(), 2),
        ((HEADER + "\n\n\nSOF-1;SOF;internship;åben;2025-01-06;;Køkken;1;\n\n\n").encode("cp1252"), 4),
        ((HEADER + "\nSOF-1;SOF;internship;åben;2025-01-06;;Køkken;1;\n").encode("utf-16"), 2),
        (
            (
                HEADER.replace(";", "\t") + "\nSOF-1\tSOF\tinternship\tåben\t2025-01-06\t\tKøkken\t1\t\n"
            ).encode(),
            2,
        ),
    ],
    ids=["utf-8-sig crlf", "cr only", "cp1252 blank lines", "utf-16 bom", "tab separated"],
)
def test_encodings_and_line_ends_read_the_same_row(data, line):  # type: ignore[no-untyped-def]
    rows = list(read_table(data, "x.csv").rows)
    assert rows == [(line, ["SOF-1", "SOF", "internship", "åben", "2025-01-06", "", "Køkken", "1", ""])]


def test_a_file_mixing_utf8_and_windows_1252_is_refused_not_read_as_mojibake():
    data = (
        HEADER + "\nSOF-1;SOF;internship;åben;2025-01-06;;Køkken;1;\n"
    ).encode() + "SOF-2;SOF;x;y;z;;Ø;1;\n".encode("cp1252")
    with pytest.raises(DomainError) as info:
        read_table(data, "x.csv")
    assert info.value.message.startswith("Række 3 er ikke gyldig UTF-8, men andre rækker er")


def test_nul_bytes_refuse_the_file(run_import, counts):  # type: ignore[no-untyped-def]
    before = counts()
    with pytest.raises(DomainError) as info:
        run_import(csv_file(GOOD.format(n=1), "SOF-2;SOF;internship;open;2025-01-06;;Pr\x00aktik;1;"))
    assert info.value.message == "Filen kunne ikke læses: den ligner ikke en CSV-fil."
    assert counts() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER + ";reference", "Kolonnen 'reference' står der to gange."),
        (HEADER.replace("note", "ref"), "Kolonnen 'ref' står der to gange."),
        (HEADER.replace("note", "farve"), "Ukendt kolonne 'farve'."),
    ],
)
def test_duplicate_or_unknown_header_columns_are_errors(header, message, run_import, counts):  # type: ignore[no-untyped-def]
    before = counts()
    width = len(header.split(";"))
    row = ";".join((GOOD.format(n=1).split(";") + [""] * width)[:width])
    result = run_import(f"{header}\n{row}\n")
    assert [(e.row, e.message) for e in result.errors] == [(1, message)]
    assert counts() == before


# --- the property: N data lines save N rows' worth of events, or nothing and every bad line named ---

BAD_ROWS = {
    "short": "SOF-{n};SOF;internship;open;2025-01-06;;Praktik;1",
    "long": "SOF-{n};SOF;internship;open;2025-01-06;;Praktik;1;;",
    "stray": "SOF-{n};SOF;internship;open;2025-01-06;;Prak;tik;1;",
    "status": "SOF-{n};SOF;internship;ukendt;2025-01-06;;Praktik;1;",
    "date": "SOF-{n};SOF;internship;open;2025-02-30;;Praktik;1;",
    "formula": "SOF-{n};SOF;internship;open;2025-01-06;;=1+2;1;",
}
LINES = st.lists(
    st.tuples(st.sampled_from(["good", *BAD_ROWS]), st.integers(min_value=0, max_value=2)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
@given(
    lines=LINES,
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    quote_last=st.booleans(),
)
def _property(session, run_import, lines, newline, encoding, quote_last):  # type: ignore[no-untyped-def]
    text_lines = [HEADER]
    bad: set[int] = set()
    data_lines = 0
    for n, (kind, blanks) in enumerate(lines):
        text_lines += [""] * blanks  # blank lines are skipped but still counted as lines
        text_lines.append(
            (GOOD if kind == "good" else BAD_ROWS[kind]).format(n=n).replace("Praktik", "Køkken")
        )
        data_lines += 1
        if kind != "good":
            bad.add(len(text_lines))
    if quote_last:
        text_lines.append('SOF-X;SOF;internship;open;2025-01-06;;"Køkken;1;')
        data_lines += 1
        bad.add(len(text_lines))
    data = (newline.join(text_lines) + newline).encode(encoding)
    savepoint = session.begin_nested()
    try:
        from .conftest import event_count

        before = event_count(session)
        result = run_import(data, "property.csv")
        saved = event_count(session) - before
        if bad:
            assert {e.row for e in result.errors} == bad
            assert saved == 0
        else:
            assert result.ok and result.rows_read == data_lines
            assert saved == data_lines  # every line a new place with its first event
    finally:
        savepoint.rollback()


def test_n_lines_save_n_rows_of_events_or_nothing_and_every_bad_line_is_named(session, run_import):  # type: ignore[no-untyped-def]
    _property(session, run_import)


def test_a_part_compressed_beyond_any_spreadsheet_is_refused_by_its_ratio():
    from .hostile import MB, bomb

    with pytest.raises(DomainError) as info:
        read_table(bomb("shared", 8 * MB), "x.xlsx", ImportLimits(max_uncompressed_bytes=64 * MB))
    assert info.value.message.startswith("En del af regnearket pakkes ud til over 200 gange sin størrelse")


def test_just_over_the_byte_limit_shows_the_bytes():
    with pytest.raises(DomainError) as info:
        read_table(b"a;b\n" + b"1;2\n" * 300, "x.csv", ImportLimits(max_bytes=1024))
    assert (
        info.value.message == "Filen fylder 1204 byte; højst 1024 byte kan indlæses. Del den i flere filer."
    )
