"""GET /api/v1/compliance: workplaces against the proportionality rule, as `quota compliance --format json`
(HR tokens: their own department; BIF and administrator tokens: every one or those asked for)."""

from __future__ import annotations

from ..auth.services import visible_department_ids
from ..compliance.figures import compliance as run_compliance
from ..web import db_session, now
from .blueprint import JsonAnswer, api_user, bp, department_of
from .document import RECONCILE, errors
from .schemas import ComplianceJson, ComplianceQuery


@bp.get(
    "/compliance",
    operation_id="compliance",
    summary="Rimelighedskravet pr. arbejdssted som 'quota compliance --format json'",
    tags=[RECONCILE],
    responses={200: ComplianceJson, **errors(403, 404)},
)
def compliance(query: ComplianceQuery) -> JsonAnswer:
    session = db_session()
    ids = [department_of(code).id for code in query.department] or visible_department_ids(session, api_user())
    result = run_compliance(session, as_of=query.as_of, known_at=query.known_at or now(), department_ids=ids)
    return result.to_json()
