"""SMS and app push: interfaces only; a provider adapter plugs in, the outbox is default.

No SMS or push provider is wired in yet. Any object with ``send(message) -> SendResult``
fits; until one is configured, messages wait in the outbox and nothing is delivered.
"""

from __future__ import annotations

from faircollect.adapters.channels.base import Channel
from faircollect.adapters.channels.outbox import OutboxChannel, OutboxStore

SmsChannel = Channel
AppPushChannel = Channel


def default_sms_channel(store: OutboxStore | None = None) -> Channel:
    return OutboxChannel(store)


def default_app_push_channel(store: OutboxStore | None = None) -> Channel:
    return OutboxChannel(store)
