"""The user an OpenID Connect sign-in names, from the provider's claims.

A first sign-in creates the user (e-mail and name from the claims). Every sign-in sets role and
department from the groups in the role claim (QUOTA_OIDC_GROUP_MAP), and name and e-mail from the claims.
A user is found by (issuer, subject); one not yet linked is found by e-mail (users made before the
provider was switched on, and the break-glass administrator) and linked to that subject.

Refused, with nothing created or changed: groups that give no role, HR groups of more than one
department, a group naming a department the app does not know, no e-mail, a deactivated user, an
e-mail that belongs to another linked user. Groups giving several roles give the widest (admin, then
BIF, then HR). Every sign-in, refusal and change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from ...audit import services as audit
from ...errors import DomainError
from ...models import Department, User
from ...texts import N_, Text
from .. import services as auth

# The actor of what a sign-in does before there is a user (audit actor_label).
ACTOR = "oidc"
# Widest first: a user in groups of several roles gets the first of these.
ROLE_ORDER = ("admin", "bif", "hr")
NO_PASSWORD = ""  # an empty hash: Argon2 verifies no password against it


class SignInRefused(DomainError):
    """A sign-in the app refuses; reason names why (the audit log), the message says it to the person."""

    status_code = 403

    def __init__(self, reason: str, message: Text, *, user: User | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.user = user


def groups_in(claims: Mapping[str, Any], role_claim: str) -> list[str]:
    """The role claim's values: a list of strings, or one string."""
    value = claims.get(role_claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def role_from_groups(
    groups: list[str], group_map: Mapping[str, tuple[str, str | None]]
) -> tuple[str, str | None]:
    """(role, department code) the groups give, or raise SignInRefused."""
    given = {group_map[group.casefold()] for group in groups if group.casefold() in group_map}
    for role in ROLE_ORDER:
        chosen = {department for given_role, department in given if given_role == role}
        if not chosen:
            continue
        departments = sorted(code for code in chosen if code is not None)  # HR's; other roles: none
        if role == "hr" and len(departments) > 1:
            raise SignInRefused(
                "several_departments",
                N_(
                    "Din bruger er med i HR-grupper for flere forvaltninger: %(codes)s.",
                    codes=", ".join(departments),
                ),
            )
        return role, departments[0] if departments else None
    raise SignInRefused(
        "unknown_group",
        N_("Din bruger hos organisationens login er ikke med i nogen af de grupper, der giver adgang."),
    )


def email_in(claims: Mapping[str, Any]) -> str | None:
    """The e-mail: the email claim, else a preferred_username or upn that is an address (Entra ID)."""
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and 3 <= len(value) <= 254 and "@" in value.strip(" @"):
            return auth.normalise_email(value)
    return None


def name_in(claims: Mapping[str, Any]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str))
    return " ".join(name.split())[:200]


def sign_in(
    session: Session,
    *,
    issuer: str,
    subject: str,
    claims: Mapping[str, Any],
    role_claim: str,
    group_map: Mapping[str, tuple[str, str | None]],
    now: datetime,
) -> User:
    """Return the user these claims name, created or brought up to date, with the sign-in audited;
    raise SignInRefused with nothing changed."""
    email = email_in(claims)
    user = session.exec(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)).first()
    if user is None and email is not None:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is not None and user.oidc_subject is not None:
            raise SignInRefused(
                "email_taken", N_("E-mailadressen %(address)s hører til en anden bruger.", address=email)
            )
    if user is not None and not user.active:
        raise SignInRefused("deactivated", N_("Din bruger er deaktiveret."), user=user)
    if email is None:
        raise SignInRefused("no_email", N_("Organisationens login sendte ingen e-mailadresse."), user=user)
    role, code = role_from_groups(groups_in(claims, role_claim), group_map)
    department = None
    if code is not None:
        department = session.exec(select(Department).where(Department.code == code)).first()
        if department is None:
            raise SignInRefused(
                "unknown_department",
                N_("Gruppen giver en ukendt forvaltning '%(code)s'.", code=code),
                user=user,
            )
    if user is not None and user.email != email:
        other = session.exec(select(User).where(User.email == email, User.id != user.id)).first()
        if other is not None:
            raise SignInRefused(
                "email_taken",
                N_("E-mailadressen %(address)s hører til en anden bruger.", address=email),
                user=user,
            )

    department_id = department.id if department is not None else None
    if user is None:
        user = _create(
            session,
            issuer=issuer,
            subject=subject,
            email=email,
            claims=claims,
            now=now,
            role=role,
            department_id=department_id,
        )
    else:
        _update(
            session,
            user,
            issuer=issuer,
            subject=subject,
            email=email,
            name=name_in(claims),
            now=now,
            role=role,
            department_id=department_id,
        )
    user.last_login_at = now
    session.flush()
    auth.record_sign_in(session, user=user, now=now)
    return user


def _create(
    session: Session,
    *,
    issuer: str,
    subject: str,
    email: str,
    claims: Mapping[str, Any],
    now: datetime,
    role: str,
    department_id: int | None,
) -> User:
    user = User(
        email=email,
        name=name_in(claims),
        role=role,
        department_id=department_id,
        password_hash=NO_PASSWORD,
        oidc_issuer=issuer,
        oidc_subject=subject,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=ACTOR, action="user.create", entity=user, after=audit.snapshot(user), at=now)
    return user


def _update(
    session: Session,
    user: User,
    *,
    issuer: str,
    subject: str,
    email: str,
    name: str,
    now: datetime,
    role: str,
    department_id: int | None,
) -> None:
    """Link the user to the subject, and bring e-mail, name, role and department up to date (audited)."""
    before = audit.snapshot(user)
    user.oidc_issuer, user.oidc_subject = issuer, subject
    user.email, user.name = email, name or user.name
    _audit_change(session, user, before, "user.update", ("email", "name", "oidc_issuer", "oidc_subject"), now)
    before = audit.snapshot(user)
    user.role, user.department_id = role, department_id
    _audit_change(session, user, before, "user.role_change", ("role", "department_id"), now)


def _audit_change(
    session: Session, user: User, before: dict[str, Any], action: str, keys: tuple[str, ...], now: datetime
) -> None:
    after = audit.snapshot(user)
    if any(after[key] != before[key] for key in keys):
        audit.record(
            session,
            actor=ACTOR,
            action=action,
            entity=user,
            before={key: before[key] for key in keys},
            after={key: after[key] for key in keys},
            at=now,
        )


def record_refusal(
    session: Session,
    *,
    reason: str,
    method: str,
    now: datetime,
    user: User | None = None,
    subject: str | None = None,
    claims: Mapping[str, Any] | None = None,
    role_claim: str = "groups",
    address: str = "",
    detail: str = "",
) -> None:
    """Audit a refused sign-in: why, how, from where, and who the provider said it was."""
    details: dict[str, Any] = {"reason": reason, "method": method, "address": address[:64]}
    if detail:
        details["detail"] = detail[:200]
    if subject is not None:
        details["subject"] = subject[:255]
    if claims is not None:
        details["email"] = email_in(claims)
        details["groups"] = groups_in(claims, role_claim)[:50]
    audit.record(
        session,
        actor=user if user is not None else ACTOR,
        action="user.login_refused",
        entity=user,
        entity_type="user",
        after=details,
        at=now,
    )
