"""Channel adapters against real transports: SMTP via a local aiosmtpd server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from faircollect.adapters.channels import (
    Channel,
    MemoryOutboxStore,
    OutboundMessage,
    OutboxChannel,
    SendStatus,
    SmtpChannel,
    default_sms_channel,
)

BODY = "尊敬的张三，您好！您的借款本期应还 1234.56 元，还款日为 2026-12-01。"
SUBJECT = "还款提醒：本期应还 1234.56 元"


class _Collect:
    """An aiosmtpd handler that keeps every received message, parsed as the client sent it."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.received.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Collect]]:
    handler = _Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _message(message_id: str = "act-1") -> OutboundMessage:
    return OutboundMessage(message_id, "email", "zhangsan@example.cn", BODY, SUBJECT)


def test_smtp_delivers_chinese_text_intact(smtp_server: tuple[int, _Collect]) -> None:
    port, handler = smtp_server
    channel = SmtpChannel("127.0.0.1", port, "collect@lender.example", sender_name="示例消费金融")
    result = channel.send(_message())
    assert result.status is SendStatus.SENT
    assert len(handler.received) == 1
    mail = handler.received[0]
    assert mail.get_content().strip() == BODY
    assert str(mail["Subject"]) == SUBJECT
    assert mail["To"] == "zhangsan@example.cn"
    assert "示例消费金融" in str(mail["From"])
    assert "act-1" in str(mail["Message-ID"])


def test_smtp_failure_is_a_result_not_an_exception() -> None:
    channel = SmtpChannel("127.0.0.1", _free_port(), "collect@lender.example", timeout=2)
    result = channel.send(_message())
    assert result.status is SendStatus.FAILED
    assert result.detail.startswith("smtp:")


def test_outbox_stores_and_never_queues_twice() -> None:
    store = MemoryOutboxStore()
    outbox = OutboxChannel(store)
    first = outbox.send(_message("a"))
    again = outbox.send(_message("a"))
    outbox.send(_message("b"))
    assert first.status is SendStatus.QUEUED and again.status is SendStatus.QUEUED
    assert "already" in again.detail
    assert list(store.messages) == ["a", "b"]


def test_sms_defaults_to_the_outbox_and_fits_the_protocol() -> None:
    sms = default_sms_channel()
    assert isinstance(sms, Channel)
    assert isinstance(sms, OutboxChannel)
    assert sms.send(_message()).status is SendStatus.QUEUED
