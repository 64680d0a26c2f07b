"""Plan one day's actions for a portfolio from a strategy (pure: the date is a parameter).

Speed comes from compiling the strategy once per run: each segment's actions are indexed
by (anchor, offset), so an account costs a stage computation, a segment match and two or
three dict look-ups; nothing is parsed per account. Action ids are a hash of loan, date,
arm, segment and action key, so planning the same day twice yields the same ids: that is
what makes the nightly run idempotent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from types import MappingProxyType

from faircollect.domain.lawful import LawfulAmounts, excess_clause
from faircollect.domain.ledger.state import AccountState, Stage, bucket
from faircollect.domain.money import format_yuan
from faircollect.domain.strategy.arms import CHALLENGER, CHAMPION, arm_for
from faircollect.domain.strategy.matching import first_matching
from faircollect.domain.strategy.model import (
    ActionKind,
    ActionRule,
    Anchor,
    Channel,
    Party,
    Purpose,
    Segment,
    Strategy,
)

_ADDRESS_CHANNELS = frozenset({Channel.LETTER, Channel.LAWYER_LETTER, Channel.VISIT})
_ACCOUNT_CHANNELS = frozenset({Channel.APP_PUSH, Channel.WECHAT})
VISIT_NOTICE_KEY = "visit_notice"
_NO_CONTEXT: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class AccountView:
    """What planning needs to know about one loan on the planning date. Amounts in fen."""

    loan_id: str
    borrower_id: str
    state: AccountState
    product: str = ""
    balance: int = 0
    """Outstanding balance used for segment matching (fen)."""
    borrower_name: str = ""
    risk_score: int | None = None
    first_time_delinquent: bool = True
    borrower_unreachable: bool = False
    """Set when the borrower's number is invalid; failed attempts also count (see policies)."""
    consecutive_failed_attempts: int = 0
    visit_notice_sent_on: date | None = None
    broken_promise_on: date | None = None
    borrower_phone: str | None = None
    borrower_email: str | None = None
    address: str | None = None
    guarantor_phone: str | None = None
    emergency_phones: tuple[str, ...] = ()
    next_due_amount: int | None = None
    tz: tzinfo | None = None
    """The borrower's time zone; None uses the run's default."""
    lawful: LawfulAmounts | None = None
    """Set when the contract asks for more than the law supports (KANTOU-1, RATE-1/2):
    messages ask for these amounts, with the contract's only beside them, marked."""


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One action planned for a date, before the gate has judged it."""

    action_id: str
    loan_id: str
    borrower_id: str
    stage: Stage
    segment: str
    key: str
    kind: ActionKind
    channel: Channel | None
    party: Party
    purpose: Purpose
    scheduled_at: datetime
    target: str | None
    template: str | None
    context: Mapping[str, str] = field(hash=False)
    priority: int = 50
    arm: str = CHAMPION


def action_id(loan_id: str, as_of: date, arm: str, segment: str, key: str) -> str:
    """Deterministic id: the same loan, day and action always give the same id."""
    raw = f"{loan_id}|{as_of.isoformat()}|{arm}|{segment}|{key}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class _CompiledSegment:
    segment: Segment
    fixed: Mapping[tuple[Anchor, int], tuple[ActionRule, ...]]
    repeating: tuple[ActionRule, ...]


def _compile_segment(segment: Segment) -> _CompiledSegment:
    fixed: dict[tuple[Anchor, int], list[ActionRule]] = {}
    for rule in (*segment.actions, *segment.escalation):
        for offset in rule.days:
            fixed.setdefault((rule.anchor, offset), []).append(rule)
    repeating = tuple(r for r in (*segment.actions, *segment.escalation) if r.every is not None)
    return _CompiledSegment(segment, {k: tuple(v) for k, v in fixed.items()}, repeating)


@dataclass(frozen=True, slots=True)
class _CompiledStage:
    """One stage's segments, plus what lets most accounts be skipped without matching."""

    segments: tuple[Segment, ...]
    compiled: tuple[_CompiledSegment, ...]
    triggers: frozenset[tuple[Anchor, int]]
    """Every (anchor, offset) on which some segment of the stage has an action."""
    repeating: tuple[ActionRule, ...]
    """Every repeating rule of the stage's segments."""

    def may_fire(self, offsets: Mapping[Anchor, int]) -> bool:
        """False when no segment of the stage has a rule firing at these offsets.

        Exactly the rules ``_fired_rules`` could yield: a fixed (anchor, offset) or a
        repeating rule due at its anchor's offset. True does not promise an action (the
        segment may not match, the data may lack a target)."""
        if any(item in self.triggers for item in offsets.items()):
            return True
        return any(
            rule.anchor in offsets and rule.fires_on(offsets[rule.anchor])
            for rule in self.repeating
        )


@dataclass(frozen=True, slots=True)
class _CompiledStrategy:
    strategy: Strategy
    arm: str
    by_stage: Mapping[Stage, _CompiledStage]


def _compile(strategy: Strategy, arm: str) -> _CompiledStrategy:
    by_stage = {}
    for stage in Stage:
        segments = strategy.segments_for(stage)
        if not segments:
            continue
        compiled = tuple(_compile_segment(s) for s in segments)
        triggers = frozenset(key for c in compiled for key in c.fixed)
        repeating = tuple(rule for c in compiled for rule in c.repeating)
        by_stage[stage] = _CompiledStage(segments, compiled, triggers, repeating)
    return _CompiledStrategy(strategy, arm, by_stage)


def plan_day(
    accounts: Iterable[AccountView], strategy: Strategy, as_of: date, tz: tzinfo
) -> list[PlannedAction]:
    """Every action the strategy (or its challenger, per account) asks for on ``as_of``."""
    champion = _compile(strategy, CHAMPION)
    challenger = strategy.challenger
    rival = _compile(challenger.strategy, CHALLENGER) if challenger else None
    share = challenger.share_bp if challenger else 0
    planned: list[PlannedAction] = []
    for account in accounts:
        arm = arm_for(account.loan_id, share, strategy.name) if rival else CHAMPION
        compiled = rival if rival is not None and arm == CHALLENGER else champion
        planned.extend(_plan_account(account, compiled, as_of, tz))
    return planned


def planning_filter(strategy: Strategy, as_of: date) -> Callable[[int, date | None], bool]:
    """``may_plan(dpd, next_due_on)``: False only for accounts ``plan_day`` leaves alone.

    For an account with this DPD and next due date and NO broken promise on record, False
    means that neither the strategy nor its challenger has a rule firing on ``as_of`` in
    the account's stage, so ``plan_day`` would return nothing for it whatever the rest of
    its data. Loaders use it to read in full only the accounts that can get an action
    (most accounts are current, or between reminder days); accounts with a broken
    promise must always be planned. Answers are cached per (dpd, next_due_on): a
    portfolio has few distinct pairs.
    """
    arms = [_compile(strategy, CHAMPION)]
    if strategy.challenger is not None:
        arms.append(_compile(strategy.challenger.strategy, CHALLENGER))

    @cache
    def may_plan(dpd: int, next_due_on: date | None) -> bool:
        return any(_firing(arm, dpd, next_due_on, None, as_of) is not None for arm in arms)

    return may_plan


def stage_of(account: AccountView, strategy: Strategy, as_of: date) -> Stage:
    """The stage under this strategy's thresholds (the strategy, not the ledger, decides)."""
    return _stage(strategy, account.state.dpd, account.state.next_due_on, as_of)


def _stage(strategy: Strategy, dpd: int, next_due_on: date | None, as_of: date) -> Stage:
    thresholds = strategy.thresholds
    due_soon = (
        next_due_on is not None and 0 <= (next_due_on - as_of).days <= thresholds.pre_due_days
    )
    return thresholds.stage(dpd, due_soon)


def _offsets(
    dpd: int, next_due_on: date | None, broken_promise_on: date | None, as_of: date
) -> dict[Anchor, int]:
    """How far the account is from each anchor today (only the anchors that apply)."""
    offsets: dict[Anchor, int] = {}
    if next_due_on is not None:
        offsets[Anchor.DUE] = (as_of - next_due_on).days
    if dpd > 0:
        offsets[Anchor.DPD] = dpd
    if broken_promise_on is not None and broken_promise_on <= as_of:
        offsets[Anchor.BROKEN_PROMISE] = (as_of - broken_promise_on).days
    return offsets


def _firing(
    compiled: _CompiledStrategy,
    dpd: int,
    next_due_on: date | None,
    broken_promise_on: date | None,
    as_of: date,
) -> tuple[Stage, _CompiledStage, dict[Anchor, int]] | None:
    """The account's stage, its compiled group and offsets, or None when nothing can fire."""
    stage = _stage(compiled.strategy, dpd, next_due_on, as_of)
    group = compiled.by_stage.get(stage)
    if group is None:
        return None
    offsets = _offsets(dpd, next_due_on, broken_promise_on, as_of)
    if not group.may_fire(offsets):
        return None
    return stage, group, offsets


def _fired_rules(compiled: _CompiledSegment, offsets: Mapping[Anchor, int]) -> Iterator[ActionRule]:
    seen: set[str] = set()
    for anchor, offset in offsets.items():
        for rule in compiled.fixed.get((anchor, offset), ()):
            if rule.key not in seen:
                seen.add(rule.key)
                yield rule
    for rule in compiled.repeating:
        offset_or_none = offsets.get(rule.anchor)
        if rule.key not in seen and offset_or_none is not None and rule.fires_on(offset_or_none):
            seen.add(rule.key)
            yield rule


def _plan_account(
    account: AccountView, compiled: _CompiledStrategy, as_of: date, tz: tzinfo
) -> list[PlannedAction]:
    state = account.state
    firing = _firing(compiled, state.dpd, state.next_due_on, account.broken_promise_on, as_of)
    if firing is None:
        return []
    stage, group, offsets = firing
    segment = first_matching(
        group.segments,
        bucket=bucket(account.state.dpd),
        product=account.product,
        balance=account.balance,
        risk_score=account.risk_score,
        first_time=account.first_time_delinquent,
    )
    if segment is None:
        return []
    chosen = group.compiled[group.segments.index(segment)]
    contexts: dict[bool, TemplateContext] = {}
    out: list[PlannedAction] = []
    for rule in _fired_rules(chosen, offsets):
        action = _realise(rule, account, segment, stage, compiled, as_of, tz, contexts)
        if action is not None:
            out.append(action)
    return out


def _is_unreachable(account: AccountView, strategy: Strategy) -> bool:
    """Invalid number, or N consecutive failed attempts (CN-3P-1: N = 3 by default)."""
    limit = strategy.policies.unreachable_after_failed_attempts
    return account.borrower_unreachable or account.consecutive_failed_attempts >= limit


def _realise(
    rule: ActionRule,
    account: AccountView,
    segment: Segment,
    stage: Stage,
    compiled: _CompiledStrategy,
    as_of: date,
    tz: tzinfo,
    contexts: dict[bool, TemplateContext],
) -> PlannedAction | None:
    """Turn a fired rule into a planned action, or None when the law or the data forbid it.

    ``contexts`` caches the account's two template contexts (third party or not) so an
    account with several actions shares each; they are computed lazily and read-only.
    Actions without a template (calls, visits, placements) carry an empty context.
    """
    strategy = compiled.strategy
    if rule.party is Party.EMERGENCY_CONTACT and not _is_unreachable(account, strategy):
        return None
    if rule.channel is Channel.VISIT:
        visit_ready = _visit_ready(account, strategy, as_of)
        if visit_ready is None:
            return None
        if not visit_ready:
            rule = _notice_letter_rule(rule, strategy)
    target = _target(rule, account)
    if rule.kind is ActionKind.CONTACT and target is None:
        return None
    third_party = rule.party is Party.EMERGENCY_CONTACT
    if rule.template is not None and third_party not in contexts:
        contexts[third_party] = TemplateContext(account, rule.party, strategy, as_of)
    return PlannedAction(
        action_id=action_id(account.loan_id, as_of, compiled.arm, segment.name, rule.key),
        loan_id=account.loan_id,
        borrower_id=account.borrower_id,
        stage=stage,
        segment=segment.name,
        key=rule.key,
        kind=rule.kind,
        channel=rule.channel,
        party=rule.party,
        purpose=rule.purpose,
        scheduled_at=datetime.combine(as_of, rule.at, tzinfo=account.tz or tz),
        target=target,
        template=rule.template,
        context=contexts[third_party] if rule.template is not None else _NO_CONTEXT,
        priority=rule.priority,
        arm=compiled.arm,
    )


def _visit_ready(account: AccountView, strategy: Strategy, as_of: date) -> bool | None:
    """True: the notice went out long enough ago. False: send it now. None: wait for it."""
    sent = account.visit_notice_sent_on
    if sent is None:
        return False
    if as_of - sent >= timedelta(days=strategy.policies.visit_notice_days):
        return True
    return None


def _notice_letter_rule(visit: ActionRule, strategy: Strategy) -> ActionRule:
    """The visit notice letter (上门告知函) planned in place of a visit not yet announced."""
    return ActionRule(
        key=VISIT_NOTICE_KEY,
        anchor=visit.anchor,
        days=visit.days,
        channel=Channel.LETTER,
        party=visit.party,
        purpose=Purpose.NOTIFY,
        template=strategy.policies.visit_notice_template,
        priority=visit.priority,
        at=visit.at,
    )


def _target(rule: ActionRule, account: AccountView) -> str | None:
    """Where the contact goes: a phone, an address, an e-mail, or the app account."""
    if rule.kind is not ActionKind.CONTACT:
        return None
    if rule.party is Party.EMERGENCY_CONTACT:
        return account.emergency_phones[0] if account.emergency_phones else None
    if rule.party is Party.GUARANTOR:
        return account.guarantor_phone
    if rule.channel in _ADDRESS_CHANNELS:
        return account.address
    if rule.channel is Channel.EMAIL:
        return account.borrower_email
    if rule.channel in _ACCOUNT_CHANNELS:
        return account.borrower_id
    return account.borrower_phone


class TemplateContext(Mapping[str, str]):
    """An action's template values, computed on first use.

    Most planned actions are judged by the gate before anything is rendered, and many are
    denied or rescheduled; building the strings lazily keeps planning a million accounts
    cheap. The values are a pure function of the account, party, strategy and date, so
    computing them later gives exactly what computing them now would.
    """

    __slots__ = ("_account", "_as_of", "_party", "_strategy", "_values")

    def __init__(self, account: AccountView, party: Party, strategy: Strategy, as_of: date):
        self._account, self._party, self._strategy, self._as_of = account, party, strategy, as_of
        self._values: dict[str, str] | None = None

    def for_account(self, account: AccountView) -> TemplateContext:
        """The same template's values for ``account`` (e.g. with its lawful amounts)."""
        return TemplateContext(account, self._party, self._strategy, self._as_of)

    def _data(self) -> dict[str, str]:
        if self._values is None:
            self._values = template_context(self._account, self._party, self._strategy, self._as_of)
        return self._values

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return f"TemplateContext({self._data()!r})"


def template_context(
    account: AccountView, party: Party, strategy: Strategy, as_of: date
) -> dict[str, str]:
    """Values a template may use; amounts in yuan with two decimals.

    An emergency contact's context holds only the borrower's name and the call-back number:
    a relay template cannot disclose the debt because it is never given it (CN-3P-1).
    ``law_firm`` is present only when the strategy names one, so a lawyer letter can never
    go out in the name of a firm that does not act for the lender.
    """
    policies = strategy.policies
    if party is Party.EMERGENCY_CONTACT:
        return {"name": account.borrower_name, "hotline": policies.hotline}
    state = account.state if account.lawful is None else account.lawful.state
    next_due_amount = account.next_due_amount
    if account.lawful is not None and account.next_due_amount is not None:
        next_due_amount = account.lawful.next_due_amount
    context = {
        "name": account.borrower_name,
        "hotline": policies.hotline,
        "lender": policies.lender_name,
        "loan_id": account.loan_id,
        "as_of": as_of.isoformat(),
        "dpd": str(state.dpd),
        "overdue_total": format_yuan(state.total_overdue),
        "overdue_principal": format_yuan(state.overdue_principal),
        "overdue_interest": format_yuan(state.overdue_interest),
        "overdue_fee": format_yuan(state.overdue_fee),
        "penalty": format_yuan(state.penalty),
        "outstanding_principal": format_yuan(state.outstanding_principal),
        "excess_note": excess_note(account),
    }
    context["visit_from"] = (as_of + timedelta(days=policies.visit_notice_days)).isoformat()
    if policies.law_firm:
        context["law_firm"] = policies.law_firm
    if state.next_due_on is not None:
        context["due_date"] = state.next_due_on.isoformat()
    if next_due_amount is not None:
        context["amount_due"] = format_yuan(next_due_amount)
    return context


def excess_note(account: AccountView) -> str:
    """The clause a message adds where the contract asks for more than the law supports:
    the contract's figure beside the lawful one, marked as not collected; empty otherwise."""
    if account.lawful is None:
        return ""
    return excess_clause(account.state.total_overdue, account.lawful.state.total_overdue)
