"""Import rows that change a place's title, unit or fte: changes in the preview, saved as dated history
(docs/files.md §3), and the preview's list of everything saving writes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from quota_app.models import ORIGIN, CountingRule, PlaceAttribute
from quota_app.reconcile.figures import reconcile

from .conftest import HEADER
from .test_import_places import place_by_reference


def _fte_counted(session, reference, clock, as_of) -> float:  # type: ignore[no-untyped-def]
    rule = session.exec(
        select(CountingRule).where(
            CountingRule.year == 2025, CountingRule.type_id == reference["types"]["flex_job"].id
        )
    ).one()
    rule.weighting = "fte"
    session.flush()
    result = reconcile(session, as_of=as_of, known_at=clock.now(), department_codes=["SOF"])
    return next(r for r in result.rows if r.type == "flex_job").counted


def test_an_import_row_that_changes_the_fte_is_a_dated_change_not_unchanged(
    session, reference, run_import, clock
):
    first = run_import("\n".join([HEADER, "F-1;SOF;flex_job;filled;2025-01-01;;Fleksjob;1;"]))
    assert first.ok, first.errors
    clock.advance(timedelta(hours=1))
    again = "\n".join(
        [HEADER, "F-1;SOF;flex_job;filled;2025-01-01;;;;", "F-1;SOF;flex_job;open;2025-06-01;;;0,5;"]
    )
    preview = run_import(again, dry_run=True)
    assert (preview.places_updated, preview.events_created, preview.unchanged) == (1, 1, 0)
    assert [(c["kind"], c["date"], c.get("fte")) for c in preview.changes] == [
        ("status", "2025-06-01", None),
        ("attributes", "2025-06-01", 0.5),
    ]
    saved = run_import(again)
    assert (saved.places_updated, saved.unchanged) == (1, 0)
    place = place_by_reference(session, "F-1")
    rows = session.exec(
        select(PlaceAttribute)
        .where(PlaceAttribute.place_id == place.id)
        .order_by(PlaceAttribute.effective_date)
    ).all()
    assert [(r.effective_date, r.fte, r.source) for r in rows] == [
        (ORIGIN, 1.0, "import"),
        (date(2025, 6, 1), 0.5, "import"),
    ]
    session.refresh(place)
    assert place.fte == 0.5
    # Counted as the dates say: filled until June with fte 1 (open from June: not counted as filled).
    assert _fte_counted(session, reference, clock, date(2025, 5, 31)) == 1.0


def test_the_preview_lists_new_places_status_changes_corrections_and_changed_titles(run_import, clock):
    run_import("\n".join([HEADER, "A;SOF;internship;open;2025-01-01;;Gammel;;"]))
    clock.advance(timedelta(hours=1))
    preview = run_import(
        "\n".join(
            [
                HEADER,
                "A;SOF;internship;filled;2025-01-01;;Ny titel;;",
                "A;SOF;internship;open;2025-03-01;;;;",
                "B;SOF;internship;open;2025-02-01;Nord;Kontor;0,5;",
            ]
        ),
        dry_run=True,
    )
    assert preview.ok, preview.errors
    assert [(c["kind"], c["reference"], c["date"], c["status"]) for c in preview.changes] == [
        ("attributes", "A", None, None),  # a title is not dated
        ("correction", "A", "2025-01-01", "filled"),
        ("status", "A", "2025-03-01", "open"),
        ("place", "B", "2025-02-01", "open"),
    ]
    attributes = preview.changes[0]
    assert (attributes["title"], attributes["fte"]) == ("Ny titel", None)
    assert (preview.changes[3]["unit"], preview.changes[3]["fte"]) == ("Nord", 0.5)
