"""Fuzz every web route: hostile path, query and form values never give a server error (5xx).

The routes come from the app's own URL map (every rule, every method but the HEAD and OPTIONS Flask
answers itself), so a new route is fuzzed without anyone listing it, with the query names its module
reads or (API operations) its query model declares; a new path argument fails
`test_every_path_argument_has_known_values` until it gets valid values here. Each route is tried
anonymously and signed in as admin, BIF and HR (SOF), with a valid CSRF token and (for /api/v1) a
Bearer token of the same user, over demo-like data, on SQLite and PostgreSQL.

An unhandled exception is a 500 too: the app runs with TESTING, so Flask re-raises it into the test
client; the runner catches it and counts it as a failure next to 5xx answers (the run goes on, so one
report lists every failing route with its request).
"""

from __future__ import annotations

import inspect
import itertools
import re
import typing
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from wtforms import FileField, Form
from wtforms.fields.core import UnboundField

from quota_app.demo.services import load_demo
from quota_app.dispatch.report_links import issue_link
from quota_app.models import (
    ApiToken,
    Department,
    Dispatch,
    ImportJob,
    Place,
    PlaceEvent,
    PlacementType,
    ReportArchive,
    ReportLink,
    Target,
    Unit,
    User,
)
from quota_app.periods import parse_period
from quota_app.url_converters import IdConverter
from reports.services import build_archived_report
from tests.conftest import CSRF_RE, TEST_PASSWORD
from tests.fuzz.strategies import nasty_text, values_for

ROLES = ("anonymous", "admin", "bif", "hr")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
EXAMPLES = {"GET": 2, "POST": 3}  # random requests per route, method and role after the sweep; others 2
ARGUMENT_RE = re.compile(r"<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([a-zA-Z_]+)>")
ID_TABLES = {
    "place_id": Place,
    "event_id": PlaceEvent,
    "department_id": Department,
    "type_id": PlacementType,
    "target_id": Target,
    "archive_id": ReportArchive,
    "dispatch_id": Dispatch,
    "token_id": ApiToken,
    "job_id": ImportJob,
    "user_id": User,
    "link_id": ReportLink,
    "unit_id": Unit,
}
FIXED_VALUES = {
    "year": ["2024", "2025", "2026"],
    "period": ["2025-H1", "2024-H2", "2025"],
    "fmt": ["csv", "xlsx", "json"],
    "token": ["abc", "0" * 32],
    "filename": ["css/app.css", "vendor/dkfds/css/dkfds.min.css", "../../pyproject.toml"],
}
FIELD_NAME_RE = re.compile(r'<(?:input|select|textarea|button)[^>]*\sname="([^"]+)"')
QUERY_NAME_RE = re.compile(r"args\.(?:get|getlist)\(\s*\"([a-z_]+)\"")


@dataclass
class Tally:
    requests: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    routes: set[tuple[str, str]] = field(default_factory=set)


def form_fields() -> tuple[dict[str, set[str]], set[str]]:
    """Field names of every WTForms form, by the package that defines it, and the names of file fields."""
    import importlib
    import pkgutil

    import quota_app

    for module in pkgutil.walk_packages(quota_app.__path__, "quota_app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    by_package: dict[str, set[str]] = {}
    files: set[str] = set()

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            package = sub.__module__.rsplit(".", 1)[0]
            for name in dir(sub):
                unbound = getattr(sub, name, None)
                if isinstance(unbound, UnboundField):
                    by_package.setdefault(package, set()).add(name)
                    if issubclass(unbound.field_class, FileField):
                        files.add(name)
            walk(sub)

    walk(Form)
    return by_package, files


def query_names_by_module() -> dict[str, set[str]]:
    """The query arguments each views module reads (from its source, so a new one is fuzzed too)."""
    import sys

    found = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("quota_app.") and name.endswith(".views") and getattr(module, "__file__", None):
            with open(module.__file__, encoding="utf-8") as handle:
                found[name] = set(QUERY_NAME_RE.findall(handle.read()))
    return found


def query_names_of(view) -> set[str]:  # type: ignore[no-untyped-def]
    """The query parameters an API operation declares: the fields of its flask-openapi3 query model."""
    operation = getattr(view, "__wrapped__", None)
    if operation is None or "query" not in inspect.signature(operation).parameters:
        return set()
    return set(typing.get_type_hints(operation)["query"].model_fields)


@pytest.fixture
def world(session, reference, make_user, clock):  # type: ignore[no-untyped-def]
    """Demo data (departments, types, targets, units, a few places with histories) and one user per role."""
    from quota_app.tokens.services import create_token

    load_demo(session, seed=11, places=12, now=clock.now())
    session.commit()
    # An archived report with its data and a link to its page, so the report pages are fuzzed in depth.
    archived = build_archived_report(
        session,
        period=parse_period("2025-H1"),
        department_code="SOF",
        known_at=clock.now(),
        actor="fuzz",
        now=clock.now(),
    )
    _link, secret = issue_link(session, archive_id=archived.id, actor="fuzz", now=clock.now())
    session.commit()
    users = {"admin": make_user("admin"), "bif": make_user("bif"), "hr": make_user("hr", "SOF")}
    tokens = {}
    for role, user in users.items():
        _token, tokens[role] = create_token(session, user=user, name="fuzz", actor=user, now=clock.now())
    session.commit()
    valid = {name: list(values) for name, values in FIXED_VALUES.items()}
    valid["token"].insert(0, secret)  # the sweeps use the first value: the page itself
    for name, table in ID_TABLES.items():
        ids = session.execute(sa.select(table.id).order_by(table.id).limit(6)).scalars().all()
        valid[name] = [str(i) for i in ids] or ["1"]
    valid["code"] = [c for (c,) in session.execute(sa.select(Department.code))]
    valid["type_code"] = [c for (c,) in session.execute(sa.select(PlacementType.code))]
    valid["unit_ref"] = [str(i) for (i,) in session.execute(sa.select(Unit.id).limit(4))] + ["none"]
    return {"users": users, "tokens": tokens, "valid": valid}


def rules_of(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            found.append((rule, method))
    return found


def test_every_path_argument_has_known_values(app, world):  # type: ignore[no-untyped-def]
    """A new route with a new kind of path argument needs valid values here, or it is only fuzzed shallowly."""
    arguments = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert arguments - set(world["valid"]) == set()


def _quote(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _signed_in_client(app, role: str, world: dict, address: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    with client.get("/login") as answer:
        page = answer.get_data(as_text=True)
    if role != "anonymous":
        user = world["users"][role]
        token = CSRF_RE.search(page).group(1)
        answer = client.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 302, f"{role} could not sign in: {answer.status_code}"
        page = client.get("/").get_data(as_text=True)
    match = CSRF_RE.search(page)
    return client, match.group(1) if match else ""


@st.composite
def requests_for(draw, rule, method: str, valid: dict, fields: list[str], queries: list[str]):  # type: ignore[no-untyped-def]
    """One request: the path with every argument filled in, a query string and (not GET) a body."""

    def fill(match: re.Match) -> str:
        return _quote(draw(values_for(valid.get(match.group(2), []))))

    path = ARGUMENT_RE.sub(fill, rule.rule)
    names = st.one_of(st.sampled_from(queries), st.text(min_size=1, max_size=8))
    pairs = draw(st.lists(st.tuples(names, nasty_text), max_size=4))
    query = urlencode([(_bytes(k), _bytes(v)) for k, v in pairs])
    if draw(st.integers(0, 9)) == 0:
        query += "&%ZZ=%00&=&&a%ff=%c0%ae"
    body: dict | None = None
    if method != "GET":
        field_names = st.one_of(st.sampled_from(fields), st.text(min_size=1, max_size=8))
        body = dict(draw(st.lists(st.tuples(field_names, nasty_text), max_size=8)))
    return path, query, body, draw(st.booleans())


def _send(
    client, method: str, path: str, query: str, body: dict | None, csrf: str, files: set[str], *, headers
):  # type: ignore[no-untyped-def]
    if body is None:
        return client.open(path, method=method, query_string=query, headers=headers)
    body = {"csrf_token": csrf, **body}
    if set(body) & files:
        data = {
            k: FileStorage(BytesIO(_bytes(v)), filename=f"{k}.csv")
            if k in files
            else v.encode("utf-8", "replace").decode()
            for k, v in body.items()
        }
        # Encoded in memory: the test client spools large multipart bodies to a file it never closes.
        boundary, encoded = encode_multipart(data)
        return client.open(
            path,
            method=method,
            query_string=query,
            data=encoded,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=headers,
        )
    encoded = urlencode([(_bytes(k), _bytes(v)) for k, v in body.items()])
    return client.open(
        path,
        method=method,
        query_string=query,
        data=encoded,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


ADDRESSES = (f"10.{a}.{b}.{c}" for a, b, c in itertools.product(range(1, 250), repeat=3))
# Tried on every path argument, and (one at a time, in every field a route's package reads) in the query
# and the body: the classes of point 8 of issue 11, deterministic, before Hypothesis' random requests.
PATH_SWEEP = ["2147483648", "٣", "\x00", "0", "x" * 3000]
VALUE_SWEEP = ["٣", "2147483648", "9" * 5000, "\x00\x1b", "0001-01-01"]


def designed(path: str, response) -> bool:  # type: ignore[no-untyped-def]
    """A 5xx that is the route's answer, not a failure: /readyz says 503 with its reasons while the
    instance is not ready (here: a schema made without migrations, and no scheduler)."""
    return path == "/readyz" and response.status_code == 503 and response.get_json()["status"] == "not ready"


class Runner:
    """One role's client: signed in (again, when a route signed it out), counting what it sends."""

    def __init__(self, app, world: dict, role: str, tally: Tally) -> None:  # type: ignore[no-untyped-def]
        self.app, self.world, self.role, self.tally = app, world, role, tally
        self.client, self.csrf = None, ""
        self.by_package, self.files = form_fields()
        self.queries_by_module = query_names_by_module()
        self.page_fields: dict[str, set[str]] = {}

    def signed_in(self) -> bool:
        if self.client is None:
            return False
        if self.role == "anonymous":
            return True
        cookie = self.client.get_cookie(self.app.config.get("SESSION_COOKIE_NAME", "session"))
        if cookie is None:
            return False
        data = self.app.session_interface.get_signing_serializer(self.app).loads(cookie.value)
        return "_user_id" in data

    def ensure_client(self) -> None:
        if not self.signed_in():
            self.client, self.csrf = _signed_in_client(self.app, self.role, self.world, next(ADDRESSES))
            self.tally.requests += 2 if self.role == "anonymous" else 3

    def send(
        self, method: str, path: str, query: str, body: dict | None, *, with_csrf: bool = True
    ) -> set[str]:
        """Send one request, count it, note a server error; return the form field names on the page."""
        self.ensure_client()
        headers = {}
        if self.role != "anonymous" and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.world['tokens'][self.role]}"
        self.tally.requests += 1
        described = f"{self.role} {method} {path[:200]}?{query[:200]} {body!r:.300}"
        try:
            response = _send(
                self.client,
                method,
                path,
                query,
                body,
                self.csrf if with_csrf else "",
                self.files,
                headers=headers,
            )
        except Exception as exc:  # TESTING re-raises what the app did not handle: a 500 in production
            self.tally.failures.append(f"{type(exc).__name__}: {exc!s:.200} <- {described}")
            return set()
        names = set()
        if response.mimetype == "text/html":
            names = set(FIELD_NAME_RE.findall(response.get_data(as_text=True)))
        response.close()
        if response.status_code >= 500 and not designed(path, response):
            self.tally.failures.append(f"{response.status_code} <- {described}")
        return names

    def fuzz(self, rule, method: str) -> None:  # type: ignore[no-untyped-def]
        self.tally.routes.add((rule.rule, method))
        view = self.app.view_functions[rule.endpoint]
        package = view.__module__.rsplit(".", 1)[0]
        queries = sorted(self.queries_by_module.get(view.__module__, set()) | query_names_of(view))
        valid = self.world["valid"]

        def path_with(**values: str) -> str:
            return ARGUMENT_RE.sub(
                lambda m: _quote(values.get(m.group(2), (valid.get(m.group(2)) or ["1"])[0])), rule.rule
            )

        if method == "GET":  # the page's own form fields (also those of forms built per request)
            self.page_fields[rule.rule] = self.send(method, path_with(), "", None)
            self.tally.cases += 1
        fields = sorted(
            (self.by_package.get(package, set()) | self.page_fields.get(rule.rule, set())) - {"csrf_token"}
        )

        for argument in sorted(rule.arguments):
            # A number segment's regex refuses all but digits: two values show the range is checked.
            numeric = isinstance(rule._converters[argument], IdConverter)
            sweep = PATH_SWEEP[:2] if numeric else PATH_SWEEP
            for value in sweep:
                self.send(method, path_with(**{argument: value}), "", {} if method != "GET" else None)
            self.tally.cases += len(sweep)
        if queries or (fields and method != "GET"):
            for value in VALUE_SWEEP:
                query = urlencode([(_bytes(name), _bytes(value)) for name in queries])
                body = {name: value for name in fields} if method != "GET" else None
                self.send(method, path_with(), query, body)
            self.tally.cases += len(VALUE_SWEEP)

        @settings(
            max_examples=EXAMPLES.get(method, 2),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            request=requests_for(rule, method, valid, fields or self.all_fields, queries or self.all_queries)
        )
        def run(request):  # type: ignore[no-untyped-def]
            path, query, body, with_csrf = request
            self.tally.cases += 1
            self.send(method, path, query, body, with_csrf=with_csrf)

        run()

    @property
    def all_fields(self) -> list[str]:
        return sorted(set().union(*self.by_package.values()))

    @property
    def all_queries(self) -> list[str]:
        return sorted(set().union(*self.queries_by_module.values()))


def fuzz_role(app, world: dict, role: str, tally: Tally) -> None:  # type: ignore[no-untyped-def]
    runner = Runner(app, world, role, tally)
    for rule, method in rules_of(app):
        runner.fuzz(rule, method)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_server_error(app, world, role, engine):  # type: ignore[no-untyped-def]
    tally = Tally()
    fuzz_role(app, world, role, tally)
    print(
        f"\nfuzz {engine.dialect.name} {role}: {len(tally.routes)} route-methods, {tally.cases} cases, "
        f"{tally.requests} requests, {len(tally.failures)} server errors"
    )
    assert {(r.rule, m) for r, m in rules_of(app)} == tally.routes
    assert tally.failures == [], "\n".join(tally.failures[:40])
