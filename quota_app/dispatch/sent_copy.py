"""What was sent stays as it was sent: the message a ledger row delivered, kept on the row
(`Dispatch.sent_message`) and shown by the ledger, never a mail composed again from today's data.

Kept: sender, recipients, reply address, date, subject, the plain text and the HTML, and each attachment's
file name, size and SHA-256. Not kept: the attachments themselves (the archived PDF is kept once, with the
same SHA-256) and the secret of the report link the mail carried (only its hash is stored, see
report_links): in the copy it reads SECRET_LEFT_OUT.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from ..mail.services import OutgoingMail

SECRET_LEFT_OUT = "…"  # noqa: S105 (not a secret: what stands where one was)


def keep(mail: OutgoingMail, message: EmailMessage, *, secret: str | None = None) -> dict[str, Any]:
    """The message as it left, as JSON for `Dispatch.sent_message` (a link's secret left out)."""

    def without_secret(text: str) -> str:
        return text.replace(secret, SECRET_LEFT_OUT) if secret else text

    return {
        "from": str(message["From"]),
        "to": list(mail.to),
        "cc": list(mail.cc),
        "reply_to": str(message["Reply-To"] or ""),
        "date": str(message["Date"]),
        "subject": mail.subject,
        "text": without_secret(_part(message, "plain")),
        "html": without_secret(_part(message, "html")),
        "language": mail.language,
        "attachments": [
            {
                "filename": a.filename,
                "bytes": len(a.content),
                "sha256": hashlib.sha256(a.content).hexdigest(),
            }
            for a in mail.attachments
        ],
        "secret_left_out": bool(secret),
    }


def _part(message: EmailMessage, subtype: str) -> str:
    """The body as the message carries it (its text exactly, with the line end the encoding adds)."""
    body = message.get_body((subtype,))
    return body.get_content() if body is not None else ""


@dataclass(frozen=True)
class SentAttachment:
    filename: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class SentMessage:
    """A kept message, for the ledger's page."""

    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str
    date: str
    subject: str
    text: str
    html: str
    attachments: tuple[SentAttachment, ...]
    secret_left_out: bool

    @classmethod
    def of(cls, kept: dict[str, Any] | None) -> SentMessage | None:
        """The message kept on a row; None for a row not sent (or sent before messages were kept)."""
        if not kept:
            return None
        return cls(
            sender=kept.get("from", ""),
            to=tuple(kept.get("to", ())),
            cc=tuple(kept.get("cc", ())),
            reply_to=kept.get("reply_to", ""),
            date=kept.get("date", ""),
            subject=kept.get("subject", ""),
            text=kept.get("text", ""),
            html=kept.get("html", ""),
            attachments=tuple(SentAttachment(**a) for a in kept.get("attachments", ())),
            secret_left_out=bool(kept.get("secret_left_out")),
        )
