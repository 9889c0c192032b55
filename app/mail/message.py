"""A message to send, as plain data (it travels through Redis in a job), and its MIME form."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class MailMessage:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    sender: str | None = None  # None: MAIL_DEFAULT_SENDER
    reply_to: str | None = None
    # Kept across retries, so a receiver can recognise a message delivered twice.
    message_id: str | None = None
    headers: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.to, str):
            object.__setattr__(self, "to", (self.to,))
        if not self.to:
            raise ValueError("a message needs at least one recipient")

    def with_message_id(self, domain: str | None = None) -> MailMessage:
        return self if self.message_id else replace(self, message_id=make_msgid(domain=domain))

    def to_dict(self) -> dict:
        """Plain JSON-friendly data (attachments base64) for a job's arguments."""
        return {
            "to": list(self.to), "subject": self.subject, "text": self.text, "html": self.html,
            "attachments": [{"filename": a.filename, "mime_type": a.mime_type,
                             "content": base64.b64encode(a.content).decode("ascii")} for a in self.attachments],
            "sender": self.sender, "reply_to": self.reply_to, "message_id": self.message_id, "headers": dict(self.headers),
        }

    @classmethod
    def from_dict(cls, data: dict) -> MailMessage:
        attachments = tuple(Attachment(a["filename"], base64.b64decode(a["content"]), a.get("mime_type") or "application/octet-stream")
                            for a in data.get("attachments") or ())
        return cls(to=tuple(data["to"]), subject=data["subject"], text=data["text"], html=data.get("html"),
                   attachments=attachments, sender=data.get("sender"), reply_to=data.get("reply_to"),
                   message_id=data.get("message_id"), headers=dict(data.get("headers") or {}))


def sender_domain(sender: str) -> str | None:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or None


def build_email(message: MailMessage, default_sender: str) -> EmailMessage:
    """A multipart message: plain text, the HTML alternative when given, then attachments."""
    email = EmailMessage()
    sender = message.sender or default_sender
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message.message_id or make_msgid(domain=sender_domain(sender))
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename)
    return email

