"""The main menu per role, built from the endpoints that exist (features register their blueprints later)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask.sansio.app import App
from flask_login import current_user

from ..i18n import _, _p
from ..models import Department
from ..web import db_session
from ..web import now as web_now

ROLE_LABELS = {"hr": _("HR"), "bif": _("BIF"), "admin": _("Administrator")}


# Where each feature's page may live: endpoint names tried in order. "blueprint.*" means the blueprint's
# shortest page without URL arguments; "endpoint(year)" fills in the current year (in QUOTA_TIMEZONE).
PLACES = ("places.list", "places.index", "places.*")
IMPORT = ("places.import_upload", "imports.upload", "imports.index", "imports.*")
STATUS = ("places.status_page", "status.department", "status.index", "status.*")
COMMENTS = ("comments.edit", "comments.index", "comments.*")
OVERVIEW = ("monitor.overview", "monitor.index", "monitor.*")
TARGETS = ("targets.index", "targets.list")
RULES = ("rules.index", "rules.list", "targets.rules_index", "targets.rules(year)")
DEPARTMENTS = ("admin.departments", "departments.index", "departments.list", "departments.*")
REPORTS = ("reports.index", "reports.list", "reports.*")
DISPATCH = ("dispatch.index", "dispatch.list", "dispatch.*")
TOKENS = ("tokens.index", "api_tokens.index", "tokens.*", "api_tokens.*")
COMPLIANCE = ("compliance.index",)
USERS = ("admin.users", "users.index", "users.list", "users.*")


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy translatable string
    candidates: tuple[str, ...]


HR_MENU = (
    NavEntry(_("Forside"), ("core.start",)),
    NavEntry(_("Pladser"), PLACES),
    NavEntry(_("Import"), IMPORT),
    NavEntry(_("Status"), STATUS),
    NavEntry(_("Kommentar"), COMMENTS),
    NavEntry(_("Rimelighedskrav"), COMPLIANCE),
    NavEntry(_("Rapporter"), REPORTS),
    NavEntry(_("API-nøgler"), TOKENS),
)
BIF_MENU = (
    NavEntry(_("Overblik"), (*OVERVIEW, "core.start")),
    NavEntry(_p("menu", "Måltal"), TARGETS),
    NavEntry(_("Regler"), RULES),
    NavEntry(_("Rimelighedskrav"), COMPLIANCE),
    NavEntry(_("Forvaltninger"), DEPARTMENTS),
    NavEntry(_("Rapporter"), REPORTS),
    NavEntry(_("Udsendelser"), DISPATCH),
    NavEntry(_("API-nøgler"), TOKENS),
)
ADMIN_MENU = (*BIF_MENU, NavEntry(_("Brugere"), USERS))
MENUS = {"hr": HR_MENU, "bif": BIF_MENU, "admin": ADMIN_MENU}


@dataclass(frozen=True)
class Task:
    label: object
    description: object
    candidates: tuple[str, ...]


HR_TASKS = (
    Task(_("Pladser"), _("Se, søg i og opdatér forvaltningens pladser, og registrér nye."), PLACES),
    Task(
        _("Importér pladser"),
        _("Indlæs pladser og statusændringer fra et regneark (CSV eller Excel)."),
        IMPORT,
    ),
    Task(
        _("Status"),
        _("Se forvaltningens opfyldelse af måltallene i dag og ved udgangen af sidste halvår."),
        STATUS,
    ),
    Task(
        _("Kommentar til halvåret"),
        _("Forklar, hvorfor forvaltningen er under måltallet, og hvad der bliver gjort."),
        COMMENTS,
    ),
    Task(
        _("Rapporter"),
        _("Hent forvaltningens halvårsrapporter som PDF, også dem, der er sendt til borgmesteren."),
        REPORTS,
    ),
    Task(
        _("API-nøgler"), _("Giv forvaltningens egne systemer adgang til at læse og indlæse pladser."), TOKENS
    ),
)
BIF_TASKS = (
    Task(_("Overblik"), _("Opfyldelsen i alle forvaltninger lige nu, med de ældste åbne pladser."), OVERVIEW),
    Task(_p("menu", "Måltal"), _("Sæt og importér årets måltal pr. forvaltning og type."), TARGETS),
    Task(_("Regler"), _("Bestem, hvilke statusser der tæller med for hver type og år."), RULES),
    Task(_("Forvaltninger"), _("Borgmestre og HR-kontakter, og listen over ordninger."), DEPARTMENTS),
    Task(
        _("Rapporter"), _("Hent halvårsrapporterne som PDF for en forvaltning eller hele kommunen."), REPORTS
    ),
    Task(_("Udsendelser"), _("Se, hvilke rapporter og påmindelser der er sendt, og til hvem."), DISPATCH),
    Task(_("API-nøgler"), _("Giv andre systemer læseadgang til tallene."), TOKENS),
)
ADMIN_TASKS = (
    Task(
        _("Brugere"),
        _(
            "Opret brugere, giv dem en rolle og en forvaltning, send dem et link til at vælge adgangskode, "
            "og deaktivér dem, der ikke skal have adgang længere."
        ),
        USERS,
    ),
    *BIF_TASKS,
)
TASKS = {"hr": HR_TASKS, "bif": BIF_TASKS, "admin": ADMIN_TASKS}


@dataclass(frozen=True)
class TaskLink:
    label: object
    description: object
    href: str


@dataclass(frozen=True)
class NavLink:
    label: object
    href: str
    current: bool  # this very page
    active: bool  # the one item marked: this page or, when no item is this page, the page's section


def resolve_endpoint(app: App, candidates: tuple[str, ...]) -> str | None:
    """Return the first candidate endpoint that exists and can be linked (without arguments, or the year)."""
    for candidate in candidates:
        if candidate.endswith(".*"):
            found = _first_plain_page(app, candidate[:-2])
            if found:
                return found
        elif candidate.endswith("(year)"):
            endpoint = candidate.removesuffix("(year)")
            if _get_rule_with(app, endpoint, {"year"}):
                return candidate
        elif candidate in app.view_functions and _get_rule_with(app, candidate, set()):
            return candidate
    return None


def link_to(app: App, resolved: str) -> str:
    """Return the URL of an endpoint found by resolve_endpoint."""
    if resolved.endswith("(year)"):
        return url_for(resolved.removesuffix("(year)"), year=_this_year(app))
    return url_for(resolved)


def _this_year(app: App) -> int:
    return web_now().astimezone(app.config["QUOTA_SETTINGS"].zone).year


def _get_rule_with(app: App, endpoint: str, arguments: set[str]) -> bool:
    if endpoint not in app.view_functions:
        return False
    return any(
        set(rule.arguments) == arguments and "GET" in (rule.methods or ())
        for rule in app.url_map.iter_rules(endpoint)
    )


def _first_plain_page(app: App, blueprint: str) -> str | None:
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".") and not rule.arguments and "GET" in (rule.methods or ())
    ]
    rules.sort(key=lambda rule: (len(rule.rule), rule.rule))
    return rules[0].endpoint if rules else None


def menu_for(app: App, role: str | None) -> list[NavLink]:
    """Return the menu links a user with this role sees on the current request."""
    found = []
    for entry in MENUS.get(role or "", ()):
        resolved = resolve_endpoint(app, entry.candidates)
        if resolved is not None:
            found.append((entry, resolved, resolved.removesuffix("(year)")))
    hrefs = [link_to(app, resolved) for _entry, resolved, _endpoint in found]
    chosen = _active_index(found, hrefs)
    return [
        NavLink(entry.label, href, index == chosen and request.endpoint == endpoint, index == chosen)
        for index, ((entry, _resolved, endpoint), href) in enumerate(zip(found, hrefs, strict=True))
    ]


def _active_index(found: list[tuple[NavEntry, str, str]], hrefs: list[str]) -> int | None:
    """The one menu item to mark: the page itself; else, in the page's section, the item whose address
    the page's address continues (the longest such), else the section's first item; else none."""
    for index, (_entry, _resolved, endpoint) in enumerate(found):
        if request.endpoint == endpoint:
            return index
    in_section = [
        index
        for index, (_entry, _resolved, endpoint) in enumerate(found)
        if endpoint.split(".", 1)[0] != "core" and endpoint.split(".", 1)[0] == request.blueprint
    ]
    path = request.path.rstrip("/") + "/"
    prefixed = [i for i in in_section if path.startswith(hrefs[i].split("?")[0].rstrip("/") + "/")]
    if prefixed:
        return max(prefixed, key=lambda i: len(hrefs[i]))
    return in_section[0] if in_section else None


def tasks_for(app: App, role: str | None) -> list[TaskLink]:
    """Return the start page's task links for this role, for the features that exist."""
    links = []
    for task in TASKS.get(role or "", ()):
        resolved = resolve_endpoint(app, task.candidates)
        if resolved is not None:
            links.append(TaskLink(task.label, task.description, link_to(app, resolved)))
    return links


def init_app(app: App) -> None:
    @app.context_processor
    def _navigation() -> dict:
        def main_menu() -> list[NavLink]:
            role = current_user.role if current_user.is_authenticated else None
            return menu_for(app, role)

        def has_endpoint(endpoint: str) -> bool:
            return endpoint in app.view_functions

        def start_tasks() -> list[TaskLink]:
            role = current_user.role if current_user.is_authenticated else None
            return tasks_for(app, role)

        def user_role_label() -> str:
            """Return who the signed-in user acts as: the HR user's department, or the role."""
            if not current_user.is_authenticated:
                return ""
            if current_user.role == "hr" and current_user.department_id:
                department = db_session().get(Department, current_user.department_id)
                if department is not None:
                    return str(_("HR, %(department)s", department=department.name))
            return str(ROLE_LABELS.get(current_user.role, current_user.role))

        return {
            "main_menu": main_menu,
            "has_endpoint": has_endpoint,
            "start_tasks": start_tasks,
            "user_role_label": user_role_label,
        }
