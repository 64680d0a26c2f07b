"""Channel adapters: the outbox (default, sends nothing), SMTP, and SMS / push interfaces."""

from faircollect.adapters.channels.base import Channel, OutboundMessage, SendResult, SendStatus
from faircollect.adapters.channels.outbox import MemoryOutboxStore, OutboxChannel, OutboxStore
from faircollect.adapters.channels.sms import default_app_push_channel, default_sms_channel
from faircollect.adapters.channels.smtp import SmtpChannel

__all__ = [
    "Channel",
    "MemoryOutboxStore",
    "OutboundMessage",
    "OutboxChannel",
    "OutboxStore",
    "SendResult",
    "SendStatus",
    "SmtpChannel",
    "default_app_push_channel",
    "default_sms_channel",
]
