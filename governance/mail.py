"""Mail: services queue messages in the outbox inside their transaction; the
messages are delivered after the commit, through SMTP when configured, or else
written as ``.eml`` files under ``instance/mail`` for someone running locally."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from governance.extensions import db
from governance.models import OutboxMessage


def queue_mail(recipient: str, subject: str, body: str, *, now: datetime) -> OutboxMessage:
    """Add a message to the outbox; it leaves only if the transaction commits."""
    message = OutboxMessage(
        recipient=recipient,
        # A header is one line: user text in a subject (a title) must not add headers.
        subject=" ".join(subject.split())[:255],
        body=body,
        created_at=now.replace(tzinfo=None),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info["has_mail"] = True  # the request delivers after its commit
    return message


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


def deliver_all() -> int:
    """Deliver the whole outbox, a hundred at a time (the command line's way)."""
    total = 0
    while sent := deliver_pending():
        total += sent
    return total


def deliver_pending(limit: int = 100) -> int:
    """Send unsent outbox messages and mark them sent; commits its own work.

    Called after a request's commit and by ``asamblea mail send``. A message that
    fails to send stays in the outbox for the next run.
    """
    settings = current_app.config["ASAMBLEA"]
    pending = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not pending:
        return 0
    if settings.mail.server:
        with smtplib.SMTP(settings.mail.server, settings.mail.port, timeout=20) as smtp:
            if settings.mail.use_tls:
                smtp.starttls()
            if settings.mail.username:
                smtp.login(settings.mail.username, settings.mail.password or "")
            return _send_each(pending, lambda email, _message: smtp.send_message(email))
    folder = mail_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return _send_each(
        pending,
        lambda email, message: (folder / f"{message.id:06d}.eml").write_bytes(bytes(email)),
    )


def _send_each(
    pending: Sequence[OutboxMessage], send: Callable[[EmailMessage, OutboxMessage], object]
) -> int:
    """Send and mark each message on its own, so that one that cannot be sent
    neither blocks the others nor makes them go twice."""
    sender = current_app.config["ASAMBLEA"].mail.sender
    sent = 0
    for message in pending:
        try:
            send(_as_email(message, sender), message)
        except Exception:  # one bad message must not stop the rest
            current_app.logger.exception(
                "mail %s could not be sent; it stays in the outbox", message.id
            )
            continue
        message.sent_at = datetime.now(UTC).replace(tzinfo=None)
        db.session.commit()
        sent += 1
    return sent
