"""The main menu per role, built from the endpoints that exist (features register their blueprints later)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

from ..i18n import _
from ..models import Department
from ..web import db_session

ROLE_LABELS = {"hr": _("HR"), "bif": _("BIF"), "admin": _("Administrator")}


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy translatable string
    candidates: tuple[str, ...]  # endpoint names tried in order; "blueprint.*" = the blueprint's first page


HR_MENU = (
    NavEntry(_("Forside"), ("core.start",)),
    NavEntry(_("Pladser"), ("places.list", "places.index", "places.*")),
    NavEntry(_("Import"), ("imports.upload", "imports.index", "imports.*")),
    NavEntry(_("Status"), ("status.department", "status.index", "places.status", "status.*")),
    NavEntry(_("Kommentar"), ("comments.edit", "comments.index", "comments.*")),
)
BIF_MENU = (
    NavEntry(_("Overblik"), ("monitor.overview", "monitor.index", "monitor.*", "core.start")),
    NavEntry(_("Måltal"), ("targets.list", "targets.index", "targets.*")),
    NavEntry(_("Regler"), ("rules.list", "rules.index", "targets.rules", "rules.*")),
    NavEntry(_("Forvaltninger"), ("departments.list", "departments.index", "departments.*")),
    NavEntry(_("Rapporter"), ("reports.list", "reports.index", "reports.*")),
    NavEntry(_("Udsendelser"), ("dispatch.list", "dispatch.index", "dispatches.index", "dispatch.*")),
    NavEntry(_("API-nøgler"), ("api_tokens.list", "api_tokens.index", "tokens.index", "api_tokens.*")),
)
ADMIN_MENU = (*BIF_MENU, NavEntry(_("Brugere"), ("users.list", "users.index", "users.*")))
MENUS = {"hr": HR_MENU, "bif": BIF_MENU, "admin": ADMIN_MENU}


@dataclass(frozen=True)
class Task:
    label: object
    description: object
    candidates: tuple[str, ...]


HR_TASKS = (
    Task(
        _("Pladser"),
        _("Se, søg i og opdatér forvaltningens pladser, og registrér nye."),
        ("places.list", "places.index", "places.*"),
    ),
    Task(
        _("Importér pladser"),
        _("Indlæs pladser og statusændringer fra et regneark (CSV eller Excel)."),
        ("imports.upload", "imports.index", "imports.*"),
    ),
    Task(
        _("Status"),
        _("Se forvaltningens opfyldelse af måltallene i dag og ved udgangen af sidste halvår."),
        ("status.department", "status.index", "places.status", "status.*"),
    ),
    Task(
        _("Kommentar til halvåret"),
        _("Forklar, hvorfor forvaltningen er under måltallet, og hvad der bliver gjort."),
        ("comments.edit", "comments.index", "comments.*"),
    ),
)
BIF_TASKS = (
    Task(
        _("Overblik"),
        _("Opfyldelsen i alle forvaltninger lige nu, med de ældste åbne pladser."),
        ("monitor.overview", "monitor.index", "monitor.*"),
    ),
    Task(
        _("Måltal"),
        _("Sæt og importér årets måltal pr. forvaltning og type."),
        ("targets.list", "targets.index", "targets.*"),
    ),
    Task(
        _("Regler"),
        _("Bestem, hvilke statusser der tæller med for hver type og år."),
        ("rules.list", "rules.index", "targets.rules", "rules.*"),
    ),
    Task(
        _("Forvaltninger"),
        _("Borgmestre, HR-kontakter og antal ansatte."),
        ("departments.list", "departments.index", "departments.*"),
    ),
    Task(
        _("Rapporter"),
        _("Hent halvårsrapporterne som PDF for en forvaltning eller hele kommunen."),
        ("reports.list", "reports.index", "reports.*"),
    ),
    Task(
        _("Udsendelser"),
        _("Se, hvilke rapporter og påmindelser der er sendt, og til hvem."),
        ("dispatch.list", "dispatch.index", "dispatches.index", "dispatch.*"),
    ),
    Task(
        _("API-nøgler"),
        _("Giv andre systemer læseadgang til tallene."),
        ("api_tokens.list", "api_tokens.index", "tokens.index", "api_tokens.*"),
    ),
)
ADMIN_TASKS = (
    *BIF_TASKS,
    Task(
        _("Brugere"),
        _("Opret brugere, og giv dem en rolle og en forvaltning."),
        ("users.list", "users.index", "users.*"),
    ),
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
    active: bool  # a page in the same section


def resolve_endpoint(app: Flask, candidates: tuple[str, ...]) -> str | None:
    """Return the first candidate endpoint that exists and can be linked without arguments."""
    for candidate in candidates:
        if candidate.endswith(".*"):
            found = _first_plain_page(app, candidate[:-2])
            if found:
                return found
        elif candidate in app.view_functions and _plain_get_rule(app, candidate):
            return candidate
    return None


def _plain_get_rule(app: Flask, endpoint: str) -> bool:
    return any(
        not rule.arguments and "GET" in (rule.methods or ()) for rule in app.url_map.iter_rules(endpoint)
    )


def _first_plain_page(app: Flask, blueprint: str) -> str | None:
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint + ".") and not rule.arguments and "GET" in (rule.methods or ())
    ]
    rules.sort(key=lambda rule: (len(rule.rule), rule.rule))
    return rules[0].endpoint if rules else None


def menu_for(app: Flask, role: str | None) -> list[NavLink]:
    """Return the menu links a user with this role sees on the current request."""
    links = []
    for entry in MENUS.get(role or "", ()):
        endpoint = resolve_endpoint(app, entry.candidates)
        if endpoint is None:
            continue
        section = endpoint.split(".", 1)[0]
        current = request.endpoint == endpoint
        active = current or (section != "core" and request.blueprint == section)
        links.append(NavLink(entry.label, url_for(endpoint), current, active))
    return links


def tasks_for(app: Flask, role: str | None) -> list[TaskLink]:
    """Return the start page's task links for this role, for the features that exist."""
    links = []
    for task in TASKS.get(role or "", ()):
        endpoint = resolve_endpoint(app, task.candidates)
        if endpoint is not None:
            links.append(TaskLink(task.label, task.description, url_for(endpoint)))
    return links


def init_app(app: Flask) -> None:
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
