"""The overview: its figures are the engine's, what-if beside adopted, every number leads to its places."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import flask_babel
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from quota_app.levels import fulfilment_level
from quota_app.models import CountingRule, PlaceEvent
from quota_app.monitor.measure import Measure, what_if_choices
from quota_app.monitor.overview import build_overview
from quota_app.monitor.presenters import format_figure
from quota_app.periods import Period
from quota_app.places import corrections, status_events
from quota_app.reconcile.figures import reconcile
from quota_app.reconcile.types import RuleOverride
from tests.conftest import T0
from tests.monitor.conftest import RECORDED

AS_OF = "2025-09-30"


def _csv(client, query: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/monitor/export.csv?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _num(text: str) -> float | None:
    return None if text == "" else float(text.replace(",", "."))


def _cells(rows: list[list[str]]) -> dict[tuple[str, str], list[str]]:
    return {(row[0], row[1]): row for row in rows[1:]}


def test_overview_figures_equal_the_engines(client, login, make_user, history, session, reference) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    rows = _csv(client, f"date={AS_OF}")
    expected = reconcile(session, as_of=date(2025, 9, 30), known_at=T0)
    cells = _cells(rows)
    names = {code: t.name_da for code, t in reference["types"].items()}
    assert rows[0][:7] == [
        "Forvaltning",
        "Ordning",
        "Tæller",
        "Måltal",
        "Optalt",
        "Opfyldelse (%)",
        "Mangler",
    ]
    assert len(expected.rows) == 7 * 6
    for row in expected.rows:
        line = cells[(row.department, names[row.type])]
        assert _num(line[3]) == row.target
        assert _num(line[4]) == pytest.approx(row.counted)
        assert _num(line[5]) == row.fulfilment_pct
        assert _num(line[6]) == (None if row.gap is None else pytest.approx(row.gap))
    total = cells[("Kommunen", "I alt")]
    assert _num(total[4]) == pytest.approx(expected.municipality.counted)
    assert _num(total[5]) == expected.municipality.fulfilment_pct
    # The history itself: SOF internship has 3 filled places known now (target 4): 75 %, below target.
    sof = cells[("SOF", "Virksomhedspraktik")]
    assert sof[3:8] == ["4", "3", "75", "1", "Under mål"]
    assert cells[("BIF", "Nytteindsats")][3:8] == ["3", "2", "66,7", "1", "Under mål"]
    assert cells[("SOF", "Fleksjob")][3:8] == ["1", "1", "100", "0", "Mål nået"]


def test_overview_page_shows_levels_as_text_and_a_legend(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/?date={AS_OF}").get_data(as_text=True)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Sådan læses tallene" in html
    for text in ("Under mål", "Tæt på mål", "Mål nået", "Intet måltal"):
        assert text in html
    assert "under 90 %" in html and "fra 90 % til under 100 %" in html
    # SOF internship: 3 / 4, 75,0 %, below target, written out beside the colour.
    assert re.search(
        r'mon-block mon-below">\s*<span class="mon-figure"><a [^>]*>3</a>\s*<span class="mon-of">/ 4', html
    )
    assert "75,0 %" in html
    assert "Hvad nu hvis</span>" not in html


def test_what_if_is_shown_beside_the_adopted_figures(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    response = client.get(f"/monitor/?date={AS_OF}&whatif=internship")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tæl åbne virksomhedspraktik-pladser med" in html
    # The SOF internship cell holds both: adopted 3 / 4 and what-if 5 / 4 (the two open places counted).
    sof_row = re.search(r"\(SOF\)</span></th>(.*?)</tr>", html, re.S)
    assert sof_row is not None
    cell = re.search(
        r'<td class="mon-cell">\s*<span class="mon-label">Vedtaget</span>(.*?)</td>', sof_row.group(1), re.S
    )
    assert cell is not None
    assert re.search(r">3</a>\s*<span class=\"mon-of\">/ 4", cell.group(1))
    assert "Hvad nu hvis</span>" in cell.group(1)
    assert re.search(r">5</a>\s*<span class=\"mon-of\">/ 4", cell.group(1))
    assert "125,0 %" in cell.group(1) and "75,0 %" in cell.group(1)
    rows = _cells(_csv(client, f"date={AS_OF}&whatif=internship"))
    sof = rows[("SOF", "Virksomhedspraktik")]
    assert sof[4] == "3" and sof[8] == "5" and sof[9] == "125"
    # Types without a what-if keep one figure; what-if labels appear only where a rule changed.
    assert rows[("SOF", "Fleksjob")][8] == "1"


def test_what_if_can_stop_counting_open_utility_jobs(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/?date={AS_OF}&whatif=utility_job").get_data(as_text=True)
    assert "Tæl ikke åbne nytteindsats-pladser med" in html
    rows = _cells(_csv(client, f"date={AS_OF}&whatif=utility_job"))
    assert rows[("BIF", "Nytteindsats")][4] == "2" and rows[("BIF", "Nytteindsats")][8] == "1"


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(/monitor/places\?[^"]+)"', html)]


def _references(client, url: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return set(
        re.findall(r'<th scope="row"><a href="/places/\d+">(M-\d+)</a></th>', response.get_data(as_text=True))
    )


def _ref(history: dict, *names: str) -> set[str]:
    return {history["places"][name].reference for name in names}


def test_every_number_links_to_the_places_behind_it(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/?date={AS_OF}&whatif=internship").get_data(as_text=True)
    links = _links(html)
    sof_internship = [u for u in links if "department=SOF" in u and "type=internship" in u]
    adopted = [u for u in sof_internship if "whatif" not in u]
    what_if = [u for u in sof_internship if "whatif=internship" in u]
    assert len(adopted) == 1 and len(what_if) == 1
    assert _references(client, adopted[0]) == _ref(history, "sof_filled_1", "sof_filled_2", "sof_late")
    assert _references(client, what_if[0]) == _ref(
        history, "sof_filled_1", "sof_filled_2", "sof_late", "sof_open_old", "sof_open_new"
    )
    # Row total (SOF, every type), column total (internship, every department) and the municipality.
    sof_total = [u for u in links if "department=SOF" in u and "type=" not in u and "whatif" not in u]
    assert _references(client, sof_total[0]) == _ref(
        history, "sof_filled_1", "sof_filled_2", "sof_late", "sof_flex"
    )
    municipality = [u for u in links if "department=" not in u and "type=" not in u and "whatif" not in u]
    assert _references(client, municipality[0]) == _ref(
        history,
        "sof_filled_1",
        "sof_filled_2",
        "sof_late",
        "sof_flex",
        "bif_utility_open",
        "bif_utility_filled",
    )
    assert len(links) == (7 * 6 + 7 + 6 + 1) + (
        7 + 7 + 1 + 1
    )  # adopted everywhere, what-if where a rule changed


def test_links_pin_the_known_at_so_the_list_matches_the_figure(
    client, login, make_user, history, clock
) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/?date={AS_OF}&known_at=2025-09-01T12:00").get_data(as_text=True)
    rows = _cells(_csv(client, f"date={AS_OF}&known_at=2025-09-01T12:00"))
    assert rows[("SOF", "Virksomhedspraktik")][4] == "2"  # sof_late was recorded on 15 September
    link = next(u for u in _links(html) if "department=SOF" in u and "type=internship" in u)
    assert "known_at=2025-09-01T10:00:00Z" in link  # 12:00 in Copenhagen (summer time) is 10:00 UTC
    assert _references(client, link) == _ref(history, "sof_filled_1", "sof_filled_2")
    assert "01.09.2025 kl. 12.00" in html


def test_status_links_on_the_department_page(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    html = client.get(f"/monitor/department/SOF?date={AS_OF}").get_data(as_text=True)
    links = _links(html)
    open_link = next(u for u in links if "type=internship" in u and "status=open" in u)
    paused_link = next(u for u in links if "type=internship" in u and "status=paused" in u)
    assert _references(client, open_link) == _ref(history, "sof_open_old", "sof_open_new")
    assert _references(client, paused_link) == _ref(history, "sof_paused")


def test_period_and_average(client, login, make_user, history, session) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    rows = _cells(_csv(client, "period=2025-H1&method=average"))
    expected = reconcile(
        session, period=Period(2025, 1), method="average", known_at=T0, department_codes=["SOF"]
    )
    row = next(r for r in expected.rows if r.type == "internship")
    assert _num(rows[("SOF", "Virksomhedspraktik")][4]) == pytest.approx(round(row.counted, 2))
    html = client.get("/monitor/?period=2025-H1&method=average").get_data(as_text=True)
    assert "Periode 1. halvår 2025 (01.01.2025–30.06.2025)" in html and "gennemsnit over perioden" in html


def test_export_xlsx_opens_and_has_no_formula(client, login, make_user, history, session, reference) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    response = client.get(f"/monitor/export.xlsx?date={AS_OF}&whatif=internship")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "kvoteopfyldelse-2025-09-30.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Forvaltning" and values[0][8] == "Hvad nu hvis: optalt"
    sof = next(v for v in values if v[0] == "SOF" and v[1] == "Virksomhedspraktik")
    assert sof[3:5] == (4, 3) and sof[8] == 5
    for row in values:
        for value in row:
            assert not (isinstance(value, str) and value[:1] in "=+-@")


def test_csv_export_defuses_formulas(session, reference, client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    department = reference["departments"]["SOF"]
    department.name = "=HYPERLINK(1)"
    reference["types"]["internship"].name_da = "=cmd|' /C calc'!A0"
    session.commit()
    login(make_user("bif"))
    rows = _csv(client, f"date={AS_OF}")
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "@")), value
            if value.startswith("-"):
                float(value.replace(",", "."))  # only negative numbers may start with a minus


def test_cached_results_follow_target_and_rule_changes(session, reference, history, make_target) -> None:  # type: ignore[no-untyped-def]
    known_at = datetime(2025, 9, 20, tzinfo=UTC)
    measure = Measure(as_of=date(2025, 9, 30), period=None, method="point", known_at=known_at)
    first = build_overview(session, measure=measure, now=T0)
    assert first.cell("SOF", "internship").counted == 3
    assert build_overview(session, measure=measure, now=T0).adopted is first.adopted  # cached
    target = make_target(2025, "SOF", "wage_subsidy", 2)
    session.commit()
    assert build_overview(session, measure=measure, now=T0).cell("SOF", "wage_subsidy").target == 2
    target.value = 5
    session.commit()
    assert build_overview(session, measure=measure, now=T0).cell("SOF", "wage_subsidy").target == 5
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"]["internship"].id
        )
    ).one()
    rule.counted_statuses = "filled,open"
    session.commit()
    assert build_overview(session, measure=measure, now=T0).cell("SOF", "internship").counted == 5


def test_live_results_follow_every_registration(session, reference, history, make_place, clock) -> None:  # type: ignore[no-untyped-def]
    """The live overview may come from the cache, but never shows figures older than the last change."""
    bif = make_user_for(session, clock)

    def counted(kind: str = "counted") -> float:
        measure = Measure(as_of=date(2025, 9, 30), period=None, method="point", known_at=clock.now())
        return getattr(
            build_overview(session, measure=measure, now=clock.now()).cell("SOF", "internship"), kind
        )

    assert counted() == 3 and counted("open") == 2
    clock.advance(timedelta(minutes=1))
    assert counted() == 3  # nothing changed: the same figures, now from the cache
    open_place = history["places"]["sof_open_new"]
    status_events.record_status(
        session,
        place_id=open_place.id,
        status="filled",
        effective_date=date(2025, 9, 20),
        actor=bif,
        now=clock.now(),
    )
    session.commit()
    assert counted() == 4 and counted("open") == 1
    clock.advance(timedelta(minutes=1))
    event = session.exec(
        select(PlaceEvent).where(PlaceEvent.place_id == open_place.id, PlaceEvent.status == "filled")
    ).one()
    corrections.void_event(
        session, event_id=event.id, reason="Registreret ved en fejl", actor=bif, now=clock.now()
    )
    session.commit()
    assert counted() == 3 and counted("open") == 2
    clock.advance(timedelta(minutes=1))
    make_place("SOF", "internship", [("filled", date(2025, 9, 1), clock.now())])
    session.commit()
    assert counted() == 4


def make_user_for(session, clock):  # type: ignore[no-untyped-def]
    from quota_app.auth import services as auth

    user = auth.create_user(
        session, email="bif-cache@test.kk.dk", role="bif", password="x" * 14, actor="test", now=clock.now()
    )
    session.commit()
    return user


def test_what_if_choices_follow_the_adopted_rules(session: Session, reference: dict) -> None:
    choices = {c.type.code: c for c in what_if_choices(session, year=2025)}
    assert "job_rotation" not in choices  # a flow type counts starts, not statuses
    assert choices["internship"].override == RuleOverride("internship", ("filled", "open"))
    assert choices["utility_job"].override == RuleOverride("utility_job", ("filled",))


@pytest.mark.parametrize(
    ("pct", "level"),
    [
        (None, "none"),
        (0.0, "below"),
        (89.9, "below"),
        (90.0, "near"),
        (99.9, "near"),
        (100.0, "at"),
        (150.0, "at"),
    ],
)
def test_fulfilment_levels(pct, level) -> None:  # type: ignore[no-untyped-def]
    assert fulfilment_level(pct) == level


def test_english(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    client.post("/language", data={"lang": "en", "csrf_token": _csrf(client)})
    flask_babel.refresh()  # the test keeps one app context across requests, where Flask-Babel caches the locale
    html = client.get(f"/monitor/?date={AS_OF}&whatif=internship").get_data(as_text=True)
    assert "Quota fulfilment overview" in html
    assert "Below target" in html and "What if" in html and "Work placement" in html
    assert "75.0%" in html


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_from

    return csrf_from(client.get("/monitor/").get_data(as_text=True))


@pytest.mark.parametrize(
    ("value", "digits", "locale_code", "fixed", "text"),
    [
        (1234567.5, 2, "da", False, "1.234.567,5"),
        (1234567.5, 2, "en", False, "1,234,567.5"),
        (3.0, 2, "da", False, "3"),
        (75.0, 1, "da", True, "75,0"),
        (-2.25, 2, "da", False, "-2,25"),
        (-0.001, 2, "da", False, "0"),
        (0.333333, 2, "en", False, "0.33"),
    ],
)
def test_figures_are_formatted_the_readers_way(value, digits, locale_code, fixed, text) -> None:  # type: ignore[no-untyped-def]
    assert format_figure(value, digits=digits, locale_code=locale_code, fixed=fixed) == text


def test_flow_links_list_the_fills_of_the_period(
    client, login, make_user, history, make_place, session
) -> None:  # type: ignore[no-untyped-def]
    march = make_place(
        "SOF",
        "job_rotation",
        [("open", date(2025, 2, 1)), ("filled", date(2025, 3, 1))],
        recorded=RECORDED,
        reference="M-10001",
    )
    august = make_place(
        "SOF",
        "job_rotation",
        [("open", date(2025, 7, 1)), ("filled", date(2025, 8, 1))],
        recorded=RECORDED,
        reference="M-10002",
    )
    session.commit()
    login(make_user("bif"))
    for query, expected in (
        ("period=2025-H2", {august.reference}),
        ("period=2025-H1", {march.reference}),
        (f"date={AS_OF}", {march.reference, august.reference}),
    ):
        rows = _cells(_csv(client, query))
        assert _num(rows[("SOF", "Jobrotation")][4]) == len(expected), query
        link = next(
            u
            for u in _links(client.get(f"/monitor/?{query}").get_data(as_text=True))
            if "department=SOF" in u and "type=job_rotation" in u
        )
        assert _references(client, link) == expected, query


def test_place_list_exports(client, login, make_user, history) -> None:  # type: ignore[no-untyped-def]
    login(make_user("bif"))
    query = f"department=SOF&type=internship&status=open&date={AS_OF}"
    html = client.get(f"/monitor/places?{query}").get_data(as_text=True)
    assert "/monitor/places.csv?" in html and "/monitor/places.xlsx?" in html
    response = client.get(f"/monitor/places.csv?{query}")
    assert response.status_code == 200
    assert "pladser-2025-09-30.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Reference"
    assert {r[0] for r in rows[1:]} == _ref(history, "sof_open_old", "sof_open_new")
    assert {r[6] for r in rows[1:]} == {"Åben"}
    workbook = load_workbook(io.BytesIO(client.get(f"/monitor/places.xlsx?{query}").get_data()))
    values = list(workbook.active.iter_rows(values_only=True))
    assert {v[0] for v in values[1:]} == _ref(history, "sof_open_old", "sof_open_new")
    assert client.get(f"/monitor/places.pdf?{query}").status_code == 404


def test_flow_targets_at_h1_are_also_shown_pro_rata(
    client, login, make_user, history, make_target, session
) -> None:  # type: ignore[no-untyped-def]
    make_target(2025, "SOF", "job_rotation", 10)
    session.commit()
    login(make_user("bif"))
    html = client.get("/monitor/?period=2025-H1").get_data(as_text=True)
    assert "halvårets andel af måltallet: 5" in html  # 10 x 181 / 365 days = 4.96, shown with one decimal
