"""Deliver e-mail through an SMTP server, UTF-8 throughout so Chinese text survives."""

from __future__ import annotations

import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from faircollect.adapters.channels.base import OutboundMessage, SendResult, SendStatus


class SmtpChannel:
    """Sends each message as one plain-text e-mail; failures are results, not crashes."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        sender_name: str = "",
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.sender_name = sender_name
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The MIME message: UTF-8 body and RFC 2047-encoded Chinese headers."""
        mail = EmailMessage()
        local, _, domain = self.sender.partition("@")
        mail["From"] = Address(self.sender_name, local, domain)
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(idstring=message.message_id)
        mail.set_content(message.body, charset="utf-8")
        return mail

    def send(self, message: OutboundMessage) -> SendResult:
        mail = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username is not None:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as err:
            return SendResult(message.message_id, SendStatus.FAILED, f"smtp: {err}")
        return SendResult(message.message_id, SendStatus.SENT, f"smtp {self.host}:{self.port}")
