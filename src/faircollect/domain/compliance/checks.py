"""The gate's rules as small named functions: ``(action, context) -> list[Violation]``.

Each check looks at one rule (or one facet of it) and returns every breach it sees, so a
decision lists all broken rules, not just the first (the beancount ``validate_*`` shape).
A violation that waiting would cure (hours, daily frequency) carries ``wait_until``.

Decisions taken here (documented so reviewers can argue with them):
- Real-time channels (CN-TIME-1): call, sms, email, app_push, wechat, visit. Letters and lawyer
  letters are exempt; public notices are always denied anyway.
- CN-FREQ-1 counts unanswered *call* attempts on the action's local day (borrower's tz) to the
  same number, whether logged before or after ``at`` (conservative). A history entry without a
  phone, or an action without one, matches any number.
- Third parties (CN-3P-1): besides the flag and the screener's ``third_party`` findings, a
  message to a third party must not name the debt at all; a small built-in word list
  (``DEBT_WORDS``) catches the plain words, because the screener looks for threats to disclose,
  while here any mention is a disclosure.
- CRIM-1 "coercive means" for an illegal debt: a visit (entering the home), a public notice,
  and any text the screener flags as threat, insult, impersonation, false legal consequence,
  public shaming or harassment. A lawyer letter or a plain reminder is not coercive by itself.
- DNC-1 (do-not-contact channels) binds contacts with the borrower; third parties are governed
  by CN-3P-1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from faircollect.domain.compliance.actions import (
    DEBTORS,
    THIRD_PARTIES,
    Channel,
    Party,
    ProposedAction,
    Purpose,
    Slot,
    Violation,
)
from faircollect.domain.compliance.findings import Finding, Label
from faircollect.domain.compliance.pack import Parameters, format_parameter
from faircollect.domain.privacy import mask_phone


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What every check may consult besides the action: the pack's numbers, the local time,
    and the screener's findings on the action's text (computed once per decision)."""

    params: Parameters
    local_at: datetime
    findings: tuple[Finding, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        tz = self.local_at.tzinfo
        assert isinstance(tz, ZoneInfo)
        return tz


Check = Callable[[ProposedAction, CheckContext], list[Violation]]

REAL_TIME_CHANNELS = frozenset(
    {Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.APP_PUSH, Channel.WECHAT, Channel.VISIT}
)
DEBT_WORDS = (
    "欠款",
    "欠钱",
    "欠债",
    "拖欠",
    "逾期",
    "还款",
    "还钱",
    "债务",
    "催收",
    "贷款",
    "借款",
)
"""Words that reveal a debt when said to a third party (CN-3P-1); matched as substrings."""

COERCIVE_LABELS = frozenset(
    {
        Label.VIOLENCE_THREAT,
        Label.INSULT,
        Label.IMPERSONATION,
        Label.FALSE_LEGAL,
        Label.PUBLIC_SHAMING,
        Label.HARASSMENT,
    }
)
"""Screener labels that make a message coercive for CRIM-1."""


def _hhmm(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"  # several times faster than strftime


@lru_cache(maxsize=64)
def _window_text(start: time, end: time) -> str:
    """The hours window as written in reasons; the same few windows, so formatted once."""
    return f"{format_parameter(start)}-{format_parameter(end)}"


def _slots_text(slots: Sequence[Slot]) -> str:
    return ", ".join(f"{format_parameter(s.start)}-{format_parameter(s.end)}" for s in slots)


def next_window_start(local_at: datetime, params: Parameters, slots: Sequence[Slot]) -> datetime:
    """The first moment after ``local_at`` when the hours window or a consented slot opens."""
    now = local_at.time()
    today = local_at.date()
    starts = [params.hours_start, *(slot.start for slot in slots)]
    return min(
        datetime.combine(
            today if start > now else today + timedelta(days=1), start, local_at.tzinfo
        )
        for start in starts
    )


def check_hours(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-TIME-1: real-time contact only within the hours window or a consented slot."""
    if action.channel not in REAL_TIME_CHANNELS:
        return []
    params, now = ctx.params, ctx.local_at.time()
    if params.hours_start <= now < params.hours_end:
        return []
    slots = action.borrower.consented_slots
    if any(slot.contains(now) for slot in slots):
        return []
    window = _window_text(params.hours_start, params.hours_end)
    consented = f"; consented slots: {_slots_text(slots)}" if slots else ""
    reason = (
        f"{_hhmm(ctx.local_at)} is outside {window} {ctx.tz.key} and no slot the borrower "
        f"consented to covers it{consented}"
    )
    return [Violation("CN-TIME-1", reason, next_window_start(ctx.local_at, params, slots))]


def _same_number(logged: str | None, proposed: str | None) -> bool:
    return logged is None or proposed is None or logged == proposed


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of a local calendar day as UTC instants.

    Comparing each logged instant with these two replaces a time-zone conversion per history
    entry with two conversions per action. (Where clocks go back across midnight, the repeated
    hour counts to the day that began at the first midnight.)"""
    start = datetime.combine(day, time.min, tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def unanswered_calls_on(action: ProposedAction, day: date, tz: ZoneInfo) -> int:
    """Unanswered call attempts in the history on local ``day`` to the action's number."""
    start, end = local_day_bounds(day, tz)
    phone, count = action.phone, 0
    for past in action.history:
        if (
            past.channel is Channel.CALL
            and not past.answered
            and _same_number(past.phone, phone)
            and start <= past.at < end
        ):
            count += 1
    return count


def check_frequency(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-FREQ-1: no further call to a number after the daily maximum of unanswered attempts."""
    limit = ctx.params.max_unanswered_calls_per_day
    if action.channel is not Channel.CALL or len(action.history) < limit:
        return []
    day: date = ctx.local_at.date()
    unanswered = unanswered_calls_on(action, day, ctx.tz)
    if unanswered < limit:
        return []
    number = mask_phone(action.phone) if action.phone else "any number"
    reason = (
        f"{unanswered} unanswered call attempts to {number} on {day.isoformat()} "
        f"({ctx.tz.key}); at most {limit} a day"
    )
    tomorrow = datetime.combine(day + timedelta(days=1), datetime.min.time(), ctx.tz)
    return [Violation("CN-FREQ-1", reason, tomorrow)]


def check_contact_list(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """PI-1: a contact harvested from the phone book is never a valid party."""
    if action.party is not Party.CONTACT_LIST:
        return []
    return [Violation("PI-1", "contact_list entries are never collection targets")]


def _third_party_purpose(action: ProposedAction) -> list[Violation]:
    party = action.party.value
    if action.purpose is Purpose.COLLECT:
        return [
            Violation("CN-3P-1", f"collecting from a third party ({party}) is not allowed"),
            Violation("CC-68", f"collect only from the borrower or a guarantor, not {party}"),
        ]
    if action.purpose is Purpose.NOTIFY:
        return [
            Violation(
                "CN-3P-1", f"a third party ({party}) may be contacted only to locate or relay"
            )
        ]
    return []


def _borrower_unreachable(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    borrower, needed = action.borrower, ctx.params.unreachable_after_failed_attempts
    if borrower.number_invalid or borrower.consecutive_failed_attempts >= needed:
        return []
    reason = (
        f"the borrower is reachable: number valid and {borrower.consecutive_failed_attempts} "
        f"consecutive failed attempts (a third party needs {needed} or an invalid number)"
    )
    return [Violation("CN-3P-1", reason)]


def debt_words_in(text: str) -> list[str]:
    """The ``DEBT_WORDS`` a message contains, in list order."""
    return [word for word in DEBT_WORDS if word in text]


def _third_party_disclosure(action: ProposedAction) -> list[Violation]:
    party = action.party.value
    found: list[Violation] = []
    if action.discloses_debt is None:
        found.append(
            Violation(
                "CN-3P-1", f"discloses_debt not stated; a contact to {party} must declare false"
            )
        )
    elif action.discloses_debt:
        found.append(Violation("CN-3P-1", f"the contact discloses the debt to {party}"))
    words = debt_words_in(action.text) if action.text else []
    if words:
        quoted = "、".join(f"「{w}」" for w in words)
        found.append(Violation("CN-3P-1", f"the message to {party} mentions the debt: {quoted}"))
    return found


def check_third_party(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-3P-1 / CC-68: a third party only when the borrower is unreachable, only to locate or
    relay, never revealing the debt, and only a few distinct third parties a day and a
    month (a phone book is never worked through one number after another)."""
    if action.party not in THIRD_PARTIES:
        return []
    return [
        *_third_party_purpose(action),
        *_borrower_unreachable(action, ctx),
        *_third_party_disclosure(action),
        *_third_party_count(action, ctx),
    ]


def _third_parties_between(action: ProposedAction, start: datetime, end: datetime) -> set[str]:
    """Distinct third-party numbers already contacted in ``[start, end)`` (UTC instants),
    not counting the action's own number (calling the same person again adds nobody)."""
    return {
        past.phone or f"(unknown {i})"
        for i, past in enumerate(action.history)
        if past.party in THIRD_PARTIES
        and start <= past.at < end
        and (past.phone is None or past.phone != action.phone)
    }


def _third_party_count(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    params, local = ctx.params, ctx.local_at
    if not action.history:
        return []
    day_start, day_end = local_day_bounds(local.date(), ctx.tz)
    month_first = local.date().replace(day=1)
    next_month = (month_first + timedelta(days=32)).replace(day=1)
    month_start = local_day_bounds(month_first, ctx.tz)[0]
    month_end = local_day_bounds(next_month, ctx.tz)[0]
    found: list[Violation] = []
    today = len(_third_parties_between(action, day_start, day_end))
    if today >= params.max_third_parties_per_day:
        found.append(
            Violation(
                "CN-3P-1",
                f"{today} third parties already contacted on {local.date().isoformat()};"
                f" at most {params.max_third_parties_per_day} a day",
                datetime.combine(local.date() + timedelta(days=1), time.min, ctx.tz),
            )
        )
    month = len(_third_parties_between(action, month_start, month_end))
    if month >= params.max_third_parties_per_month:
        found.append(
            Violation(
                "CN-3P-1",
                f"{month} third parties already contacted in {month_first:%Y-%m};"
                f" at most {params.max_third_parties_per_month} a month",
                datetime.combine(next_month, time.min, ctx.tz),
            )
        )
    return found


def _visit_recorded(action: ProposedAction) -> bool | None:
    """A visit's recording as stated in its details, else on the action; None if unstated."""
    stated = action.visit.recorded if action.visit is not None else None
    return stated if stated is not None else action.recorded


def check_visit(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-VISIT-1: min..max staff, identified, recorded, notice sent, debtor parties only."""
    if action.channel is not Channel.VISIT:
        return []
    found: list[Violation] = []
    if action.party not in DEBTORS:
        found.append(
            Violation(
                "CN-VISIT-1",
                f"only the borrower or a guarantor may be visited, not {action.party.value}",
            )
        )
    visit = action.visit
    if visit is None:
        return [
            *found,
            Violation(
                "CN-VISIT-1", "visit details (staff, identified, recorded, notice_sent) missing"
            ),
        ]
    low, high = ctx.params.visit_staff_min, ctx.params.visit_staff_max
    staff_rule = f"{low}" if low == high else f"{low}-{high}"
    if visit.staff is None or not low <= visit.staff <= high:
        stated = "not stated" if visit.staff is None else str(visit.staff)
        found.append(Violation("CN-VISIT-1", f"visit staff {stated}; must be {staff_rule}"))
    requirements = (
        (visit.identified, "staff must identify themselves"),
        (_visit_recorded(action), "the visit must be recorded"),
        (visit.notice_sent, "a notice letter must be sent before the visit"),
    )
    found.extend(Violation("CN-VISIT-1", text) for done, text in requirements if done is not True)
    found.extend(_notice_lead(visit.notice_sent_on, ctx))
    return found


def _notice_lead(sent_on: date | None, ctx: CheckContext) -> list[Violation]:
    """The notice letter must have gone out ``visit_notice_days`` before the visit day;
    waiting until then cures it."""
    days = ctx.params.visit_notice_days
    if sent_on is None:
        return []
    visit_day = ctx.local_at.date()
    if (visit_day - sent_on).days >= days:
        return []
    ready = datetime.combine(sent_on + timedelta(days=days), ctx.params.hours_start, ctx.tz)
    reason = (
        f"the notice letter went out on {sent_on.isoformat()}, {(visit_day - sent_on).days}"
        f" day(s) before the visit; it must precede the visit by {days} days"
    )
    return [Violation("CN-VISIT-1", reason, ready)]


def check_recorded(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CC-68: calls and visits are recorded; unknown counts as not recorded."""
    if action.channel is Channel.CALL:
        recorded = action.recorded
    elif action.channel is Channel.VISIT:
        recorded = _visit_recorded(action)
    else:
        return []
    if recorded is True:
        return []
    how = "not stated" if recorded is None else "not recorded"
    return [Violation("CC-68", f"a {action.channel.value} must be recorded ({how})")]


def check_public_notice(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-PROH-1 / SOFT-1: publicly posted notices are always denied."""
    if action.channel is not Channel.PUBLIC_NOTICE:
        return []
    return [
        Violation("CN-PROH-1", "public posting of collection notices is prohibited"),
        Violation("SOFT-1", "posting notices about a debtor is soft violence"),
    ]


def _describe(findings: Sequence[Finding]) -> str:
    return "; ".join(f"{f.label.value} 「{f.evidence}」 at {f.start}-{f.end}" for f in findings)


def check_text(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CN-PROH-1 and friends: any text the screener flags is denied under each finding's rule."""
    if not ctx.findings:
        return []
    by_rule: dict[str, list[Finding]] = {}
    for finding in ctx.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return [
        Violation(rule, f"the text is flagged: {_describe(found)}")
        for rule, found in by_rule.items()
    ]


def check_complaint(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """COMP-1: while a complaint is open only notify-purpose contacts go out."""
    if not (action.borrower.complaint_open and ctx.params.complaint_pause):
        return []
    if action.purpose is Purpose.NOTIFY:
        return []
    reason = f"a complaint is open: {action.purpose.value} contacts are paused (notify only)"
    return [Violation("COMP-1", reason)]


def check_illegal_debt(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """CRIM-1: an illegal debt is never collected by a visit or any coercive means."""
    if not action.borrower.illegal_debt:
        return []
    found: list[Violation] = []
    if action.channel in (Channel.VISIT, Channel.PUBLIC_NOTICE):
        found.append(
            Violation("CRIM-1", f"an illegal debt may not be pursued by {action.channel.value}")
        )
    coercive = [f for f in ctx.findings if f.label in COERCIVE_LABELS]
    if coercive:
        found.append(
            Violation("CRIM-1", f"coercive text on an illegal debt: {_describe(coercive)}")
        )
    return found


def check_do_not_contact(action: ProposedAction, ctx: CheckContext) -> list[Violation]:
    """DNC-1: the borrower's do-not-contact channels are not used to reach the borrower,
    and real-time contact with the borrower keeps to the times they asked for (a narrower
    window than CN-TIME-1's, never a wider one)."""
    if action.party is not Party.BORROWER:
        return []
    if action.channel in action.borrower.do_not_contact:
        return [
            Violation("DNC-1", f"the borrower asked not to be contacted by {action.channel.value}")
        ]
    slots = action.borrower.preferred_slots
    if not slots or action.channel not in REAL_TIME_CHANNELS:
        return []
    if any(slot.contains(ctx.local_at.time()) for slot in slots):
        return []
    reason = (
        f"{_hhmm(ctx.local_at)} is outside the times the borrower asked to be contacted in:"
        f" {_slots_text(slots)} {ctx.tz.key}"
    )
    return [Violation("DNC-1", reason, next_slot_start(ctx.local_at, slots))]


def next_slot_start(local_at: datetime, slots: Sequence[Slot]) -> datetime:
    """The first moment after ``local_at`` when one of ``slots`` opens."""
    now, today = local_at.time(), local_at.date()
    return min(
        datetime.combine(today if s.start > now else today + timedelta(days=1), s.start).replace(
            tzinfo=local_at.tzinfo
        )
        for s in slots
    )


ALL_CHECKS: tuple[Check, ...] = (
    check_hours,
    check_frequency,
    check_contact_list,
    check_third_party,
    check_visit,
    check_recorded,
    check_public_notice,
    check_text,
    check_complaint,
    check_illegal_debt,
    check_do_not_contact,
)
"""Every check, in the order violations are reported."""
