"""Mail a user a sign-in link: issue it, commit, send it through the app's mail service in their language.

Runs in an app context (a request's or the CLI's): the mail is written with the app's translations. Like
the dispatch delivery it commits itself, so that no write lock is held during the SMTP conversation: the
link is committed before the mail is sent, and a mail that fails ends the link again (committed too).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from babel.dates import format_date, format_skeleton
from flask import current_app
from flask_babel import force_locale, gettext
from sqlmodel import Session

from ..mail.services import MailError, OutgoingMail, build_message, text_to_html, transport_from_settings
from ..models import SignInLink, User
from ..settings import Settings
from . import links

__all__ = ["MailError", "link_url", "send_sign_in_link"]


def link_url(base_url: str, token: str) -> str:
    """The address of the page where the link's secret sets a password."""
    path = current_app.url_map.bind("localhost").build("auth.sign_in_link", {"token": token})
    return base_url.rstrip("/") + path


def send_sign_in_link(
    session: Session, *, user: User, base_url: str, actor: User | str, now: datetime
) -> SignInLink:
    """Issue a new link for user (older ones stop working), commit, and mail it to them.

    Raises DomainError (nothing issued) or MailError (the link issued, then ended again; both committed).
    """
    settings: Settings = current_app.config["QUOTA_SETTINGS"]
    link, token = links.issue_link(
        session, user=user, lifetime=timedelta(hours=settings.sign_in_link_hours), actor=actor, now=now
    )
    session.commit()
    mail = compose(user, url=link_url(base_url, token), expires_at=link.expires_at, settings=settings)
    try:
        transport_from_settings(settings).send(build_message(mail, settings=settings, now=now))
    except MailError as exc:
        links.mail_failed(session, link=link, reason=exc.message, actor=actor, now=now)
        session.commit()
        raise
    return link


def compose(user: User, *, url: str, expires_at: datetime, settings: Settings) -> OutgoingMail:
    """The mail with the link, in the user's language (else the app's default)."""
    language = user.locale if user.locale in ("da", "en") else settings.default_locale
    local = expires_at.astimezone(settings.zone)
    with force_locale(language):
        until = gettext(
            "%(date)s kl. %(time)s",
            date=format_date(local.date(), "long", locale=language),
            time=format_skeleton("Hm", local.time(), locale=language),
        )
        paragraphs = [
            gettext("Hej %(name)s", name=user.name) if user.name else gettext("Hej"),
            gettext(
                "Du har fået adgang til Støttet beskæftigelse – kvoteopfølgning i Københavns Kommune. "
                "Dit brugernavn er din e-mailadresse, %(email)s.",
                email=user.email,
            ),
            gettext("Vælg din adgangskode her. Linket kan bruges én gang, indtil %(until)s:", until=until)
            + "\n"
            + url,
            gettext(
                "Virker linket ikke længere, så bed en administrator om et nyt. "
                "Har du ikke ventet denne mail, kan du se bort fra den."
            ),
        ]
        subject = gettext("Vælg din adgangskode til kvoteopfølgningen")
    text = "\n\n".join(paragraphs) + "\n"
    address = escape(url)
    html = text_to_html(text, language=language).replace(address, f'<a href="{address}">{address}</a>')
    return OutgoingMail(to=(user.email,), subject=subject, text=text, html=html, language=language)
