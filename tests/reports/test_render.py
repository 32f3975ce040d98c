"""The renderer on hand-built data: text, Danish letters and numbers, splitting, escaping, metadata."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from reports.data import OpenPlace
from reports.render import render_consolidated_report, render_department_report
from reports.render.formatting import (
    format_change,
    format_count,
    format_date,
    format_number,
    format_pct,
    format_timestamp,
)

from . import samples
from .pdfs import all_text, pages_text, reader


def test_danish_number_and_date_formats() -> None:
    assert format_number(1234567.891, 1) == "1.234.567,9"
    assert format_number(None) == "–"
    assert format_count(22.5) == "22,5"
    assert format_count(1001.0) == "1.001"
    assert format_pct(81.05) == "81,1 %" or format_pct(81.05) == "81,0 %"
    assert format_pct(None) == "–"
    assert format_change(-2.5) == "-2,5"
    assert format_change(3.0) == "+3,0"
    assert format_change(0.01) == "0"
    assert format_date(date(2025, 6, 30)) == "30.06.2025"
    assert format_timestamp(datetime(2025, 8, 15, 8, 5)) == "15.08.2025 kl. 08.05"


def test_department_report_reads_back_with_department_mayor_period_and_figures() -> None:
    text = all_text(render_department_report(samples.department_report()))
    assert "Socialforvaltningen" in text
    assert "Socialborgmester Søren Østergård Åberg" in text
    assert "Jens-Kristian Lütken" in text and "Beskæftigelses- og Integrationsborgmester" in text
    assert "Halvårsstatus for støttet beskæftigelse, 1. halvår 2025" in text
    # Løntilskud: target 1.234, filled 1.001, fulfilment 81,1 %; fleksjob counts 22,5 (fte).
    assert re.search(r"Løntilskud\s+1\.234\s+1\.001\s+17\s+3\s+1\.001\s+81,1 %\s+\+3,0\s+\+2", text), text
    assert re.search(r"Fleksjob\s+25\s+22,5\s+1\s+0\s+22,5\s+90,0 %", text)
    assert "Vi mangler praktikpladser i Borgercenter Voksne." in text
    assert "Økonomiforvaltningen (ØKF)" in text  # position among departments
    assert "Socialforvaltningen er nr. 2 af 3" in text
    assert "Skæringsdato: 30.06.2025" in text
    assert "15.08.2025 kl. 08.00" in text  # known-at 06:00 UTC in Copenhagen summer time
    assert "26.05.2024" in text  # open since, dd.mm.yyyy


def test_letter_is_the_first_page() -> None:
    first = pages_text(render_department_report(samples.department_report()))[0]
    assert "Kære Socialborgmester Søren Østergård Åberg" in first
    assert "Med venlig hilsen" in first
    assert "Status pr. ordning" not in first


def test_user_text_is_escaped_and_renders_as_text() -> None:
    comment = 'Husk <font color="red">Vigtigt</font> & <b>fed</b> < > "citat"'
    pdf = render_department_report(
        samples.department_report(
            comment=comment,
            letter_text="Kære <i>borgmester</i> & co.",
            department_name="Social & <Omsorg>",
        )
    )
    text = all_text(pdf)
    assert 'Husk <font color="red">Vigtigt</font> & <b>fed</b> < > "citat"' in text
    assert "Kære <i>borgmester</i> & co." in text
    assert "Social & <Omsorg>" in text


def test_two_hundred_open_places_span_pages_with_the_header_repeated() -> None:
    places = tuple(
        OpenPlace(
            reference=f"REF-{i:04d}",
            unit="Center for Hjemløse",
            type_name="Nytteindsats",
            title="Nytteindsats ved genbrugsstation",
            open_since=date(2024, 1, 1),
            days_open=547 - i,
        )
        for i in range(200)
    )
    pages = pages_text(render_department_report(samples.department_report(open_longest=places)))
    with_places = [page for page in pages if "REF-" in page]
    assert len(with_places) >= 3
    for page in with_places:
        assert "Reference" in page and "Betegnelse" in page and "Dage" in page, page[:300]
    # Every place is there, once, in order.
    found = [ref for page in with_places for ref in re.findall(r"REF-\d{4}", page)]
    assert found == [f"REF-{i:04d}" for i in range(200)]
    header_rows = sum(page.count("Betegnelse") for page in with_places)
    assert header_rows == len(with_places)


def test_metadata_language_and_embedded_font() -> None:
    pdf = reader(render_department_report(samples.department_report()))
    meta = pdf.metadata
    assert meta.title == "Halvårsstatus for støttet beskæftigelse 1. halvår 2025 – Socialforvaltningen"
    assert meta.author == "Københavns Kommune, Beskæftigelses- og Integrationsforvaltningen"
    assert meta.subject == "Halvårsstatus 1. halvår 2025 for Socialforvaltningen (SOF)"
    assert pdf.trailer["/Root"]["/Lang"] == "da-DK"
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Vera" in name for name in fonts), fonts
    for font in fonts:
        assert "Helvetica" not in font and "Times" not in font, fonts
    descendants = [
        page["/Resources"]["/Font"][key].get_object()
        for page in pdf.pages
        for key in page["/Resources"]["/Font"]
    ]
    assert all("/FontDescriptor" in f or "/DescendantFonts" in f for f in descendants)


def test_page_numbers_say_side_x_af_y() -> None:
    pages = pages_text(render_department_report(samples.department_report()))
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"side {number} af {total}" in page


def test_same_data_gives_the_same_bytes() -> None:
    first = render_department_report(samples.department_report())
    assert render_department_report(samples.department_report()) == first
    assert render_department_report(samples.department_report(comment="Anden tekst")) != first
    assert render_consolidated_report(samples.consolidated_report()) == render_consolidated_report(
        samples.consolidated_report()
    )


def test_consolidated_report_shows_every_department_and_municipality_totals() -> None:
    pdf = render_consolidated_report(samples.consolidated_report())
    text = all_text(pdf)
    for name in ("Økonomiforvaltningen (ØKF)", "Socialforvaltningen (SOF)", "Kommunen i alt", "Løntilskud"):
        assert name in text
    assert "Kommunen i alt: 2.400 talt med mod måltal 3.000 (80,0 %)" in text
    assert "1.001 / 1.234" in text
    assert "Tælleregler" in text
    pages = pages_text(pdf)
    assert f"side 1 af {len(pages)}" in pages[0]
    assert (
        reader(pdf).metadata.title
        == "Halvårsstatus for støttet beskæftigelse 1. halvår 2025 – Københavns Kommune"
    )


def test_a_department_without_places_or_targets_still_renders() -> None:
    empty = replace(
        samples.department_report(),
        rows=(),
        trend=(),
        open_longest=(),
        comment="",
        position=replace(samples.department_report().position, rank=None),
    )
    text = all_text(render_department_report(empty))
    assert "Ingen åbne pladser på skæringsdatoen." in text
    assert "har ikke skrevet en kommentar" in text
    assert "indgår ikke i placeringen" in text


def test_same_bytes_in_another_process_with_another_hash_seed() -> None:
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import hashlib; from tests.reports import samples; from reports.render import render_department_report; "
        "print(hashlib.sha256(render_department_report(samples.department_report())).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, "PYTHONHASHSEED": "4242"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        result.stdout.strip()
        == hashlib.sha256(render_department_report(samples.department_report())).hexdigest()
    )
