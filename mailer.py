"""Outgoing mail. Where it goes is one URL (config ``SMTP_URL``, environment ``KOFU_SMTP_URL``):

- ``file:///path/to/outbox`` writes each message as an ``.eml`` file (the default);
- ``smtp://[user:password@]host:port`` sends over SMTP, ``smtps://`` over TLS.
"""

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rules.clock import now

SMTP_TIMEOUT_SECONDS = 10


def compose(sender, to, subject, body, attachments=()):
    """A plain-text UTF-8 message; ``attachments`` are (filename, mime type, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body, charset="utf-8")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send(message, smtp_url):
    """Deliver ``message`` as ``smtp_url`` says; raises OSError or smtplib.SMTPException on failure."""
    url = urlsplit(smtp_url)
    if url.scheme == "file":
        _write_to_outbox(message, Path(unquote(url.path)))
    elif url.scheme in ("smtp", "smtps"):
        _send_over_smtp(message, url)
    else:
        raise ValueError(f"対応していないメール送信先です: {url.scheme}")


def _write_to_outbox(message, folder):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))


def _send_over_smtp(message, url):
    connection_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    default_port = 465 if url.scheme == "smtps" else 25
    with connection_class(url.hostname, url.port or default_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
