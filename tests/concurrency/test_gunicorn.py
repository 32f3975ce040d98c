"""Many people saving at once, against gunicorn with two worker processes on each engine (issue 11).

Half the clients use the web form (signed in, with CSRF), half the API with a token. A save answers 201
(API) or 302 back to the place (web); the database then holds exactly one event per save.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from benchmarks.writers import (
    Answer,
    Browser,
    Writer,
    api_change,
    api_version,
    gunicorn,
    prepare,
    saved_events,
)

CLIENTS = 20
CHANGES = 2  # per client, one after another
CLASH = 10  # clients saving the same place from the same version


@dataclass
class Served:
    url: str
    base: str
    writers: list[Writer]


@pytest.fixture(scope="module")
def served(module_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A migrated database with CLIENTS + 1 writers, served by `gunicorn -w 2`."""
    writers = prepare(module_url, CLIENTS + 1)
    with gunicorn(module_url, tmp_path_factory.mktemp("served") / "instance") as base:
        yield Served(module_url, base, writers)


def saved(answer: Answer, place_id: int) -> bool:
    if answer.status == 302:
        return answer.headers["Location"].endswith(f"/places/{place_id}")
    return answer.status == 201


def together(jobs: list[Callable[[], list[Answer]]]) -> list[Answer]:
    """Run every job in its own thread, all released at the same moment; return every answer."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], list[Answer]]) -> list[Answer]:
        start.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return [answer for answers in pool.map(run, jobs) for answer in answers]


def test_twenty_clients_change_twenty_places_at_once_and_every_save_is_kept(served: Served) -> None:
    writers = served.writers[:CLIENTS]
    browsers = {w.place_id: Browser(served.base, w.email) for w in writers[: CLIENTS // 2]}

    def job(writer: Writer) -> Callable[[], list[Answer]]:
        browser = browsers.get(writer.place_id)
        if browser is not None:
            return lambda: [browser.change(writer.place_id, step) for step in range(1, CHANGES + 1)]
        return lambda: [api_change(served.base, writer, step) for step in range(1, CHANGES + 1)]

    answers = together([job(w) for w in writers])
    statuses = sorted(a.status for a in answers)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses.count(201) == statuses.count(302) == CLIENTS // 2 * CHANGES, statuses
    saves = sum(1 for a in answers if a.status in (201, 302))
    assert saved_events(served.url, [w.place_id for w in writers]) == saves


def test_many_clients_saving_one_place_from_the_same_version_one_wins_the_rest_409(served: Served) -> None:
    place_id = served.writers[CLIENTS].place_id
    people = served.writers[:CLASH]  # same department: each may change the place
    version = api_version(served.base, people[0], place_id)
    web = [Browser(served.base, w.email) for w in people[: CLASH // 2]]
    forms = [browser.status_form(place_id) for browser in web]  # every page read before anyone saves
    assert {form["version"] for form in forms} == {str(version)}
    jobs = [lambda b=b, f=f: [b.change(place_id, 1, f)] for b, f in zip(web, forms, strict=True)]
    jobs += [
        lambda w=w: [api_change(served.base, w, 1, place_id=place_id, version=version)]
        for w in people[CLASH // 2 :]
    ]
    answers = together(jobs)
    won = [a for a in answers if saved(a, place_id)]
    lost = [a for a in answers if not saved(a, place_id)]
    assert len(won) == 1, [a.status for a in answers]
    for answer in lost:
        assert answer.status == 409 or (answer.status == 503 and answer.headers.get("Retry-After")), (
            answer.status
        )
    conflicts = [a for a in lost if a.status == 409]
    assert all(b"Pladsen er blevet" in a.body or b'"conflict"' in a.body for a in conflicts)
    assert saved_events(served.url, [place_id]) == 1
