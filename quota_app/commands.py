"""The `quota` command's groups, put together in this one place (docs/cli.md); create_app() adds them.

Each feature defines its commands in its own cli.py and imports nothing of this module; a new command is
one import and one entry in COMMANDS (or in the `import` group).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .compliance.cli import compliance_command, units_group
from .core.cli import db_group
from .demo.cli import demo_command
from .dispatch.cli import dispatch_command, scheduler_command
from .forecast.cli import forecast_command, lag_command
from .imports.cli import import_places_command, run_jobs_command
from .monitor.cli import reconcile_command
from .reports_web.cli import report_command
from .targets.cli import import_targets_command
from .users.cli import users_group

import_group = click.Group(
    "import",
    commands=[import_places_command, import_targets_command, run_jobs_command],
    help="Import places or targets from CSV or XLSX (all or nothing).",
)

COMMANDS: tuple[click.Command, ...] = (
    db_group,
    users_group,
    demo_command,
    import_group,
    reconcile_command,
    compliance_command,
    units_group,
    report_command,
    dispatch_command,
    scheduler_command,
    forecast_command,
    lag_command,
)


def register_commands(app: Flask) -> None:
    """Add every command group, each command with an app context."""
    for command in COMMANDS:
        _run_in_app_context(command)
        app.cli.add_command(command)


def _run_in_app_context(command: click.Command) -> None:
    """Give every command an app context, however it is invoked (the quota CLI or a test runner)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _run_in_app_context(sub)
    elif command.callback is not None and not getattr(command.callback, "_quota_app_context", False):
        command.callback = with_appcontext(command.callback)
        command.callback._quota_app_context = True  # type: ignore[attr-defined]  # a mark on the function
