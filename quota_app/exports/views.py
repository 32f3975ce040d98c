"""Download routes for the place list (HR: own department, BIF/admin: all) and the targets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.views import roles_required
from ..core import loading
from ..models import STATUSES
from ..web import db_session, now
from . import services

bp = Blueprint("exports", __name__, url_prefix="/exports")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, fmt: str, name: str, sheet_title: str
) -> Response:
    """Return header and rows as a CSV or XLSX attachment."""
    fmt = loading.file_format_or_404(fmt)
    body = services.to_csv(header, rows) if fmt == "csv" else services.to_xlsx(header, rows, sheet_title)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _ascii(text: str) -> str:
    for danish, plain in (("Æ", "AE"), ("Ø", "OE"), ("Å", "AA"), ("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(danish, plain)
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch in "-_")) or "x"


@bp.route("/places.<fmt>")
@roles_required("hr", "bif", "admin")
def places_export(fmt: str) -> ResponseReturnValue:
    session = db_session()
    department_code = request.args.get("department") or None
    if department_code:
        loading.department_by_code_or_404(department_code)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(400)
    rows = services.place_list_rows(
        session,
        user=current_user,
        department_code=department_code,
        type_code=request.args.get("type") or None,
        status=status,
    )
    stamp = now().strftime("%Y-%m-%d")
    scope = _ascii(department_code) if department_code else ("alle" if current_user.role != "hr" else "egen")
    return download(
        services.PLACE_HEADER, rows, fmt=fmt, name=f"pladser-{scope}-{stamp}", sheet_title="Pladser"
    )


@bp.route("/targets-<year:year>.<fmt>")
@roles_required("bif", "admin")
def targets_export(year: int, fmt: str) -> ResponseReturnValue:
    rows = services.target_rows(db_session(), year=year)
    return download(
        services.TARGET_HEADER, rows, fmt=fmt, name=f"maaltal-{year}", sheet_title=f"Måltal {year}"
    )
