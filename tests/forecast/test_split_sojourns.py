"""A change of unit or fte splits a status interval in parts; the forecast still reads whole sojourns."""

from __future__ import annotations

from datetime import UTC, date, datetime

from quota_app.forecast.history import places_now_query, sojourn_query, transitions_query
from quota_app.places import editing

RECORDED = datetime(2025, 1, 1, 8, tzinfo=UTC)
EDITED = datetime(2025, 6, 1, 8, tzinfo=UTC)
KNOWN = datetime(2025, 7, 1, tzinfo=UTC)
AS_OF = date(2025, 6, 30)


def _rows(session, query, type_id: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(tuple(r[1:]) for r in session.execute(query) if r[0] == type_id)


def test_a_split_status_interval_is_one_sojourn_with_its_whole_age(session, reference, make_place) -> None:  # type: ignore[no-untyped-def]
    history = [("open", date(2025, 1, 6), RECORDED), ("filled", date(2025, 3, 3), RECORDED)]
    make_place("SOF", "internship", history)
    edited = make_place("SOF", "utility_job", history)
    for day, fte in ((date(2025, 2, 1), 0.5), (date(2025, 4, 1), 0.8)):  # once while open, once filled
        editing.change_attributes(
            session, place_id=edited.id, effective_date=day, unit_id=None, fte=fte, actor="test", now=EDITED
        )
    plain, split = reference["types"]["internship"].id, reference["types"]["utility_job"].id
    cells = {
        "as_of": AS_OF,
        "known_at": KNOWN,
        "department_ids": [reference["departments"]["SOF"].id],
        "type_ids": [plain, split],
    }
    for query in (sojourn_query(**cells), transitions_query(**cells)):
        assert _rows(session, query, split) == _rows(session, query, plain) != []
    ages = {
        type_id: age
        for _dept, type_id, status, age, *_weights in session.execute(places_now_query(**cells))
        if status == "filled"
    }
    assert ages[split] == ages[plain] == (AS_OF - date(2025, 3, 3)).days
