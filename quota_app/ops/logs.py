"""The processes' logs: one JSON object per line (python-json-logger) or plain text, on stderr.

Set up by the entry points, never by create_app(): wsgi.py (the web workers), deploy/gunicorn.conf.py
(gunicorn's own messages, as `dict_config`), the scheduler. QUOTA_LOG_FORMAT chooses; the default is json in
production and text elsewhere. Every line has time, level, logger and message; inside a request also
request_id, method, path and user_id (once the user is known), and the request's own line (logger
`quota.request`) status and duration_ms.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from flask import g, has_request_context, request

from ..settings import Settings

JSON_FIELDS = ("levelname", "name", "message", "process")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestFields(logging.Filter):
    """Adds the request's id, method, path and signed-in user to every record logged while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = request.path
            user = g.get("_login_user")  # Flask-Login's, only once something asked who is signed in
            if user is not None and user.is_authenticated:
                record.user_id = user.id
        return True


def dict_config(settings: Settings, *, gunicorn: bool = False) -> dict[str, Any]:
    """A logging.config.dictConfig dictionary: one handler on stderr in the settings' format.

    gunicorn=True (deploy/gunicorn.conf.py): gunicorn's own messages go through it too, and its access log
    is off. Without it gunicorn's loggers are left as gunicorn set them up (its command-line options)."""
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestFields}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": list(JSON_FIELDS),
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
            "text": {"()": logging.Formatter, "fmt": TEXT_FORMAT, "defaults": {"request_id": "-"}},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": settings.effective_log_format,
                "filters": ["request"],
            }
        },
        "root": {"level": settings.log_level, "handlers": ["stderr"]},
        "loggers": {"alembic": {"level": "WARNING"}},  # /readyz asks for the schema's revision each time
    }
    if gunicorn:
        # gunicorn's own messages go to the root's handler; its access log is off (the app logs each
        # request itself, with its id and user: logger quota.request).
        config["loggers"]["gunicorn.error"] = {"handlers": [], "propagate": True}
        config["loggers"]["gunicorn.access"] = {"handlers": [], "propagate": False, "level": "WARNING"}
    return config


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(dict_config(settings))
