"""The borrower portal's rules (issue 13), pure: sign-in codes and complaints.

Sign-in: a 6-digit code goes by SMS to the borrower's own number; it is valid for
``CODE_VALIDITY``, at most ``PER_MINUTE`` code a minute and ``PER_HOUR`` an hour are sent
to one number, and ``MAX_WRONG_TRIES`` wrong tries void it. A number that is no
borrower's is answered exactly like one that is: nobody learns who borrows.

Complaints (COMP-1): the lender answers within ``ANSWER_DAYS`` days (the consumer-complaint
rules for banks and insurers, 银行保险机构消费投诉处理管理办法); while one is open,
collection contact to the borrower is paused. The routes outside the lender are shown
with every complaint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from faircollect.domain.compliance.actions import Channel, Slot
from faircollect.domain.ledger.terms import LoanTerms
from faircollect.domain.money import format_yuan
from faircollect.domain.true_cost import TrueCost

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=5)
PER_MINUTE = 1
PER_HOUR = 5
MAX_WRONG_TRIES = 5
SESSION_LIFETIME = timedelta(hours=1)
"""A borrower signs in to look something up, not for a working day."""

SIGN_IN_MESSAGE_PREFIX = "otp-"
"""Outbox message ids of sign-in codes: messages no collection action planned (not gated,
not counted as collection contact by the compliance report)."""

_PHONE = re.compile(r"\+?[0-9]{6,20}")


class BadPhone(ValueError):
    """A phone number that is not one (the message says why)."""


def normal_phone(text: str) -> str:
    """The number as stored (digits, an optional leading +; spaces and dashes dropped)."""
    cleaned = re.sub(r"[\s-]", "", text)
    if not _PHONE.fullmatch(cleaned):
        raise BadPhone("a phone number of 6 to 20 digits, such as 13800000001")
    return cleaned


def wait_before_code(asked: Sequence[datetime], now: datetime) -> int | None:
    """Seconds to wait before another code may go to a number that was sent codes at
    ``asked`` (any order); None when one may go now."""
    last_hour = sorted(a for a in asked if a > now - timedelta(hours=1))
    waits: list[timedelta] = []
    last_minute = [a for a in last_hour if a > now - timedelta(minutes=1)]
    if len(last_minute) >= PER_MINUTE:
        waits.append(last_minute[-PER_MINUTE] + timedelta(minutes=1) - now)
    if len(last_hour) >= PER_HOUR:
        waits.append(last_hour[-PER_HOUR] + timedelta(hours=1) - now)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds()))


def code_message(code: str, lender: str) -> str:
    """The SMS that carries a sign-in code."""
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    return (
        f"【{lender}】您的借款人服务登录验证码：{code}，{minutes}分钟内有效。"
        "请勿告诉任何人，工作人员不会向您索要验证码。"
    )


class ComplaintStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


ANSWER_DAYS = 15


def answer_by(opened_on: date) -> date:
    """The day by which the lender answers a complaint opened on ``opened_on``."""
    return opened_on + timedelta(days=ANSWER_DAYS)


OUTSIDE_ROUTES: tuple[tuple[str, str], ...] = (
    ("12378", "国家金融监督管理总局消费者投诉热线：对放贷机构、催收行为的投诉"),
    ("12363", "中国人民银行：征信、个人信息、支付相关的投诉"),
    ("12368", "人民法院诉讼服务热线：核实是否真的被起诉、法院文书是否真实"),
    ("110", "遇到威胁人身安全或冒充公检法，请立即报警"),
)
"""Where a borrower can turn besides the lender (COMP-1)."""

MAX_COMPLAINT_TEXT = 4000
"""Characters of a complaint's text, and of its evidence."""


def percent(rate: Decimal) -> str:
    """A rate as a percentage with two decimals, half up: Decimal("0.3612") -> "36.12%"."""
    return f"{(rate * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def cost_in_words(terms: LoanTerms, cost: TrueCost) -> tuple[str, ...]:
    """What the loan really costs, in plain Chinese: what 砍头息 and fees did to the rate."""
    words = [
        f"合同写明借款 {format_yuan(terms.principal)} 元，名义年利率 {percent(terms.annual_rate)}，"
        f"分 {terms.term_months} 期。"
    ]
    deducted = terms.principal - terms.received
    if deducted > 0:
        words.append(
            f"放款时先扣了 {format_yuan(deducted)} 元（砍头息），你实际到手 "
            f"{format_yuan(terms.received)} 元，却要按 {format_yuan(terms.principal)} 元还本付息。"
        )
    if cost.total_fees > 0:
        words.append(f"合同另收服务费等费用共 {format_yuan(cost.total_fees)} 元。")
    words.append(
        f"按你实际到手的钱和全部还款计算，真实年化成本（IRR）是 {percent(cost.apr_irr)}"
        + (
            f"，比名义年利率高 {percent(cost.apr_irr - terms.annual_rate)}。"
            if cost.apr_irr > terms.annual_rate
            else "。"
        )
    )
    return tuple(words)


def excess_in_words(terms: LoanTerms, cost: TrueCost) -> tuple[tuple[str, str], ...]:
    """Each way the contract asks more than the law supports: (rule id, plain words)."""
    lawful = cost.lawful
    found: list[tuple[str, str]] = []
    deducted = terms.principal - terms.received
    if deducted > 0:
        found.append(
            (
                "KANTOU-1",
                f"预先扣除的 {format_yuan(deducted)} 元不算本金：依法本金是你实际收到的 "
                f"{format_yuan(terms.received)} 元（民法典第670条）。",
            )
        )
    if terms.annual_rate > lawful.cap_rate:
        found.append(
            (
                lawful.cap_rule,
                f"合同年利率 {percent(terms.annual_rate)} 超过上限 {percent(lawful.cap_rate)}，"
                f"超出部分的利息依法不受支持。",
            )
        )
    if lawful.fee_per_installment < terms.periodic_fee:
        found.append(
            (
                lawful.cap_rule,
                f"每期服务费 {format_yuan(terms.periodic_fee)} 元使综合成本超过年化 "
                f"{percent(lawful.cap_rate)}，依法每期最多 "
                f"{format_yuan(lawful.fee_per_installment)} 元。",
            )
        )
    return tuple(found)


WHAT_TO_DO_EXCESS = (
    "按依法应还的金额安排还款；超出的部分你可以向放贷机构书面提出异议，要求按依法金额重新计算。",
    "保留借款合同、放款到账记录和每笔还款记录，这些是证明实际到手金额的证据。",
    "放贷机构不处理或继续按合同金额催收的，可以在本页投诉，也可以拨打 12378 向金融监管部门投诉。",
)
WHAT_TO_DO_OVERDUE = (
    "逾期每天都会产生罚息：能还多少先还多少，还款按 罚息 → 费用 → 利息 → 本金 的顺序抵扣。",
    "一时还不上，可以在本页申请分期，由放贷机构的主管审批。",
)
WHAT_TO_DO_ILLEGAL = (
    "这笔借款的真实年化成本超过了放贷机构自己设定的违法界限（CRIM-1）：对方不得以任何威胁、"
    "骚扰、上门等强迫方式催收，遇到请保留证据并投诉，涉及威胁人身安全的请拨打 110。"
)
WHAT_TO_DO_CURRENT = ("按时还款即可；如遇困难，请提前联系放贷机构协商。",)


# Contact preferences (DNC-1): the borrower narrows when and how they are contacted ------

OPTIONAL_CHANNELS = frozenset(
    {Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.APP_PUSH, Channel.WECHAT}
)
"""Channels a borrower may turn off; at least one of them stays open (a creditor keeps a
lawful way to reach them). Letters and visits follow their own rules (CN-VISIT-1)."""
MAX_SLOTS = 4


class PreferenceError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Preferences:
    contact_slots: tuple[Slot, ...] = ()
    channels_off: frozenset[Channel] = frozenset()


def _clock(text: object, field: str) -> time:
    if not isinstance(text, str) or not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", text):
        raise PreferenceError(field, f"expected a time such as 18:00, got {text!r}")
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise PreferenceError(field, f"not a time of day: {text!r}") from None


def read_preferences(
    slots: Sequence[object], channels: Sequence[object], window: tuple[time, time]
) -> Preferences:
    """The preferences as given, or PreferenceError naming the field: each slot
    ``["HH:MM", "HH:MM"]`` starts before it ends and lies within the lawful ``window``
    (a preference narrows it, it cannot widen it); channels are ones a borrower may turn
    off, leaving at least one open."""
    read: list[Slot] = []
    if len(slots) > MAX_SLOTS:
        raise PreferenceError("contact_slots", f"at most {MAX_SLOTS} slots")
    for n, pair in enumerate(slots):
        field = f"contact_slots.{n}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise PreferenceError(field, 'expected ["HH:MM", "HH:MM"]')
        start, end = _clock(pair[0], field), _clock(pair[1], field)
        if not start < end:
            raise PreferenceError(field, "a slot starts before it ends (same day)")
        if start < window[0] or end > window[1]:
            lawful = f"{window[0]:%H:%M}-{window[1]:%H:%M}"
            raise PreferenceError(field, f"a slot lies within the lawful hours {lawful}")
        read.append(Slot(start, end))
    off: set[Channel] = set()
    for n, name in enumerate(channels):
        try:
            channel = Channel(str(name)) if isinstance(name, str) else None
        except ValueError:
            channel = None
        if channel not in OPTIONAL_CHANNELS:
            allowed = ", ".join(sorted(c.value for c in OPTIONAL_CHANNELS))
            raise PreferenceError(f"channels_off.{n}", f"one of {allowed}")
        assert channel is not None
        off.add(channel)
    if off >= OPTIONAL_CHANNELS:
        raise PreferenceError("channels_off", "at least one channel stays open")
    return Preferences(tuple(read), frozenset(off))
