"""Letters to a borrower (issue 14): the overdue notice (逾期提醒函), the visit notice
(上门通知函) and the lawyer letter (律师函), as values with no I/O.

What a letter may say is decided here: its kind's template, the values the template
receives (the lawfully owed amounts, never the contract's excess: KANTOU-1, RATE-1,
RATE-2), and when a letter may not be written at all: a loan that is not overdue, a
lawyer letter without a law firm that really acts for the lender, or a coercive letter
(visit, lawyer) on an illegal debt (CRIM-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from faircollect.domain.compliance.actions import Channel
from faircollect.domain.lawful import excess_clause
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.lender import LenderProfile
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan


class LetterKind(StrEnum):
    OVERDUE_NOTICE = "overdue_notice"
    VISIT_NOTICE = "visit_notice"
    LAWYER_LETTER = "lawyer_letter"


TITLES: dict[LetterKind, str] = {
    LetterKind.OVERDUE_NOTICE: "逾期还款提醒函",
    LetterKind.VISIT_NOTICE: "上门拜访通知函",
    LetterKind.LAWYER_LETTER: "律师函",
}

TEMPLATES: dict[LetterKind, str] = {
    LetterKind.OVERDUE_NOTICE: "letter_overdue_notice",
    LetterKind.VISIT_NOTICE: "letter_visit_notice",
    LetterKind.LAWYER_LETTER: "lawyer_letter",
}
"""The shipped templates the night's letters use too (``data/templates``)."""

COERCIVE = frozenset({LetterKind.VISIT_NOTICE, LetterKind.LAWYER_LETTER})
"""Letters that announce pressure (a home visit, a lawsuit): never on an illegal debt."""


def offered_kinds(lender: LenderProfile) -> tuple[LetterKind, ...]:
    """The kinds a lender can issue at all: a lawyer letter only when a law firm acts for
    it (``refusals`` would refuse it on every loan otherwise, so a page does not offer it)."""
    return tuple(
        kind
        for kind in LetterKind
        if kind is not LetterKind.LAWYER_LETTER or lender.law_firm.strip()
    )


def complaint_channels(lender: LenderProfile) -> str:
    """COMP-1: the channels every letter names, the lender's own line first."""
    return (
        f"如认为催收行为不当，可向{lender.name}投诉（{lender.complaint_line}），也可拨打"
        "国家金融监督管理总局 12378 或中国人民银行 12363 反映；收到自称法院的信息，可拨打 "
        "12368 核实。"
    )


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """What a letter is written from: the borrower, the loan's lawful state, the lender."""

    kind: LetterKind
    loan_id: str
    borrower_name: str
    as_of: date
    lawful: AccountState
    illegal: bool
    lender: LenderProfile
    visit_notice_days: int = 3
    contract: AccountState | None = None
    """The state under the contract, when it differs from the lawful one (then the letter
    shows the contract's figure beside the lawful one, marked as not collected)."""


def refusals(facts: LetterFacts) -> list[Message]:
    """Why the letter may not be written (empty: it may)."""
    reasons: list[Message] = []
    if facts.lawful.dpd <= 0 or facts.lawful.total_overdue <= 0:
        reasons.append(Message("letter.not_overdue", loan_id=facts.loan_id, as_of=facts.as_of))
    if facts.kind is LetterKind.LAWYER_LETTER and not facts.lender.law_firm.strip():
        reasons.append(Message("letter.no_law_firm"))
    if facts.kind in COERCIVE and facts.illegal:
        reasons.append(Message("letter.illegal_debt", loan_id=facts.loan_id, kind=facts.kind.value))
    return reasons


def context(facts: LetterFacts) -> dict[str, str]:
    """The template's values: amounts in yuan with two decimals, lawful amounts only."""
    s = facts.lawful
    values = {
        "name": facts.borrower_name,
        "hotline": facts.lender.complaint_line,
        "lender": facts.lender.name,
        "loan_id": facts.loan_id,
        "as_of": facts.as_of.isoformat(),
        "dpd": str(s.dpd),
        "overdue_total": format_yuan(s.total_overdue),
        "overdue_principal": format_yuan(s.overdue_principal),
        "overdue_interest": format_yuan(s.overdue_interest),
        "overdue_fee": format_yuan(s.overdue_fee),
        "penalty": format_yuan(s.penalty),
        "outstanding_principal": format_yuan(s.outstanding_principal),
        "visit_from": (facts.as_of + timedelta(days=facts.visit_notice_days)).isoformat(),
        "excess_note": ""
        if facts.contract is None or facts.contract == s
        else excess_clause(facts.contract.total_overdue, s.total_overdue),
    }
    if facts.lender.law_firm.strip():
        values["law_firm"] = facts.lender.law_firm.strip()
    return values


@dataclass(frozen=True, slots=True)
class Letter:
    """A letter ready to be laid out: its kind, title, reference, body text (rendered and
    screened) and the lender who sends it."""

    kind: LetterKind
    title: str
    reference: str
    body: str
    lender: LenderProfile
    loan_id: str
    as_of: date


@dataclass(frozen=True, slots=True)
class IssuedLetter:
    """A letter laid out from the case page or ``letter render`` and stored: the PDF's
    SHA-256 and size, who laid it out and when. It waits in the outbox under
    ``letter_id`` and has gone out only when a dispatch channel reported it (the outbox
    row's status, ``domain.outreach``)."""

    letter_id: str
    loan_id: str
    kind: LetterKind
    reference: str
    as_of: date
    rendered_at: datetime
    rendered_by: str
    sha256: str
    size: int

    @property
    def channel(self) -> str:
        """The outbox channel the letter waits on: the print channel's letter or lawyer
        letter (``adapters.channels.pdf_letters.LETTER_CHANNELS``)."""
        return channel_of(self.kind).value


def channel_of(kind: LetterKind) -> Channel:
    """The channel a letter of ``kind`` goes out on: what the gate is asked about and the
    outbox row it waits in."""
    return Channel.LAWYER_LETTER if kind is LetterKind.LAWYER_LETTER else Channel.LETTER


def reference(kind: LetterKind, loan_id: str, as_of: date) -> str:
    """The letter's reference number (函件编号): kind, loan and date."""
    return f"{kind.value.upper()}-{loan_id}-{as_of:%Y%m%d}"


def kind_of(channel: str, body: str) -> LetterKind:
    """Which letter a queued message of a letter channel is: the lawyer letter channel's
    are lawyer letters; on the letter channel the visit notice is the one announcing a visit
    (its template says 上门拜访), every other is an overdue notice."""
    if channel == "lawyer_letter":
        return LetterKind.LAWYER_LETTER
    return LetterKind.VISIT_NOTICE if "上门拜访" in body else LetterKind.OVERDUE_NOTICE


def from_message(
    message_id: str, channel: str, body: str, lender: LenderProfile, on: date
) -> Letter:
    """A letter the night rendered, gated and queued (its text already screened), as the
    print channel lays it out: the kind's title, the action id as reference, the
    complaint channels added."""
    kind = kind_of(channel, body)
    title = TITLES[kind]
    lines = body.strip().splitlines()
    if lines and lines[0].strip() == title:
        lines = lines[1:]
    text = "\n".join(lines).strip()
    return Letter(
        kind, title, message_id, f"{text}\n\n{complaint_channels(lender)}", lender, "", on
    )
